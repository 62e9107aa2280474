// Package stacks is the composition root: it loads and validates the stack's config
// (internal/config), resolves the environment's policy once, composes the platform's
// components for the stack and exports its outputs. main.go runs Program under Pulumi; the
// offline plan and the tests run it under mocks.
package stacks

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumiconfig "github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/example/platform/components/access"
	"github.com/example/platform/components/addons"
	"github.com/example/platform/components/alarms"
	"github.com/example/platform/components/argocd"
	"github.com/example/platform/components/backup"
	"github.com/example/platform/components/boundary"
	"github.com/example/platform/components/certificates"
	"github.com/example/platform/components/cluster"
	"github.com/example/platform/components/databases"
	"github.com/example/platform/components/dns"
	"github.com/example/platform/components/githubint"
	"github.com/example/platform/components/githubint/ghplan"
	"github.com/example/platform/components/logskey"
	"github.com/example/platform/components/network"
	"github.com/example/platform/components/network/netplan"
	"github.com/example/platform/components/runners"
	"github.com/example/platform/components/teams"
	"github.com/example/platform/components/teams/teamplan"
	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/contract"
)

// Platform is one stack's composed components.
type Platform struct {
	Boundary     *boundary.Boundary
	LogsKey      *logskey.LogsKey
	Network      *network.Network
	Alarms       *alarms.Alarms
	DNS          *dns.DNS
	Certificates *certificates.Certificates
	Cluster      *cluster.Cluster
	Addons       *addons.Addons
	GitHub       *githubint.GitHubIntegration // nil without platform:github
	ArgoCD       *argocd.ArgoCD               // nil when disabled
	Teams        *teams.Teams                 // nil without platform:teams
	Databases    *databases.Databases         // nil when no team has a database
	// Access is Session Manager access (nil when disabled); DatabaseAccess its team database
	// sessions (nil also without databases).
	Access         *access.Access
	DatabaseAccess *access.DatabaseAccess
	Backup         *backup.Backup // nil when platform:backup.enabled is false
	// Runners are the CodeBuild runners (nil unless platform:github.runners is "codebuild").
	Runners *runners.Runners
	// Outputs are the stack outputs, as exported.
	Outputs pulumi.Map
}

// Load reads and validates the stack's config from the running Pulumi program. Nothing is
// registered when it fails.
func Load(ctx *pulumi.Context) (*config.Config, error) {
	values := map[string]string{}
	keys := append(append([]string{config.RegionKey}, config.PrefixedKeys()...), config.ProviderKeys...)
	for _, k := range keys {
		if v := pulumiconfig.Get(ctx, k); v != "" {
			values[k] = v
		}
	}
	// The Pulumi SDK offers no way to list config keys, but the CLI hands the program its whole
	// config in PULUMI_CONFIG: a misspelled platform:* key shows up there and is refused
	// rather than silently ignored.
	var all map[string]string
	if raw := os.Getenv(pulumi.EnvConfig); raw != "" && json.Unmarshal([]byte(raw), &all) == nil {
		for k := range all {
			if _, read := values[k]; !read && strings.HasPrefix(k, config.Namespace+":") {
				values[k] = all[k]
			}
		}
	}
	secret := map[string]bool{}
	for k := range values {
		secret[k] = ctx.IsConfigSecret(k)
	}
	cfg, err := config.Decode(ctx.Project(), ctx.Stack(), values, secret)
	if err != nil {
		return nil, err
	}
	// `pulumi preview` shows these above the plan (a version in extended support costs more).
	for _, w := range cfg.Warnings() {
		if err := ctx.Log.Warn(w, nil); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// Program is the whole Pulumi program: load and validate the config, then compose the platform.
func Program(ctx *pulumi.Context) (pulumi.Map, error) {
	cfg, err := Load(ctx)
	if err != nil {
		return nil, err
	}
	previous, err := previousTeamData(ctx)
	if err != nil {
		return nil, err
	}
	if err := cfg.CheckRemovedTeams(previous); err != nil {
		return nil, err
	}
	p, err := Run(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return p.Outputs, nil
}

// Run composes the platform for cfg and exports the stack outputs.
func Run(ctx *pulumi.Context, cfg *config.Config) (*Platform, error) {
	policy := cfg.Policy()
	account, err := lookupAccount(ctx, cfg.Region)
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
	// Every role below carries this boundary, so it comes first.
	if p.Boundary, err = boundary.New(ctx, "boundary", &boundary.Args{Account: account, Cluster: cfg.Cluster.Name}); err != nil {
		return nil, err
	}
	// Every log group below is encrypted with the stack's logs key, so it comes before them.
	if p.LogsKey, err = logskey.New(ctx, "logs", &logskey.Args{
		Account: account, Cluster: cfg.Cluster.Name,
		LogGroups: append([]string{contract.FlowLogGroupPrefix("network") + "*", contract.ControlPlaneLogGroup(cfg.Cluster.Name),
			contract.DatabaseLogGroups(cfg.Cluster.Name)}, runnerLogGroups(cfg)...),
		DeletionWindowDays: policy.KeyDeletionWindowDays, Protect: policy.Protect,
	}); err != nil {
		return nil, err
	}
	// Every CloudWatch alarm of the stack notifies this topic (the NAT instance's, in the network, too).
	if p.Alarms, err = alarms.New(ctx, "alarms", &alarms.Args{
		Cluster: cfg.Cluster.Name, Email: cfg.Addons.Monitoring.Alerting.AlarmEmail,
	}); err != nil {
		return nil, err
	}
	if p.Network, err = network.New(ctx, "network", &network.Args{
		Plan:                  plan,
		NATGateways:           cfg.Network.NATGateways,
		AlarmTopicArn:         p.Alarms.TopicArn,
		Endpoints:             cfg.Network.Endpoints,
		ClusterName:           cfg.Cluster.Name,
		FlowLogsRetentionDays: cfg.Network.FlowLogsRetentionDays,
		KeepFlowLogs:          policy.KeepOnDestroy,
		Account:               account,
		PermissionsBoundary:   p.Boundary.Arn,
		DatabaseSlots:         cfg.DatabaseSlots(),
		LogsKeyArn:            p.LogsKey.Arn,
	}); err != nil {
		return nil, err
	}
	if p.DNS, err = dns.New(ctx, "dns", &dns.Args{
		Domain:       cfg.DNS.Domain,
		ParentZoneID: cfg.DNS.ParentZoneID, KeepDelegation: policy.KeepOnDestroy,
		ForceDestroy: policy.ForceDestroy,
		Protect:      policy.Protect,
	}); err != nil {
		return nil, err
	}
	if p.Certificates, err = certificates.New(ctx, "certificates", &certificates.Args{
		Zone:            p.DNS.Handle(),
		AdditionalNames: cfg.Certificates.AdditionalNames,
		AlarmTopicArn:   p.Alarms.TopicArn, Cluster: cfg.Cluster.Name,
	}); err != nil {
		return nil, err
	}
	if p.Cluster, err = cluster.New(ctx, "cluster", &cluster.Args{
		Name:                  cfg.Cluster.Name,
		KubernetesVersion:     cfg.Cluster.KubernetesVersion,
		Network:               p.Network.Handle(),
		PublicAccessCIDRs:     cfg.Cluster.PublicAccessCIDRs,
		AdminRoleARNs:         cfg.Cluster.AdminRoleARNs,
		LogRetentionDays:      cfg.Cluster.LogRetentionDays,
		KeepLogs:              policy.KeepOnDestroy,
		KeyDeletionWindowDays: policy.KeyDeletionWindowDays,
		NodeGroups:            cfg.Cluster.NodeGroups,
		Account:               account,
		Protect:               policy.Protect,
		PermissionsBoundary:   p.Boundary.Arn,
		LogsKeyArn:            p.LogsKey.Arn,
	}); err != nil {
		return nil, err
	}
	// The cluster's provider reaches every Kubernetes object of the components below through
	// the component: none of their children can fall back to the ambient kubeconfig.
	inCluster := pulumi.Providers(p.Cluster.Provider)
	if p.Addons, err = addons.New(ctx, "addons", &addons.Args{
		Cluster: p.Cluster.Handle(), Network: p.Network.Handle(), Zone: p.DNS.Handle(), Certificate: p.Certificates.Handle(),
		Account: account,
		Config:  withHelmRepository(withGrafanaSSO(addonsConfig(cfg.Addons, policy), cfg), cfg.Helm.Repository), PermissionsBoundary: p.Boundary.Arn,
		Tenants: tenants(cfg),
	}, inCluster); err != nil {
		return nil, err
	}
	if err := gitops(ctx, cfg, policy, account, p, inCluster); err != nil {
		return nil, err
	}
	if p.Teams, err = newTeams(ctx, cfg, policy, account, plan, p, inCluster); err != nil {
		return nil, err
	}
	if p.Access, err = newAccess(ctx, cfg, account, p); err != nil {
		return nil, err
	}
	if dbs := cfg.Databases(); len(dbs) > 0 {
		if p.Databases, err = databases.New(ctx, "databases", &databases.Args{
			Instances: dbs, Network: p.Network.Handle(), Cluster: p.Cluster.Handle(), Teams: p.Teams.Handle(),
			Addons: p.Addons.Handle(), Account: account,
			Protect: policy.Protect, KeyDeletionWindowDays: policy.KeyDeletionWindowDays,
			AlarmTopicArn: p.Alarms.TopicArn, LogsKeyArn: p.LogsKey.Arn,
			AccessSecurityGroupID: p.accessSecurityGroup(),
		}, inCluster); err != nil {
			return nil, err
		}
	}
	if p.DatabaseAccess, err = newDatabaseAccess(ctx, cfg, account, p); err != nil {
		return nil, err
	}
	if p.Backup, err = newBackup(ctx, cfg, account, p); err != nil {
		return nil, err
	}
	if p.Runners, err = newRunners(ctx, cfg, account, p); err != nil {
		return nil, err
	}
	p.Outputs = outputs(cfg, p)
	for k, v := range p.Outputs {
		ctx.Export(k, v)
	}
	return p, nil
}

// gitops adds the GitHub integration and Argo CD.
func gitops(ctx *pulumi.Context, cfg *config.Config, policy config.Policy, account contract.Account, p *Platform, inCluster pulumi.ResourceOption) error {
	g := cfg.GitHub
	if g.Owner == "" {
		return nil
	}
	var err error
	if p.GitHub, err = githubint.New(ctx, "github", &githubint.Args{
		Owner: g.Owner, GitOpsRepo: g.GitOpsRepo, InfraRepo: g.InfraRepo,
		Stack: cfg.Stack, Cluster: p.Cluster.Handle(),
		CISubjects: cfg.CISubjects(), CIPolicyArns: g.CIPolicyArns, OIDCProviderArn: g.OIDCProviderArn,
		ReviewerTeams: g.ReviewerTeams, Account: account,
		DeployBranch: policy.DeployRef.Branch, DeployTag: policy.DeployRef.Tag,
		Zone: p.DNS.Handle(), ParentZoneID: cfg.DNS.ParentZoneID, PermissionsBoundary: p.Boundary.Arn, VpcID: p.Network.Handle().VpcID,
		ProtectRepositories: cfg.ProtectsRepositories(), AdminTeams: cfg.AdminTeams(), TeamDirs: teamDirs(cfg),
		RunnerGroup: cfg.UsesRunnerGroup(), BackupCopyRegion: cfg.Backup.CopyRegion,
	}); err != nil {
		return err
	}
	a := cfg.ArgoCD
	if !a.Enabled {
		return nil
	}
	p.ArgoCD, err = argocd.New(ctx, "argocd", &argocd.Args{
		Cluster: p.Cluster.Handle(), Zone: p.DNS.Handle(), Certificate: p.Certificates.Handle(),
		GitHub: p.GitHub.Handle(), Addons: p.Addons.Handle(),
		Replicas: a.ReplicasOr(policy),
		ClientID: a.ClientID, ClientSecret: pulumiconfig.GetSecret(ctx, config.ArgoCDSecretKey),
		Org: g.Owner, Teams: cfg.ArgoCDLoginTeams(), Roles: cfg.ArgoCDRoles(),
		Path: a.Path, Revision: a.Revision,
		DestinationNamespaces: a.DestinationNamespaces,
		ExtraValues:           a.ExtraValues,
		Protect:               policy.Protect,
		HelmRepository:        cfg.Helm.Repository,
	}, inCluster)
	return err
}

// teamDirs are the teams' directories in the GitOps repository and their GitHub teams.
func teamDirs(cfg *config.Config) []ghplan.TeamDir {
	var out []ghplan.TeamDir
	for _, t := range cfg.Teams {
		out = append(out, ghplan.TeamDir{Team: t.Name, GitHubTeam: t.GitHubTeam})
	}
	return out
}

// newTeams adds the product teams (nil without platform:teams).
func newTeams(ctx *pulumi.Context, cfg *config.Config, policy config.Policy, account contract.Account, plan netplan.Plan, p *Platform, inCluster pulumi.ResourceOption) (*teams.Teams, error) {
	if len(cfg.Teams) == 0 {
		return nil, nil
	}
	var public []string
	for _, s := range plan.Public {
		public = append(public, s.CIDR)
	}
	aws, err := teamsAWSNetwork(ctx, cfg, p)
	if err != nil {
		return nil, err
	}
	args := &teams.Args{
		Teams: cfg.Teams, Cluster: p.Cluster.Handle(), PublicSubnetCIDRs: public,
		DatabaseSubnetCIDRs: p.Network.Handle().DatabaseSubnetCIDRs, AWS: aws,
		Certificate: p.Certificates.Handle(), Zone: p.DNS.Handle(), Addons: p.Addons.Handle(), Account: account,
		PermissionsBoundary: p.Boundary.TeamArn, ForceDelete: policy.ForceDestroy,
		Revision: cfg.ArgoCD.TeamsRevision, Stack: cfg.Stack, AutoSyncApps: cfg.ArgoCD.AutoSyncApps,
	}
	if p.ArgoCD != nil {
		args.ArgoCD = p.ArgoCD.Handle()
	}
	if p.GitHub != nil {
		args.GitHub = p.GitHub.Handle()
	}
	return teams.New(ctx, "teams", args, inCluster)
}

// teamsAWSNetwork is where the teams' pods reach AWS inside the VPC: the interface endpoints'
// subnets, and S3's addresses (looked up only when a team without internet egress uses S3).
func teamsAWSNetwork(ctx *pulumi.Context, cfg *config.Config, p *Platform) (teamplan.AWSNetwork, error) {
	out := teamplan.AWSNetwork{EndpointSubnets: p.Network.Handle().EndpointSubnetCIDRs}
	for _, t := range cfg.Teams {
		if t.InternetEgress || !teamplan.Reach(t).S3 {
			continue
		}
		name := netplan.EndpointService(cfg.Region, "s3")
		list, err := ec2.GetPrefixList(ctx, &ec2.GetPrefixListArgs{Name: &name})
		if err != nil {
			return out, fmt.Errorf("looking up S3's addresses (prefix list %s) for team %s, which uses S3 without internet egress: %w", name, t.Name, err)
		}
		out.S3 = list.CidrBlocks
		break
	}
	return out, nil
}

func lookupAccount(ctx *pulumi.Context, region string) (contract.Account, error) {
	id, err := aws.GetCallerIdentity(ctx, nil)
	if err != nil {
		return contract.Account{}, fmt.Errorf("looking up the AWS account (are AWS credentials set?): %w", err)
	}
	return contract.Account{ID: id.AccountId, Partition: contract.PartitionOf(id.Arn), Region: region}, nil
}

// availabilityZones are the configured zones, or the region's first azCount zones that need no
// opt-in (local and wavelength zones do).
func availabilityZones(ctx *pulumi.Context, cfg *config.Config) ([]string, error) {
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
			config.Namespace, cfg.Network.AZCount, cfg.Region, len(res.Names), strings.Join(res.Names, ", "))
	}
	return res.Names[:cfg.Network.AZCount], nil
}

func subnetPlan(cfg *config.Config, azs []string) (netplan.Plan, error) {
	if s := cfg.Network.Subnets; s != nil {
		return netplan.PlanOverride(cfg.Network.CIDR, azs, s.Public, s.Private, s.Database)
	}
	return netplan.PlanSubnets(cfg.Network.CIDR, azs)
}

// withHelmRepository takes every addon's chart from the stack's mirror, if it has one.
func withHelmRepository(c addons.Config, repository string) addons.Config {
	c.HelmRepository = repository
	return c
}
