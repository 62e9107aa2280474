package tests

import (
	"encoding/json"
	"testing"

	"github.com/example/platform/internal/iampolicy"
)

// The CI role (dev's plan) against the IAM engine: what a bad-faith change to the
// infrastructure repository would make it do outside its stack (attacks), next to what
// `pulumi up` needs of it (capabilities). Each layer holds on its own: the deploy policy
// without the boundary, and the platform boundary under any identity policy.

var (
	devBoundary      = simArn("iam", "", "policy/platform-dev-permissions-boundary")
	devTeamBoundary  = simArn("iam", "", "policy/platform-dev-team-boundary")
	prodBoundary     = simArn("iam", "", "policy/platform-prod-permissions-boundary")
	devTag           = map[string]any{"aws:ResourceTag/platform:cluster": "platform-dev"}
	prodTag          = map[string]any{"aws:ResourceTag/platform:cluster": "platform-prod"}
	withDevBoundary  = map[string]any{"iam:PermissionsBoundary": devBoundary}
	withProdBoundary = map[string]any{"iam:PermissionsBoundary": prodBoundary}
)

func ctx(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func merge(ms ...map[string]any) map[string]any {
	out := map[string]any{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// ciCapabilities are what deploying the stack takes, one or more per statement of the deploy
// policy.
func ciCapabilities(zoneID, vpcArn string) []probe {
	iam := func(r string) string { return simArn("iam", "", r) }
	ec2 := func(r string) string { return simArn("ec2", simRegion, r) }
	kms := func(r string) string { return simArn("kms", simRegion, r) }
	return append([]probe{
		{name: "request a certificate", action: "acm:RequestCertificate", resource: "*"},
		{name: "create an alarm", action: "cloudwatch:PutMetricAlarm", resource: simArn("cloudwatch", simRegion, "alarm:platform-dev-payments-ledger-storage")},
		{name: "describe alarms", action: "cloudwatch:DescribeAlarms", resource: "*"},
		{name: "describe VPCs", action: "ec2:DescribeVpcs", resource: "*"},
		{name: "create a VPC", action: "ec2:CreateVpc", resource: ec2("vpc/vpc-0new")},
		{name: "create a VPC endpoint", action: "ec2:CreateVpcEndpoint", resource: ec2("vpc-endpoint/vpce-0new")},
		{name: "delete the stack's VPC endpoint", action: "ec2:DeleteVpcEndpoints", resource: ec2("vpc-endpoint/vpce-0dev"), context: devTag},
		{name: "tag a VPC as it is created", action: "ec2:CreateTags", resource: ec2("vpc/vpc-0new"), context: ctx("ec2:CreateAction", "CreateVpc")},
		{name: "delete the stack's VPC", action: "ec2:DeleteVpc", resource: ec2("vpc/vpc-0dev"), context: devTag},
		{name: "add a route to the stack's table", action: "ec2:CreateRoute", resource: ec2("route-table/rtb-0dev"), context: devTag},
		{name: "retag the stack's subnet", action: "ec2:CreateTags", resource: ec2("subnet/subnet-0dev"), context: devTag},
		{name: "tag the VPC's default security group", action: "ec2:CreateTags", resource: ec2("security-group/sg-0default"), context: ctx("ec2:Vpc", vpcArn)},
		{name: "strip the VPC's default security group", action: "ec2:RevokeSecurityGroupIngress", resource: ec2("security-group/sg-0default"), context: ctx("ec2:Vpc", vpcArn)},
		{name: "create an image repository", action: "ecr:CreateRepository", resource: simArn("ecr", simRegion, "repository/platform-dev/search/api")},
		{name: "describe repositories", action: "ecr:DescribeRepositories", resource: "*"},
		{name: "create the cluster", action: "eks:CreateCluster", resource: "*"},
		{name: "create an access entry", action: "eks:CreateAccessEntry", resource: simArn("eks", simRegion, "cluster/platform-dev")},
		{name: "update a node group", action: "eks:UpdateNodegroupConfig", resource: simArn("eks", simRegion, "nodegroup/platform-dev/general/1a2b")},
		{name: "describe addon versions", action: "eks:DescribeAddonVersions", resource: "*"},
		{name: "create a platform role", action: "iam:CreateRole", resource: iam("role/platform-dev/platform/addons-loki-role-1a2b"), context: withDevBoundary},
		{name: "create a team role", action: "iam:CreateRole", resource: iam("role/platform-dev/teams/teams-search-workload-role-1a2b"), context: ctx("iam:PermissionsBoundary", devTeamBoundary)},
		{name: "change a role's trust", action: "iam:UpdateAssumeRolePolicy", resource: iam("role/platform-dev/platform/addons-loki-role-1a2b"), context: withDevBoundary},
		{name: "attach an AWS managed policy", action: "iam:AttachRolePolicy", resource: iam("role/platform-dev/platform/cluster-node-role-1a2b"),
			context: merge(withDevBoundary, ctx("iam:PolicyARN", "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"))},
		{name: "tag a team role", action: "iam:TagRole", resource: iam("role/platform-dev/teams/teams-search-workload-role-1a2b")},
		{name: "read the CI role", action: "iam:GetRole", resource: iam("role/github-ci-role")},
		{name: "read the boundary", action: "iam:GetPolicyVersion", resource: devBoundary},
		{name: "create the cluster's OIDC provider", action: "iam:CreateOpenIDConnectProvider", resource: iam("oidc-provider/oidc.eks.eu-north-1.amazonaws.com/id/0A1B2C")},
		{name: "pass the node role to EKS", action: "iam:PassRole", resource: iam("role/platform-dev/platform/cluster-node-role-1a2b"), context: ctx("iam:PassedToService", "eks.amazonaws.com")},
		{name: "create EKS's node group role", action: "iam:CreateServiceLinkedRole", resource: iam("role/aws-service-role/eks-nodegroup.amazonaws.com/AWSServiceRoleForAmazonEKSNodegroup"),
			context: ctx("iam:AWSServiceName", "eks-nodegroup.amazonaws.com")},
		{name: "create a key with the stack's tag", action: "kms:CreateKey", resource: "*", context: ctx("aws:RequestTag/platform:cluster", "platform-dev", "aws:TagKeys", []string{"platform:cluster"})},
		{name: "tag a key as it is created", action: "kms:TagResource", resource: kms("key/0new"), context: ctx("aws:RequestTag/platform:cluster", "platform-dev", "aws:TagKeys", []string{"platform:cluster"})},
		{name: "rotate the stack's key", action: "kms:EnableKeyRotation", resource: kms("key/0dev"), context: devTag},
		{name: "schedule the stack's key's deletion", action: "kms:ScheduleKeyDeletion", resource: kms("key/0dev"), context: devTag},
		{name: "alias the stack's key", action: "kms:CreateAlias", resource: kms("alias/platform-dev-eks-secrets")},
		{name: "alias the stack's key (the key's side)", action: "kms:CreateAlias", resource: kms("key/0dev"), context: devTag},
		{name: "retag the stack's key", action: "kms:TagResource", resource: kms("key/0dev"), context: merge(devTag, ctx("aws:RequestTag/platform:owner", "platform-team", "aws:TagKeys", []string{"platform:owner"}))},
		{name: "describe a key", action: "kms:DescribeKey", resource: kms("key/0dev")},
		{name: "create the control plane's log group", action: "logs:CreateLogGroup", resource: simArn("logs", simRegion, "log-group:/aws/eks/platform-dev/cluster")},
		{name: "describe log groups", action: "logs:DescribeLogGroups", resource: "*"},
		{name: "create a team database", action: "rds:CreateDBInstance", resource: simArn("rds", simRegion, "db:platform-dev-payments-ledger")},
		{name: "describe databases", action: "rds:DescribeDBInstances", resource: "*"},
		{name: "change the zone's records", action: "route53:ChangeResourceRecordSets", resource: "arn:aws:route53:::hostedzone/" + zoneID},
		{name: "delegate from the parent zone", action: "route53:ChangeResourceRecordSets", resource: "arn:aws:route53:::hostedzone/Z0123456789EXAMPLEORG"},
		{name: "create a hosted zone", action: "route53:CreateHostedZone", resource: "*"},
		{name: "create a log bucket", action: "s3:CreateBucket", resource: "arn:aws:s3:::platform-dev-loki-20261207"},
		{name: "list a log bucket", action: "s3:ListBucket", resource: "arn:aws:s3:::platform-dev-loki-20261207"},
		{name: "describe a database's master secret", action: "secretsmanager:DescribeSecret", resource: simArn("secretsmanager", simRegion, "secret:rds!db-0a1b-AbCdEf")},
		{name: "list the alarm topic's subscriptions", action: "sns:ListSubscriptionsByTopic", resource: simArn("sns", simRegion, "platform-dev-alarms")},
		{name: "create a database's master secret", action: "secretsmanager:CreateSecret", resource: simArn("secretsmanager", simRegion, "secret:rds!db-0a1b-AbCdEf")},
		{name: "create the alarm topic", action: "sns:CreateTopic", resource: simArn("sns", simRegion, "platform-dev-alarms")},
		{name: "write a platform parameter", action: "ssm:PutParameter", resource: simArn("ssm", simRegion, "parameter/platform-dev/platform/github/deploy-key")},
		{name: "describe parameters", action: "ssm:DescribeParameters", resource: "*"},
		{name: "who am I", action: "sts:GetCallerIdentity", resource: "*"},
		// The CodeBuild runners (a stack with platform:github.runners codebuild).
		{name: "create the runner project", action: "codebuild:CreateProject", resource: simArn("codebuild", simRegion, "project/platform-dev-runners")},
		{name: "import the GitHub source credential", action: "codebuild:ImportSourceCredentials", resource: "*"},
		{name: "pass the runner role to CodeBuild", action: "iam:PassRole", resource: iam("role/platform-dev/platform/platform-dev-runners"),
			context: ctx("iam:PassedToService", "codebuild.amazonaws.com")},
	}, append(ciAccessBackupCapabilities(), ciNATCapabilities()...)...)
}

// ciAttacks are what a bad-faith pull request would make the CI role do outside its stack.
// byPolicy and byBoundary say which layer alone must deny each (both must together).
type layeredAttack struct {
	probe
	byPolicy, byBoundary bool
}

func ciAttacks() []layeredAttack {
	iam := func(r string) string { return simArn("iam", "", r) }
	ec2 := func(r string) string { return simArn("ec2", simRegion, r) }
	kms := func(r string) string { return simArn("kms", simRegion, r) }
	both := func(p probe) layeredAttack { return layeredAttack{p, true, true} }
	policy := func(p probe) layeredAttack { return layeredAttack{p, true, false} }
	return append([]layeredAttack{
		both(probe{name: "trust an outside role", action: "iam:UpdateAssumeRolePolicy", resource: iam("role/platform-admin")}),
		both(probe{name: "rewrite prod's role", action: "iam:PutRolePolicy", resource: iam("role/platform-prod/platform/addons-loki-role-1a2b"), context: withProdBoundary}),
		both(probe{name: "rewrite a hand-made role that carries the stack's boundary", action: "iam:PutRolePolicy", resource: iam("role/break-glass"), context: withDevBoundary}),
		both(probe{name: "attach to a hand-made role that carries the stack's boundary", action: "iam:AttachRolePolicy", resource: iam("role/break-glass"),
			context: merge(withDevBoundary, ctx("iam:PolicyARN", "arn:aws:iam::aws:policy/AdministratorAccess"))}),
		policy(probe{name: "rewrite an unbounded role in the stack's path", action: "iam:PutRolePolicy", resource: iam("role/platform-dev/platform/unbounded")}),
		both(probe{name: "create a role without a boundary", action: "iam:CreateRole", resource: iam("role/platform-dev/platform/escape")}),
		both(probe{name: "create a role with prod's boundary", action: "iam:CreateRole", resource: iam("role/platform-dev/platform/escape"), context: withProdBoundary}),
		both(probe{name: "remove a role's boundary", action: "iam:DeleteRolePermissionsBoundary", resource: iam("role/platform-dev/platform/addons-loki-role-1a2b"), context: withDevBoundary}),
		both(probe{name: "rewrite the platform boundary", action: "iam:CreatePolicyVersion", resource: devBoundary}),
		both(probe{name: "rewrite the team boundary", action: "iam:CreatePolicyVersion", resource: devTeamBoundary}),
		both(probe{name: "widen the CI role", action: "iam:PutRolePolicy", resource: iam("role/github-ci-role"), context: withDevBoundary}),
		policy(probe{name: "attach a customer policy", action: "iam:AttachRolePolicy", resource: iam("role/platform-dev/platform/cluster-node-role-1a2b"),
			context: merge(withDevBoundary, ctx("iam:PolicyARN", iam("policy/anything")))}),
		policy(probe{name: "attach to an unbounded role in the stack's path", action: "iam:AttachRolePolicy", resource: iam("role/platform-dev/platform/unbounded"),
			context: ctx("iam:PolicyARN", "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy")}),
		both(probe{name: "create a user", action: "iam:CreateUser", resource: iam("user/backdoor")}),
		both(probe{name: "create an access key", action: "iam:CreateAccessKey", resource: iam("user/someone")}),
		both(probe{name: "retag an outside role", action: "iam:TagRole", resource: iam("role/platform-admin")}),
		policy(probe{name: "pass prod's role", action: "iam:PassRole", resource: iam("role/platform-prod/platform/cluster-node-role-1a2b"), context: ctx("iam:PassedToService", "eks.amazonaws.com")}),
		policy(probe{name: "pass a role to Lambda", action: "iam:PassRole", resource: iam("role/platform-dev/platform/cluster-node-role-1a2b"), context: ctx("iam:PassedToService", "lambda.amazonaws.com")}),
		policy(probe{name: "delete another OIDC provider", action: "iam:DeleteOpenIDConnectProvider", resource: iam("oidc-provider/login.example.com")}),
		policy(probe{name: "create another service's linked role", action: "iam:CreateServiceLinkedRole", resource: iam("role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"),
			context: ctx("iam:AWSServiceName", "ecs.amazonaws.com")}),
		policy(probe{name: "assume a team's role", action: "sts:AssumeRole", resource: iam("role/platform-dev/teams/teams-search-workload-role-1a2b")}),
		both(probe{name: "schedule prod's key's deletion", action: "kms:ScheduleKeyDeletion", resource: kms("key/0prod"), context: prodTag}),
		both(probe{name: "rewrite an untagged key's policy", action: "kms:PutKeyPolicy", resource: kms("key/0other")}),
		both(probe{name: "create a key with prod's tag", action: "kms:CreateKey", resource: "*", context: ctx("aws:RequestTag/platform:cluster", "platform-prod", "aws:TagKeys", []string{"platform:cluster"})}),
		both(probe{name: "alias prod's key", action: "kms:CreateAlias", resource: kms("key/0prod"), context: prodTag}),
		both(probe{name: "create an untagged key", action: "kms:CreateKey", resource: "*"}),
		both(probe{name: "claim prod's key", action: "kms:TagResource", resource: kms("key/0prod"), context: merge(prodTag, ctx("aws:RequestTag/platform:cluster", "platform-dev", "aws:TagKeys", []string{"platform:cluster"}))}),
		policy(probe{name: "give an untagged key prod's tag", action: "kms:TagResource", resource: kms("key/0other"), context: ctx("aws:RequestTag/platform:cluster", "platform-prod", "aws:TagKeys", []string{"platform:cluster"})}),
		policy(probe{name: "decrypt with prod's key", action: "kms:Decrypt", resource: kms("key/0prod"), context: prodTag}),
		policy(probe{name: "repoint prod's alias", action: "kms:UpdateAlias", resource: kms("alias/platform-prod-eks-secrets")}),
		policy(probe{name: "delete prod's VPC", action: "ec2:DeleteVpc", resource: ec2("vpc/vpc-0prod"), context: prodTag}),
		policy(probe{name: "delete an untagged VPC", action: "ec2:DeleteVpc", resource: ec2("vpc/vpc-0other")}),
		policy(probe{name: "delete a VPC with the stack's tag in another region", action: "ec2:DeleteVpc", resource: simArn("ec2", "us-east-1", "vpc/vpc-0dev"), context: devTag}),
		policy(probe{name: "create a VPC in another region", action: "ec2:CreateVpc", resource: simArn("ec2", "us-east-1", "vpc/vpc-0new")}),
		policy(probe{name: "terminate an instance", action: "ec2:TerminateInstances", resource: ec2("instance/i-0dev"), context: devTag}),
		both(probe{name: "open the metadata service to pods", action: "ec2:ModifyInstanceMetadataOptions", resource: ec2("instance/i-0dev"), context: devTag}),
		policy(probe{name: "claim another security group", action: "ec2:CreateTags", resource: ec2("security-group/sg-0other"),
			context: ctx("aws:RequestTag/platform:cluster", "platform-dev", "ec2:Vpc", ec2("vpc/vpc-0other"))}),
		policy(probe{name: "open another VPC's security group", action: "ec2:AuthorizeSecurityGroupIngress", resource: ec2("security-group/sg-0other"), context: ctx("ec2:Vpc", ec2("vpc/vpc-0other"))}),
		both(probe{name: "give itself prod's cluster", action: "eks:CreateAccessEntry", resource: simArn("eks", simRegion, "cluster/platform-prod")}),
		policy(probe{name: "delete prod's cluster", action: "eks:DeleteCluster", resource: simArn("eks", simRegion, "cluster/platform-prod")}),
		policy(probe{name: "empty another bucket", action: "s3:DeleteObject", resource: "arn:aws:s3:::company-backups/2026/db.dump"}),
		policy(probe{name: "read prod's parameters", action: "ssm:GetParameter", resource: simArn("ssm", simRegion, "parameter/platform-prod/platform/github/deploy-key")}),
		policy(probe{name: "change another zone", action: "route53:ChangeResourceRecordSets", resource: "arn:aws:route53:::hostedzone/Z0OTHER"}),
		policy(probe{name: "rotate another secret", action: "secretsmanager:RotateSecret", resource: simArn("secretsmanager", simRegion, "secret:prod/payments-AbCdEf")}),
		policy(probe{name: "delete another topic", action: "sns:DeleteTopic", resource: simArn("sns", simRegion, "billing-alerts")}),
		policy(probe{name: "delete another alarm", action: "cloudwatch:DeleteAlarms", resource: simArn("cloudwatch", simRegion, "alarm:billing")}),
		policy(probe{name: "delete another repository", action: "ecr:DeleteRepository", resource: simArn("ecr", simRegion, "repository/other/app")}),
		policy(probe{name: "delete prod's log group", action: "logs:DeleteLogGroup", resource: simArn("logs", simRegion, "log-group:/aws/eks/platform-prod/cluster")}),
		policy(probe{name: "delete prod's database", action: "rds:DeleteDBInstance", resource: simArn("rds", simRegion, "db:platform-prod-payments-ledger")}),
		policy(probe{name: "request a certificate in another region", action: "acm:RequestCertificate", resource: "*", context: ctx("aws:RequestedRegion", "us-east-1")}),
		policy(probe{name: "describe in another region", action: "ec2:DescribeVpcs", resource: "*", context: ctx("aws:RequestedRegion", "us-east-1")}),
		policy(probe{name: "describe clusters in another region", action: "eks:DescribeAddonVersions", resource: "*", context: ctx("aws:RequestedRegion", "us-east-1")}),
		policy(probe{name: "list keys in another region", action: "kms:DescribeKey", resource: simArn("kms", "us-east-1", "key/0other")}),
		policy(probe{name: "describe alarms in another region", action: "cloudwatch:DescribeAlarms", resource: "*", context: ctx("aws:RequestedRegion", "us-east-1")}),
		policy(probe{name: "describe repositories in another region", action: "ecr:DescribeRepositories", resource: "*", context: ctx("aws:RequestedRegion", "us-east-1")}),
		policy(probe{name: "describe log groups in another region", action: "logs:DescribeLogGroups", resource: "*", context: ctx("aws:RequestedRegion", "us-east-1")}),
		policy(probe{name: "describe databases in another region", action: "rds:DescribeDBInstances", resource: "*", context: ctx("aws:RequestedRegion", "us-east-1")}),
		policy(probe{name: "describe parameters in another region", action: "ssm:DescribeParameters", resource: "*", context: ctx("aws:RequestedRegion", "us-east-1")}),
		policy(probe{name: "list a topic's subscriptions in another region", action: "sns:ListSubscriptionsByTopic", resource: simArn("sns", "us-east-1", "platform-dev-alarms")}),
		policy(probe{name: "describe a secret in another region", action: "secretsmanager:DescribeSecret", resource: simArn("secretsmanager", "us-east-1", "secret:rds!db-0a1b-AbCdEf")}),
		policy(probe{name: "list another bucket's objects", action: "s3:ListBucket", resource: "arn:aws:s3:::company-backups"}),
		policy(probe{name: "tag a VPC being created in another region", action: "ec2:CreateTags", resource: simArn("ec2", "us-east-1", "vpc/vpc-0new"), context: ctx("ec2:CreateAction", "CreateVpc")}),
		policy(probe{name: "create a key in another region", action: "kms:CreateKey", resource: "*",
			context: ctx("aws:RequestedRegion", "us-east-1", "aws:RequestTag/platform:cluster", "platform-dev", "aws:TagKeys", []string{"platform:cluster"})}),
		policy(probe{name: "create another CodeBuild project", action: "codebuild:CreateProject", resource: simArn("codebuild", simRegion, "project/crypto-miner")}),
		policy(probe{name: "import a source credential in another region", action: "codebuild:ImportSourceCredentials", resource: "*", context: ctx("aws:RequestedRegion", "us-east-1")}),
		policy(probe{name: "pass a platform role to CodeBuild", action: "iam:PassRole", resource: iam("role/platform-dev/platform/cluster-node-role-1a2b"),
			context: ctx("iam:PassedToService", "codebuild.amazonaws.com")}),
		policy(probe{name: "pass the runner role to Lambda", action: "iam:PassRole", resource: iam("role/platform-dev/platform/platform-dev-runners"),
			context: ctx("iam:PassedToService", "lambda.amazonaws.com")}),
		policy(probe{name: "tag a new key in another region", action: "kms:TagResource", resource: simArn("kms", "us-east-1", "key/0new"),
			context: ctx("aws:RequestTag/platform:cluster", "platform-dev", "aws:TagKeys", []string{"platform:cluster"})}),
	}, append(ciAccessBackupAttacks(), ciNATAttacks()...)...)
}

func TestCIRoleAgainstTheIAMEngine(t *testing.T) {
	p := stackPlan(t, "dev")
	deploy := mustParse(t, getString(p.named(t, "aws:iam/rolePolicy:RolePolicy", "github-ci-deploy"), "policy"))
	boundary := mustParse(t, getString(p.named(t, "aws:iam/policy:Policy", "boundary-policy"), "policy"))
	ciArn := p.named(t, "aws:iam/role:Role", "github-ci-role").Outputs["arn"].(string)
	zone := p.named(t, typeZone, "dns-zone").ID
	vpc := simArn("ec2", simRegion, "vpc/"+p.named(t, "aws:ec2/vpc:Vpc", "network-vpc").ID)
	caps, attacks := ciCapabilities(zone, vpc), ciAttacks()

	// Together, as AWS evaluates the role: every attack denied, every capability allowed.
	together := iamPrincipal{Arn: ciArn, IdentityPolicies: []json.RawMessage{doc(deploy)}, Boundary: doc(boundary)}
	var all []probe
	var byPolicy, byBoundary []probe
	for _, a := range attacks {
		all = append(all, a.probe)
		if a.byPolicy {
			byPolicy = append(byPolicy, a.probe)
		}
		if a.byBoundary {
			byBoundary = append(byBoundary, a.probe)
		}
	}
	expectAll(t, "CI role", together, all, false)
	expectAll(t, "CI role", together, caps, true)

	proveLayer(t, layer{name: "deploy policy", doc: deploy, principal: identityLayer(ciArn), attacks: byPolicy, capabilities: caps,
		equivalent: map[string]string{
			"KeepBoundaries: dropped":                    "no statement allows iam:DeleteRolePermissionsBoundary; the deny guards against one that would",
			"NotTheCIRoleNorTheBoundaries: dropped":      "the CI role is outside the stack's role path and no statement allows a managed-policy write; the deny guards against one that would",
			"ReadRoles: on every resource":               "reads of roles, which only roles have",
			"ReadPolicies: on every resource":            "reads of managed policies, which only policies have",
			"ServiceLinkedRoles: on every resource":      "AWS creates service-linked roles under aws-service-role/ only; iam:AWSServiceName still names the services",
			"EC2DefaultSecurityGroup: on every resource": "its actions act on security groups only, still those of the stack's VPC (ec2:Vpc)",
			"KMSStackKeys: on every resource":            "aliases carry no tags, so aws:ResourceTag still confines it to the stack's keys",
			"StsUnscoped: dropped":                       "sts:GetCallerIdentity needs no permission: AWS answers it for every principal",
			"EC2AccessInstance: on every resource":       "its actions act on instances only, still the one carrying the access tag",
			"EC2NATInstance: on every resource":          "its actions act on instances only, still the one carrying the NAT tag",
			"EC2ClusterSecurityGroup: on every resource": "its actions act on security groups only, still the one EKS tags with the cluster's name",
			"BackupCreateTaggedPlans: on every resource": "backup:CreateBackupPlan acts on plans only, still created with the stack's tag",
			"BackupStackPlans: on every resource":        "its plan and selection actions act on plans only, still those with the stack's tag; its tag actions also act on vaults, which the engine cannot judge (several resource types)",
		}})
	proveLayer(t, layer{name: "platform boundary", doc: boundary, principal: boundaryLayer(ciArn), attacks: byBoundary, capabilities: caps,
		equivalent: map[string]string{
			"NoOtherStacksKeys: on every resource": "kms:TagResource acts on keys only",
		}})
}

func mustParse(t *testing.T, s string) iampolicy.Document {
	t.Helper()
	d, err := iampolicy.Parse([]byte(s))
	if err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	return d
}
