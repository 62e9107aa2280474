package stacks

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/example/platform/components/addons"
	"github.com/example/platform/components/argocd"
	"github.com/example/platform/components/certificates"
	"github.com/example/platform/components/cluster"
	"github.com/example/platform/components/dns"
	"github.com/example/platform/components/githubint"
	"github.com/example/platform/components/network"
)

// Platform is one stack's composed components.
type Platform struct {
	Network      *network.Network
	DNS          *dns.DNS
	Certificates *certificates.Certificates
	Cluster      *cluster.Cluster
	Addons       *addons.Addons
	GitHub       *githubint.GitHubIntegration // nil without platform:github
	ArgoCD       *argocd.ArgoCD               // nil when disabled
	// Outputs are the stack outputs, as exported.
	Outputs pulumi.Map
}

// Load reads and validates the stack's config from the running Pulumi program. Nothing is
// registered when it fails.
func Load(ctx *pulumi.Context) (*Config, error) {
	values := map[string]string{}
	for _, k := range append([]string{RegionKey}, prefixed(Keys)...) {
		if v := config.Get(ctx, k); v != "" {
			values[k] = v
		}
	}
	// The Pulumi SDK offers no way to list config keys, but the CLI hands the program its whole
	// config in PULUMI_CONFIG: a misspelled platform:* key shows up there and is refused
	// rather than silently ignored.
	var all map[string]string
	if raw := os.Getenv(pulumi.EnvConfig); raw != "" && json.Unmarshal([]byte(raw), &all) == nil {
		for k := range all {
			if _, read := values[k]; !read && strings.HasPrefix(k, Namespace+":") {
				values[k] = all[k]
			}
		}
	}
	secret := map[string]bool{}
	for k := range values {
		secret[k] = ctx.IsConfigSecret(k)
	}
	return Decode(ctx.Project(), ctx.Stack(), values, secret)
}

// Program is the whole Pulumi program: load and validate the config, then compose the platform.
// main.go runs it under Pulumi; the offline plan and the tests run it under mocks.
func Program(ctx *pulumi.Context) (pulumi.Map, error) {
	cfg, err := Load(ctx)
	if err != nil {
		return nil, err
	}
	p, err := Run(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return p.Outputs, nil
}

// Account is who and where the stack deploys to, read once and passed down as plain values.
type Account struct {
	ID, Partition string
}

// Run composes the platform for cfg and exports the stack outputs.
func Run(ctx *pulumi.Context, cfg *Config) (*Platform, error) {
	account, err := lookupAccount(ctx)
	if err != nil {
		return nil, err
	}
	azs, err := availabilityZones(ctx, cfg)
	if err != nil {
		return nil, err
	}
	plan, err := subnetPlan(cfg, azs)
	if err != nil {
		return nil, err
	}
	p := &Platform{}
	if p.Network, err = network.New(ctx, "network", &network.Args{
		Plan:                  plan,
		NATGateways:           cfg.Network.NATGateways,
		ClusterName:           cfg.Cluster.Name,
		FlowLogsRetentionDays: cfg.Network.FlowLogsRetentionDays,
		AccountID:             account.ID,
		Partition:             account.Partition,
		Region:                cfg.Region,
	}); err != nil {
		return nil, err
	}
	if p.DNS, err = dns.New(ctx, "dns", &dns.Args{
		Domain:       cfg.DNS.Domain,
		ParentZoneID: cfg.DNS.ParentZoneID,
		ForceDestroy: !cfg.IsProd(),
		Protect:      cfg.IsProd(),
	}); err != nil {
		return nil, err
	}
	if p.Certificates, err = certificates.New(ctx, "certificates", &certificates.Args{
		Domain:          cfg.DNS.Domain,
		AdditionalNames: cfg.Certificates.AdditionalNames,
		ZoneID:          p.DNS.ZoneID,
	}); err != nil {
		return nil, err
	}
	if p.Cluster, err = cluster.New(ctx, "cluster", clusterArgs(cfg, account, p.Network)); err != nil {
		return nil, err
	}
	if p.Addons, err = addons.New(ctx, "addons", &addons.Args{
		Config:            cfg.Addons,
		Prod:              cfg.IsProd(),
		Account:           addons.Account{ID: account.ID, Partition: account.Partition, Region: cfg.Region},
		ClusterName:       cfg.Cluster.Name,
		ClusterNameOutput: p.Cluster.ClusterName,
		KubernetesVersion: cfg.Cluster.KubernetesVersion,
		VpcID:             p.Network.VpcID,
		Domain:            cfg.DNS.Domain,
		ZoneID:            p.DNS.ZoneID,
		CertificateArn:    p.Certificates.CertificateArn,
		PlatformKeyArn:    p.Cluster.SecretsKeyArn,
		Provider:          p.Cluster.Provider,
		Nodes:             p.Cluster.NodeGroups,
	}); err != nil {
		return nil, err
	}
	if err := gitops(ctx, cfg, account, p); err != nil {
		return nil, err
	}
	p.Outputs = outputs(cfg, p)
	for k, v := range p.Outputs {
		ctx.Export(k, v)
	}
	return p, nil
}

// gitops adds the GitHub integration and Argo CD.
func gitops(ctx *pulumi.Context, cfg *Config, account Account, p *Platform) error {
	g := cfg.GitHub
	if g.Owner == "" {
		return nil
	}
	var err error
	if p.GitHub, err = githubint.New(ctx, "github", &githubint.Args{
		Owner: g.Owner, GitOpsRepo: g.GitOpsRepo, InfraRepo: g.InfraRepo,
		Stack: cfg.Stack, Cluster: cfg.Cluster.Name, Region: cfg.Region,
		CISubjects: cfg.CISubjects(), CIPolicyArns: g.CIPolicyArns, OIDCProviderArn: g.OIDCProviderArn,
		ReviewerTeams: g.ReviewerTeams, KeyArn: p.Cluster.SecretsKeyArn,
		Partition: account.Partition, AccountID: account.ID,
	}); err != nil {
		return err
	}
	a := cfg.ArgoCD
	if !a.Enabled {
		return nil
	}
	annotations := addons.ALBIngressAnnotations(p.Certificates.CertificateArn, "/healthz")
	annotations["alb.ingress.kubernetes.io/backend-protocol"] = "HTTP"
	p.ArgoCD, err = argocd.New(ctx, "argocd", &argocd.Args{
		Cluster: cfg.Cluster.Name, Domain: cfg.DNS.Domain, CertificateArn: p.Certificates.CertificateArn,
		Provider: p.Cluster.Provider, Replicas: a.ReplicasFor(cfg.IsProd()),
		ClientID: a.ClientID, ClientSecret: config.GetSecret(ctx, ArgoCDSecretKey),
		Org: g.Owner, Teams: a.Teams, Roles: cfg.ArgoCDRoles(),
		RepoURL: p.GitHub.RepoURL, Path: a.Path, Revision: a.Revision,
		DestinationNamespaces:  a.DestinationNamespaces,
		DeployKeyParameter:     p.GitHub.DeployKeyParameter,
		ClientSecretParameter:  addons.ParameterPath(cfg.Cluster.Name) + "argocd/dex-github-client-secret",
		KeyArn:                 p.Cluster.SecretsKeyArn,
		IngressAnnotations:     annotations,
		ExtraValues:            a.ExtraValues,
		LoadBalancerController: p.Addons.LoadBalancerController,
		ParameterStore:         p.Addons.ParameterStore,
		Protect:                cfg.IsProd(),
	})
	return err
}

func clusterArgs(cfg *Config, account Account, n *network.Network) *cluster.Args {
	var groups []cluster.NodeGroup
	for _, ng := range cfg.Cluster.NodeGroups {
		groups = append(groups, cluster.NodeGroup(ng))
	}
	keyWindow := 7
	if cfg.IsProd() {
		keyWindow = 30
	}
	return &cluster.Args{
		Name:                  cfg.Cluster.Name,
		KubernetesVersion:     cfg.Cluster.KubernetesVersion,
		VpcID:                 n.VpcID,
		PrivateSubnetIDs:      n.PrivateSubnetIDs,
		PublicAccessCIDRs:     cfg.Cluster.PublicAccessCIDRs,
		AdminRoleARNs:         cfg.Cluster.AdminRoleARNs,
		LogRetentionDays:      cfg.Cluster.LogRetentionDays,
		KeyDeletionWindowDays: keyWindow,
		NodeGroups:            groups,
		Partition:             account.Partition,
		Protect:               cfg.IsProd(),
	}
}

// outputs are what a user needs next: the kubeconfig, where to delegate DNS, the certificate,
// and the network ids other stacks or tools attach to.
func outputs(cfg *Config, p *Platform) pulumi.Map {
	out := pulumi.Map{
		"environment":                   pulumi.String(string(cfg.Environment)),
		"region":                        pulumi.String(cfg.Region),
		"vpcId":                         p.Network.VpcID,
		"publicSubnetIds":               p.Network.PublicSubnetIDs,
		"privateSubnetIds":              p.Network.PrivateSubnetIDs,
		"natGatewayIds":                 p.Network.NatGatewayIDs,
		"domain":                        pulumi.String(cfg.DNS.Domain),
		"zoneId":                        p.DNS.ZoneID,
		"nameServers":                   p.DNS.NameServers,
		"dnsDelegation":                 p.DNS.Delegation,
		"certificateArn":                p.Certificates.CertificateArn,
		"clusterName":                   p.Cluster.ClusterName,
		"clusterEndpoint":               p.Cluster.Endpoint,
		"kubeconfig":                    p.Cluster.Kubeconfig,
		"oidcProviderArn":               p.Cluster.OidcProviderArn,
		"oidcProviderUrl":               p.Cluster.OidcProviderURL,
		"nodeRoleArn":                   p.Cluster.NodeRoleArn,
		"nodeSecurityGroupId":           p.Cluster.NodeSecurityGroupID,
		"secretsKeyArn":                 p.Cluster.SecretsKeyArn,
		"parameterPath":                 p.Addons.ParameterPath,
		"grafanaUrl":                    p.Addons.GrafanaURL,
		"grafanaAdminPasswordParameter": p.Addons.GrafanaAdminPasswordParameter,
	}
	if p.GitHub != nil {
		out["ciRoleArn"] = p.GitHub.CIRoleArn
		out["deployKeyParameter"] = p.GitHub.DeployKeyParameter
	}
	if p.ArgoCD != nil {
		out["argocdUrl"] = p.ArgoCD.URL
		out["githubOAuthHomepageUrl"] = p.ArgoCD.URL
		out["githubOAuthCallbackUrl"] = p.ArgoCD.CallbackURL
	}
	return out
}

func lookupAccount(ctx *pulumi.Context) (Account, error) {
	id, err := aws.GetCallerIdentity(ctx, nil)
	if err != nil {
		return Account{}, fmt.Errorf("looking up the AWS account (are AWS credentials set?): %w", err)
	}
	partition := "aws"
	if parts := strings.SplitN(id.Arn, ":", 3); len(parts) == 3 && parts[0] == "arn" {
		partition = parts[1]
	}
	return Account{ID: id.AccountId, Partition: partition}, nil
}

// availabilityZones are the configured zones, or the region's first azCount zones that need no
// opt-in (local and wavelength zones do).
func availabilityZones(ctx *pulumi.Context, cfg *Config) ([]string, error) {
	if len(cfg.Network.AvailabilityZones) > 0 {
		return cfg.Network.AvailabilityZones, nil
	}
	res, err := aws.GetAvailabilityZones(ctx, &aws.GetAvailabilityZonesArgs{
		State: pulumi.StringRef("available"),
		Filters: []aws.GetAvailabilityZonesFilter{{
			Name: "opt-in-status", Values: []string{"opt-in-not-required"},
		}},
	})
	if err != nil {
		return nil, fmt.Errorf("looking up the availability zones of %s: %w", cfg.Region, err)
	}
	if len(res.Names) < cfg.Network.AZCount {
		return nil, fmt.Errorf("%s:network.azCount is %d but %s has only %d availability zones (%s)",
			Namespace, cfg.Network.AZCount, cfg.Region, len(res.Names), strings.Join(res.Names, ", "))
	}
	return res.Names[:cfg.Network.AZCount], nil
}

func subnetPlan(cfg *Config, azs []string) (network.Plan, error) {
	if s := cfg.Network.Subnets; s != nil {
		return network.PlanOverride(cfg.Network.CIDR, azs, s.Public, s.Private)
	}
	return network.PlanSubnets(cfg.Network.CIDR, azs)
}
