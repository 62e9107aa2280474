package ghplan

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
	"aws:ec2/subnet:Subnet": {"ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:ModifySubnetAttribute", "ec2:DescribeSubnets"},
	// The NAT gateways' addresses, and the NAT instance's, associated with its interface.
	"aws:ec2/eip:Eip": {"ec2:AllocateAddress", "ec2:ReleaseAddress", "ec2:DescribeAddresses", "ec2:DescribeAddressesAttribute",
		"ec2:AssociateAddress", "ec2:DisassociateAddress"},
	// The NAT instance's interface (platform:network.natGateways: instance): the private
	// routes' target, with source/destination checking off.
	"aws:ec2/networkInterface:NetworkInterface": {"ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
		"ec2:ModifyNetworkInterfaceAttribute", "ec2:DetachNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeNetworkInterfaceAttribute"},
	"aws:ec2/vpcEndpoint:VpcEndpoint": {"ec2:CreateVpcEndpoint", "ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints",
		"ec2:DescribeVpcEndpoints", "ec2:DescribePrefixLists"},
	"aws:ec2/natGateway:NatGateway": {"ec2:CreateNatGateway", "ec2:DeleteNatGateway", "ec2:DescribeNatGateways"},
	"aws:ec2/routeTable:RouteTable": {"ec2:CreateRouteTable", "ec2:DeleteRouteTable", "ec2:CreateRoute", "ec2:ReplaceRoute",
		"ec2:DeleteRoute", "ec2:DescribeRouteTables"},
	"aws:ec2/routeTableAssociation:RouteTableAssociation": {"ec2:AssociateRouteTable", "ec2:DisassociateRouteTable",
		"ec2:ReplaceRouteTableAssociation", "ec2:DescribeRouteTables"},
	"aws:ec2/flowLog:FlowLog": {"ec2:CreateFlowLogs", "ec2:DeleteFlowLogs", "ec2:DescribeFlowLogs", "iam:PassRole"},
	"aws:ec2/launchTemplate:LaunchTemplate": {"ec2:CreateLaunchTemplate", "ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate",
		"ec2:DeleteLaunchTemplate", "ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"},
	"aws:cloudwatch/logGroup:LogGroup": {"logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy",
		"logs:DeleteRetentionPolicy", "logs:DescribeLogGroups", "logs:ListTagsForResource", "logs:TagResource", "logs:UntagResource",
		// The stack's logs key: set on create, and on an existing group by association.
		"logs:AssociateKmsKey", "logs:DisassociateKmsKey"},
	"aws:iam/role:Role": {"iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateRoleDescription",
		"iam:UpdateAssumeRolePolicy", "iam:PutRolePermissionsBoundary", "iam:TagRole", "iam:UntagRole",
		"iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole"},
	"aws:iam/rolePolicy:RolePolicy":                     {"iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment": {"iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:ListAttachedRolePolicies"},
	// The permissions boundaries, the program's only managed policies, are read only: the
	// platform boundary denies every managed-policy write, so creating or changing them takes
	// the identity that bootstrapped the stack (README, "Permissions boundaries").
	"aws:iam/policy:Policy": {"iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions", "iam:ListPolicyTags"},
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
	// An alarm with an EC2 action (the NAT instance's recovery) has CloudWatch create its
	// service-linked role (AWSServiceRoleForCloudWatchEvents) the first time.
	"aws:cloudwatch/metricAlarm:MetricAlarm": {"cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms",
		"cloudwatch:ListTagsForResource", "cloudwatch:TagResource", "cloudwatch:UntagResource", "iam:CreateServiceLinkedRole"},
	// The stack's AWS Backup: its vaults (creating one takes backup-storage:MountCapsule and a
	// grant on its key), plans, selection (passing the backup role), access policies and locks.
	"aws:backup/vault:Vault": {"backup:CreateBackupVault", "backup:DeleteBackupVault", "backup:DescribeBackupVault",
		"backup:ListTags", "backup:TagResource", "backup:UntagResource", "backup-storage:MountCapsule",
		"kms:CreateGrant", "kms:GenerateDataKey", "kms:Decrypt", "kms:RetireGrant", "kms:DescribeKey"},
	"aws:backup/plan:Plan": {"backup:CreateBackupPlan", "backup:DeleteBackupPlan", "backup:GetBackupPlan", "backup:UpdateBackupPlan",
		"backup:ListTags", "backup:TagResource", "backup:UntagResource"},
	"aws:backup/selection:Selection": {"backup:CreateBackupSelection", "backup:DeleteBackupSelection", "backup:GetBackupSelection", "iam:PassRole"},
	"aws:backup/vaultPolicy:VaultPolicy": {"backup:PutBackupVaultAccessPolicy", "backup:GetBackupVaultAccessPolicy",
		"backup:DeleteBackupVaultAccessPolicy"},
	"aws:backup/vaultLockConfiguration:VaultLockConfiguration": {"backup:PutBackupVaultLockConfiguration",
		"backup:DeleteBackupVaultLockConfiguration", "backup:DescribeBackupVault"},
	// The Session Manager access instance (components/access) and the NAT instance
	// (components/network): launched from their launch templates with their instance profiles
	// (passing their roles to EC2), stopped, changed and terminated only as the instances
	// tagged contract.AccessTag or contract.NATTag; its rule on EKS's cluster
	// security group; the stack's Session documents (<cluster>.*).
	"aws:ec2/instance:Instance": {"ec2:RunInstances", "ec2:TerminateInstances", "ec2:StopInstances", "ec2:StartInstances",
		"ec2:ModifyInstanceAttribute", "ec2:DescribeInstances", "ec2:DescribeInstanceAttribute", "ec2:DescribeInstanceTypes",
		"ec2:DescribeInstanceCreditSpecifications", "ec2:DescribeVolumes", "ec2:DescribeTags", "ec2:DescribeLaunchTemplateVersions",
		"iam:PassRole"},
	"aws:ec2/securityGroupRule:SecurityGroupRule": {"ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress",
		"ec2:UpdateSecurityGroupRuleDescriptionsIngress", "ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules"},
	"aws:iam/instanceProfile:InstanceProfile": {"iam:CreateInstanceProfile", "iam:DeleteInstanceProfile", "iam:GetInstanceProfile",
		"iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:TagInstanceProfile", "iam:UntagInstanceProfile",
		"iam:ListInstanceProfilesForRole", "iam:PassRole"},
	"aws:ssm/document:Document": {"ssm:CreateDocument", "ssm:DeleteDocument", "ssm:DescribeDocument", "ssm:GetDocument",
		"ssm:UpdateDocument", "ssm:UpdateDocumentDefaultVersion", "ssm:DescribeDocumentPermission",
		"ssm:AddTagsToResource", "ssm:RemoveTagsFromResource", "ssm:ListTagsForResource"},
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
	// The CodeBuild-hosted runners (components/runners): the project (passing its service role
	// to CodeBuild), its webhook, and the account's GitHub source credential in the region.
	"aws:codebuild/project:Project": {"codebuild:CreateProject", "codebuild:UpdateProject", "codebuild:DeleteProject",
		"codebuild:BatchGetProjects", "iam:PassRole"},
	"aws:codebuild/webhook:Webhook": {"codebuild:CreateWebhook", "codebuild:UpdateWebhook", "codebuild:DeleteWebhook",
		"codebuild:BatchGetProjects"},
	"aws:codebuild/sourceCredential:SourceCredential": {"codebuild:ImportSourceCredentials", "codebuild:ListSourceCredentials",
		"codebuild:DeleteSourceCredentials"},
	// The program's lookups (invokes), and what tagging any resource takes.
	"invokes": {"sts:GetCallerIdentity", "ec2:DescribeAvailabilityZones", "eks:DescribeAddonVersions"},
	"tags":    {"ec2:CreateTags", "ec2:DeleteTags", "ec2:DescribeTags"},
}
