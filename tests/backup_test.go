package tests

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/components/backup/backupplan"
	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/cost"
	"github.com/example/platform/internal/iampolicy"
	"github.com/example/platform/internal/pricing"
)

// AWS Backup in both stacks, as planned from Pulumi.dev.yaml and Pulumi.prod.yaml: the vault
// and its key, the plan's rules (schedule, retention, copy), the selection by tag, the copy
// vault in the copy region, the alarm on failed jobs, the access policy, and what selects the
// data (the gp3 class's tag, the databases' tags).
func TestBackupPlansInBothStacks(t *testing.T) {
	for _, tt := range []struct {
		stack, cluster string
		rules          []backupplan.Rule
		copyRegion     string
	}{
		{"dev", "platform-dev", backupplan.DevSettings.Rules, ""},
		{"prod", "platform-prod", backupplan.ProdSettings.Rules, "eu-west-1"},
	} {
		t.Run(tt.stack, func(t *testing.T) {
			p := stackPlan(t, tt.stack)
			prod := tt.stack == "prod"
			vault := p.named(t, "aws:backup/vault:Vault", "backup-vault")
			key := p.named(t, "aws:kms/key:Key", "backup-key")
			if getString(vault, "name") != contract.BackupVaultName(tt.cluster) || !contains(vault.PropertyDependencies["kmsKeyArn"], key.URN) {
				t.Errorf("vault %v, encrypted by %v", vault.Inputs, vault.PropertyDependencies["kmsKeyArn"])
			}
			if vault.Protect != prod || key.Protect != prod || get(vault, "forceDestroy") != !prod {
				t.Errorf("vault protect %v forceDestroy %v, key protect %v", vault.Protect, get(vault, "forceDestroy"), key.Protect)
			}
			wantWindow := 7.0
			if prod {
				wantWindow = 30
			}
			if get(key, "deletionWindowInDays") != wantWindow || getString(key, "tags."+contract.StackTag) != tt.cluster {
				t.Errorf("key %v", key.Inputs)
			}
			plan := p.named(t, "aws:backup/plan:Plan", "backup-plan")
			rules, _ := get(plan, "rules").([]any)
			if len(rules) != len(tt.rules) {
				t.Fatalf("%d rules, want %d", len(rules), len(tt.rules))
			}
			copyVault, hasCopy := p.Named("aws:backup/vault:Vault", "backup-copy-vault")
			if hasCopy != (tt.copyRegion != "") {
				t.Fatalf("copy vault present %v, copy region %q", hasCopy, tt.copyRegion)
			}
			for i, want := range tt.rules {
				r := rules[i].(map[string]any)
				lc, _ := r["lifecycle"].(map[string]any)
				if r["ruleName"] != want.Name || r["schedule"] != want.Schedule || lc["deleteAfter"] != float64(want.DeleteAfterDays) ||
					r["targetVaultName"] != contract.BackupVaultName(tt.cluster) {
					t.Errorf("rule %d: %v", i, r)
				}
				copies, _ := r["copyActions"].([]any)
				if !want.Copy {
					if len(copies) != 0 {
						t.Errorf("rule %s copies: %v", want.Name, copies)
					}
					continue
				}
				if len(copies) != 1 {
					t.Fatalf("rule %s: copies %v", want.Name, copies)
				}
				c := copies[0].(map[string]any)
				if !contains(plan.PropertyDependencies["rules"], copyVault.URN) || c["lifecycle"].(map[string]any)["deleteAfter"] != float64(want.DeleteAfterDays) {
					t.Errorf("rule %s copy %v, not to the copy vault", want.Name, c)
				}
			}
			if hasCopy {
				prov := p.named(t, "pulumi:providers:aws", "backup-copy-region")
				if getString(prov, "region") != tt.copyRegion || !strings.HasPrefix(copyVault.Provider, prov.URN+"::") || !copyVault.Protect {
					t.Errorf("copy vault in %s (provider %s), protect %v", getString(prov, "region"), copyVault.Provider, copyVault.Protect)
				}
			}
			sel := p.named(t, "aws:backup/selection:Selection", "backup-selection")
			role := p.named(t, "aws:iam/role:Role", "backup-role")
			if !contains(sel.PropertyDependencies["iamRoleArn"], role.URN) || !contains(sel.PropertyDependencies["planId"], plan.URN) {
				t.Errorf("selection deps %v", sel.PropertyDependencies)
			}
			res := getStrings(sel, "resources")
			if len(res) != 2 || !strings.Contains(res[0], ":volume/*") || !strings.Contains(res[1], ":db:*") {
				t.Errorf("selection resources %v", res)
			}
			conds, _ := get(sel, "conditions").([]any)
			eq, _ := conds[0].(map[string]any)["stringEquals"].([]any)
			got := map[string]any{}
			for _, e := range eq {
				got[e.(map[string]any)["key"].(string)] = e.(map[string]any)["value"]
			}
			if len(got) != 2 || got["aws:ResourceTag/"+contract.BackupTag] != contract.BackupTagValue || got["aws:ResourceTag/"+contract.StackTag] != tt.cluster {
				t.Errorf("selection conditions %v", got)
			}
			topic := p.named(t, "aws:sns/topic:Topic", "alarms-topic")
			alarms := []string{"backup-jobs-failed"}
			if hasCopy {
				alarms = append(alarms, "backup-copies-failed")
			}
			for _, name := range alarms {
				a := p.named(t, "aws:cloudwatch/metricAlarm:MetricAlarm", name)
				if getString(a, "namespace") != "AWS/Backup" || getString(a, "dimensions.BackupVaultName") != contract.BackupVaultName(tt.cluster) ||
					!contains(a.PropertyDependencies["alarmActions"], topic.URN) {
					t.Errorf("alarm %s: %v", name, a.Inputs)
				}
			}
			policies := p.ofType("aws:backup/vaultPolicy:VaultPolicy")
			if (len(policies) == 2) != prod || (!prod && len(policies) != 0) {
				t.Errorf("%d vault access policies", len(policies))
			}
			for _, vp := range policies {
				doc, err := iampolicy.Parse([]byte(getString(vp, "policy")))
				if err != nil || len(doc.Statement) != 1 || doc.Statement[0].Effect != "Deny" || !equalStrings(doc.Statement[0].Action, backupplan.ProtectedActions) {
					t.Errorf("%s: %+v %v", vp.Name, doc, err)
				}
			}
			// What selects the data: the default class tags its volumes, the opt-out does not;
			// every team database carries both tags.
			gp3 := p.named(t, "kubernetes:storage.k8s.io/v1:StorageClass", "addons-ebs-csi-gp3")
			no := p.named(t, "kubernetes:storage.k8s.io/v1:StorageClass", "addons-ebs-csi-gp3-no-backup")
			if getString(gp3, "parameters.tagSpecification_1") != contract.BackupTag+"=true" || getString(no, "parameters.tagSpecification_1") != "" ||
				getString(no, "metadata.name") != contract.NoBackupStorageClass {
				t.Errorf("classes: %v / %v", gp3.Inputs["parameters"], no.Inputs)
			}
			dbs := p.ofType("aws:rds/instance:Instance")
			if len(dbs) == 0 && !prod {
				t.Fatal("no database in dev's plan to check")
			}
			for _, db := range dbs {
				tags, _ := db.Inputs["tags"].(map[string]any) // the backup tag's key has dots: no path
				if tags[contract.BackupTag] != contract.BackupTagValue || tags[contract.StackTag] != tt.cluster || get(db, "copyTagsToSnapshot") != true {
					t.Errorf("database %s tags %v, copyTagsToSnapshot %v", db.Name, db.Inputs["tags"], get(db, "copyTagsToSnapshot"))
				}
			}
			out, _ := p.Outputs["backup"].Value.(map[string]any)
			if out["vaultName"] != contract.BackupVaultName(tt.cluster) || out["roleArn"] != role.Outputs["arn"] {
				t.Errorf("output backup = %v", out)
			}
		})
	}
}

// Prod's stack file names its copy region, and the config is what Pulumi.yaml documents.
func TestBackupConfigOfTheStacks(t *testing.T) {
	in := stackInput(t, "prod")
	if !strings.Contains(in.Config[config.Namespace+":backup"], "eu-west-1") {
		t.Errorf("Pulumi.prod.yaml's platform:backup = %q", in.Config[config.Namespace+":backup"])
	}
	if raw, ok := stackInput(t, "dev").Config[config.Namespace+":backup"]; ok && raw != "{}" {
		t.Errorf("Pulumi.dev.yaml sets platform:backup %s; dev keeps the defaults", raw)
	}
}

// `platform cost` prices the backups, recomputed here from the price table and the stated
// assumptions: the platform's volumes and the tagged databases, dev's 7 dailies, prod's 35
// dailies and 12 monthlies in both regions, and prod's copies across regions.
func TestBackupCostFromThePriceTable(t *testing.T) {
	for _, tt := range []struct {
		stack string
		rules []cost.BackupRule
		copy  string
	}{
		{"dev", []cost.BackupRule{{Days: 7}}, ""},
		{"prod", []cost.BackupRule{{Days: 35}, {Monthly: true, Days: 365}}, "eu-west-1"},
	} {
		p := stackPlan(t, tt.stack)
		r := cost.Estimate(p.Plan)
		volumes, databases := cost.BackupSources(p.Plan)
		if volumes == 0 {
			t.Fatalf("%s: no backed-up volume in the plan", tt.stack)
		}
		c := pricing.BackupChangePerDay
		stored := func(gb float64) float64 {
			s := gb
			for _, rule := range tt.rules {
				if rule.Monthly {
					s += gb * math.Min(1, 30*c) * (math.Round(rule.Days/30) - 1)
				} else {
					s += gb * c * (rule.Days - 1)
				}
			}
			return s
		}
		want := map[string]float64{}
		home, away := pricing.Prices[simRegion], pricing.Prices[tt.copy]
		want["backup-vault EBS"] = stored(volumes) * home.BackupEBSGBMonth
		if databases > 0 {
			want["backup-vault RDS"] = stored(databases) * home.BackupRDSGBMonth
		}
		if tt.copy != "" {
			want["backup-copy-vault EBS"] = stored(volumes) * away.BackupEBSGBMonth
			if databases > 0 {
				want["backup-copy-vault RDS"] = stored(databases) * away.BackupRDSGBMonth
			}
			want["backup-copy-vault copies"] = (volumes + databases) * c * 30 * home.InterRegionGB
		}
		got := map[string]float64{}
		for _, l := range r.Lines {
			if l.Type != "aws:backup/vault:Vault" {
				continue
			}
			if l.Unpriced != "" {
				t.Errorf("%s: %s unpriced: %s", tt.stack, l.Item, l.Unpriced)
			}
			kind := "copies"
			if strings.Contains(l.Item, "EBS") {
				kind = "EBS"
			} else if strings.Contains(l.Item, "RDS") {
				kind = "RDS"
			}
			got[l.Resource+" "+kind] += l.Monthly
			t.Logf("%s: %-18s %-70s %8.2f %s x %.4f = %7.2f USD", tt.stack, l.Resource, l.Item, l.Quantity, l.Unit, l.UnitPrice, l.Monthly)
		}
		if len(got) != len(want) {
			t.Errorf("%s: backup lines %v, want %v", tt.stack, got, want)
		}
		for k, w := range want {
			if math.Abs(got[k]-w) > 0.01 {
				t.Errorf("%s: %s = %.2f USD, want %.2f", tt.stack, k, got[k], w)
			}
		}
		if !slices.ContainsFunc(r.Assumptions, func(a string) bool { return strings.Contains(a, "AWS Backup:") }) {
			t.Errorf("%s: the estimate does not state the backup assumptions", tt.stack)
		}
	}
}
