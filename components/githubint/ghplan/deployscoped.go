package ghplan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
)

// BoundedRoleWrites are the role writes IAM can condition on the role's permissions boundary
// (iam:PermissionsBoundary, per the IAM service reference): the CI role makes them only on a
// role of its stack that carries one of the stack's two boundaries.
var BoundedRoleWrites = []string{"iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription",
	"iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary",
	"iam:AttachRolePolicy", "iam:DetachRolePolicy"}

// PassedToServices are the services the platform's roles are handed to.
var PassedToServices = []string{"eks.amazonaws.com", "ec2.amazonaws.com", "vpc-flow-logs.amazonaws.com", "pods.eks.amazonaws.com", "backup.amazonaws.com"}

// ServiceLinkedRoles are the service-linked roles EKS, its node groups and RDS need the first
// time an account uses them.
var ServiceLinkedRoles = []string{"eks.amazonaws.com", "eks-nodegroup.amazonaws.com", "autoscaling.amazonaws.com", "rds.amazonaws.com",
	// CloudWatch's, for alarms with EC2 actions (the NAT instance's recovery).
	"events.amazonaws.com"}

func stackTagIs(cluster string) map[string]map[string][]string {
	return condition("StringEquals", "aws:ResourceTag/"+contract.StackTag, cluster)
}

// iamStatements: role writes only on the stack's roles (contract.StackRolePath) that carry
// one of its boundaries, and roles created only with one; managed policies attached only when
// AWS owns them; roles passed only to the services that run them; OIDC providers only
// GitHub's and EKS's; managed policies (the boundaries) read, never written; the CI role
// itself (outside the stack's path) and the boundaries out of reach.
func iamStatements(s Scope, actions []string) []iampolicy.Statement {
	a := s.Account
	iamArn := func(resource string) string { return fmt.Sprintf("arn:%s:iam::%s:%s", a.Partition, a.ID, resource) }
	stackRoles := a.StackRolesArn(s.Cluster)
	boundaries := []string{a.BoundaryPolicyArn(s.Cluster), a.TeamBoundaryPolicyArn(s.Cluster)}
	var writes, attach, tags, reads, policies, oidc, profiles []string
	for _, action := range actions {
		_, verb, _ := strings.Cut(action, ":")
		switch {
		case action == "iam:AttachRolePolicy" || action == "iam:DetachRolePolicy":
			attach = append(attach, action)
		case strings.Contains(verb, "InstanceProfile") && action != "iam:ListInstanceProfilesForRole":
			profiles = append(profiles, action) // authorized against the profile; ListInstanceProfilesForRole against the role
		case slices.Contains(BoundedRoleWrites, action):
			writes = append(writes, action)
		case action == "iam:TagRole" || action == "iam:UntagRole":
			tags = append(tags, action)
		case strings.Contains(verb, "OpenIDConnectProvider"):
			oidc = append(oidc, action)
		case strings.Contains(verb, "Policy") && !strings.Contains(verb, "Role"):
			policies = append(policies, action) // GetPolicy, GetPolicyVersion, ...: reads only
		case action == "iam:PassRole" || action == "iam:CreateServiceLinkedRole":
		default:
			reads = append(reads, action) // GetRole, GetRolePolicy, List*
		}
	}
	bounded := condition("StringEquals", "iam:PermissionsBoundary", boundaries...)
	stmts := []iampolicy.Statement{
		{Sid: "StackRolesWithABoundary", Effect: "Allow", Action: writes, Resource: []string{stackRoles}, Condition: bounded},
		{Sid: "AWSManagedPoliciesOnStackRoles", Effect: "Allow", Action: attach, Resource: []string{stackRoles},
			Condition: map[string]map[string][]string{"StringEquals": {"iam:PermissionsBoundary": boundaries},
				"ArnLike": {"iam:PolicyARN": {fmt.Sprintf("arn:%s:iam::aws:policy/*", a.Partition)}}}},
		{Sid: "StackRoleTags", Effect: "Allow", Action: tags, Resource: []string{stackRoles}},
		// Instance profiles under the stack's path (the access instance's): adding a role to one
		// also takes iam:PassRole on the role, which PassStackRoles confines to the stack's roles.
		{Sid: "StackInstanceProfiles", Effect: "Allow", Action: profiles,
			Resource: []string{iamArn("instance-profile" + contract.StackRolePath(s.Cluster) + "*")}},
		{Sid: "ReadRoles", Effect: "Allow", Action: reads, Resource: []string{iamArn("role/*")}},
		{Sid: "ReadPolicies", Effect: "Allow", Action: policies, Resource: []string{iamArn("policy/*")}},
		{Sid: "OIDCProviders", Effect: "Allow", Action: oidc, Resource: []string{iamArn("oidc-provider/" + OIDCHost),
			iamArn(fmt.Sprintf("oidc-provider/oidc.eks.%s.amazonaws.com/id/*", a.Region))}},
		{Sid: "PassStackRoles", Effect: "Allow", Action: []string{"iam:PassRole"}, Resource: []string{stackRoles},
			Condition: condition("StringEquals", "iam:PassedToService", PassedToServices...)},
		// The runner's service role, to CodeBuild only: no other stack role runs builds.
		{Sid: "PassRunnerRole", Effect: "Allow", Action: []string{"iam:PassRole"},
			Resource:  []string{a.RunnerRoleArn(s.Cluster)},
			Condition: condition("StringEquals", "iam:PassedToService", RunnerService)},
		{Sid: "ServiceLinkedRoles", Effect: "Allow", Action: []string{"iam:CreateServiceLinkedRole"}, Resource: []string{iamArn("role/aws-service-role/*")},
			Condition: condition("StringEquals", "iam:AWSServiceName", ServiceLinkedRoles...)},
		// Belt and braces: the CI role is outside the stack's path and the platform boundary
		// denies every managed-policy write, but neither may ever be widened by accident.
		{Sid: "NotTheCIRoleNorTheBoundaries", Effect: "Deny", Resource: append([]string{s.CIRoleArn}, boundaries...),
			Action: []string{"iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion",
				"iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:UpdateAssumeRolePolicy",
				"iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary", "iam:DeleteRole", "iam:UpdateRole", "iam:TagRole", "iam:UntagRole"}},
		{Sid: "KeepBoundaries", Effect: "Deny", Action: []string{"iam:DeleteRolePermissionsBoundary"}, Resource: []string{"*"}},
	}
	return nonEmpty(stmts)
}

// accessInstanceWrites change or end an instance: only the stack's access instance
// (contract.AccessTag), never a node, which carries the stack's tag too.
var accessInstanceWrites = []string{"ec2:TerminateInstances", "ec2:StopInstances", "ec2:StartInstances", "ec2:ModifyInstanceAttribute"}

// clusterSecurityGroupWrites are the rule changes on EKS's cluster security group, which EKS
// creates with its own tags (aws:eks:cluster-name), not the stack's: the access instance's
// ingress rule is one of its own resource.
var clusterSecurityGroupWrites = []string{"ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress",
	"ec2:UpdateSecurityGroupRuleDescriptionsIngress"}

// ec2Creates are the EC2 actions that create (and may tag, ec2:CreateAction) a resource.
var ec2Creates = []string{"ec2:CreateVpc", "ec2:CreateSubnet", "ec2:CreateInternetGateway", "ec2:AllocateAddress",
	"ec2:CreateNatGateway", "ec2:CreateRouteTable", "ec2:CreateFlowLogs", "ec2:CreateLaunchTemplate", "ec2:CreateSecurityGroup",
	"ec2:RunInstances", "ec2:CreateVpcEndpoint", "ec2:CreateNetworkInterface"}

// ec2Statements: reads and creations in the region; every other write (deletes,
// modifications, rules, routes, associations, tags) only on resources tagged with the stack
// (aws:defaultTags puts contract.StackTag on everything the program creates); tags added on
// creation, or to what is already the stack's. The VPC's default security group, which AWS
// creates without tags, is adopted through the VPC it belongs to (ec2:Vpc).
func ec2Statements(s Scope, actions []string) []iampolicy.Statement {
	r := s.Account.Region
	var reads, creates, writes, instance, clusterSG []string
	for _, action := range actions {
		_, verb, _ := strings.Cut(action, ":")
		if slices.Contains(clusterSecurityGroupWrites, action) {
			clusterSG = append(clusterSG, action) // and, as any rule change, on the stack's groups below
		}
		switch {
		case strings.HasPrefix(verb, "Describe"):
			reads = append(reads, action)
		case slices.Contains(ec2Creates, action):
			creates = append(creates, action)
		case action == "ec2:CreateTags":
		case slices.Contains(accessInstanceWrites, action):
			instance = append(instance, action)
		default:
			writes = append(writes, action)
		}
	}
	stmts := []iampolicy.Statement{
		withRegion(iampolicy.Statement{Sid: "EC2Reads", Effect: "Allow", Action: reads, Resource: []string{"*"}}, "ec2", r),
		withRegion(iampolicy.Statement{Sid: "EC2Creates", Effect: "Allow", Action: creates, Resource: []string{"*"}}, "ec2", r),
		withRegion(iampolicy.Statement{Sid: "EC2TagOnCreate", Effect: "Allow", Action: []string{"ec2:CreateTags"}, Resource: []string{"*"},
			Condition: condition("StringEquals", "ec2:CreateAction", stripService(creates)...)}, "ec2", r),
		withRegion(iampolicy.Statement{Sid: "EC2StackResources", Effect: "Allow", Action: append(writes, "ec2:CreateTags"),
			Resource: []string{"*"}, Condition: stackTagIs(s.Cluster)}, "ec2", r),
		withRegion(iampolicy.Statement{Sid: "EC2AccessInstance", Effect: "Allow", Action: instance,
			Resource:  []string{fmt.Sprintf("arn:%s:ec2:%s:%s:instance/*", s.Account.Partition, r, s.Account.ID)},
			Condition: condition("StringEquals", "aws:ResourceTag/"+contract.AccessTag, s.Cluster)}, "ec2", r),
		// The same on the NAT instance (contract.NATTag), which is not the access instance:
		// teams may start sessions on that one.
		withRegion(iampolicy.Statement{Sid: "EC2NATInstance", Effect: "Allow", Action: instance,
			Resource:  []string{fmt.Sprintf("arn:%s:ec2:%s:%s:instance/*", s.Account.Partition, r, s.Account.ID)},
			Condition: condition("StringEquals", "aws:ResourceTag/"+contract.NATTag, s.Cluster)}, "ec2", r),
		withRegion(iampolicy.Statement{Sid: "EC2ClusterSecurityGroup", Effect: "Allow", Action: clusterSG,
			Resource:  []string{fmt.Sprintf("arn:%s:ec2:%s:%s:security-group/*", s.Account.Partition, r, s.Account.ID)},
			Condition: condition("StringEquals", "aws:ResourceTag/aws:eks:cluster-name", s.Cluster)}, "ec2", r),
	}
	if s.VpcArn != "" {
		stmts = append(stmts, withRegion(iampolicy.Statement{Sid: "EC2DefaultSecurityGroup", Effect: "Allow",
			Action: []string{"ec2:CreateTags", "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress",
				"ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress"},
			Resource:  []string{fmt.Sprintf("arn:%s:ec2:%s:%s:security-group/*", s.Account.Partition, r, s.Account.ID)},
			Condition: condition("ArnEquals", "ec2:Vpc", s.VpcArn)}, "ec2", r))
	}
	return nonEmpty(stmts)
}

// kmsStatements: keys created only with the stack's tag, and changed, used, aliased or
// scheduled for deletion only when they carry it. KMS authorizes tagging on creation against
// every key (kms:TagResource on "*"), so that statement admits only keys with no stack tag
// yet, and only to give them this stack's.
func kmsStatements(s Scope, actions []string) []iampolicy.Statement {
	return kmsIn(s, actions, s.Account.Region, "KMS", "alias/"+s.Cluster+"-*")
}

// kmsIn are kmsStatements in one region, their Sids prefixed with sid, aliases matching alias.
func kmsIn(s Scope, actions []string, region, sid, alias string) []iampolicy.Statement {
	a := s.Account
	a.Region = region
	var reads, writes, aliases []string
	for _, action := range actions {
		_, verb, _ := strings.Cut(action, ":")
		switch {
		case strings.HasPrefix(verb, "Describe") || strings.HasPrefix(verb, "List") || strings.HasPrefix(verb, "Get"):
			reads = append(reads, action)
		case action == "kms:CreateKey":
		default:
			writes = append(writes, action)
			if strings.HasSuffix(verb, "Alias") {
				aliases = append(aliases, action)
			}
		}
	}
	stack := condition("StringEquals", "aws:RequestTag/"+contract.StackTag, s.Cluster)
	onCreate := condition("StringEquals", "aws:RequestTag/"+contract.StackTag, s.Cluster)
	onCreate["Null"] = map[string][]string{"aws:ResourceTag/" + contract.StackTag: {"true"}}
	kmsArn := func(resource string) string {
		return fmt.Sprintf("arn:%s:kms:%s:%s:%s", a.Partition, a.Region, a.ID, resource)
	}
	return nonEmpty([]iampolicy.Statement{
		withRegion(iampolicy.Statement{Sid: sid + "Reads", Effect: "Allow", Action: reads, Resource: []string{"*"}}, "kms", a.Region),
		withRegion(iampolicy.Statement{Sid: sid + "CreateTaggedKeys", Effect: "Allow", Action: []string{"kms:CreateKey"}, Resource: []string{"*"}, Condition: stack}, "kms", a.Region),
		withRegion(iampolicy.Statement{Sid: sid + "TagOnCreate", Effect: "Allow", Action: []string{"kms:TagResource"}, Resource: []string{"*"}, Condition: onCreate}, "kms", a.Region),
		withRegion(iampolicy.Statement{Sid: sid + "StackKeys", Effect: "Allow", Action: writes, Resource: []string{kmsArn("key/*")}, Condition: stackTagIs(s.Cluster)}, "kms", a.Region),
		withRegion(iampolicy.Statement{Sid: sid + "StackAliases", Effect: "Allow", Action: aliases, Resource: []string{kmsArn(alias)}}, "kms", a.Region),
	})
}

func stripService(actions []string) []string {
	out := make([]string, len(actions))
	for i, a := range actions {
		_, out[i], _ = strings.Cut(a, ":")
	}
	return out
}

// nonEmpty drops the statements without actions (a service the plans no longer use).
func nonEmpty(stmts []iampolicy.Statement) []iampolicy.Statement {
	return slices.DeleteFunc(stmts, func(s iampolicy.Statement) bool { return len(s.Action) == 0 })
}
