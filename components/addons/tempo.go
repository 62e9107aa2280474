package addons

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/helmkit"
	"github.com/example/platform/internal/iampolicy"
	"github.com/example/platform/internal/pulumix"
)

// Tempo stores traces in S3 as a single binary (one replica: its chart forms no ring). Chart
// pin: helmkit.Charts.Tempo.

// Namespace and service account of the tracing addon.
const (
	TracingNamespace    = "tracing"
	TempoServiceAccount = "tempo"
)

// TempoQueryURL is Tempo's query API.
func TempoQueryURL() string { return "http://tempo." + TracingNamespace + ".svc.cluster.local:3200" }

// TempoValues: single-binary Tempo on S3 (default credential chain), blocks kept for the
// retention. One replica: this chart forms no ring, so more would not be HA.
func TempoValues(bucket pulumi.StringInput, region string, retentionDays int) map[string]any {
	return map[string]any{
		"replicas": 1,
		"tempo": map[string]any{
			// Tenants, as Loki's (tenancy.go): writers and readers name theirs.
			"multitenancyEnabled": true,
			"queryFrontend":       map[string]any{"multi_tenant_queries_enabled": true},
			"retention":           fmt.Sprintf("%dh", retentionDays*24),
			"resources":           helmkit.Resources("250m", "1Gi", "2Gi"),
			"storage": map[string]any{"trace": map[string]any{
				"backend": "s3",
				"s3": map[string]any{
					"bucket":   bucket,
					"endpoint": fmt.Sprintf("s3.%s.amazonaws.com", region),
					"region":   region,
				},
				"wal": map[string]any{"path": "/var/tempo/wal"},
			}},
		},
		"serviceAccount": map[string]any{"create": true, "name": TempoServiceAccount},
		// Without it the WAL lives on the container filesystem and is lost on restart.
		"persistence": map[string]any{"enabled": true, "size": "10Gi"},
	}
}

func (c *Addons) tempo(ctx *pulumi.Context) error {
	cfg := c.args.Config.Tempo
	b, err := c.bucket(ctx, "tempo", cfg)
	if err != nil {
		return err
	}
	_, err = c.install(ctx, addon{
		key: "tempo", namespace: TracingNamespace, podSecurity: helmkit.Baseline,
		chart: helmkit.Charts.Tempo, serviceAccount: TempoServiceAccount,
		policy: pulumix.Policy(b.Arn, func(arn string) iampolicy.Document { return BucketPolicy(arn, true) }),
		values: TempoValues(b.Bucket, c.args.Account.Region, cfg.RetentionDays),
		extra:  cfg.ExtraValues, needs: c.withStorage(c.withLBC(c.base())),
	})
	return err
}
