// Package boundary is the stack's permissions boundary: one managed policy that every IAM role
// the program creates carries, capping what any of them can ever be granted. The CI role may
// create roles only with it and cannot change it, so it cannot mint a role more powerful than
// the platform's own.
package boundary

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
)

// Services are what the platform's roles use: the deploy policy's services, the addons'
// (the Load Balancer Controller's includes WAF, Shield and Cognito), and those of the AWS
// managed policies the node and EBS CSI roles attach. tests/boundary_test.go checks that every
// action of every policy in the plans is within them.
var Services = []string{
	"acm", "autoscaling", "backup", "backup-storage", "cloudwatch", "codebuild", "cognito-idp", "ec2", "ec2messages", "ecr", "eks", "eks-auth", "elasticloadbalancing",
	"iam", "kms", "logs", "rds", "rds-db", "route53", "s3", "secretsmanager", "shield", "sns", "ssm", "ssmmessages", "sts", "tag",
	"waf", "waf-regional", "wafv2",
}

// Scope is what a boundary is written for: the stack's account and cluster.
type Scope struct {
	Account contract.Account
	Cluster string
}

// roleWrites change a role: its trust, its policies, its boundary, its existence.
var roleWrites = []string{"iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy",
	"iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy",
	"iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary", "iam:TagRole", "iam:UntagRole"}

// keyManagement changes a KMS key itself (not using it).
var keyManagement = []string{"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:DisableKey", "kms:EnableKey",
	"kms:UpdateKeyDescription", "kms:TagResource", "kms:UntagResource", "kms:EnableKeyRotation", "kms:DisableKeyRotation",
	"kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias", "kms:ReplicateKey", "kms:UpdatePrimaryRegion"}

// Policy is the platform boundary, which every platform role carries (the CI role, the addons',
// the cluster's, the nodes'): the platform's services, minus the ways out of the stack.
//   - IAM: roles change only under the stack's path (contract.StackRolePath), are created or
//     re-bounded only with one of the stack's two boundaries, never lose theirs; no managed
//     policy is written (the boundaries are the bootstrap identity's), no user, group or key.
//   - No instance's metadata options change (the hop limit keeps pods from the node's role).
//   - EKS access entries and access policies only on the stack's cluster.
//   - KMS keys are created, changed and scheduled for deletion only when they carry the
//     stack's tag (contract.StackTag); a key another stack's tag claims is never retagged.
func Policy(s Scope) iampolicy.Document {
	a, c := s.Account, s.Cluster
	var allow []string
	for _, svc := range Services {
		allow = append(allow, svc+":*")
	}
	all := iampolicy.Allow(allow, "*")
	all.Sid = "PlatformServices"
	outside := iampolicy.Statement{Sid: "RolesOfThisStackOnly", Effect: "Deny", Action: roleWrites,
		NotResource: []string{a.StackRolesArn(c)}}
	unbounded := iampolicy.Statement{Sid: "NoRoleWithoutABoundary", Effect: "Deny",
		Action: []string{"iam:CreateRole", "iam:PutRolePermissionsBoundary"}, Resource: []string{"*"},
		Condition: map[string]map[string][]string{"StringNotEquals": {"iam:PermissionsBoundary": Boundaries(s)}}}
	keep := iampolicy.Statement{Sid: "KeepBoundaries", Effect: "Deny",
		Action: []string{"iam:DeleteRolePermissionsBoundary"}, Resource: []string{"*"}}
	noPolicies := iampolicy.Statement{Sid: "NoManagedPolicyWrites", Effect: "Deny",
		Action: []string{"iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion",
			"iam:TagPolicy", "iam:UntagPolicy"}, Resource: []string{"*"}}
	noUsers := iampolicy.Statement{Sid: "NoUsersOrKeys", Effect: "Deny",
		Action: []string{"iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
			"iam:AttachUserPolicy", "iam:PutUserPolicy", "iam:AddUserToGroup", "iam:CreateGroup", "iam:PutGroupPolicy", "iam:AttachGroupPolicy"},
		Resource: []string{"*"}}
	metadata := iampolicy.Statement{Sid: "NoMetadataChanges", Effect: "Deny",
		Action: []string{"ec2:ModifyInstanceMetadataOptions", "ec2:ModifyInstanceMetadataDefaults"}, Resource: []string{"*"}}
	access := iampolicy.Statement{Sid: "AccessEntriesOfThisClusterOnly", Effect: "Deny",
		Action:      []string{"eks:CreateAccessEntry", "eks:UpdateAccessEntry", "eks:DeleteAccessEntry", "eks:AssociateAccessPolicy", "eks:DisassociateAccessPolicy"},
		NotResource: []string{a.ClusterArn(c), fmt.Sprintf("arn:%s:eks:%s:%s:access-entry/%s/*", a.Partition, a.Region, a.ID, c)}}
	// On keys only: aliases carry no tags (an alias action is authorized on the alias and on
	// its key, and the key's tag decides). Tagging is denied only on keys another stack's tag
	// already claims: KMS authorizes the tags of CreateKey as kms:TagResource on a key that has
	// none yet.
	allKeys := fmt.Sprintf("arn:%s:kms:*:%s:key/*", a.Partition, a.ID)
	keys := iampolicy.Statement{Sid: "KeysOfThisStackOnly", Effect: "Deny", Action: slices.DeleteFunc(slices.Clone(keyManagement), func(s string) bool { return s == "kms:TagResource" }),
		Resource: []string{allKeys}, Condition: map[string]map[string][]string{"StringNotEquals": {"aws:ResourceTag/" + contract.StackTag: {c}}}}
	otherTags := iampolicy.Statement{Sid: "NoOtherStacksKeys", Effect: "Deny", Action: []string{"kms:TagResource"}, Resource: []string{allKeys},
		Condition: map[string]map[string][]string{"StringNotEquals": {"aws:ResourceTag/" + contract.StackTag: {c}}, "Null": {"aws:ResourceTag/" + contract.StackTag: {"false"}}}}
	newKeys := iampolicy.Statement{Sid: "NewKeysOfThisStack", Effect: "Deny", Action: []string{"kms:CreateKey"}, Resource: []string{"*"},
		Condition: map[string]map[string][]string{"StringNotEquals": {"aws:RequestTag/" + contract.StackTag: {c}}}}
	return iampolicy.New(all, outside, unbounded, keep, noPolicies, noUsers, metadata, access, keys, otherTags, newKeys)
}

// Boundaries are the stack's two boundaries: the platform's and the teams'.
func Boundaries(s Scope) []string {
	return []string{s.Account.BoundaryPolicyArn(s.Cluster), s.Account.TeamBoundaryPolicyArn(s.Cluster)}
}

// TeamVariable is a team role's team, as IAM reads it from the role's tag.
const TeamVariable = "${aws:PrincipalTag/" + contract.TeamTag + "}"

// TeamPolicy is the team boundary, which every team role carries (its secrets, workload and
// push roles): the team's own resources (contract.TeamResources, for the role's team tag) and
// what needs no resource, nothing else: no IAM, no EKS, no other role, no instance, no other
// team's or the platform's data. Keys are used only through SSM and Secrets Manager; a
// database's master secret (RDS names it rds!...) only when RDS tagged it as the team's
// database's.
func TeamPolicy(s Scope) iampolicy.Document {
	a, c := s.Account, s.Cluster
	res := contract.TeamResources(a, c, TeamVariable)
	var stmts []iampolicy.Statement
	for _, svc := range contract.TeamServices {
		arns := res[svc]
		if len(arns) == 0 {
			continue
		}
		var all []string
		for _, arn := range arns {
			all = append(all, arn)
			if svc == "s3" || svc == "dynamodb" {
				all = append(all, arn+"/*") // objects; indexes and streams
			}
		}
		st := iampolicy.Allow([]string{svc + ":*"}, all...)
		st.Sid = "Team" + strings.ToUpper(svc[:1]) + strings.ReplaceAll(svc[1:], "-", "")
		stmts = append(stmts, st)
	}
	region := func(service string) string { return fmt.Sprintf("%s.%s.amazonaws.com", service, a.Region) }
	dbSecrets := iampolicy.Allow([]string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"},
		fmt.Sprintf("arn:%s:secretsmanager:%s:%s:secret:rds!*", a.Partition, a.Region, a.ID))
	dbSecrets.Sid = "TeamDatabaseSecrets"
	dbSecrets.Condition = map[string]map[string][]string{"StringLike": {"aws:ResourceTag/aws:rds:primaryDBInstanceArn": {
		fmt.Sprintf("arn:%s:rds:%s:%s:db:%s*", a.Partition, a.Region, a.ID, contract.TeamDatabasePrefix(c, TeamVariable))}}}
	decrypt := iampolicy.Allow([]string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"}, "*")
	decrypt.Sid = "KeysThroughTheirServices"
	decrypt.Condition = map[string]map[string][]string{"StringEquals": {"kms:ViaService": {region("ssm"), region("secretsmanager")}}}
	open := iampolicy.Allow([]string{"ecr:GetAuthorizationToken", "cloudwatch:PutMetricData", "sts:GetCallerIdentity",
		"route53:GetHostedZone", "route53:ListHostedZones", "route53:ListResourceRecordSets"}, "*")
	open.Sid = "NoResource"
	return iampolicy.New(append(append(stmts, dbSecrets, decrypt, open), teamSessions(s)...)...)
}

// teamSessions are the Session Manager sessions a team role may start (its connect role,
// `platform connect db`): on the stack's access instance (contract.AccessTag), with its own
// databases' documents (contract.TeamDocumentPrefix), and end or resume its own only. No
// other document, so no shell and no arbitrary host on the instance.
func teamSessions(s Scope) []iampolicy.Statement {
	a, c := s.Account, s.Cluster
	docs := iampolicy.Allow([]string{"ssm:StartSession"}, a.DocumentArn(contract.TeamDocumentPrefix(c, TeamVariable)+"*"))
	docs.Sid = "TeamSessionDocuments"
	instance := iampolicy.Allow([]string{"ssm:StartSession"}, a.InstanceArn("*"))
	instance.Sid = "TeamSessionsOnTheAccessInstance"
	instance.Condition = map[string]map[string][]string{"StringEquals": {"aws:ResourceTag/" + contract.AccessTag: {c}},
		"BoolIfExists": {"ssm:SessionDocumentAccessCheck": {"true"}}}
	own := iampolicy.Allow([]string{"ssm:TerminateSession", "ssm:ResumeSession"}, fmt.Sprintf("arn:%s:ssm:%s:%s:session/*", a.Partition, a.Region, a.ID))
	own.Sid = "TeamOwnSessions"
	own.Condition = map[string]map[string][]string{"StringLike": {"ssm:resourceTag/aws:ssmmessages:session-id": {"${aws:userid}"}}}
	return []iampolicy.Statement{docs, instance, own}
}

// Args configures the boundary.
type Args struct {
	Account contract.Account
	Cluster string
}

// Boundary is the component.
type Boundary struct {
	pulumi.ResourceState

	// Arn is the platform boundary's ARN and TeamArn the team boundary's: outputs, so roles
	// that carry them wait for them to exist.
	Arn     pulumi.StringOutput `pulumi:"arn"`
	TeamArn pulumi.StringOutput `pulumi:"teamArn"`
}

// New creates the two boundary policies, named after the cluster (contract.BoundaryPolicyName,
// contract.TeamBoundaryPolicyName), so that their ARNs are known at preview time. The platform
// boundary refuses its roles every managed policy write, so changing either document takes
// the identity that bootstrapped the stack (README, "Deploy for real").
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Boundary, error) {
	if args == nil || args.Cluster == "" || args.Account.ID == "" || args.Account.Partition == "" || args.Account.Region == "" {
		return nil, errors.New("boundary: Account (ID, Partition, Region) and Cluster are required")
	}
	b := &Boundary{}
	if err := ctx.RegisterComponentResource("platform:index:PermissionsBoundary", name, b, opts...); err != nil {
		return nil, err
	}
	scope := Scope{Account: args.Account, Cluster: args.Cluster}
	platform, err := iam.NewPolicy(ctx, name+"-policy", &iam.PolicyArgs{
		Name:        pulumi.String(contract.BoundaryPolicyName(args.Cluster)),
		Description: pulumi.String(fmt.Sprintf("Permissions boundary of every platform IAM role of %s", args.Cluster)),
		Policy:      pulumi.String(Policy(scope).JSON()),
	}, pulumi.Parent(b))
	if err != nil {
		return nil, err
	}
	team, err := iam.NewPolicy(ctx, name+"-team-policy", &iam.PolicyArgs{
		Name:        pulumi.String(contract.TeamBoundaryPolicyName(args.Cluster)),
		Description: pulumi.String(fmt.Sprintf("Permissions boundary of every team IAM role of %s: the team's own resources", args.Cluster)),
		Policy:      pulumi.String(TeamPolicy(scope).JSON()),
	}, pulumi.Parent(b))
	if err != nil {
		return nil, err
	}
	b.Arn, b.TeamArn = platform.Arn, team.Arn
	if err := ctx.RegisterResourceOutputs(b, pulumi.Map{"arn": b.Arn, "teamArn": b.TeamArn}); err != nil {
		return nil, err
	}
	return b, nil
}
