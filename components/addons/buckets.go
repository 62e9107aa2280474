package addons

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/iampolicy"
)

// Store is the block of an addon that keeps its data in S3 (Loki, Tempo).
type Store struct {
	Helm
	// RetentionDays of the data, enforced by the store and by the bucket's lifecycle rule.
	RetentionDays int
	// Protect keeps `pulumi destroy` from deleting the bucket; ForceDestroy lets it delete a
	// bucket that still holds objects.
	Protect, ForceDestroy bool
}

// BucketPolicy lets Loki or Tempo use one bucket: list it, and read, write and delete
// objects in it (compaction and retention delete), as their storage docs list. Tempo's also
// list object tagging.
func BucketPolicy(bucketArn string, tagging bool) iampolicy.Document {
	objects := []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}
	if tagging {
		objects = append(objects, "s3:GetObjectTagging", "s3:PutObjectTagging")
	}
	return iampolicy.New(
		iampolicy.Allow([]string{"s3:ListBucket"}, bucketArn),
		iampolicy.Allow(objects, bucketArn+"/*"),
	)
}

// bucket is an S3 bucket only the store's role can use: encrypted, public access blocked,
// ACLs disabled, objects expiring after the retention (the store deletes them too; the rule
// catches anything it misses).
func (c *Addons) bucket(ctx *pulumi.Context, key string, s Store) (*s3.BucketV2, error) {
	name := c.name + "-" + key
	parent := pulumi.Parent(c)
	b, err := s3.NewBucketV2(ctx, name+"-bucket", &s3.BucketV2Args{
		BucketPrefix: pulumi.String(c.args.Cluster.Name + "-" + key + "-"),
		ForceDestroy: pulumi.Bool(s.ForceDestroy),
	}, parent, pulumi.Protect(s.Protect))
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
			Expiration: s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(s.RetentionDays + 1)},
			AbortIncompleteMultipartUpload: s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
				DaysAfterInitiation: pulumi.Int(1),
			},
		}},
	}, parent); err != nil {
		return nil, err
	}
	return b, nil
}
