package tests

// Bad configurations of AWS Backup (platform:backup): where prod's copies go, and the vault
// lock, whose compliance mode is irreversible. Run by
// TestBadConfigFailsNamingTheKeyAndRegistersNothing.
func init() {
	const k = "platform:backup"
	backup := func(raw string) []mutation { return []mutation{set(k, str(raw))} }
	lock := func(l string) []mutation { return backup(`{"copyRegion":"eu-west-1","vaultLock":` + l + `}`) }
	badConfigs = append(badConfigs, []badConfig{
		{"prod without a copy region", "prod", []mutation{set(k, nil)}, k + ".copyRegion", "is required in prod"},
		{"prod copying to its own region", "prod", backup(`{"copyRegion":"eu-north-1"}`), k + ".copyRegion", "is the stack's own region"},
		{"a copy region that is no region", "prod", backup(`{"copyRegion":"europe"}`), k + ".copyRegion", `"europe" is not an AWS region name`},
		{"a copy region in another partition", "prod", backup(`{"copyRegion":"cn-north-1"}`), k + ".copyRegion", "in another AWS partition"},
		{"dev with a copy region", "dev", backup(`{"copyRegion":"eu-west-1"}`), k + ".copyRegion", "no backup rule of dev"},
		{"prod without backups", "prod", backup(`{"enabled":false}`), k + ".enabled", "is false, which prod"},
		{"copies of nothing", "dev", backup(`{"enabled":false,"copyRegion":"eu-west-1"}`), k, "enabled is false: nothing would use them"},
		{"a vault lock in dev", "dev", backup(`{"vaultLock":{"mode":"governance","minRetentionDays":1,"maxRetentionDays":30}}`), k + ".vaultLock", "is not available in dev"},
		{"an unknown lock mode", "prod", lock(`{"mode":"strict","minRetentionDays":7,"maxRetentionDays":400}`), k + ".vaultLock.mode", `"strict" is not allowed; use "governance"`},
		{"a compliance lock without grace time", "prod", lock(`{"mode":"compliance","minRetentionDays":7,"maxRetentionDays":400}`),
			k + ".vaultLock.changeableForDays", "IRREVERSIBLE"},
		{"a compliance lock with two days' grace", "prod", lock(`{"mode":"compliance","minRetentionDays":7,"maxRetentionDays":400,"changeableForDays":2}`),
			k + ".vaultLock.changeableForDays", "AWS's minimum grace time is 3"},
		{"a lock shorter than the monthlies", "prod", lock(`{"mode":"governance","minRetentionDays":7,"maxRetentionDays":90}`),
			k + ".vaultLock.maxRetentionDays", "shorter than the plan's longest retention (365 days)"},
		{"a lock longer than the dailies", "prod", lock(`{"mode":"governance","minRetentionDays":60,"maxRetentionDays":400}`),
			k + ".vaultLock.minRetentionDays", "longer than the plan's shortest retention (35 days)"},
		{"a misspelled backup key", "prod", backup(`{"copyRegion":"eu-west-1","copyregion":"eu-west-1"}`), k + ".copyregion", "is not a known key"},
	}...)
}
