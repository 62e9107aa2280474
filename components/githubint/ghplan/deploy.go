package ghplan

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
)

// DeployPermissions are the IAM actions the AWS provider calls to create, read, update, tag
// and delete each resource type the program registers (the plans' types: a test checks that
// every AWS type of every plan variant is here, and nothing else), plus what pulumi-eks creates
// inside its cluster component and the lookups the program makes. The CI role's deploy policy
// is built from this table, not from AdministratorAccess.
var DeployPermissions = map[string][]string{
	"aws:ec2/vpc:Vpc": {"ec2:CreateVpc", "ec2:DeleteVpc", "ec2:ModifyVpcAttribute", "ec2:DescribeVpcs",
		"ec2:DescribeVpcAttribute", "ec2:DescribeVpcClassicLink", "ec2:DescribeVpcClassicLinkDnsSupport",
		"ec2:DescribeNetworkAcls", "ec2:DescribeRouteTables", "ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"},
	"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": {"ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules",
		"ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress"},
	"aws:ec2/internetGateway:InternetGateway": {"ec2:CreateInternetGateway", "ec2:DeleteInternetGateway", "ec2:AttachInternetGateway",
		"ec2:DetachInternetGateway", "ec2:DescribeInternetGateways"},
	"aws:ec2/subnet:Subnet":         {"ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:ModifySubnetAttribute", "ec2:DescribeSubnets"},
	"aws:ec2/eip:Eip":               {"ec2:AllocateAddress", "ec2:ReleaseAddress", "ec2:DescribeAddresses", "ec2:DescribeAddressesAttribute", "ec2:DisassociateAddress"},
	"aws:ec2/natGateway:NatGateway": {"ec2:CreateNatGateway", "ec2:DeleteNatGateway", "ec2:DescribeNatGateways"},
	"aws:ec2/routeTable:RouteTable": {"ec2:CreateRouteTable", "ec2:DeleteRouteTable", "ec2:CreateRoute", "ec2:ReplaceRoute",
		"ec2:DeleteRoute", "ec2:DescribeRouteTables"},
	"aws:ec2/routeTableAssociation:RouteTableAssociation": {"ec2:AssociateRouteTable", "ec2:DisassociateRouteTable",
		"ec2:ReplaceRouteTableAssociation", "ec2:DescribeRouteTables"},
	"aws:ec2/flowLog:FlowLog": {"ec2:CreateFlowLogs", "ec2:DeleteFlowLogs", "ec2:DescribeFlowLogs", "iam:PassRole"},
	"aws:ec2/launchTemplate:LaunchTemplate": {"ec2:CreateLaunchTemplate", "ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate",
		"ec2:DeleteLaunchTemplate", "ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"},
	"aws:cloudwatch/logGroup:LogGroup": {"logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy",
		"logs:DeleteRetentionPolicy", "logs:DescribeLogGroups", "logs:ListTagsForResource", "logs:TagResource", "logs:UntagResource"},
	"aws:iam/role:Role": {"iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateRoleDescription",
		"iam:UpdateAssumeRolePolicy", "iam:PutRolePermissionsBoundary", "iam:TagRole", "iam:UntagRole",
		"iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole"},
	"aws:iam/rolePolicy:RolePolicy":                     {"iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment": {"iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:ListAttachedRolePolicies"},
	"aws:iam/policy:Policy": {"iam:CreatePolicy", "iam:DeletePolicy", "iam:GetPolicy", "iam:GetPolicyVersion",
		"iam:ListPolicyVersions", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:TagPolicy", "iam:UntagPolicy"},
	"aws:iam/openIdConnectProvider:OpenIdConnectProvider": {"iam:CreateOpenIDConnectProvider", "iam:DeleteOpenIDConnectProvider",
		"iam:GetOpenIDConnectProvider", "iam:UpdateOpenIDConnectProviderThumbprint", "iam:AddClientIDToOpenIDConnectProvider",
		"iam:RemoveClientIDFromOpenIDConnectProvider", "iam:TagOpenIDConnectProvider", "iam:UntagOpenIDConnectProvider"},
	"aws:kms/key:Key": {"kms:CreateKey", "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus",
		"kms:EnableKeyRotation", "kms:ListResourceTags", "kms:TagResource", "kms:UntagResource", "kms:UpdateKeyDescription",
		"kms:ScheduleKeyDeletion", "kms:CreateGrant", "kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"},
	"aws:kms/alias:Alias":       {"kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias", "kms:ListAliases"},
	"aws:route53/zone:Zone":     {"route53:CreateHostedZone", "route53:DeleteHostedZone", "route53:GetHostedZone", "route53:ListHostedZones", "route53:UpdateHostedZoneComment", "route53:ChangeTagsForResource", "route53:ListTagsForResource", "route53:GetChange", "route53:ListResourceRecordSets", "route53:ChangeResourceRecordSets"},
	"aws:route53/record:Record": {"route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:GetChange", "route53:GetHostedZone"},
	"aws:acm/certificate:Certificate": {"acm:RequestCertificate", "acm:DeleteCertificate", "acm:DescribeCertificate",
		"acm:ListTagsForCertificate", "acm:AddTagsToCertificate", "acm:RemoveTagsFromCertificate"},
	"aws:acm/certificateValidation:CertificateValidation": {"acm:DescribeCertificate"},
	"aws:ssm/parameter:Parameter": {"ssm:PutParameter", "ssm:GetParameter", "ssm:GetParameters", "ssm:DeleteParameter",
		"ssm:DescribeParameters", "ssm:AddTagsToResource", "ssm:RemoveTagsFromResource", "ssm:ListTagsForResource"},
	"aws:s3/bucketV2:BucketV2": {"s3:CreateBucket", "s3:DeleteBucket", "s3:ListBucket", "s3:GetBucket*", "s3:PutBucketTagging",
		"s3:GetAccelerateConfiguration", "s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration", "s3:GetEncryptionConfiguration",
		"s3:DeleteObject", "s3:DeleteObjectVersion", "s3:ListBucketVersions"},
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":                                     {"s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock"},
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls":                                     {"s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls"},
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": {"s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration"},
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2":                       {"s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration"},
	// The teams' image repositories (<cluster>/<team>/<image>).
	"aws:ecr/repository:Repository": {"ecr:CreateRepository", "ecr:DeleteRepository", "ecr:DescribeRepositories",
		"ecr:PutImageTagMutability", "ecr:PutImageScanningConfiguration", "ecr:TagResource", "ecr:UntagResource",
		"ecr:ListTagsForResource", "ecr:ListImages", "ecr:BatchDeleteImage"},
	"aws:ecr/lifecyclePolicy:LifecyclePolicy": {"ecr:PutLifecyclePolicy", "ecr:GetLifecyclePolicy", "ecr:DeleteLifecyclePolicy"},
	// The teams' databases: security groups, subnet and parameter groups, instances (RDS
	// creates the master secret in Secrets Manager with the caller's rights, and its service
	// role on first use), alarms and their topic.
	"aws:ec2/securityGroup:SecurityGroup": {"ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup", "ec2:DescribeSecurityGroups",
		"ec2:DescribeSecurityGroupRules", "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress",
		"ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupEgress", "ec2:DescribeNetworkInterfaces"},
	"aws:rds/subnetGroup:SubnetGroup": {"rds:CreateDBSubnetGroup", "rds:DeleteDBSubnetGroup", "rds:DescribeDBSubnetGroups",
		"rds:ModifyDBSubnetGroup", "rds:AddTagsToResource", "rds:RemoveTagsFromResource", "rds:ListTagsForResource"},
	"aws:rds/parameterGroup:ParameterGroup": {"rds:CreateDBParameterGroup", "rds:DeleteDBParameterGroup", "rds:DescribeDBParameterGroups",
		"rds:DescribeDBParameters", "rds:ModifyDBParameterGroup", "rds:ResetDBParameterGroup", "rds:AddTagsToResource",
		"rds:RemoveTagsFromResource", "rds:ListTagsForResource"},
	"aws:rds/instance:Instance": {"rds:CreateDBInstance", "rds:DeleteDBInstance", "rds:DescribeDBInstances", "rds:ModifyDBInstance",
		"rds:RebootDBInstance", "rds:AddTagsToResource", "rds:RemoveTagsFromResource", "rds:ListTagsForResource",
		"rds:DescribeDBSnapshots", "rds:CreateDBSnapshot", "iam:CreateServiceLinkedRole",
		"secretsmanager:CreateSecret", "secretsmanager:TagResource", "secretsmanager:RotateSecret", "secretsmanager:DescribeSecret",
		"kms:DescribeKey", "kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKey"},
	"aws:cloudwatch/metricAlarm:MetricAlarm": {"cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms",
		"cloudwatch:ListTagsForResource", "cloudwatch:TagResource", "cloudwatch:UntagResource"},
	"aws:sns/topic:Topic": {"sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes",
		"sns:ListTagsForResource", "sns:TagResource", "sns:UntagResource"},
	"aws:sns/topicSubscription:TopicSubscription": {"sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes",
		"sns:SetSubscriptionAttributes", "sns:ListSubscriptionsByTopic"},
	"aws:eks/nodeGroup:NodeGroup": {"eks:CreateNodegroup", "eks:DeleteNodegroup", "eks:DescribeNodegroup", "eks:UpdateNodegroupConfig",
		"eks:UpdateNodegroupVersion", "eks:TagResource", "eks:UntagResource", "iam:PassRole", "iam:CreateServiceLinkedRole",
		"ec2:RunInstances", "ec2:CreateTags", "ec2:DescribeLaunchTemplateVersions"},
	"aws:eks/addon:Addon": {"eks:CreateAddon", "eks:DeleteAddon", "eks:DescribeAddon", "eks:UpdateAddon", "eks:DescribeAddonVersions",
		"eks:DescribeAddonConfiguration", "eks:TagResource", "eks:UntagResource", "iam:PassRole"},
	"aws:eks/podIdentityAssociation:PodIdentityAssociation": {"eks:CreatePodIdentityAssociation", "eks:DeletePodIdentityAssociation",
		"eks:DescribePodIdentityAssociation", "eks:UpdatePodIdentityAssociation", "eks:TagResource", "iam:PassRole", "iam:GetRole"},
	"aws:eks/accessEntry:AccessEntry": {"eks:CreateAccessEntry", "eks:DeleteAccessEntry", "eks:DescribeAccessEntry", "eks:UpdateAccessEntry",
		"eks:TagResource", "eks:UntagResource"},
	"aws:eks/accessPolicyAssociation:AccessPolicyAssociation": {"eks:AssociateAccessPolicy", "eks:DisassociateAccessPolicy", "eks:ListAssociatedAccessPolicies"},
	// pulumi-eks's component: the cluster, its service role (iam types above), its security
	// group rules, OIDC provider, access entries and its kube-proxy, CoreDNS and VPC CNI addons.
	"eks:index:Cluster": {"eks:CreateCluster", "eks:DeleteCluster", "eks:DescribeCluster", "eks:ListClusters", "eks:UpdateClusterConfig",
		"eks:UpdateClusterVersion", "eks:DescribeUpdate", "eks:AssociateEncryptionConfig", "eks:TagResource", "eks:UntagResource",
		"eks:CreateAccessEntry", "eks:DeleteAccessEntry", "eks:DescribeAccessEntry", "eks:AssociateAccessPolicy", "eks:DisassociateAccessPolicy",
		"eks:CreateAddon", "eks:DeleteAddon", "eks:DescribeAddon", "eks:UpdateAddon", "eks:DescribeAddonVersions",
		"iam:PassRole", "iam:CreateServiceLinkedRole", "iam:GetOpenIDConnectProvider", "iam:CreateOpenIDConnectProvider",
		"ec2:DescribeSubnets", "ec2:DescribeVpcs", "ec2:DescribeSecurityGroups", "ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup",
		"ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:CreateTags", "ec2:DeleteTags",
		"kms:DescribeKey", "kms:CreateGrant", "logs:DescribeLogGroups"},
	// The program's lookups (invokes), and what tagging any resource takes.
	"invokes": {"sts:GetCallerIdentity", "ec2:DescribeAvailabilityZones", "eks:DescribeAddonVersions"},
	"tags":    {"ec2:CreateTags", "ec2:DeleteTags", "ec2:DescribeTags"},
}

// Scope is what the deploy policy narrows its statements to: the stack's account, region,
// cluster name (which prefixes its buckets, parameters and log groups) and zones, and the
// permissions boundary every role it creates must carry.
type Scope struct {
	Account contract.Account
	Cluster string
	// ZoneArns are the hosted zones it may change: the stack's own and its parent's.
	ZoneArns []string
	// BoundaryArn is the permissions boundary; CIRoleArn the role this policy is attached to.
	BoundaryArn, CIRoleArn string
}

// regional services are limited to the stack's region by condition; IAM and Route53 are
// global.
var regional = map[string]bool{"ec2": true, "eks": true, "kms": true, "acm": true, "ssm": true, "logs": true, "ecr": true,
	"rds": true, "sns": true, "cloudwatch": true, "secretsmanager": true}

// DeployPolicy is the CI role's policy: DeployPermissions' actions grouped by service and
// narrowed where AWS allows it, roles creatable only with the boundary, and the boundary and
// the CI role itself out of its reach (changing them takes the identity that bootstrapped the
// stack).
func DeployPolicy(s Scope) iampolicy.Document {
	a := s.Account
	arn := func(service, region, resource string) string {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", a.Partition, service, region, a.ID, resource)
	}
	byService := map[string][]string{}
	for _, actions := range DeployPermissions {
		for _, action := range actions {
			svc, _, _ := strings.Cut(action, ":")
			byService[svc] = append(byService[svc], action)
		}
	}
	resources := map[string][]string{
		"eks": {arn("eks", a.Region, "cluster/"+s.Cluster), arn("eks", a.Region, "nodegroup/"+s.Cluster+"/*"),
			arn("eks", a.Region, "addon/"+s.Cluster+"/*"), arn("eks", a.Region, "access-entry/"+s.Cluster+"/*"),
			arn("eks", a.Region, "podidentityassociation/"+s.Cluster+"/*")},
		"ssm": {arn("ssm", a.Region, "parameter"+contract.ParameterPath(s.Cluster)+"*")},
		"ecr": {arn("ecr", a.Region, "repository/"+s.Cluster+"/*")},
		// Databases are named <cluster>-<team>-<name>; their groups are named by Pulumi.
		"rds": {arn("rds", a.Region, "db:"+s.Cluster+"-*"), arn("rds", a.Region, "snapshot:"+s.Cluster+"-*"),
			arn("rds", a.Region, "subgrp:*"), arn("rds", a.Region, "pg:*")},
		// RDS names the master secrets it manages rds!db-<uuid>.
		"secretsmanager": {arn("secretsmanager", a.Region, "secret:rds!*")},
		"cloudwatch":     {arn("cloudwatch", a.Region, "alarm:"+s.Cluster+"-*")},
		"sns":            {arn("sns", a.Region, s.Cluster+"-*")},
		"s3":             {fmt.Sprintf("arn:%s:s3:::%s-*", a.Partition, s.Cluster)},
		"logs": {arn("logs", a.Region, "log-group:/aws/eks/"+s.Cluster+"/*"), arn("logs", a.Region, "log-group:/platform/*"),
			arn("logs", a.Region, "log-group:/aws/rds/instance/"+s.Cluster+"-*")},
		"iam": {fmt.Sprintf("arn:%s:iam::%s:role/*", a.Partition, a.ID), fmt.Sprintf("arn:%s:iam::%s:policy/*", a.Partition, a.ID),
			fmt.Sprintf("arn:%s:iam::%s:oidc-provider/*", a.Partition, a.ID)},
		"route53": append([]string{fmt.Sprintf("arn:%s:route53:::change/*", a.Partition)}, s.ZoneArns...),
	}
	// Actions IAM cannot narrow to a resource: listing and describing a kind, creating a hosted
	// zone, asking who the caller is. They read, or create what the rest then scopes.
	unscoped := func(action string) bool {
		_, verb, _ := strings.Cut(action, ":")
		return strings.HasPrefix(verb, "Describe") || strings.HasPrefix(verb, "List") ||
			action == "sts:GetCallerIdentity" || action == "route53:CreateHostedZone"
	}
	var stmts []iampolicy.Statement
	for _, svc := range slices.Sorted(maps.Keys(byService)) {
		actions := sortedUnique(byService[svc])
		if svc == "iam" {
			stmts = append(stmts, iamStatements(s, actions, resources["iam"])...)
			continue
		}
		var scoped, open []string
		for _, action := range actions {
			if len(resources[svc]) > 0 && !unscoped(action) {
				scoped = append(scoped, action)
			} else {
				open = append(open, action)
			}
		}
		if len(scoped) > 0 {
			stmts = append(stmts, withRegion(iampolicy.Allow(scoped, resources[svc]...), svc, a.Region))
		}
		if len(open) > 0 {
			stmts = append(stmts, withRegion(iampolicy.Allow(open, "*"), svc, a.Region))
		}
	}
	for i := range stmts {
		stmts[i].Sid = fmt.Sprintf("Deploy%d", i+1)
	}
	return iampolicy.New(stmts...)
}

// iamStatements: roles only with the boundary; passing roles only to the services that run
// them; nothing on the boundary policy or the CI role itself.
func iamStatements(s Scope, actions, resources []string) []iampolicy.Statement {
	var plain []string
	for _, a := range actions {
		switch a {
		case "iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PassRole", "iam:CreateServiceLinkedRole":
		default:
			plain = append(plain, a)
		}
	}
	withBoundary := iampolicy.Allow([]string{"iam:CreateRole", "iam:PutRolePermissionsBoundary"}, resources[0])
	withBoundary.Condition = map[string]map[string][]string{"StringEquals": {"iam:PermissionsBoundary": {s.BoundaryArn}}}
	pass := iampolicy.Allow([]string{"iam:PassRole"}, resources[0])
	pass.Condition = map[string]map[string][]string{"StringEquals": {"iam:PassedToService": PassedToServices}}
	linked := iampolicy.Allow([]string{"iam:CreateServiceLinkedRole"}, resources[0])
	linked.Condition = map[string]map[string][]string{"StringEquals": {"iam:AWSServiceName": ServiceLinkedRoles}}
	protect := iampolicy.Statement{Effect: "Deny", Action: []string{"iam:*"}, Resource: []string{s.BoundaryArn, s.CIRoleArn}}
	protect.Action = []string{"iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion",
		"iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:UpdateAssumeRolePolicy",
		"iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary", "iam:DeleteRole", "iam:UpdateRole"}
	noUnbound := iampolicy.Statement{Effect: "Deny", Action: []string{"iam:DeleteRolePermissionsBoundary"}, Resource: []string{"*"}}
	return []iampolicy.Statement{iampolicy.Allow(plain, resources...), withBoundary, pass, linked, protect, noUnbound}
}

// PassedToServices are the services the platform's roles are handed to.
var PassedToServices = []string{"eks.amazonaws.com", "ec2.amazonaws.com", "vpc-flow-logs.amazonaws.com", "pods.eks.amazonaws.com"}

// ServiceLinkedRoles are the service-linked roles EKS and its node groups need the first time
// an account uses them.
var ServiceLinkedRoles = []string{"eks.amazonaws.com", "eks-nodegroup.amazonaws.com", "autoscaling.amazonaws.com"}

func withRegion(st iampolicy.Statement, service, region string) iampolicy.Statement {
	if regional[service] {
		st.Condition = map[string]map[string][]string{"StringEquals": {"aws:RequestedRegion": {region}}}
	}
	return st
}

func sortedUnique(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}
