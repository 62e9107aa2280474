package stacks

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/addons"
	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/contract"
)

// addonsConfig resolves the addons' config blocks with the environment's policy: replica
// counts, ExternalDNS's record policy and what is protected are decided here, once.
func addonsConfig(a config.AddonsConfig, policy config.Policy) addons.Config {
	helm := func(b config.AddonBase) addons.Helm {
		return addons.Helm{Enabled: b.Enabled, Replicas: b.ReplicasOr(policy), ExtraValues: b.ExtraValues}
	}
	store := func(s config.StoreConfig) addons.Store {
		return addons.Store{Helm: helm(s.AddonBase), RetentionDays: s.RetentionDays, Protect: policy.Protect, ForceDestroy: policy.ForceDestroy}
	}
	// ExternalDNS has no leader election and single-binary Tempo forms no ring: each runs
	// exactly one replica whatever the environment (config refuses any other count).
	one := func(b config.AddonBase) addons.Helm {
		h := helm(b)
		h.Replicas = 1
		return h
	}
	tempo := store(a.Tempo)
	tempo.Helm = one(a.Tempo.AddonBase)
	// Loki replicates writes to a quorum of its replication factor: 2 replicas would be no HA
	// (factor 1: a lost pod's unflushed logs are lost; factor 2: writes stop with one pod).
	// Where the environment wants more than one, Loki runs 3 with factor 3.
	loki := store(a.Loki)
	if a.Loki.Replicas == nil && loki.Replicas == 2 {
		loki.Replicas = 3
	}
	return addons.Config{
		LoadBalancerController: helm(a.LoadBalancerController),
		ExternalDNS:            addons.ExternalDNS{Helm: one(a.ExternalDNS.AddonBase), Policy: a.ExternalDNS.PolicyOr(policy)},
		ExternalSecrets: addons.ExternalSecrets{Helm: helm(a.ExternalSecrets.AddonBase),
			SecretsManager: a.ExternalSecrets.SecretsManager, Protect: policy.Protect},
		ClusterAutoscaler: helm(a.ClusterAutoscaler),
		EBSCSI:            addons.EBSCSI{Enabled: a.EBSCSI.Enabled, ReclaimPolicy: a.EBSCSI.ReclaimPolicyOr(policy)},
		MetricsServer:     addons.MetricsServer{Enabled: a.MetricsServer.Enabled},
		Monitoring: addons.Monitoring{Helm: helm(a.Monitoring.AddonBase),
			RetentionDays: a.Monitoring.RetentionDays, StorageGiB: a.Monitoring.StorageGiB,
			Receiver: a.Monitoring.Alerting.Receiver, Heartbeat: a.Monitoring.Alerting.Heartbeat},
		Loki:  loki,
		Tempo: tempo,
	}
}

// withGrafanaSSO adds Grafana's GitHub login: the platform's teams with role:admin in Argo CD
// are Admins of every organization, its other teams Viewers of the platform's, each product
// team's GitHub team platform:addons.monitoring.sso.teamRole in its own organization.
func withGrafanaSSO(c addons.Config, cfg *config.Config) addons.Config {
	sso := cfg.Addons.Monitoring.SSO
	if sso.ClientID == "" {
		return c
	}
	s := addons.GrafanaSSO{ClientID: sso.ClientID, Org: cfg.GitHub.Owner, Teams: tenants(cfg), TeamRole: sso.TeamRole}
	if s.TeamRole == "" {
		s.TeamRole = "Viewer"
	}
	roles := cfg.ArgoCDRoles()
	for _, t := range cfg.ArgoCD.Teams {
		if roles[t] == "role:admin" {
			s.Admins = append(s.Admins, t)
		} else {
			s.Viewers = append(s.Viewers, t)
		}
	}
	c.Monitoring.SSO = s
	return c
}

// tenants are the product teams as the observability stack separates them.
func tenants(cfg *config.Config) []addons.Tenant {
	var out []addons.Tenant
	for _, t := range cfg.Teams {
		out = append(out, addons.Tenant{Name: t.Name, Namespaces: t.Namespaces, GitHubTeam: t.GitHubTeam})
	}
	return out
}

// outputs are what a user needs next: the kubeconfig, where to delegate DNS, the certificate,
// and the network ids other stacks or tools attach to.
func outputs(cfg *config.Config, p *Platform) pulumi.Map {
	out := pulumi.Map{
		"environment":                   pulumi.String(string(cfg.Environment)),
		"region":                        pulumi.String(cfg.Region),
		"vpcId":                         p.Network.VpcID,
		"publicSubnetIds":               p.Network.PublicSubnetIDs,
		"privateSubnetIds":              p.Network.PrivateSubnetIDs,
		"domain":                        pulumi.String(cfg.DNS.Domain),
		"zoneId":                        p.DNS.ZoneID,
		"nameServers":                   p.DNS.NameServers,
		"dnsDelegation":                 p.DNS.Delegation,
		"certificateArn":                p.Certificates.CertificateArn,
		contract.OutputClusterName:      p.Cluster.ClusterName,
		"clusterEndpoint":               p.Cluster.Endpoint,
		contract.OutputKubeconfig:       p.Cluster.Kubeconfig,
		"oidcProviderArn":               p.Cluster.OidcProviderArn,
		"oidcProviderUrl":               p.Cluster.OidcProviderURL,
		"nodeRoleArn":                   p.Cluster.NodeRoleArn,
		"nodeSecurityGroupId":           p.Cluster.NodeSecurityGroupID,
		"secretsKeyArn":                 p.Cluster.SecretsKeyArn,
		"parameterPath":                 p.Addons.ParameterPath,
		"grafanaUrl":                    p.Addons.GrafanaURL,
		"alarmTopicArn":                 p.Alarms.TopicArn,
		"grafanaAdminPasswordParameter": p.Addons.GrafanaAdminPasswordParameter,
	}
	// The stack's egress: its NAT gateways, or the NAT instance (natGateways: instance).
	if cfg.Network.NATGateways == config.NATInstance {
		out["natInstanceId"] = p.Network.NatInstanceID
	} else {
		out["natGatewayIds"] = p.Network.NatGatewayIDs
	}
	if p.GitHub != nil {
		out["ciRoleArn"] = p.GitHub.CIRoleArn
		out["deployKeyParameter"] = p.GitHub.DeployKeyParameter
	}
	if p.Teams != nil {
		out["teams"] = p.Teams.Outputs
	}
	// Always exported (empty without teams): the next deployment's removal guard reads it.
	out[contract.OutputTeamData] = teamDataOutput(cfg)
	if p.Databases != nil {
		out["databases"] = p.Databases.Databases
	}
	if p.Access != nil {
		out["access"] = accessOutputs(p)
	}
	if p.Backup != nil {
		out["backup"] = backupOutputs(p)
	}
	if p.ArgoCD != nil {
		out["argocdUrl"] = p.ArgoCD.URL
		out["githubOAuthHomepageUrl"] = p.ArgoCD.URL
		out["githubOAuthCallbackUrl"] = p.ArgoCD.CallbackURL
	}
	return out
}
