package stacks

import (
	"fmt"
	"slices"

	"github.com/example/platform/components/addons"
)

// ExternalDNSPolicies are the record policies ExternalDNS supports.
var ExternalDNSPolicies = []string{"sync", "upsert-only", "create-only"}

func (c *Config) validateAddons(errs *Errors) {
	const k = Namespace + ":addons"
	a := c.Addons
	for name, base := range map[string]addons.Base{
		"loadBalancerController": a.LoadBalancerController,
		"externalSecrets":        a.ExternalSecrets.Base,
		"clusterAutoscaler":      a.ClusterAutoscaler,
		"monitoring":             a.Monitoring.Base,
		"loki":                   a.Loki.Base,
	} {
		if base.Replicas == nil {
			continue
		}
		key := fmt.Sprintf("%s.%s.replicas", k, name)
		switch r := *base.Replicas; {
		case r < 1:
			errs.add(key, fmt.Sprintf("%d is not allowed; use 1 or more (disable the addon with enabled: false)", r))
		case r < 2 && c.IsProd():
			errs.add(key, fmt.Sprintf("%d is not allowed in prod: use 2 or more, so a node drain or AZ loss does not stop it", r))
		case r > 10:
			errs.add(key, fmt.Sprintf("%d is more than 10; leader-elected controllers gain nothing from more", r))
		}
	}
	if r := a.ExternalDNS.Replicas; r != nil && *r != 1 {
		errs.add(k+".externalDns.replicas", fmt.Sprintf("%d is not allowed; ExternalDNS runs one replica (it has no leader election)", *r))
	}
	if r := a.Tempo.Replicas; r != nil && *r != 1 {
		errs.add(k+".tempo.replicas", fmt.Sprintf("%d is not allowed; single-binary Tempo runs one replica (its chart forms no ring)", *r))
	}
	if p := a.ExternalDNS.Policy; p != "" && !slices.Contains(ExternalDNSPolicies, p) {
		errs.add(k+".externalDns.policy", fmt.Sprintf("%q is not allowed; use one of sync, upsert-only, create-only", p))
	}
	for name, days := range map[string]int{
		"monitoring.retentionDays": a.Monitoring.RetentionDays,
		"loki.retentionDays":       a.Loki.RetentionDays,
		"tempo.retentionDays":      a.Tempo.RetentionDays,
	} {
		if days < 1 || days > 3650 {
			errs.add(k+"."+name, fmt.Sprintf("%d is not allowed; use 1 to 3650 days", days))
		}
	}
	if s := a.Monitoring.StorageGiB; s < 10 || s > 16384 {
		errs.add(k+".monitoring.storageGiB", fmt.Sprintf("%d is not allowed; use 10 to 16384 GiB", s))
	}
	// Grafana is published through the shared ALB, which only the controller can create.
	if a.Monitoring.Enabled && !a.LoadBalancerController.Enabled {
		errs.add(k+".monitoring.enabled", "needs platform:addons.loadBalancerController.enabled: Grafana is served through the shared ALB")
	}
	if (a.Loki.Enabled || a.Tempo.Enabled) && !a.EBSCSI.Enabled {
		errs.add(k+".ebsCsi.enabled", "is required by loki/tempo: their write-ahead logs use gp3 volumes")
	}
	if a.Monitoring.Enabled && !a.EBSCSI.Enabled {
		errs.add(k+".ebsCsi.enabled", "is required by monitoring: Prometheus stores its data on gp3 volumes")
	}
}
