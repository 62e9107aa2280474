package config

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/example/platform/components/databases/dbplan"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/pricing"
)

// A Kubernetes version is judged against the EKS calendar (internal/pricing) on c.Today:
// one EKS no longer offers is refused, one in extended support (six times the control plane's
// price) or close to it is a warning.

// standardSupportNotice is how long before the end of standard support a warning starts.
const standardSupportNotice = 60 * 24 * time.Hour

func (c *Config) today() time.Time {
	if c.Today.IsZero() {
		return time.Now().UTC()
	}
	return c.Today
}

func (c *Config) validateKubernetesVersion(errs *Errors) {
	const key = Namespace + ":cluster.kubernetesVersion"
	version, day := c.Cluster.KubernetesVersion, c.today()
	usable := strings.Join(pricing.EKSUsable(day), ", ")
	v, support := pricing.EKSSupport(version, day)
	switch support {
	case pricing.Unknown:
		errs.add(key, fmt.Sprintf("%q is not in the EKS version calendar of %s; use one of %s", version, pricing.EKSCalendarDate, usable))
	case pricing.Unreleased:
		errs.add(key, fmt.Sprintf("%q is not released on EKS before %s; use one of %s", version, v.Released, usable))
	case pricing.Ended:
		errs.add(key, fmt.Sprintf("%q is past the end of EKS support: standard support ended %s, extended support %s, and AWS upgrades such clusters itself; use one of %s",
			version, v.EndOfStandard, v.EndOfExtended, usable))
	}
}

// Warnings are what `pulumi preview` should say about a valid config: a Kubernetes version in
// extended support, or about to enter it; alerts that would go nowhere.
func (c *Config) Warnings() []string {
	out := c.versionWarnings()
	if c.Addons.Monitoring.Enabled && c.Addons.Monitoring.Alerting.Receiver == "" {
		out = append(out, fmt.Sprintf("%s:addons.monitoring.alerting.receiver is not set: Alertmanager sends every alert nowhere and nobody is paged; set slack or webhook and put its URL in SSM at %s (README, \"Alerts\")",
			Namespace, contract.AlertReceiverParameter(c.Cluster.Name)))
	}
	out = append(out, c.databaseWarnings()...)
	out = append(out, c.backupWarnings()...)
	if c.Addons.Monitoring.Alerting.AlarmEmail == "" {
		out = append(out, fmt.Sprintf("%s:addons.monitoring.alerting.alarmEmail is not set: the CloudWatch alarms (the certificate's expiry, the databases' storage and connections) go to an SNS topic nobody subscribes to; set it, or subscribe your on-call service to the alarmTopicArn output (README, \"Alerts\")", Namespace))
	}
	return out
}

// databaseWarnings: a PostgreSQL version in RDS Extended Support, or about to be.
func (c *Config) databaseWarnings() []string {
	var out []string
	day := c.today()
	for i, t := range c.Teams {
		for j, db := range t.Databases {
			key := fmt.Sprintf("%s:teams[%d].databases[%d].version", Namespace, i, j)
			version := db.Version
			if version == "" {
				version = dbplan.DefaultVersion
			}
			v, support := pricing.PostgresSupport(version, day)
			switch support {
			case pricing.Extended:
				out = append(out, fmt.Sprintf("%s: PostgreSQL %s is in RDS Extended Support since %s, until %s, billed per vCPU-hour on top of the instance (platform cost shows it); upgrade it (README, \"Databases\")",
					key, version, v.EndOfStandard, v.EndOfExtended))
			case pricing.Standard:
				if end := pricing.MustParseDate(v.EndOfStandard); end.Sub(day) < standardSupportNotice {
					out = append(out, fmt.Sprintf("%s: PostgreSQL %s leaves RDS standard support on %s (in %d days); from then RDS Extended Support is billed per vCPU-hour: upgrade before (README, \"Databases\")",
						key, version, v.EndOfStandard, int(math.Ceil(end.Sub(day).Hours()/24))))
				}
			}
		}
	}
	return out
}

func (c *Config) versionWarnings() []string {
	const key = Namespace + ":cluster.kubernetesVersion"
	version, day := c.Cluster.KubernetesVersion, c.today()
	v, support := pricing.EKSSupport(version, day)
	hourly := func(p float64) string {
		return fmt.Sprintf("%.2f USD an hour (%.0f USD a month)", p, p*pricing.HoursPerMonth)
	}
	standard := "0.10"
	if p, ok := pricing.Prices[c.Region]; ok {
		standard = fmt.Sprintf("%.2f", p.EKSClusterHour)
	}
	switch support {
	case pricing.Extended:
		return []string{fmt.Sprintf("%s %s is in EKS extended support since %s, until %s: the control plane costs %s instead of %s USD an hour; upgrade one minor version at a time (README, \"Upgrading Kubernetes\")",
			key, version, v.EndOfStandard, v.EndOfExtended, hourly(pricing.EKSExtendedSupportHour), standard)}
	case pricing.Standard:
		if end := pricing.MustParseDate(v.EndOfStandard); end.Sub(day) < standardSupportNotice {
			return []string{fmt.Sprintf("%s %s leaves EKS standard support on %s (in %d days); from then the control plane costs %s: upgrade before (README, \"Upgrading Kubernetes\")",
				key, version, v.EndOfStandard, int(math.Ceil(end.Sub(day).Hours()/24)), hourly(pricing.EKSExtendedSupportHour))}
		}
	}
	return nil
}
