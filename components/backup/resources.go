package backup

import (
	awsbackup "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/backup"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/backup/backupplan"
	"github.com/example/platform/internal/contract"
)

// KeyAlias is the alias of the vault's key in each region.
func KeyAlias(cluster string) string { return "alias/" + cluster + "-backup" }

// vault creates a vault of the stack's name in region with its own key, and in prod its access
// policy and lock. Its key has only the account's statement: EC2 and RDS use it for the role
// (which its IAM policy allows through them), no service as its own principal.
func (b *Backup) vault(ctx *pulumi.Context, name string, a Args, region string, opts ...pulumi.ResourceOption) (*awsbackup.Vault, error) {
	account := a.Account
	account.Region = region
	key, err := kms.NewKey(ctx, name+"-key", &kms.KeyArgs{
		Description:          pulumi.String("AWS Backup vault " + contract.BackupVaultName(a.Cluster) + " (" + region + ")"),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(a.KeyDeletionWindowDays),
		Policy:               pulumi.String(account.KeyPolicy().JSON()),
		// Explicit as well as in aws:defaultTags: the CI role may create a key only with it.
		Tags: pulumi.StringMap{contract.StackTag: pulumi.String(a.Cluster)},
	}, append(opts, pulumi.Protect(a.Protect))...)
	if err != nil {
		return nil, err
	}
	if _, err := kms.NewAlias(ctx, name+"-key-alias", &kms.AliasArgs{
		Name: pulumi.String(KeyAlias(a.Cluster)), TargetKeyId: key.KeyId,
	}, opts...); err != nil {
		return nil, err
	}
	vault, err := awsbackup.NewVault(ctx, name+"-vault", &awsbackup.VaultArgs{
		Name: pulumi.String(contract.BackupVaultName(a.Cluster)), KmsKeyArn: key.Arn,
		ForceDestroy: pulumi.Bool(a.ForceDestroy),
	}, append(opts, pulumi.Protect(a.Protect))...)
	if err != nil {
		return nil, err
	}
	if a.ProtectRecoveryPoints {
		if _, err := awsbackup.NewVaultPolicy(ctx, name+"-vault-policy", &awsbackup.VaultPolicyArgs{
			BackupVaultName: vault.Name, Policy: pulumi.String(backupplan.VaultPolicy(a.Scope()).JSON()),
		}, opts...); err != nil {
			return nil, err
		}
	}
	if l := a.VaultLock; l != nil {
		lock := &awsbackup.VaultLockConfigurationArgs{
			BackupVaultName:  vault.Name,
			MinRetentionDays: pulumi.Int(l.MinRetentionDays), MaxRetentionDays: pulumi.Int(l.MaxRetentionDays),
		}
		// Compliance mode: after ChangeableForDays nobody can remove the lock. Governance mode
		// has no grace time and stays removable.
		if l.Mode == backupplan.LockCompliance {
			lock.ChangeableForDays = pulumi.Int(l.ChangeableForDays)
		}
		if _, err := awsbackup.NewVaultLockConfiguration(ctx, name+"-vault-lock", lock, append(opts, pulumi.Protect(a.Protect))...); err != nil {
			return nil, err
		}
	}
	return vault, nil
}

// role is the role AWS Backup assumes: its fixed name is what `platform restore` passes.
func (b *Backup) role(ctx *pulumi.Context, name string, a Args, parent pulumi.ResourceOption) (*iam.Role, *iam.RolePolicy, error) {
	s := a.Scope()
	role, err := iam.NewRole(ctx, name+"-role", &iam.RoleArgs{
		Name: pulumi.String(contract.BackupRoleName(a.Cluster)), Path: pulumi.String(contract.PlatformRolePath(a.Cluster)),
		Description:         pulumi.String("AWS Backup of " + a.Cluster + "'s tagged volumes and databases"),
		AssumeRolePolicy:    pulumi.String(backupplan.Trust(s).JSON()),
		PermissionsBoundary: a.PermissionsBoundary,
	}, parent)
	if err != nil {
		return nil, nil, err
	}
	policy, err := iam.NewRolePolicy(ctx, name+"-role-policy", &iam.RolePolicyArgs{
		Role: role.ID(), Policy: pulumi.String(backupplan.RolePolicy(s).JSON()),
	}, parent)
	if err != nil {
		return nil, nil, err
	}
	return role, policy, nil
}

// alarms notify the stack's alarm topic when a backup job, or a copy job, of the vault fails.
// AWS Backup publishes these metrics per vault (AWS/Backup, dimension BackupVaultName); an
// hour without jobs has no data and is not a failure. CloudWatch alarms publish to the topic
// through its default policy, like the stack's other alarms.
func (b *Backup) alarms(ctx *pulumi.Context, name string, a Args, vault *awsbackup.Vault, parent pulumi.ResourceOption) error {
	metrics := []struct{ suffix, metric, what string }{{"jobs-failed", "NumberOfBackupJobsFailed", "backup"}}
	if a.Settings.Copies() {
		metrics = append(metrics, struct{ suffix, metric, what string }{"copies-failed", "NumberOfCopyJobsFailed", "copy (to " + a.CopyRegion + ")"})
	}
	for _, m := range metrics {
		if _, err := cloudwatch.NewMetricAlarm(ctx, name+"-"+m.suffix, &cloudwatch.MetricAlarmArgs{
			Name:               pulumi.String(contract.BackupVaultName(a.Cluster) + "-" + m.suffix),
			AlarmDescription:   pulumi.String("A " + m.what + " job of AWS Backup vault " + contract.BackupVaultName(a.Cluster) + " failed: a volume or database was not backed up (README \"Backups\")"),
			Namespace:          pulumi.String("AWS/Backup"),
			MetricName:         pulumi.String(m.metric),
			Dimensions:         pulumi.StringMap{"BackupVaultName": vault.Name},
			Statistic:          pulumi.String("Sum"),
			Period:             pulumi.Int(3600),
			EvaluationPeriods:  pulumi.Int(1),
			ComparisonOperator: pulumi.String("GreaterThanThreshold"),
			Threshold:          pulumi.Float64(0),
			TreatMissingData:   pulumi.String("notBreaching"),
			AlarmActions:       pulumi.Array{a.AlarmTopicArn},
			OkActions:          pulumi.Array{a.AlarmTopicArn},
		}, parent); err != nil {
			return err
		}
	}
	return nil
}
