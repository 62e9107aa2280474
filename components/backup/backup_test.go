package backup

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/backup/backupplan"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/planner/plantest"
)

func prodArgs() *Args {
	return &Args{Account: plantest.Account, Cluster: "c1", Settings: backupplan.ProdSettings, CopyRegion: "eu-west-1",
		DefaultTags: map[string]string{contract.StackTag: "c1"}, ProtectRecoveryPoints: true,
		VaultLock:             &backupplan.VaultLock{Mode: backupplan.LockCompliance, MinRetentionDays: 7, MaxRetentionDays: 400, ChangeableForDays: 3},
		KeyDeletionWindowDays: 30, Protect: true,
		PermissionsBoundary: plantest.Output("arn:aws:iam::" + plantest.Account.ID + ":policy/c1-permissions-boundary"),
		AlarmTopicArn:       plantest.Output("arn:aws:sns:" + plantest.Region + ":" + plantest.Account.ID + ":c1-alarms")}
}

func devArgs() *Args {
	a := prodArgs()
	a.Settings, a.CopyRegion, a.VaultLock, a.ProtectRecoveryPoints, a.Protect, a.ForceDestroy, a.KeyDeletionWindowDays = backupplan.DevSettings, "", nil, false, false, true, 7
	return a
}

func run(t *testing.T, a *Args) *planner.Plan {
	t.Helper()
	return plantest.MustRun(t, func(ctx *pulumi.Context) error {
		_, err := New(ctx, "backup", a)
		return err
	})
}

// Prod: two vaults (the copy in its own region through its own provider), each with its own
// protected key, access policy and compliance lock; the plan's rules copy to the copy vault.
func TestProdBackups(t *testing.T) {
	p := run(t, prodArgs())
	vault := plantest.Named(t, p, "aws:backup/vault:Vault", "backup-vault")
	copyVault := plantest.Named(t, p, "aws:backup/vault:Vault", "backup-copy-vault")
	key := plantest.Named(t, p, "aws:kms/key:Key", "backup-key")
	copyKey := plantest.Named(t, p, "aws:kms/key:Key", "backup-copy-key")
	prov := plantest.Named(t, p, "pulumi:providers:aws", "backup-copy-region")
	if vault.GetString("name") != "c1-backup" || copyVault.GetString("name") != "c1-backup" || vault.Get("forceDestroy") != false {
		t.Errorf("vault names %s %s", vault.GetString("name"), copyVault.GetString("name"))
	}
	if !vault.Protect || !copyVault.Protect || !key.Protect || !copyKey.Protect {
		t.Error("prod's vaults and keys are not protected")
	}
	if key.GetString("tags."+contract.StackTag) != "c1" || key.Get("deletionWindowInDays") != 30.0 {
		t.Errorf("key %v", key.Inputs)
	}
	if prov.GetString("region") != "eu-west-1" || prov.GetString("defaultTags.tags."+contract.StackTag) != "c1" {
		t.Errorf("copy provider %v", prov.Inputs)
	}
	for _, r := range []planner.Resource{copyVault, copyKey, plantest.Named(t, p, "aws:backup/vaultLockConfiguration:VaultLockConfiguration", "backup-copy-vault-lock")} {
		if !strings.HasPrefix(r.Provider, prov.URN+"::") {
			t.Errorf("%s is not in the copy region: %s", r.Name, r.Provider)
		}
	}
	for _, name := range []string{"backup-vault-lock", "backup-copy-vault-lock"} {
		l := plantest.Named(t, p, "aws:backup/vaultLockConfiguration:VaultLockConfiguration", name)
		if l.Get("changeableForDays") != 3.0 || l.Get("minRetentionDays") != 7.0 || l.Get("maxRetentionDays") != 400.0 || !l.Protect {
			t.Errorf("%s: %v", name, l.Inputs)
		}
	}
	for _, name := range []string{"backup-vault-policy", "backup-copy-vault-policy"} {
		doc, err := iampolicy.Parse([]byte(plantest.Named(t, p, "aws:backup/vaultPolicy:VaultPolicy", name).GetString("policy")))
		if err != nil || len(doc.Statement) != 1 || doc.Statement[0].Effect != "Deny" {
			t.Errorf("%s: %+v %v", name, doc, err)
		}
	}
	plan := plantest.Named(t, p, "aws:backup/plan:Plan", "backup-plan")
	rules, _ := plan.Get("rules").([]any)
	if len(rules) != 2 {
		t.Fatalf("rules %v", plan.Get("rules"))
	}
	for i, want := range backupplan.ProdSettings.Rules {
		r := rules[i].(map[string]any)
		copies, _ := r["copyActions"].([]any)
		if r["ruleName"] != want.Name || r["schedule"] != want.Schedule || r["lifecycle"].(map[string]any)["deleteAfter"] != float64(want.DeleteAfterDays) ||
			len(copies) != 1 || copies[0].(map[string]any)["lifecycle"].(map[string]any)["deleteAfter"] != float64(want.DeleteAfterDays) {
			t.Errorf("rule %d: %v", i, r)
		}
	}
	if n := len(p.OfType("aws:cloudwatch/metricAlarm:MetricAlarm")); n != 2 {
		t.Errorf("%d alarms, want failed backups and failed copies", n)
	}
}

// Dev: one vault, not protected, no copy, no policy, no lock, one alarm; the selection by tag.
func TestDevBackups(t *testing.T) {
	p := run(t, devArgs())
	counts := p.Counts()
	for typ, n := range map[string]int{"aws:backup/vault:Vault": 1, "aws:kms/key:Key": 1, "pulumi:providers:aws": 0,
		"aws:backup/vaultPolicy:VaultPolicy": 0, "aws:backup/vaultLockConfiguration:VaultLockConfiguration": 0,
		"aws:cloudwatch/metricAlarm:MetricAlarm": 1, "aws:backup/selection:Selection": 1, "aws:iam/role:Role": 1} {
		if counts[typ] != n {
			t.Errorf("%s: %d, want %d", typ, counts[typ], n)
		}
	}
	vault := plantest.Named(t, p, "aws:backup/vault:Vault", "backup-vault")
	if vault.Protect || vault.Get("forceDestroy") != true {
		t.Error("dev's vault is protected or keeps destroy from deleting it")
	}
	sel := plantest.Named(t, p, "aws:backup/selection:Selection", "backup-selection")
	role := plantest.Named(t, p, "aws:iam/role:Role", "backup-role")
	if role.GetString("name") != "c1-backup-role" || role.GetString("path") != "/c1/platform/" || role.GetString("permissionsBoundary") == "" {
		t.Errorf("role %v", role.Inputs)
	}
	if !plantest.Contains(sel.Dependencies, role.URN) || !plantest.Contains(sel.Dependencies, plantest.Named(t, p, "aws:iam/rolePolicy:RolePolicy", "backup-role-policy").URN) {
		t.Error("the selection does not wait for the role and its policy")
	}
	conds, _ := sel.Get("conditions").([]any)
	if len(conds) != 1 {
		t.Fatalf("conditions %v", sel.Get("conditions"))
	}
	eq, _ := conds[0].(map[string]any)["stringEquals"].([]any)
	got := map[string]any{}
	for _, e := range eq {
		m := e.(map[string]any)
		got[m["key"].(string)] = m["value"]
	}
	if len(got) != 2 || got["aws:ResourceTag/"+contract.BackupTag] != "true" || got["aws:ResourceTag/"+contract.StackTag] != "c1" {
		t.Errorf("selection conditions %v", got)
	}
	alarm := plantest.Named(t, p, "aws:cloudwatch/metricAlarm:MetricAlarm", "backup-jobs-failed")
	if alarm.GetString("metricName") != "NumberOfBackupJobsFailed" || alarm.GetString("namespace") != "AWS/Backup" ||
		alarm.GetString("dimensions.BackupVaultName") != "c1-backup" || alarm.GetString("treatMissingData") != "notBreaching" {
		t.Errorf("alarm %v", alarm.Inputs)
	}
}

func TestRefusesBadArgs(t *testing.T) {
	for name, mutate := range map[string]func(*Args){
		"no cluster":            func(a *Args) { a.Cluster = "" },
		"no rules":              func(a *Args) { a.Settings = backupplan.Settings{} },
		"copies without region": func(a *Args) { a.CopyRegion = "" },
		"region without copies": func(a *Args) { a.Settings = backupplan.DevSettings },
		"copy to itself":        func(a *Args) { a.CopyRegion = plantest.Region },
		"narrow lock":           func(a *Args) { a.VaultLock.MaxRetentionDays = 30 },
		"short key window":      func(a *Args) { a.KeyDeletionWindowDays = 3 },
		"protect and force":     func(a *Args) { a.ForceDestroy = true },
		"no topic":              func(a *Args) { a.AlarmTopicArn = nil },
		"too long a name":       func(a *Args) { a.Cluster = strings.Repeat("c", 45) },
	} {
		t.Run(name, func(t *testing.T) {
			a := prodArgs()
			mutate(a)
			p, err := plantest.Run(func(ctx *pulumi.Context) error {
				_, err := New(ctx, "backup", a)
				return err
			})
			if err == nil {
				t.Fatal("accepted")
			}
			if p != nil && len(p.Resources) > 0 {
				t.Errorf("registered %d resources before refusing", len(p.Resources))
			}
		})
	}
}
