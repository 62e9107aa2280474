package addons

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/iampolicy"
)

// Namespaces of the observability addons. Monitoring runs node-exporter on the host network
// and PID namespace: it needs the privileged standard; the others run under baseline.
const (
	LoggingNamespace    = "logging"
	MonitoringNamespace = "monitoring"
	TracingNamespace    = "tracing"
	LokiServiceAccount  = "loki"
	TempoServiceAccount = "tempo"
)

// bucket is an S3 bucket only the store's role can use: encrypted, public access blocked,
// ACLs disabled, objects expiring after the retention (the store deletes them too; the rule
// catches anything it misses). forceDestroy only outside prod.
func (c *Addons) bucket(ctx *pulumi.Context, key string, retentionDays int) (*s3.BucketV2, error) {
	name := c.name + "-" + key
	parent := pulumi.Parent(c)
	b, err := s3.NewBucketV2(ctx, name+"-bucket", &s3.BucketV2Args{
		BucketPrefix: pulumi.String(c.args.ClusterName + "-" + key + "-"),
		ForceDestroy: pulumi.Bool(!c.args.Prod),
	}, parent, pulumi.Protect(c.args.Prod))
	if err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketPublicAccessBlock(ctx, name+"-bucket-public-access", &s3.BucketPublicAccessBlockArgs{
		Bucket:                b.ID(),
		BlockPublicAcls:       pulumi.Bool(true),
		BlockPublicPolicy:     pulumi.Bool(true),
		IgnorePublicAcls:      pulumi.Bool(true),
		RestrictPublicBuckets: pulumi.Bool(true),
	}, parent); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketOwnershipControls(ctx, name+"-bucket-ownership", &s3.BucketOwnershipControlsArgs{
		Bucket: b.ID(),
		Rule:   s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, parent); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name+"-bucket-encryption", &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: b.ID(),
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
				SseAlgorithm: pulumi.String("AES256"),
			},
		}},
	}, parent); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, name+"-bucket-lifecycle", &s3.BucketLifecycleConfigurationV2Args{
		Bucket: b.ID(),
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:     pulumi.String("retention"),
			Status: pulumi.String("Enabled"),
			Filter: s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
			// Loki's docs: the bucket's expiry must be longer than the store's retention.
			Expiration: s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(retentionDays + 1)},
			AbortIncompleteMultipartUpload: s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
				DaysAfterInitiation: pulumi.Int(1),
			},
		}},
	}, parent); err != nil {
		return nil, err
	}
	return b, nil
}

func (c *Addons) loki(ctx *pulumi.Context) error {
	cfg := c.args.Config.Loki
	b, err := c.bucket(ctx, "loki", cfg.RetentionDays)
	if err != nil {
		return err
	}
	loki, err := c.install(ctx, helmAddon{
		key: "loki", namespace: LoggingNamespace, podSecurity: "baseline",
		chart: Charts.Loki, serviceAccount: LokiServiceAccount,
		policy: iampolicy.Output(b.Arn, func(arn string) iampolicy.Document { return BucketPolicy(arn, false) }),
		values: LokiValues(b.Bucket, c.args.Account.Region, cfg.RetentionDays, cfg.ReplicasFor(c.args.Prod)),
		extra:  cfg.ExtraValues, dependsOn: c.withStorage(c.withLBC(c.base())),
	})
	if err != nil {
		return err
	}
	// The log shipper has no AWS identity: it only talks to Loki.
	_, err = c.install(ctx, helmAddon{
		key: "alloy", namespace: LoggingNamespace, podSecurity: "baseline",
		chart: Charts.Alloy, values: AlloyValues(LokiPushURL()),
		dependsOn: c.withLBC([]pulumi.Resource{loki}),
	})
	return err
}

func (c *Addons) tempo(ctx *pulumi.Context) error {
	cfg := c.args.Config.Tempo
	b, err := c.bucket(ctx, "tempo", cfg.RetentionDays)
	if err != nil {
		return err
	}
	_, err = c.install(ctx, helmAddon{
		key: "tempo", namespace: TracingNamespace, podSecurity: "baseline",
		chart: Charts.Tempo, serviceAccount: TempoServiceAccount,
		policy: iampolicy.Output(b.Arn, func(arn string) iampolicy.Document { return BucketPolicy(arn, true) }),
		values: TempoValues(b.Bucket, c.args.Account.Region, cfg.RetentionDays),
		extra:  cfg.ExtraValues, dependsOn: c.withStorage(c.withLBC(c.base())),
	})
	return err
}
