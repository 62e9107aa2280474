package backupplan

import (
	"strings"
	"testing"

	"github.com/example/platform/internal/contract"
)

// The environments' rules: what the issue asks for, exactly.
func TestEnvironmentRules(t *testing.T) {
	if len(DevSettings.Rules) != 1 || DevSettings.Rules[0] != (Rule{Name: "daily", Schedule: DailySchedule, DeleteAfterDays: 7}) ||
		DevSettings.Copies() || DevSettings.Required || DevSettings.VaultLock {
		t.Errorf("dev: %+v", DevSettings)
	}
	want := []Rule{{"daily", DailySchedule, 35, true}, {"monthly", MonthlySchedule, 365, true}}
	if len(ProdSettings.Rules) != 2 || ProdSettings.Rules[0] != want[0] || ProdSettings.Rules[1] != want[1] ||
		!ProdSettings.Copies() || !ProdSettings.Required || !ProdSettings.VaultLock {
		t.Errorf("prod: %+v", ProdSettings)
	}
	if lo, hi := ProdSettings.RetentionRange(); lo != 35 || hi != 365 {
		t.Errorf("prod retention range %d..%d", lo, hi)
	}
}

func TestCheckLock(t *testing.T) {
	ok := VaultLock{Mode: LockCompliance, MinRetentionDays: 7, MaxRetentionDays: 400, ChangeableForDays: 3}
	tests := []struct {
		name   string
		change func(*VaultLock)
		field  string
		msg    string
	}{
		{"valid compliance", func(*VaultLock) {}, "", ""},
		{"valid governance", func(l *VaultLock) { l.Mode, l.ChangeableForDays = LockGovernance, 0 }, "", ""},
		{"unknown mode", func(l *VaultLock) { l.Mode = "strict" }, "mode", `"strict" is not allowed`},
		{"compliance without grace", func(l *VaultLock) { l.ChangeableForDays = 0 }, "changeableForDays", "IRREVERSIBLE"},
		{"compliance with 2 days", func(l *VaultLock) { l.ChangeableForDays = 2 }, "changeableForDays", "AWS's minimum grace time is 3"},
		{"governance with grace", func(l *VaultLock) { l.Mode = LockGovernance }, "changeableForDays", "only compliance mode"},
		{"min above the shortest rule", func(l *VaultLock) { l.MinRetentionDays = 36 }, "minRetentionDays", "longer than the plan's shortest retention (35 days)"},
		{"max below the longest rule", func(l *VaultLock) { l.MaxRetentionDays = 364 }, "maxRetentionDays", "shorter than the plan's longest retention (365 days)"},
		{"min zero", func(l *VaultLock) { l.MinRetentionDays = 0 }, "minRetentionDays", "use 1 to 36500"},
		{"max beyond AWS", func(l *VaultLock) { l.MaxRetentionDays = 40000 }, "maxRetentionDays", "use 1 to 36500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := ok
			tt.change(&l)
			got := CheckLock(l, ProdSettings)
			if tt.field == "" {
				if len(got) != 0 {
					t.Fatalf("problems: %+v", got)
				}
				return
			}
			if len(got) != 1 || got[0].Field != tt.field || !strings.Contains(got[0].Msg, tt.msg) {
				t.Fatalf("problems %+v, want %s: %s", got, tt.field, tt.msg)
			}
		})
	}
}

func TestCheckNames(t *testing.T) {
	longest := strings.Repeat("c", 30) // config's MaxClusterNameLength
	if err := CheckNames(contract.BackupVaultName(longest), contract.BackupRoleName(longest)); err != nil {
		t.Errorf("the longest cluster name: %v", err)
	}
	for _, tt := range []struct{ vault, role string }{
		{"a", "r"}, {"vault.with.dots", "r"}, {strings.Repeat("v", 51), "r"}, {"vault", strings.Repeat("r", 65)},
	} {
		if CheckNames(tt.vault, tt.role) == nil {
			t.Errorf("%q, %q accepted", tt.vault, tt.role)
		}
	}
}

// The selection: volumes and databases of the stack's region, with both tags.
func TestSelection(t *testing.T) {
	s := Scope{Account: contract.Account{ID: "111122223333", Partition: "aws", Region: "eu-north-1"}, Cluster: "c1", CopyRegion: "eu-west-1"}
	res := s.SelectionResources()
	if len(res) != 2 || res[0] != "arn:aws:ec2:eu-north-1:111122223333:volume/*" || res[1] != "arn:aws:rds:eu-north-1:111122223333:db:*" {
		t.Errorf("resources %v", res)
	}
	c := s.SelectionConditions()
	if len(c) != 2 || c[contract.BackupTag] != "true" || c[contract.StackTag] != "c1" {
		t.Errorf("conditions %v", c)
	}
	if got := s.VaultArn("eu-west-1"); got != "arn:aws:backup:eu-west-1:111122223333:backup-vault:c1-backup" {
		t.Errorf("copy vault %s", got)
	}
	if got := s.RoleArn(); got != "arn:aws:iam::111122223333:role/c1/platform/c1-backup-role" {
		t.Errorf("role %s", got)
	}
	// Without a copy region the policy names one region and has no statement for copies.
	one := s
	one.CopyRegion = ""
	for _, st := range RolePolicy(one).Statement {
		if st.Sid == "NewCopies" || strings.Contains(strings.Join(st.Resource, ","), "eu-west-1") {
			t.Errorf("dev's policy reaches the copy region: %+v", st)
		}
	}
}
