// Package handle is what each component hands to the components built on it: one value per
// component (the cluster, not five of its outputs), with the plain facts known at preview
// time next to the outputs that carry the dependency. Each component returns its handle from
// Handle(); the composition in stacks passes them on.
//
// The handles live here, not in the components' packages, so that a component depends on
// what it uses of another (a few outputs) rather than on its SDK: the addons do not link
// pulumi-eks because they need the cluster's name. That keeps every component's test binary
// small (see README, "Tests").
package handle

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// Network is the VPC.
type Network struct {
	VpcID            pulumi.StringOutput
	PrivateSubnetIDs pulumi.StringArrayOutput
	// DatabaseSubnetGroups are the teams' DB subnet groups, by team, over the team's own
	// database subnets, whose CIDRs DatabaseSubnetCIDRs are (empty without databases).
	DatabaseSubnetGroups map[string]pulumi.StringOutput
	DatabaseSubnetCIDRs  map[string][]string
	// EndpointSubnetCIDRs are the interface VPC endpoints' subnets (empty without endpoints).
	EndpointSubnetCIDRs []string
}

// Zone is the stack's DNS zone.
type Zone struct {
	// Domain is the configured domain, known at preview time (host names, filters).
	Domain string
	ZoneID pulumi.StringOutput
}

// Certificate is the stack's ACM certificate for the domain and *.domain.
type Certificate struct {
	// Arn resolves only once ACM has issued the certificate.
	Arn pulumi.StringOutput
}

// Cluster is the EKS cluster.
type Cluster struct {
	// Name and KubernetesVersion are the configured values, known at preview time (trust
	// policies and tags need them as plain strings).
	Name, KubernetesVersion string
	// ClusterName is the same name as an output of the cluster, for inputs that must wait
	// for it.
	ClusterName pulumi.StringOutput
	// SecretsKeyArn is the platform's KMS key (secrets envelope encryption, SecureString
	// parameters).
	SecretsKeyArn pulumi.StringOutput
	// NodeSecurityGroupID is the security group of the nodes, and so of the pods (the VPC
	// CNI gives pods their node's): databases admit it.
	NodeSecurityGroupID pulumi.StringOutput
	// NodeGroups are the managed node groups: pods need them, and on destroy what runs on
	// them must go first.
	NodeGroups []pulumi.Resource
}

// Addons are the in-cluster services later components build on (nil when disabled).
type Addons struct {
	// LoadBalancerController must be up before an Ingress is created and outlive it.
	LoadBalancerController pulumi.Resource
	// IngressClass is the platform's IngressClass: the platform's Ingresses wait for it.
	IngressClass pulumi.Resource
	// ParameterStore is the ClusterSecretStore over SSM; ExternalSecrets wait for it.
	ParameterStore pulumi.Resource
	// ExternalSecrets is its release (SecretStores are custom resources of its CRDs);
	// ExternalSecretsRoleArn the controller's role, which teams' secret roles trust.
	ExternalSecrets        pulumi.Resource
	ExternalSecretsRoleArn pulumi.StringOutput
	// MonitoringNamespace is where Prometheus scrapes from ("" without monitoring).
	MonitoringNamespace string
	// Monitoring is the kube-prometheus-stack release (nil without monitoring): monitors and
	// rules, whose CRDs it brings, wait for it.
	Monitoring pulumi.Resource
	// MonitoringCRDs is the release of the prometheus-operator CRDs alone (nil without
	// monitoring): what a chart that renders a ServiceMonitor waits for.
	MonitoringCRDs pulumi.Resource
}

// Teams are the product teams, by name.
type Teams struct{ ByName map[string]Team }

// Team is one team's roles and namespaces.
type Team struct {
	// SecretsRoleArn is the role External Secrets assumes for the team's stores;
	// SecretsRoleName names it for policies other components attach.
	SecretsRoleArn, SecretsRoleName pulumi.StringOutput
	// WorkloadRoleName is the team's Pod Identity role (zero without one).
	WorkloadRoleName pulumi.StringOutput
	// Namespaces are the team's namespaces as created: objects in them wait for them.
	Namespaces map[string]pulumi.Resource
}

// ArgoCD is Argo CD, for the projects other components add.
type ArgoCD struct {
	// Namespace holds its projects; Release installs its CRDs.
	Namespace string
	Release   pulumi.Resource
	// RepoURL is the GitOps repository as Argo CD fetches it.
	RepoURL string
}

// GitHub is the GitOps repository as Argo CD reaches it.
type GitHub struct {
	// RepoURL is the repository's SSH URL.
	RepoURL string
	// DeployKeyParameter is the SSM parameter holding the deploy key's private half.
	DeployKeyParameter pulumi.StringOutput
	// Owner is the organization; OIDCProviderArn the account's GitHub OIDC provider, which
	// roles trusting GitHub's workflows name.
	Owner           string
	OIDCProviderArn pulumi.StringOutput
}
