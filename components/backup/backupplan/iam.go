package backupplan

import (
	"fmt"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
)

// Scope is what the backup role, the selection and the vault policy are written for.
type Scope struct {
	Account contract.Account
	Cluster string
	// CopyRegion is the region of the copy vault ("" when no rule copies).
	CopyRegion string
}

// regions are the stack's region and, when it has one, the copy region.
func (s Scope) regions() []string {
	if s.CopyRegion == "" {
		return []string{s.Account.Region}
	}
	return []string{s.Account.Region, s.CopyRegion}
}

// VaultArn is the stack's vault in region (the copy vault has the same name).
func (s Scope) VaultArn(region string) string {
	a := s.Account
	return fmt.Sprintf("arn:%s:backup:%s:%s:backup-vault:%s", a.Partition, region, a.ID, contract.BackupVaultName(s.Cluster))
}

// RoleArn is the backup role's ARN (under the platform's role path).
func (s Scope) RoleArn() string {
	a := s.Account
	return fmt.Sprintf("arn:%s:iam::%s:role%s%s", a.Partition, a.ID, contract.PlatformRolePath(s.Cluster), contract.BackupRoleName(s.Cluster))
}

// SelectionResources are the resource types the plan selects from: the stack region's EBS
// volumes and RDS instances. SelectionConditions narrow them to those carrying the backup tag
// and the stack's cluster tag (AWS Backup ANDs a selection's conditions).
func (s Scope) SelectionResources() []string {
	a := s.Account
	return []string{
		fmt.Sprintf("arn:%s:ec2:%s:%s:volume/*", a.Partition, a.Region, a.ID),
		fmt.Sprintf("arn:%s:rds:%s:%s:db:*", a.Partition, a.Region, a.ID),
	}
}

// SelectionConditions: tag key to the value a selected resource carries.
func (s Scope) SelectionConditions() map[string]string {
	return map[string]string{contract.BackupTag: contract.BackupTagValue, contract.StackTag: s.Cluster}
}

// selected is the condition on a resource the plan selects.
func (s Scope) selected() map[string]map[string][]string {
	return map[string]map[string][]string{"StringEquals": {
		"aws:ResourceTag/" + contract.BackupTag: {contract.BackupTagValue},
		"aws:ResourceTag/" + contract.StackTag:  {s.Cluster},
	}}
}

// ofThisStack is the condition on a recovery point of the stack: AWS Backup copies the source's
// tags to the EBS snapshots it makes, and the databases copy theirs to their snapshots
// (CopyTagsToSnapshot), so every recovery point of the stack carries its cluster tag.
func (s Scope) ofThisStack() map[string]map[string][]string {
	return map[string]map[string][]string{"StringEquals": {"aws:ResourceTag/" + contract.StackTag: {s.Cluster}}}
}

// untagged is the condition on a resource that does not exist yet (a new snapshot, a copy): it
// has no tags for IAM to read, so no other stack's recovery point matches it.
func untagged() map[string]map[string][]string {
	return map[string]map[string][]string{"Null": {"aws:ResourceTag/" + contract.StackTag: {"true"}}}
}

func stmt(sid string, actions []string, resources []string, cond map[string]map[string][]string) iampolicy.Statement {
	st := iampolicy.Allow(actions, resources...)
	st.Sid, st.Condition = sid, cond
	return st
}

// RolePolicy is the backup role's policy: back up the selected volumes and databases, copy
// their recovery points to the copy vault, restore a volume into a selected volume, expire
// the stack's recovery points, and use keys only through EC2 and RDS. Nothing else: no other
// volume or database, no other stack's snapshot, no S3, SSM or IAM. It replaces AWS's managed
// AWSBackupServiceRolePolicyForBackup and ...ForRestores, which reach every resource of every
// service AWS Backup supports. Databases are restored by the program (a new instance from a
// snapshot, through config), not by this role: it has no rds:Restore*.
func RolePolicy(s Scope) iampolicy.Document {
	a := s.Account
	var volumes, snapshots, dbSnapshots, keys, vaults, via []string
	for _, r := range s.regions() {
		volumes = append(volumes, fmt.Sprintf("arn:%s:ec2:%s:%s:volume/*", a.Partition, r, a.ID))
		snapshots = append(snapshots, fmt.Sprintf("arn:%s:ec2:%s::snapshot/*", a.Partition, r))
		dbSnapshots = append(dbSnapshots, fmt.Sprintf("arn:%s:rds:%s:%s:snapshot:awsbackup:*", a.Partition, r, a.ID))
		keys = append(keys, fmt.Sprintf("arn:%s:kms:%s:%s:key/*", a.Partition, r, a.ID))
		vaults = append(vaults, s.VaultArn(r))
		via = append(via, "ec2."+r+".amazonaws.com", "rds."+r+".amazonaws.com")
	}
	region := s.Account.Region
	stmts := []iampolicy.Statement{
		// CreateSnapshot is authorized on the volume and on the new snapshot: the volume must be
		// selected; the snapshot is new, its ARN unknown until then.
		stmt("SnapshotSelectedVolumes", []string{"ec2:CreateSnapshot"},
			[]string{fmt.Sprintf("arn:%s:ec2:%s:%s:volume/*", a.Partition, region, a.ID)}, s.selected()),
		stmt("NewVolumeSnapshots", []string{"ec2:CreateSnapshot"}, []string{fmt.Sprintf("arn:%s:ec2:%s::snapshot/*", a.Partition, region)}, nil),
		stmt("TagNewSnapshots", []string{"ec2:CreateTags"}, snapshots,
			map[string]map[string][]string{"StringEquals": {"ec2:CreateAction": {"CreateSnapshot", "CopySnapshot"}}}),
		// Copy (to the copy region), restore from, and expire (lifecycle) the stack's snapshots.
		stmt("SnapshotsOfThisStack", []string{"ec2:CopySnapshot", "ec2:CreateVolume", "ec2:DeleteSnapshot"}, snapshots, s.ofThisStack()),
		// A restore creates a volume the plan selects again: tagged, of this stack.
		stmt("RestoreIntoSelectedVolumes", []string{"ec2:CreateVolume"}, volumes, map[string]map[string][]string{"StringEquals": {
			"aws:RequestTag/" + contract.BackupTag: {contract.BackupTagValue},
			"aws:RequestTag/" + contract.StackTag:  {s.Cluster},
		}}),
		stmt("TagRestoredVolumes", []string{"ec2:CreateTags"}, volumes,
			map[string]map[string][]string{"StringEquals": {"ec2:CreateAction": {"CreateVolume"}}}),
		stmt("SnapshotSelectedDatabases", []string{"rds:CreateDBSnapshot"},
			[]string{fmt.Sprintf("arn:%s:rds:%s:%s:db:*", a.Partition, region, a.ID)}, s.selected()),
		// AWS Backup names the RDS snapshots it makes and copies awsbackup:job-... and
		// awsbackup:copyjob-...: new ones have no tags yet, existing ones carry the stack's.
		stmt("NewDatabaseSnapshots", []string{"rds:CreateDBSnapshot", "rds:CopyDBSnapshot", "rds:AddTagsToResource"}, dbSnapshots, untagged()),
		stmt("DatabaseSnapshotsOfThisStack", []string{"rds:CopyDBSnapshot", "rds:DeleteDBSnapshot", "rds:AddTagsToResource", "rds:ListTagsForResource"},
			dbSnapshots, s.ofThisStack()),
		// Lookups without resource-level permissions: what the selection finds and the jobs watch.
		stmt("Lookups", []string{"ec2:DescribeVolumes", "ec2:DescribeSnapshots", "ec2:DescribeTags",
			"rds:DescribeDBInstances", "rds:DescribeDBSnapshots", "tag:GetResources"}, []string{"*"}, nil),
		stmt("TheStacksVaults", []string{"backup:DescribeBackupVault", "backup:CopyIntoBackupVault"}, vaults, nil),
		// Snapshots stay encrypted with their source's key (the account's EBS key, the databases'
		// key); a copy is re-encrypted with the copy vault's key. EC2 and RDS use the keys on
		// the role's behalf, and only they may.
		stmt("KeysThroughEC2AndRDS", []string{"kms:Decrypt", "kms:Encrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo",
			"kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"}, keys,
			map[string]map[string][]string{"StringEquals": {"kms:ViaService": via}}),
		stmt("GrantsForEC2AndRDS", []string{"kms:CreateGrant"}, keys, map[string]map[string][]string{
			"StringEquals": {"kms:ViaService": via}, "Bool": {"kms:GrantIsForAWSResource": {"true"}}}),
	}
	if s.CopyRegion != "" {
		// CopySnapshot is authorized on the source (of this stack, above) and on the new
		// snapshot in the copy region, which has no tags yet.
		stmts = append(stmts, stmt("NewCopies", []string{"ec2:CopySnapshot"},
			[]string{fmt.Sprintf("arn:%s:ec2:%s::snapshot/*", a.Partition, s.CopyRegion)}, untagged()))
	}
	return iampolicy.New(stmts...)
}

// Trust lets AWS Backup, acting for this account only, assume the role.
func Trust(s Scope) iampolicy.Document {
	return iampolicy.New(iampolicy.Statement{
		Sid: "AWSBackupOfThisAccount", Effect: "Allow",
		Principal: map[string][]string{"Service": {"backup.amazonaws.com"}},
		Action:    []string{"sts:AssumeRole"},
		Condition: map[string]map[string][]string{"StringEquals": {"aws:SourceAccount": {s.Account.ID}}},
	})
}

// ProtectedActions are what the prod vaults' access policy refuses: deleting a recovery point
// or shortening its life.
var ProtectedActions = []string{"backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"}

// VaultPolicy is a prod vault's access policy: nobody deletes a recovery point or changes its
// lifecycle, whatever their IAM policies allow (an admin, the CI role, a leaked key), except
// the backup role, which only AWS Backup can assume and whose own policy grants neither: the
// plan's lifecycle is then the one way a recovery point goes. Removing the protection takes
// changing this policy first (backup:PutBackupVaultAccessPolicy, in CloudTrail); a vault lock
// in compliance mode is the protection nobody can remove.
func VaultPolicy(s Scope) iampolicy.Document {
	return iampolicy.New(iampolicy.Statement{
		Sid: "RecoveryPointsExpireOnlyByThePlan", Effect: "Deny",
		Principal: map[string][]string{"AWS": {"*"}},
		// A vault's access policy governs the vault's own recovery points: "*" is those.
		Action: ProtectedActions, Resource: []string{"*"},
		Condition: map[string]map[string][]string{"ArnNotEquals": {"aws:PrincipalArn": {s.RoleArn()}}},
	})
}
