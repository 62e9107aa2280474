package tests

import "testing"

// The exact resource counts per type: a change that adds or drops a resource shows up here,
// in review, rather than in someone's AWS bill.
func TestResourceCounts(t *testing.T) {
	common := map[string]int{
		"platform:index:Network": 1, "platform:index:DNS": 1, "platform:index:Certificates": 1, "platform:index:Cluster": 1,
		"aws:ec2/vpc:Vpc": 1, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": 1, "aws:ec2/internetGateway:InternetGateway": 1,
		"aws:ec2/flowLog:FlowLog": 1, "aws:cloudwatch/logGroup:LogGroup": 2, "aws:iam/role:Role": 2 + 7 + 1 + 5 + 1 + 3, "aws:iam/rolePolicy:RolePolicy": 1 + 6 + 1 + 4 + 1 + 2,
		// S3's gateway endpoint
		"aws:ec2/vpcEndpoint:VpcEndpoint": 1,
		typeZone:                          1, "aws:acm/certificate:Certificate": 1, "aws:acm/certificateValidation:CertificateValidation": 1,
		// the cluster's secrets key, the stack's logs key and its backup vault's key, each with
		// its alias
		"platform:index:LogsKey": 1, typeKey: 3, "aws:kms/alias:Alias": 3, typeEKS: 1, "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 4 + 1 + 1 + 1,
		// the permissions boundary every role carries
		"platform:index:PermissionsBoundary": 1, "aws:iam/policy:Policy": 2,
		typeLT: 1 + 1, typeNodeGroup: 1, "pulumi:providers:kubernetes": 1,
		// addons: a role per addon (LBC, ExternalDNS, ESO, CA, EBS CSI, Loki, Tempo) + cluster 2;
		// EKS add-ons: the Pod Identity agent, CoreDNS, EBS CSI, metrics-server
		"platform:index:Addons": 1, "aws:eks/addon:Addon": 4, "aws:eks/podIdentityAssociation:PodIdentityAssociation": 6 + 3,
		"kubernetes:core/v1:Namespace": 5 + 2 + 3, "kubernetes:core/v1:Secret": 1, "kubernetes:helm.sh/v3:Release": 8 + 1 + 1, // + Argo CD, + the monitoring CRDs alone
		// gp3 and its opt-out from backups, gp3-no-backup
		"kubernetes:storage.k8s.io/v1:StorageClass": 2, "random:index/randomPassword:RandomPassword": 1,
		// the gp3 class's generation (renewed when a field Kubernetes cannot update changes)
		"random:index/randomId:RandomId": 1,
		"aws:ssm/parameter:Parameter":    1 + 2, "aws:s3/bucketV2:BucketV2": 2, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 2,
		"aws:s3/bucketOwnershipControls:BucketOwnershipControls": 2, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": 2,
		"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": 2,
		// GitHubIntegration and ArgoCD (the +1s above: CI role and policy, deploy key and client
		// secret parameters, the argocd and argocd-apps namespaces and the release)
		"platform:index:GitHubIntegration": 1, "platform:index:ArgoCD": 1,
		"aws:iam/openIdConnectProvider:OpenIdConnectProvider": 1, "tls:index/privateKey:PrivateKey": 1,
		// the CI role's cluster access
		"aws:eks/accessEntry:AccessEntry": 1 + 1, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": 1,
		// the infrastructure repository's environment of the stack and its policy, and
		// payments-api's (the push role trusts it), with its two (main, v* tags); the infra
		// environment's AWS_ROLE_ARN and AWS_REGION, and payments-api's AWS_ROLE_ARN (its push role)
		"github:index/repositoryDeployKey:RepositoryDeployKey": 1, "github:index/repositoryEnvironment:RepositoryEnvironment": 1 + 1,
		"github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": 1 + 2,
		"github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable":                       2 + 1,
		"kubernetes:argoproj.io/v1alpha1:AppProject":                                               2 + 2, "kubernetes:argoproj.io/v1alpha1:Application": 1,
		"kubernetes:external-secrets.io/v1:ExternalSecret": 2 + 2, "kubernetes:argoproj.io/v1alpha1:AppProjectPatch": 1,
		// the platform's IngressClass, Loki's and the metrics proxies' NetworkPolicies
		// (+ 2: search reaches S3 from its 2 namespaces without internet egress; + 3: each
		// team namespace sends traces to Tempo)
		"kubernetes:networking.k8s.io/v1:NetworkPolicy": 1 + 1 + 19 + 2 + 3,
		// Teams (the + terms above: 2 secrets roles, 2 workload roles, a push role and their
		// policies, payments' secrets writer role and its policy (search has no access roles),
		// a managed policy, 3 workload pod identities, 3 namespaces, an access entry,
		// 2 projects): payments (1 namespace, internet egress, an image) and search (2
		// namespaces, no Secrets, cluster view): 7 + 6 + 6 platform NetworkPolicies
		"platform:index:Teams": 1, "kubernetes:core/v1:ResourceQuota": 3, "kubernetes:core/v1:LimitRange": 3,
		"kubernetes:core/v1:ServiceAccount": 3, "kubernetes:external-secrets.io/v1:SecretStore": 3,
		"kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": 2 + 1 + 1, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole": 3,
		"kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": 1,
		"aws:ecr/repository:Repository":                              1, "aws:ecr/lifecyclePolicy:LifecyclePolicy": 1,
		// the teams' applications, at the stack's revision
		"kubernetes:argoproj.io/v1alpha1:ApplicationSet": 1,
		// the alarm topic, its on-call address, and the certificate's expiry alarm
		"platform:index:Alarms": 1, "aws:sns/topic:Topic": 1, "aws:sns/topicSubscription:TopicSubscription": 1,
		"aws:cloudwatch/metricAlarm:MetricAlarm": 1 + 1,
		// AWS Backup (the + terms above: its role and policy, its key and alias, the failed-jobs
		// alarm): the vault, the plan of the environment's rules and the selection by tag
		"platform:index:Backup": 1, "aws:backup/vault:Vault": 1, "aws:backup/plan:Plan": 1, "aws:backup/selection:Selection": 1,
		// Session Manager access (the + terms above: the instance's role, its SSM policy
		// attachment, the kube role and its policy, the instance's launch template): the
		// instance, its profile and security group, the cluster's ingress rule from it, the
		// kube session document
		"platform:index:Access": 1, "aws:ec2/instance:Instance": 1, "aws:iam/instanceProfile:InstanceProfile": 1,
		"aws:ec2/securityGroup:SecurityGroup": 1, "aws:ec2/securityGroupRule:SecurityGroupRule": 1, "aws:ssm/document:Document": 1,
		// the last deployment's outputs, read back for the team removal guard
		"pulumi:pulumi:StackReference": 1,
		// the Load Balancer Controller's and External Secrets' PodMonitors; the addons' and
		// Argo CD's alert rules
		"kubernetes:monitoring.coreos.com/v1:PodMonitor": 2, "kubernetes:monitoring.coreos.com/v1:PrometheusRule": 2,
		// each team's metrics proxy (Deployment, Service) and the Grafana organizations'
		// reconciler's ConfigMap
		"kubernetes:apps/v1:Deployment": 2, "kubernetes:core/v1:Service": 2, "kubernetes:core/v1:ConfigMap": 1,
		// admission policies, each with its binding: what the teams' monitors and alerts and
		// Ingresses may do, and every namespace's Pod Security and Argo CD's namespaces
		"kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy":        4,
		"kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding": 4,
	}
	perStack := map[string]map[string]int{
		// 2 AZs, one NAT instance (natGateways: instance: its interface with the address, its
		// instance from a launch template, profile, role with the SSM policy, security group
		// and two status alarms); records: delegation + 1 validation
		"dev": {typeSubnet: 4 + 2, typeNAT: 0, "aws:ec2/eip:Eip": 1, typeRouteTable: 3 + 1, "aws:ec2/routeTableAssociation:RouteTableAssociation": 4 + 2, typeRecord: 2,
			"aws:ec2/networkInterface:NetworkInterface": 1, "aws:ec2/instance:Instance": 1 + 1, typeLT: 2 + 1,
			"aws:iam/instanceProfile:InstanceProfile": 1 + 1, "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 7 + 1,
			"kubernetes:external-secrets.io/v1:ClusterSecretStore": 1,
			// payments' database "ledger" (the + terms: the team's 2 database subnets with
			// their route table and its DB subnet group, its 2 log groups, the databases' key, the team's 2 policies on its roles,
			// the connection ExternalSecret and Secrets Manager store, the egress policy)
			"platform:index:Databases": 1, "aws:rds/subnetGroup:SubnetGroup": 1, "aws:rds/parameterGroup:ParameterGroup": 1,
			"aws:rds/instance:Instance": 1, "aws:ec2/securityGroup:SecurityGroup": 1 + 1 + 1, "aws:cloudwatch/metricAlarm:MetricAlarm": 2 + 2 + 2,
			"aws:cloudwatch/logGroup:LogGroup": 2 + 2, typeKey: 3 + 1, "aws:kms/alias:Alias": 3 + 1, "aws:iam/rolePolicy:RolePolicy": 15 + 2 + 1,
			// Session Manager to the database: its document, and payments' connect role (+ 1
			// role, + 1 policy)
			"platform:index:DatabaseAccess": 1, "aws:ssm/document:Document": 1 + 1, "aws:iam/role:Role": 19 + 1 + 1,
			"kubernetes:external-secrets.io/v1:ExternalSecret": 4 + 1, "kubernetes:external-secrets.io/v1:SecretStore": 3 + 1,
			"kubernetes:networking.k8s.io/v1:NetworkPolicy": 21 + 2 + 3 + 1,
			// the platform's class and the teams' shared one, each with its params
			"kubernetes:networking.k8s.io/v1:IngressClass": 2, "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams": 2},
		// 3 AZs, NAT per AZ; records: delegation + 2 validations (domain, apps.domain)
		"prod": {typeSubnet: 6, typeNAT: 3, "aws:ec2/eip:Eip": 3, typeRouteTable: 4, "aws:ec2/routeTableAssociation:RouteTableAssociation": 6, typeRecord: 3,
			// Secrets Manager store enabled in prod
			"kubernetes:external-secrets.io/v1:ClusterSecretStore": 2,
			// prod manages the repositories' protection (platform:github.protectRepositories):
			// CODEOWNERS and 3 rulesets on each of the two
			"github:index/repositoryFile:RepositoryFile": 2, "github:index/repositoryRuleset:RepositoryRuleset": 6,
			// CodeBuild's runners in the VPC (platform:github.runners: codebuild): the project,
			// its webhook and GitHub credential, its role and policy, log group, security group
			// and the cluster's ingress rule from it
			"platform:index:Runners": 1, "aws:codebuild/project:Project": 1, "aws:codebuild/webhook:Webhook": 1, "aws:codebuild/sourceCredential:SourceCredential": 1,
			"aws:iam/role:Role": 19 + 1, "aws:iam/rolePolicy:RolePolicy": 15 + 1, "aws:cloudwatch/logGroup:LogGroup": 2 + 1,
			"aws:ec2/securityGroup:SecurityGroup": 1 + 1, "aws:ec2/securityGroupRule:SecurityGroupRule": 1 + 1,
			// the platform's, the shared and search's dedicated class, each with its params
			"kubernetes:networking.k8s.io/v1:IngressClass": 3, "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams": 3,
			// backups copied to platform:backup.copyRegion: a provider there, the copy vault and
			// its key (with alias), the failed-copies alarm; both vaults' access policies
			// keep recovery points from deletion
			"pulumi:providers:aws": 1, "aws:backup/vault:Vault": 2, "aws:backup/vaultPolicy:VaultPolicy": 2,
			typeKey: 3 + 1, "aws:kms/alias:Alias": 3 + 1, "aws:cloudwatch/metricAlarm:MetricAlarm": 2 + 1},
	}
	for stack, specific := range perStack {
		t.Run(stack, func(t *testing.T) {
			want := map[string]int{}
			for k, v := range common {
				want[k] = v
			}
			for k, v := range specific {
				want[k] = v
			}
			got := stackPlan(t, stack).counts()
			for typ, n := range want {
				if got[typ] != n {
					t.Errorf("%s: %d, want %d", typ, got[typ], n)
				}
			}
			for typ, n := range got {
				if _, ok := want[typ]; !ok {
					t.Errorf("unexpected %d x %s", n, typ)
				}
			}
		})
	}
}
