package stacks

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/backup"
	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/contract"
)

// newBackup adds AWS Backup of the stack's tagged volumes and databases (nil when
// platform:backup.enabled is false): the environment's rules, prod's access policy on the
// vaults (protected stacks keep their recovery points), its copy region and optional lock.
func newBackup(ctx *pulumi.Context, cfg *config.Config, account contract.Account, p *Platform) (*backup.Backup, error) {
	if !cfg.Backup.Enabled {
		return nil, nil
	}
	policy := cfg.Policy()
	return backup.New(ctx, "backup", &backup.Args{
		Account: account, Cluster: cfg.Cluster.Name,
		Settings: policy.Backup, CopyRegion: cfg.Backup.CopyRegion, DefaultTags: cfg.DefaultTags,
		VaultLock: cfg.Backup.VaultLock, ProtectRecoveryPoints: policy.Protect,
		KeyDeletionWindowDays: policy.KeyDeletionWindowDays, Protect: policy.Protect, ForceDestroy: policy.ForceDestroy,
		PermissionsBoundary: p.Boundary.Arn, AlarmTopicArn: p.Alarms.TopicArn,
	})
}

// backupOutputs is the stack output "backup": where the recovery points are and the role that
// restores them (`platform restore` reads it).
func backupOutputs(p *Platform) pulumi.Map {
	return pulumi.Map{
		"vaultName": p.Backup.VaultName, "vaultArn": p.Backup.VaultArn,
		"roleArn": p.Backup.RoleArn, "copyVaultArn": p.Backup.CopyVaultArn,
	}
}
