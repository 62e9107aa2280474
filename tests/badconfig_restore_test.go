package tests

// Bad restores of a team's database (platform:teams[].databases[].restoreFrom): dev's payments
// has database ledger; each case adds a second database that restores wrongly. Run by
// TestBadConfigFailsNamingTheKeyAndRegistersNothing.
func init() {
	restored := func(entry map[string]any) mutation {
		e := map[string]any{"name": "ledger-restored"}
		for k, v := range entry {
			e[k] = v
		}
		return edit(kTeams, "0.databases", []any{map[string]any{"name": "ledger", "iamAuthentication": true}, e})
	}
	pit := func(fields map[string]any) mutation {
		return restored(map[string]any{"restoreFrom": map[string]any{"pointInTime": fields}})
	}
	const key = "platform:teams[0].databases[1]"
	badConfigs = append(badConfigs, []badConfig{
		{"a restore from both a snapshot and a time", "dev", []mutation{restored(map[string]any{"dbName": "ledger", "restoreFrom": map[string]any{
			"snapshot": "platform-dev-payments-ledger-final", "pointInTime": map[string]any{"database": "ledger", "latest": true}}})},
			key + ".restoreFrom", "sets both snapshot and pointInTime; a restore reads from one"},
		{"a restore from nothing", "dev", []mutation{restored(map[string]any{"restoreFrom": map[string]any{}})},
			key + ".restoreFrom", "sets neither snapshot nor pointInTime; give one"},
		{"a restore to a future time", "dev", []mutation{pit(map[string]any{"database": "ledger", "time": "2999-01-01T00:00:00Z"})},
			key + ".restoreFrom.pointInTime.time", "2999-01-01T00:00:00Z is in the future"},
		{"a restore time that is not RFC 3339", "dev", []mutation{pit(map[string]any{"database": "ledger", "time": "2026-05-01 09:30"})},
			key + ".restoreFrom.pointInTime.time", `"2026-05-01 09:30" is not an RFC 3339 time; use e.g. 2026-05-01T09:30:00Z`},
		{"a restore from an unknown database", "dev", []mutation{pit(map[string]any{"database": "orders", "latest": true})},
			key + ".restoreFrom.pointInTime.database", `"orders" is not one of the team's databases (ledger, ledger-restored)`},
		{"a restore from itself", "dev", []mutation{pit(map[string]any{"database": "ledger-restored", "latest": true})},
			key + ".restoreFrom.pointInTime.database", `"ledger-restored" is this database itself; a restore makes a new instance`},
		{"a restore of the latest time and a time", "dev", []mutation{pit(map[string]any{"database": "ledger", "latest": true, "time": "2026-01-01T00:00:00Z"})},
			key + ".restoreFrom.pointInTime", "sets both time and latest"},
		{"a restore with no time", "dev", []mutation{pit(map[string]any{"database": "ledger"})},
			key + ".restoreFrom.pointInTime", "sets neither time nor latest"},
		{"a restore from another region's snapshot", "dev", []mutation{restored(map[string]any{"dbName": "ledger", "restoreFrom": map[string]any{
			"snapshot": "arn:aws:rds:eu-west-1:111122223333:snapshot:platform-dev-payments-ledger-final"}})},
			key + ".restoreFrom.snapshot", "is in eu-west-1; RDS restores only snapshots in the stack's region eu-north-1: copy it here first"},
		{"a restore from a cluster snapshot", "dev", []mutation{restored(map[string]any{"dbName": "ledger", "restoreFrom": map[string]any{
			"snapshot": "arn:aws:rds:eu-north-1:111122223333:cluster-snapshot:ledger"}})},
			key + ".restoreFrom.snapshot", "is an Aurora or Multi-AZ cluster snapshot"},
		{"a restore from a snapshot without its database name", "dev", []mutation{restored(map[string]any{"restoreFrom": map[string]any{"snapshot": "platform-dev-payments-ledger-final"}})},
			key + ".dbName", "is required with restoreFrom.snapshot: the PostgreSQL database inside the snapshot"},
		{"a restore to another PostgreSQL version", "dev", []mutation{pit(map[string]any{"database": "ledger", "latest": true}), edit(kTeams, "0.databases.1.version", "16")},
			key + ".version", "PostgreSQL 16 differs from source ledger's 17: a point-in-time restore keeps the source's version"},
		{"a restore with less storage", "dev", []mutation{pit(map[string]any{"database": "ledger", "latest": true}), edit(kTeams, "0.databases.0.storageGiB", 100)},
			key + ".storageGiB", "20 GiB is less than source ledger's 100 GiB"},
		{"a restore field misspelt", "dev", []mutation{restored(map[string]any{"restoreFrom": map[string]any{"snapshotId": "x"}})},
			key + ".restoreFrom.snapshotId", "is not a known key; allowed: pointInTime, snapshot"},
	}...)
}
