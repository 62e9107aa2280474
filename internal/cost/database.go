package cost

import (
	"fmt"
	"time"

	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/pricing"
)

// databaseLines price an RDS instance: instance-hours and storage (twice with a Multi-AZ
// standby), backups beyond the free allowance, its RDS-managed master secret, and RDS Extended
// Support when its PostgreSQL major is in it on day.
func databaseLines(r *Report, res planner.Resource, day time.Time, prices pricing.RegionPrices, add addFunc) {
	in := res.Inputs
	class, major := str(in["instanceClass"]), str(in["engineVersion"])
	storage, _ := in["allocatedStorage"].(float64)
	retention, _ := in["backupRetentionPeriod"].(float64)
	copies, suffix := 1.0, ""
	if multiAZ, _ := in["multiAz"].(bool); multiAZ {
		copies, suffix = 2, " (Multi-AZ: primary and standby)"
	}
	hour, ok := prices.RDSPostgresHour[class]
	add(res, "RDS PostgreSQL "+class+suffix, pricing.HoursPerMonth*copies, "instance-hour", hour, ok, "no price for "+class)
	add(res, "RDS gp3 storage"+suffix, storage*copies, "GB-month", prices.RDSgp3GBMonth, true, "")
	if changed := storage * pricing.BackupChangePerDay * max(retention-1, 0); changed > 0 {
		add(res, fmt.Sprintf("backups beyond the free allowance (%.0f days, assumed)", retention), changed, "GB-month", prices.RDSBackupGBMonth, true, "")
	}
	add(res, "Secrets Manager secret (RDS-managed master password)", 1, "month", pricing.SecretsManagerSecretMonth, true, "")
	if v, support := pricing.PostgresSupport(major, day); support == pricing.Extended {
		c := pricing.DBClasses[class]
		add(res, "RDS Extended Support (PostgreSQL "+major+")"+suffix, float64(c.VCPU)*pricing.HoursPerMonth*copies, "vCPU-hour", pricing.RDSExtendedSupportVCPUHour, c.VCPU > 0, "no vCPU count for "+class)
		r.Notes = append(r.Notes, fmt.Sprintf("%s runs PostgreSQL %s, in RDS Extended Support since %s: upgrade it", res.Name, major, v.EndOfStandard))
	}
}
