package addons

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/helmkit"
	"github.com/example/platform/internal/iampolicy"
	"github.com/example/platform/internal/pulumix"
)

// ExternalDNS publishes Ingress and Service hostnames into the stack's zone, and no other.
// Chart pin: helmkit.Charts.ExternalDNS.

// ExternalDNS is the addon's block. Replicas is always 1: ExternalDNS has no leader election.
type ExternalDNS struct {
	Helm
	// Policy is "sync" (deletes records it no longer sees), "upsert-only" or "create-only".
	Policy string
}

// ExternalDNSServiceAccount is the service account the chart creates and Pod Identity binds.
const ExternalDNSServiceAccount = "external-dns"

// ExternalDNSPolicy is upstream's Route53 policy narrowed from every hosted zone to this
// stack's zone: ExternalDNS cannot touch the parent zone or any other.
func ExternalDNSPolicy(partition, zoneID string) iampolicy.Document {
	return iampolicy.New(
		iampolicy.Allow([]string{"route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:ListTagsForResources"},
			fmt.Sprintf("arn:%s:route53:::hostedzone/%s", partition, zoneID)),
		// Listing zones cannot be scoped to a zone in IAM.
		iampolicy.Allow([]string{"route53:ListHostedZones"}, "*"),
	)
}

// ExternalDNSValues publish only into the stack's zone, owning records by the cluster's name.
// The chart runs one replica, so there is no replica count.
func ExternalDNSValues(cluster, region, domain string, zoneID pulumi.StringInput, policy string) map[string]any {
	return map[string]any{
		"provider":      map[string]any{"name": "aws"},
		"domainFilters": []any{domain},
		"registry":      "txt",
		"txtOwnerId":    cluster,
		"policy":        policy,
		"sources":       []any{"service", "ingress"},
		"extraArgs": map[string]any{
			"aws-zone-type":  "public",
			"zone-id-filter": []any{zoneID},
		},
		"env":            []any{map[string]any{"name": "AWS_DEFAULT_REGION", "value": region}},
		"serviceAccount": map[string]any{"create": true, "name": ExternalDNSServiceAccount},
		"resources":      helmkit.Resources("50m", "64Mi", "128Mi"),
	}
}

func (c *Addons) externalDNS(ctx *pulumi.Context) error {
	cfg := c.args.Config.ExternalDNS
	zone := c.args.Zone
	_, err := c.install(ctx, addon{
		key: "external-dns", namespace: "external-dns", podSecurity: helmkit.Baseline,
		chart: helmkit.Charts.ExternalDNS, serviceAccount: ExternalDNSServiceAccount,
		policy: pulumix.Policy(zone.ZoneID, func(id string) iampolicy.Document {
			return ExternalDNSPolicy(c.args.Account.Partition, id)
		}),
		values: ExternalDNSValues(c.args.Cluster.Name, c.args.Account.Region, zone.Domain, zone.ZoneID, cfg.Policy),
		extra:  cfg.ExtraValues, needs: c.withLBC(c.base()),
	})
	return err
}
