package tests

import (
	"encoding/json"
	"testing"

	"github.com/example/platform/internal/contract"
)

// The CI role's permissions for the Session Manager access (components/access) and AWS Backup
// (components/backup): what deploying them takes, on dev's plan (part of
// TestCIRoleAgainstTheIAMEngine's capabilities and attacks, so its mutation testing covers their
// statements), and on prod's plan the copy region (platform:backup.copyRegion): the copy vault
// and its key there, nothing else there, nothing in a third region.

var (
	devAccessInstance = ctx("aws:ResourceTag/"+contract.AccessTag, "platform-dev", "aws:ResourceTag/platform:cluster", "platform-dev")
	devRequestTag     = ctx("aws:RequestTag/platform:cluster", "platform-dev", "aws:TagKeys", []string{"platform:cluster"})
	prodRequestTag    = ctx("aws:RequestTag/platform:cluster", "platform-prod", "aws:TagKeys", []string{"platform:cluster"})
)

func ciAccessBackupCapabilities() []probe {
	iam := func(r string) string { return simArn("iam", "", r) }
	ec2 := func(r string) string { return simArn("ec2", simRegion, r) }
	ssm := func(r string) string { return simArn("ssm", simRegion, r) }
	backup := func(r string) string { return simArn("backup", simRegion, r) }
	return []probe{
		{name: "create the access instance profile", action: "iam:CreateInstanceProfile", resource: iam("instance-profile/platform-dev/platform/access-instance-profile-1a2b")},
		{name: "put the access role in its profile", action: "iam:AddRoleToInstanceProfile", resource: iam("instance-profile/platform-dev/platform/access-instance-profile-1a2b")},
		{name: "pass the access role to EC2", action: "iam:PassRole", resource: iam("role/platform-dev/platform/access-instance-role-1a2b"), context: ctx("iam:PassedToService", "ec2.amazonaws.com")},
		{name: "launch the access instance", action: "ec2:RunInstances", resource: ec2("instance/i-0new")},
		{name: "terminate the access instance", action: "ec2:TerminateInstances", resource: ec2("instance/i-0access"), context: devAccessInstance},
		{name: "change the access instance's security groups", action: "ec2:ModifyInstanceAttribute", resource: ec2("instance/i-0access"), context: devAccessInstance},
		{name: "admit the access instance to the cluster security group", action: "ec2:AuthorizeSecurityGroupIngress", resource: ec2("security-group/sg-0cluster"),
			context: ctx("aws:ResourceTag/aws:eks:cluster-name", "platform-dev")},
		{name: "create the kube Session document", action: "ssm:CreateDocument", resource: ssm("document/" + contract.KubeDocumentName("platform-dev"))},
		{name: "update a team database's Session document", action: "ssm:UpdateDocument", resource: ssm("document/" + contract.DatabaseDocumentName("platform-dev", "payments", "ledger"))},
		{name: "create the backup vault", action: "backup:CreateBackupVault", resource: backup("backup-vault:" + contract.BackupVaultName("platform-dev"))},
		{name: "mount the vault's storage", action: "backup-storage:MountCapsule", resource: "*"},
		{name: "create the backup plan with the stack's tag", action: "backup:CreateBackupPlan", resource: backup("backup-plan:0a1b-new"), context: devRequestTag},
		{name: "select the stack's resources in its plan", action: "backup:CreateBackupSelection", resource: backup("backup-plan:0a1b"), context: devTag},
		{name: "pass the backup role to AWS Backup", action: "iam:PassRole", resource: iam("role/platform-dev/platform/" + contract.BackupRoleName("platform-dev")),
			context: ctx("iam:PassedToService", "backup.amazonaws.com")},
	}
}

func ciAccessBackupAttacks() []layeredAttack {
	iam := func(r string) string { return simArn("iam", "", r) }
	ec2 := func(r string) string { return simArn("ec2", simRegion, r) }
	ssm := func(r string) string { return simArn("ssm", simRegion, r) }
	backup := func(r string) string { return simArn("backup", simRegion, r) }
	policy := func(p probe) layeredAttack { return layeredAttack{p, true, false} }
	prodAccess := ctx("aws:ResourceTag/"+contract.AccessTag, "platform-prod", "aws:ResourceTag/platform:cluster", "platform-prod")
	return []layeredAttack{
		policy(probe{name: "create an instance profile outside the stack's path", action: "iam:CreateInstanceProfile", resource: iam("instance-profile/admin")}),
		policy(probe{name: "put a role in another instance profile", action: "iam:AddRoleToInstanceProfile", resource: iam("instance-profile/admin")}),
		policy(probe{name: "pass an outside role to EC2", action: "iam:PassRole", resource: iam("role/platform-admin"), context: ctx("iam:PassedToService", "ec2.amazonaws.com")}),
		policy(probe{name: "stop a node", action: "ec2:StopInstances", resource: ec2("instance/i-0node"), context: devTag}),
		policy(probe{name: "change a node", action: "ec2:ModifyInstanceAttribute", resource: ec2("instance/i-0node"), context: devTag}),
		policy(probe{name: "terminate prod's access instance", action: "ec2:TerminateInstances", resource: ec2("instance/i-0prodaccess"), context: prodAccess}),
		policy(probe{name: "launch an instance in another region", action: "ec2:RunInstances", resource: simArn("ec2", "us-east-1", "instance/i-0new")}),
		policy(probe{name: "open prod's cluster security group", action: "ec2:AuthorizeSecurityGroupIngress", resource: ec2("security-group/sg-0prodcluster"),
			context: ctx("aws:ResourceTag/aws:eks:cluster-name", "platform-prod")}),
		policy(probe{name: "run a command on the access instance", action: "ssm:SendCommand", resource: ec2("instance/i-0access"), context: devAccessInstance}),
		policy(probe{name: "run a command with a document", action: "ssm:SendCommand", resource: ssm("document/" + contract.KubeDocumentName("platform-dev"))}),
		policy(probe{name: "start a session on the access instance", action: "ssm:StartSession", resource: ec2("instance/i-0access"), context: devAccessInstance}),
		policy(probe{name: "create a document outside the stack's prefix", action: "ssm:CreateDocument", resource: ssm("document/platform-dev-shell")}),
		policy(probe{name: "rewrite prod's kube document", action: "ssm:UpdateDocument", resource: ssm("document/" + contract.KubeDocumentName("platform-prod"))}),
		policy(probe{name: "share a document", action: "ssm:ModifyDocumentPermission", resource: ssm("document/" + contract.KubeDocumentName("platform-dev"))}),
		policy(probe{name: "create a document in another region", action: "ssm:CreateDocument", resource: simArn("ssm", "us-east-1", "document/"+contract.KubeDocumentName("platform-dev"))}),
		policy(probe{name: "delete prod's vault", action: "backup:DeleteBackupVault", resource: backup("backup-vault:" + contract.BackupVaultName("platform-prod"))}),
		policy(probe{name: "unlock prod's vault", action: "backup:DeleteBackupVaultLockConfiguration", resource: backup("backup-vault:" + contract.BackupVaultName("platform-prod"))}),
		policy(probe{name: "open prod's vault", action: "backup:DeleteBackupVaultAccessPolicy", resource: backup("backup-vault:" + contract.BackupVaultName("platform-prod"))}),
		policy(probe{name: "create the vault in another region", action: "backup:CreateBackupVault", resource: simArn("backup", "us-east-1", "backup-vault:"+contract.BackupVaultName("platform-dev"))}),
		policy(probe{name: "delete a recovery point", action: "backup:DeleteRecoveryPoint", resource: backup("recovery-point:0a1b"), context: devTag}),
		policy(probe{name: "delete prod's backup plan", action: "backup:DeleteBackupPlan", resource: backup("backup-plan:0prod"), context: prodTag}),
		policy(probe{name: "create a plan with prod's tag", action: "backup:CreateBackupPlan", resource: backup("backup-plan:0a1b-new"), context: prodRequestTag}),
		policy(probe{name: "create an untagged plan", action: "backup:CreateBackupPlan", resource: backup("backup-plan:0a1b-new")}),
		policy(probe{name: "mount backup storage in another region", action: "backup-storage:MountCapsule", resource: "*", context: ctx("aws:RequestedRegion", "us-east-1")}),
		// dev has no copy region: no region but its own.
		policy(probe{name: "create a key in prod's copy region", action: "kms:CreateKey", resource: "*", context: merge(devRequestTag, ctx("aws:RequestedRegion", "eu-west-1"))}),
	}
}

// prod copies to eu-west-1 (Pulumi.prod.yaml): its CI role creates the copy vault and its key
// there, and nothing else; a third region stays closed.
func TestCIRoleCopyRegionAgainstTheIAMEngine(t *testing.T) {
	const copyTo, third = "eu-west-1", "us-east-1"
	p := stackPlan(t, "prod")
	if got := getString(p.named(t, "aws:kms/key:Key", "backup-copy-key"), "description"); got == "" {
		t.Fatal("prod's plan has no copy vault key")
	}
	deploy := mustParse(t, getString(p.named(t, "aws:iam/rolePolicy:RolePolicy", "github-ci-deploy"), "policy"))
	boundary := mustParse(t, getString(p.named(t, "aws:iam/policy:Policy", "boundary-policy"), "policy"))
	ciArn := p.named(t, "aws:iam/role:Role", "github-ci-role").Outputs["arn"].(string)
	ci := iamPrincipal{Arn: ciArn, IdentityPolicies: []json.RawMessage{doc(deploy)}, Boundary: doc(boundary)}
	kms := func(region, r string) string { return simArn("kms", region, r) }
	vault := func(region, name string) string { return simArn("backup", region, "backup-vault:"+name) }
	copyVault := vault(copyTo, contract.BackupVaultName("platform-prod"))
	inCopy := func(m map[string]any) map[string]any { return merge(m, ctx("aws:RequestedRegion", copyTo)) }
	expectAll(t, "CI role (prod)", ci, []probe{
		{name: "create the copy key", action: "kms:CreateKey", resource: "*", context: inCopy(prodRequestTag)},
		{name: "tag the copy key as it is created", action: "kms:TagResource", resource: kms(copyTo, "key/0copy"), context: prodRequestTag},
		{name: "set the copy key's policy", action: "kms:PutKeyPolicy", resource: kms(copyTo, "key/0copy"), context: prodTag},
		{name: "rotate the copy key", action: "kms:EnableKeyRotation", resource: kms(copyTo, "key/0copy"), context: prodTag},
		{name: "describe the copy key", action: "kms:DescribeKey", resource: kms(copyTo, "key/0copy")},
		{name: "alias the copy key", action: "kms:CreateAlias", resource: kms(copyTo, "alias/platform-prod-backup")},
		{name: "alias the copy key (the key's side)", action: "kms:CreateAlias", resource: kms(copyTo, "key/0copy"), context: prodTag},
		{name: "grant the copy key to the copy vault", action: "kms:CreateGrant", resource: kms(copyTo, "key/0copy"), context: prodTag},
		{name: "schedule the copy key's deletion", action: "kms:ScheduleKeyDeletion", resource: kms(copyTo, "key/0copy"), context: prodTag},
		{name: "create the copy vault", action: "backup:CreateBackupVault", resource: copyVault},
		{name: "mount the copy vault's storage", action: "backup-storage:MountCapsule", resource: "*", context: ctx("aws:RequestedRegion", copyTo)},
		{name: "set the copy vault's access policy", action: "backup:PutBackupVaultAccessPolicy", resource: copyVault},
		{name: "lock the copy vault", action: "backup:PutBackupVaultLockConfiguration", resource: copyVault},
		{name: "delete the copy vault", action: "backup:DeleteBackupVault", resource: copyVault},
		// The stack's own region keeps working.
		{name: "create the vault", action: "backup:CreateBackupVault", resource: vault(simRegion, contract.BackupVaultName("platform-prod"))},
		{name: "create a key in the stack's region", action: "kms:CreateKey", resource: "*", context: prodRequestTag},
	}, true)
	expectAll(t, "CI role (prod)", ci, []probe{
		{name: "create a key in a third region", action: "kms:CreateKey", resource: "*", context: merge(prodRequestTag, ctx("aws:RequestedRegion", third))},
		{name: "tag a new key in a third region", action: "kms:TagResource", resource: kms(third, "key/0new"), context: prodRequestTag},
		{name: "describe keys in a third region", action: "kms:DescribeKey", resource: kms(third, "key/0other")},
		{name: "create the vault in a third region", action: "backup:CreateBackupVault", resource: vault(third, contract.BackupVaultName("platform-prod"))},
		{name: "mount backup storage in a third region", action: "backup-storage:MountCapsule", resource: "*", context: ctx("aws:RequestedRegion", third)},
		{name: "create an untagged key in the copy region", action: "kms:CreateKey", resource: "*", context: ctx("aws:RequestedRegion", copyTo)},
		{name: "create a key with dev's tag in the copy region", action: "kms:CreateKey", resource: "*", context: inCopy(devRequestTag)},
		{name: "use dev's key in the copy region", action: "kms:Decrypt", resource: kms(copyTo, "key/0dev"), context: devTag},
		{name: "repoint another alias in the copy region", action: "kms:UpdateAlias", resource: kms(copyTo, "alias/platform-prod-eks-secrets")},
		{name: "create another vault in the copy region", action: "backup:CreateBackupVault", resource: vault(copyTo, "company-vault")},
		{name: "delete a recovery point in the copy region", action: "backup:DeleteRecoveryPoint", resource: simArn("backup", copyTo, "recovery-point:0a1b"), context: prodTag},
		{name: "create a plan in the copy region", action: "backup:CreateBackupPlan", resource: simArn("backup", copyTo, "backup-plan:0new"), context: prodRequestTag},
		{name: "create a VPC in the copy region", action: "ec2:CreateVpc", resource: simArn("ec2", copyTo, "vpc/vpc-0new")},
		{name: "launch an instance in the copy region", action: "ec2:RunInstances", resource: simArn("ec2", copyTo, "instance/i-0new")},
		{name: "create a log group in the copy region", action: "logs:CreateLogGroup", resource: simArn("logs", copyTo, "log-group:/aws/eks/platform-prod/cluster")},
		{name: "create a document in the copy region", action: "ssm:CreateDocument", resource: simArn("ssm", copyTo, "document/"+contract.KubeDocumentName("platform-prod"))},
	}, false)
}
