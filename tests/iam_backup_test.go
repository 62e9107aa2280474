package tests

import (
	"encoding/json"
	"testing"

	"github.com/example/platform/components/backup/backupplan"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
)

// The backup role (contract.BackupRoleName) against the IAM engine, on prod's plan (it copies
// to eu-west-1): what AWS Backup needs to back up the selected volumes and databases, copy
// them, restore a volume and expire recovery points is allowed; everything else is denied.
// Its policy alone is proven with mutation testing (every statement and condition is needed),
// then the role as planned, under the platform boundary.

const (
	backupCluster = "platform-prod"
	copyRegion    = "eu-west-1"
)

func backupProbes() (capabilities, attacks []probe) {
	tags := func(backup string, cluster string) map[string]any {
		m := map[string]any{}
		if backup != "" {
			m["aws:ResourceTag/"+contract.BackupTag] = backup
		}
		if cluster != "" {
			m["aws:ResourceTag/"+contract.StackTag] = cluster
		}
		return m
	}
	request := func(backup, cluster string) map[string]any {
		return ctx("aws:RequestTag/"+contract.BackupTag, backup, "aws:RequestTag/"+contract.StackTag, cluster)
	}
	ours, other := ctx("aws:ResourceTag/"+contract.StackTag, backupCluster), ctx("aws:ResourceTag/"+contract.StackTag, "platform-dev")
	volume := simArn("ec2", simRegion, "volume/vol-0a1b2c3d4e5f60718")
	snap := func(region string) string { return "arn:aws:ec2:" + region + "::snapshot/snap-0a1b2c3d4e5f60718" }
	db := simArn("rds", simRegion, "db:platform-prod-payments-ledger")
	dbSnap := func(region, name string) string { return simArn("rds", region, "snapshot:"+name) }
	key := func(region string) string { return simArn("kms", region, "key/1234abcd-12ab-34cd-56ef-1234567890ab") }
	via := func(svc string) map[string]any { return ctx("kms:ViaService", svc+".amazonaws.com") }
	vault := func(region, name string) string { return simArn("backup", region, "backup-vault:"+name) }
	capabilities = []probe{
		{name: "snapshot a selected volume", action: "ec2:CreateSnapshot", resource: volume, context: tags("true", backupCluster)},
		{name: "create the new snapshot", action: "ec2:CreateSnapshot", resource: snap(simRegion)},
		{name: "tag the new snapshot", action: "ec2:CreateTags", resource: snap(simRegion), context: ctx("ec2:CreateAction", "CreateSnapshot")},
		{name: "tag the copy", action: "ec2:CreateTags", resource: snap(copyRegion), context: ctx("ec2:CreateAction", "CopySnapshot")},
		{name: "copy a snapshot of the stack", action: "ec2:CopySnapshot", resource: snap(simRegion), context: ours},
		{name: "create the copy in the copy region", action: "ec2:CopySnapshot", resource: snap(copyRegion)},
		{name: "expire a snapshot of the stack", action: "ec2:DeleteSnapshot", resource: snap(simRegion), context: ours},
		{name: "expire a copy of the stack", action: "ec2:DeleteSnapshot", resource: snap(copyRegion), context: ours},
		{name: "restore from a recovery point", action: "ec2:CreateVolume", resource: snap(simRegion), context: ours},
		{name: "restore into a selected volume", action: "ec2:CreateVolume", resource: volume, context: request("true", backupCluster)},
		{name: "tag the restored volume", action: "ec2:CreateTags", resource: volume, context: ctx("ec2:CreateAction", "CreateVolume")},
		{name: "snapshot a selected database", action: "rds:CreateDBSnapshot", resource: db, context: tags("true", backupCluster)},
		{name: "create the database's new snapshot", action: "rds:CreateDBSnapshot", resource: dbSnap(simRegion, "awsbackup:job-1")},
		{name: "tag the database's new snapshot", action: "rds:AddTagsToResource", resource: dbSnap(simRegion, "awsbackup:job-1")},
		{name: "copy a database snapshot of the stack", action: "rds:CopyDBSnapshot", resource: dbSnap(simRegion, "awsbackup:job-1"), context: ours},
		{name: "create the database copy in the copy region", action: "rds:CopyDBSnapshot", resource: dbSnap(copyRegion, "awsbackup:copyjob-1")},
		{name: "expire a database snapshot of the stack", action: "rds:DeleteDBSnapshot", resource: dbSnap(simRegion, "awsbackup:job-1"), context: ours},
		{name: "read a database snapshot's tags", action: "rds:ListTagsForResource", resource: dbSnap(copyRegion, "awsbackup:copyjob-1"), context: ours},
		{name: "find the volumes", action: "ec2:DescribeVolumes", resource: "*"},
		{name: "find the snapshots", action: "ec2:DescribeSnapshots", resource: "*"},
		{name: "find the tags", action: "ec2:DescribeTags", resource: "*"},
		{name: "find the databases", action: "rds:DescribeDBInstances", resource: db},
		{name: "find the database snapshots", action: "rds:DescribeDBSnapshots", resource: dbSnap(simRegion, "awsbackup:job-1")},
		{name: "find the tagged resources", action: "tag:GetResources", resource: "*"},
		{name: "describe the vault", action: "backup:DescribeBackupVault", resource: vault(simRegion, "platform-prod-backup")},
		{name: "copy into the copy vault", action: "backup:CopyIntoBackupVault", resource: vault(copyRegion, "platform-prod-backup")},
		{name: "decrypt a volume's key through EC2", action: "kms:Decrypt", resource: key(simRegion), context: via("ec2." + simRegion)},
		{name: "encrypt through EC2", action: "kms:Encrypt", resource: key(simRegion), context: via("ec2." + simRegion)},
		{name: "re-encrypt a copy from the source key", action: "kms:ReEncryptFrom", resource: key(simRegion), context: via("ec2." + copyRegion)},
		{name: "re-encrypt a copy to the copy vault's key", action: "kms:ReEncryptTo", resource: key(copyRegion), context: via("ec2." + copyRegion)},
		{name: "a data key for a copy", action: "kms:GenerateDataKeyWithoutPlaintext", resource: key(copyRegion), context: via("ec2." + copyRegion)},
		{name: "a data key through RDS", action: "kms:GenerateDataKey", resource: key(simRegion), context: via("rds." + simRegion)},
		{name: "describe a key through RDS", action: "kms:DescribeKey", resource: key(copyRegion), context: via("rds." + copyRegion)},
		{name: "a grant for RDS", action: "kms:CreateGrant", resource: key(simRegion), context: merge(via("rds."+simRegion), ctx("kms:GrantIsForAWSResource", "true"))},
	}
	attacks = []probe{
		{name: "snapshot an untagged volume", action: "ec2:CreateSnapshot", resource: volume},
		{name: "snapshot an opted-out volume of the stack", action: "ec2:CreateSnapshot", resource: volume, context: tags("", backupCluster)},
		{name: "snapshot another cluster's backed-up volume", action: "ec2:CreateSnapshot", resource: volume, context: tags("true", "platform-dev")},
		{name: "snapshot a volume tagged like ours in another region", action: "ec2:CreateSnapshot", resource: simArn("ec2", "us-east-1", "volume/vol-0a1b2c3d4e5f60718"),
			context: tags("true", backupCluster)},
		{name: "retag an existing snapshot", action: "ec2:CreateTags", resource: snap(simRegion), context: other},
		{name: "tag an instance as if snapshotting", action: "ec2:CreateTags", resource: simArn("ec2", simRegion, "instance/i-0a1b2c3d4e5f60718"), context: ctx("ec2:CreateAction", "CreateSnapshot")},
		{name: "tag an instance as if restoring", action: "ec2:CreateTags", resource: simArn("ec2", simRegion, "instance/i-0a1b2c3d4e5f60718"), context: ctx("ec2:CreateAction", "CreateVolume")},
		{name: "retag an existing volume", action: "ec2:CreateTags", resource: volume, context: tags("true", "platform-dev")},
		{name: "copy another cluster's snapshot", action: "ec2:CopySnapshot", resource: snap(simRegion), context: other},
		{name: "copy over another cluster's snapshot in the copy region", action: "ec2:CopySnapshot", resource: snap(copyRegion), context: other},
		{name: "copy a snapshot in a third region", action: "ec2:CopySnapshot", resource: snap("us-east-1")},
		{name: "delete another cluster's snapshot", action: "ec2:DeleteSnapshot", resource: snap(simRegion), context: other},
		{name: "delete an untagged snapshot", action: "ec2:DeleteSnapshot", resource: snap(simRegion)},
		{name: "delete a snapshot of the stack in a third region", action: "ec2:DeleteSnapshot", resource: snap("us-east-1"), context: ours},
		{name: "restore from another cluster's snapshot", action: "ec2:CreateVolume", resource: snap(simRegion), context: merge(other, request("true", backupCluster))},
		{name: "restore into an untagged volume", action: "ec2:CreateVolume", resource: volume, context: ctx("aws:RequestTag/"+contract.StackTag, backupCluster)},
		{name: "restore into another cluster's volume", action: "ec2:CreateVolume", resource: volume, context: request("true", "platform-dev")},
		{name: "delete a volume", action: "ec2:DeleteVolume", resource: volume, context: tags("true", backupCluster)},
		{name: "share a snapshot", action: "ec2:ModifySnapshotAttribute", resource: snap(simRegion), context: ours},
		{name: "snapshot an untagged database of the stack", action: "rds:CreateDBSnapshot", resource: db, context: tags("", backupCluster)},
		{name: "snapshot another cluster's database", action: "rds:CreateDBSnapshot", resource: db, context: tags("true", "platform-dev")},
		{name: "snapshot a database into a snapshot not named by AWS Backup", action: "rds:CreateDBSnapshot", resource: dbSnap(simRegion, "manual-1"), context: tags("true", backupCluster)},
		{name: "tag another cluster's database snapshot", action: "rds:AddTagsToResource", resource: dbSnap(simRegion, "awsbackup:job-9"), context: other},
		{name: "tag an untagged database", action: "rds:AddTagsToResource", resource: db},
		{name: "delete another cluster's database snapshot", action: "rds:DeleteDBSnapshot", resource: dbSnap(simRegion, "awsbackup:job-9"), context: other},
		{name: "delete the stack's final snapshot", action: "rds:DeleteDBSnapshot", resource: dbSnap(simRegion, "platform-prod-payments-ledger-final"), context: ours},
		{name: "restore a database", action: "rds:RestoreDBInstanceFromDBSnapshot", resource: db, context: tags("true", backupCluster)},
		{name: "delete a database", action: "rds:DeleteDBInstance", resource: db, context: tags("true", backupCluster)},
		{name: "copy into another vault", action: "backup:CopyIntoBackupVault", resource: vault(copyRegion, "someone-else")},
		{name: "delete a recovery point", action: "backup:DeleteRecoveryPoint", resource: simArn("backup", simRegion, "recovery-point:abc")},
		{name: "delete the vault", action: "backup:DeleteBackupVault", resource: vault(simRegion, "platform-prod-backup")},
		{name: "decrypt directly", action: "kms:Decrypt", resource: key(simRegion)},
		{name: "decrypt through SSM", action: "kms:Decrypt", resource: key(simRegion), context: via("ssm." + simRegion)},
		{name: "decrypt another account's key through EC2", action: "kms:Decrypt", resource: "arn:aws:kms:" + simRegion + ":999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab", context: via("ec2." + simRegion)},
		{name: "a grant for itself through EC2", action: "kms:CreateGrant", resource: key(simRegion), context: merge(via("ec2."+simRegion), ctx("kms:GrantIsForAWSResource", "false"))},
		{name: "a grant directly", action: "kms:CreateGrant", resource: key(simRegion), context: ctx("kms:GrantIsForAWSResource", "true")},
		{name: "a grant on another account's key", action: "kms:CreateGrant", resource: "arn:aws:kms:" + simRegion + ":999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			context: merge(via("ec2."+simRegion), ctx("kms:GrantIsForAWSResource", "true"))},
		{name: "read S3", action: "s3:GetObject", resource: "arn:aws:s3:::platform-prod-loki-chunks/x"},
		{name: "read SSM", action: "ssm:GetParameter", resource: simArn("ssm", simRegion, "parameter/platform-prod/platform/grafana/admin-password")},
		{name: "read a secret", action: "secretsmanager:GetSecretValue", resource: simArn("secretsmanager", simRegion, "secret:rds!db-1-AbCdEf")},
		{name: "pass a role", action: "iam:PassRole", resource: simArn("iam", "", "role/platform-prod/platform/cluster-node-role-1a2b")},
		{name: "write its own policy", action: "iam:PutRolePolicy", resource: simArn("iam", "", "role/platform-prod/platform/"+contract.BackupRoleName(backupCluster))},
		{name: "assume a role", action: "sts:AssumeRole", resource: simArn("iam", "", "role/platform-prod/platform/cluster-node-role-1a2b")},
	}
	return capabilities, attacks
}

// The policy alone, with mutation testing: every statement and condition is needed.
func TestBackupRolePolicyAgainstTheIAMEngine(t *testing.T) {
	p := stackPlan(t, "prod")
	pr, _ := roleOf(t, p, "backup-role")
	if len(pr.IdentityPolicies) != 1 {
		t.Fatalf("the backup role has %d policies, want its one", len(pr.IdentityPolicies))
	}
	policy := mustParse(t, string(pr.IdentityPolicies[0]))
	caps, attacks := backupProbes()
	proveLayer(t, layer{name: "backup role policy", doc: policy, principal: identityLayer(pr.Arn), attacks: attacks, capabilities: caps,
		equivalent: map[string]string{}})
}

// The role as planned, under the platform boundary: the boundary lets it do its job (backup is
// among the platform's services) and caps nothing it needs.
func TestBackupRoleAgainstTheIAMEngine(t *testing.T) {
	p := stackPlan(t, "prod")
	pr, _ := roleOf(t, p, "backup-role")
	role := p.named(t, "aws:iam/role:Role", "backup-role")
	if getString(role, "name") != contract.BackupRoleName(backupCluster) || getString(role, "path") != contract.PlatformRolePath(backupCluster) {
		t.Errorf("role %s at %s", getString(role, "name"), getString(role, "path"))
	}
	caps, attacks := backupProbes()
	expectAll(t, "as the backup role", pr, caps, true)
	expectAll(t, "as the backup role", pr, attacks, false)
	trust := mustParse(t, getString(role, "assumeRolePolicy"))
	want := backupplan.Trust(backupplan.Scope{Account: contract.Account{ID: simAccount, Partition: "aws", Region: simRegion}, Cluster: backupCluster})
	if !iampolicy.Equal(trust, want) || trust.Statement[0].Principal["Service"][0] != "backup.amazonaws.com" {
		t.Errorf("trust %+v", trust)
	}
}

// Prod's vault access policy: an identity whose own policy allows everything (an admin, a
// leaked key) cannot delete a recovery point or shorten its life; the backup role is not
// refused by it (its own policy grants neither); reading stays allowed.
func TestBackupVaultPolicyAgainstTheIAMEngine(t *testing.T) {
	p := stackPlan(t, "prod")
	vp := json.RawMessage(getString(p.named(t, "aws:backup/vaultPolicy:VaultPolicy", "backup-vault-policy"), "policy"))
	admin := iamPrincipal{Arn: "arn:aws:iam::" + simAccount + ":role/platform-admin", IdentityPolicies: []json.RawMessage{doc(adminPolicy)}}
	// The role's ARN as IAM writes it, with its path (the mocks' ARN has none).
	role := backupplan.Scope{Account: contract.Account{ID: simAccount, Partition: "aws", Region: simRegion}, Cluster: backupCluster}.RoleArn()
	asBackupRole := iamPrincipal{Arn: role, IdentityPolicies: []json.RawMessage{doc(adminPolicy)}}
	point := simArn("backup", simRegion, "recovery-point:0a1b2c3d-1111-2222-3333-444455556666")
	type check struct {
		name   string
		who    iamPrincipal
		action string
		allow  bool
	}
	checks := []check{
		{"an admin deletes a recovery point", admin, "backup:DeleteRecoveryPoint", false},
		{"an admin shortens a recovery point's life", admin, "backup:UpdateRecoveryPointLifecycle", false},
		{"an admin describes a recovery point", admin, "backup:DescribeRecoveryPoint", true},
		{"the backup role's path is not refused", asBackupRole, "backup:DeleteRecoveryPoint", true},
	}
	var asks []iamAsk
	for _, c := range checks {
		a := probe{name: c.name, action: c.action, resource: point}.ask("vault: ", c.who)
		a.ResourcePolicy = vp
		asks = append(asks, a)
	}
	verdicts := askIAM(t, asks)
	for _, c := range checks {
		if v := verdicts["vault: "+c.name]; v.Allowed != c.allow {
			t.Errorf("%s: %s (want allowed=%v)", c.name, v.Result, c.allow)
		}
	}
}
