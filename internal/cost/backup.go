package cost

import (
	"fmt"
	"math"
	"strings"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/pricing"
)

// BackupRule is a backup plan's rule as the estimate reads it from the plan.
type BackupRule struct {
	Monthly bool
	Days    float64
}

// BackupStoredGB is what a vault stores of sourceGB under its rules, with changePerDay of the
// source changing a day: snapshots are incremental, so the daily chain holds the full size
// and a day of changes per further day kept, and each monthly point beyond the first holds a
// month of changes (at most the full size). A monthly rule runs on the day a daily one does,
// which AWS Backup merges into one point: the chain's first point is shared.
func BackupStoredGB(rules []BackupRule, sourceGB, changePerDay float64) float64 {
	if sourceGB == 0 || len(rules) == 0 {
		return 0
	}
	stored := sourceGB
	for _, r := range rules {
		if r.Monthly {
			stored += sourceGB * math.Min(1, changePerDay*30) * math.Max(math.Round(r.Days/30)-1, 0)
		} else {
			stored += sourceGB * changePerDay * math.Max(r.Days-1, 0)
		}
	}
	return stored
}

// BackupSources are the GB the stack's backup selection covers: the platform's volumes (every
// release volume is claimed from gp3, which carries the backup tag) and the databases that
// carry the backup tag.
func BackupSources(p *planner.Plan) (volumesGB, databasesGB float64) {
	for _, res := range p.Resources {
		switch res.Type {
		case "kubernetes:helm.sh/v3:Release":
			for _, v := range ReleaseVolumes(res) {
				volumesGB += v.GB
			}
		case "aws:rds/instance:Instance":
			if tags, _ := res.Inputs["tags"].(map[string]any); tags[contract.BackupTag] == contract.BackupTagValue {
				gb, _ := res.Inputs["allocatedStorage"].(float64)
				databasesGB += gb
			}
		}
	}
	return volumesGB, databasesGB
}

// vaultRules reads the plan's rules for a vault: the rules themselves for the stack's vault,
// their copy actions for the copy vault.
func vaultRules(p *planner.Plan, copyVault bool) []BackupRule {
	var out []BackupRule
	for _, plan := range p.OfType("aws:backup/plan:Plan") {
		rules, _ := plan.Inputs["rules"].([]any)
		for _, raw := range rules {
			r, _ := raw.(map[string]any)
			lc, _ := r["lifecycle"].(map[string]any)
			if copyVault {
				copies, _ := r["copyActions"].([]any)
				if len(copies) == 0 {
					continue
				}
				lc, _ = copies[0].(map[string]any)["lifecycle"].(map[string]any)
			}
			days, _ := lc["deleteAfter"].(float64)
			// cron(minutes hours day-of-month ...): a day of month other than * is monthly.
			fields := strings.Fields(strings.TrimSuffix(strings.TrimPrefix(str(r["schedule"]), "cron("), ")"))
			out = append(out, BackupRule{Monthly: len(fields) > 2 && fields[2] != "*", Days: days})
		}
	}
	return out
}

// backupLines prices a vault: warm storage of its EBS and RDS snapshots at its region's
// prices, and for the copy vault the transfer of a month of changes from the stack's region.
func backupLines(p *planner.Plan, vault planner.Resource, add addFunc) {
	region, _ := p.Outputs["region"].Value.(string)
	copyVault := false
	for _, prov := range p.OfType("pulumi:providers:aws") {
		if strings.HasPrefix(vault.Provider, prov.URN+"::") {
			region, copyVault = str(prov.Inputs["region"]), true
		}
	}
	prices, ok := pricing.Prices[region]
	why := "no prices for region " + region
	volumes, databases := BackupSources(p)
	rules := vaultRules(p, copyVault)
	where := ""
	if copyVault {
		where = " in " + region
	}
	for _, src := range []struct {
		what      string
		gb, price float64
	}{{"EBS snapshots", volumes, prices.BackupEBSGBMonth}, {"RDS snapshots", databases, prices.BackupRDSGBMonth}} {
		if src.gb == 0 {
			continue
		}
		add(vault, fmt.Sprintf("AWS Backup %s%s of %g GB (assumed)", src.what, where, src.gb), BackupStoredGB(rules, src.gb, pricing.BackupChangePerDay),
			"GB-month", src.price, ok, why)
	}
	if copyVault && volumes+databases > 0 {
		source := pricing.Prices[str(p.Outputs["region"].Value)]
		add(vault, "AWS Backup copies to "+region+" (a month of changes, assumed)", (volumes+databases)*pricing.BackupChangePerDay*30,
			"GB", source.InterRegionGB, source.InterRegionGB > 0, "no inter-region price for the stack's region")
	}
}
