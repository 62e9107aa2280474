package config

import (
	"encoding/json"
	"fmt"

	"github.com/example/platform/components/databases/dbplan"
	"github.com/example/platform/components/teams/teamplan"
	"github.com/example/platform/internal/contract"
)

// Teams is platform:teams: the product teams sharing the cluster. Each entry decodes over
// DefaultTeam, so a team that sets only its name gets one namespace, the restricted Pod
// Security level, quotas and default limits.
type Teams []teamplan.Team

// UnmarshalJSON decodes each team over the defaults (its name decides its namespace).
func (t *Teams) UnmarshalJSON(b []byte) error {
	var raws []json.RawMessage
	if err := json.Unmarshal(b, &raws); err != nil {
		return err
	}
	out := make(Teams, 0, len(raws))
	for _, raw := range raws {
		team := teamplan.DefaultTeam()
		if err := json.Unmarshal(raw, &team); err != nil {
			return err
		}
		if len(team.Namespaces) == 0 && team.Name != "" {
			team.Namespaces = []string{team.Name}
		}
		out = append(out, team)
	}
	*t = out
	return nil
}

// validateTeams judges the teams against the rest of the stack (platform namespaces, the
// GitHub owner, the admins' access entries).
func (c *Config) validateTeams(errs *Errors) {
	if len(c.Teams) == 0 {
		return
	}
	if !c.Addons.ExternalSecrets.Enabled || !c.Addons.LoadBalancerController.Enabled {
		errs.add(Namespace+":teams", "needs platform:addons.externalSecrets and platform:addons.loadBalancerController enabled: teams get their secrets and ingress through them")
	}
	partition := "aws"
	if c.Region != "" {
		partition = contract.PartitionOfRegion(c.Region)
	}
	// Without platform:github no GitHub rule runs: say here what the teams need it for.
	if c.GitHub.Owner == "" && !c.ArgoCD.Enabled {
		for i, t := range c.Teams {
			if len(t.Repos) > 0 || len(t.Images) > 0 || t.GitHubTeam != "" {
				errs.add(fmt.Sprintf("%s:teams[%d]", Namespace, i), "repos, images and githubTeam need platform:github (the organization's repositories and teams)")
			}
		}
	}
	for _, p := range teamplan.Validate(c.Teams, teamplan.Rules{
		PlatformNamespaces: contract.PlatformNamespaces,
		Owner:              c.GitHub.Owner,
		AdminRoleArns:      c.Cluster.AdminRoleARNs,
		Partition:          partition,
		// Teams' namespaces stay outside what the platform's Argo CD project reaches.
		PlatformDestinations: c.platformDestinations(),
	}) {
		errs.add(Namespace+":teams"+p.Path, p.Msg)
	}
	c.validateDatabases(errs)
}

// platformDestinations are the platform Argo CD project's destination namespaces (none
// without Argo CD).
func (c *Config) platformDestinations() []string {
	if !c.ArgoCD.Enabled {
		return nil
	}
	return c.ArgoCD.DestinationNamespaces
}

// validateDatabases judges every team's databases: each on its own (dbplan.Validate), then
// against the network (database subnets) and the team (a workload role for IAM login).
func (c *Config) validateDatabases(errs *Errors) {
	identifiers := map[string]string{}
	// An invalid cluster name or subnet layout is reported on its own key; the databases'
	// identifiers and subnets are judged once those are right.
	cluster := c.Cluster.Name
	if errs.has(Namespace + ":cluster.name") {
		cluster = "platform"
	}
	for i, t := range c.Teams {
		if len(t.Databases) == 0 {
			continue
		}
		p := fmt.Sprintf("%s:teams[%d]", Namespace, i)
		if s := c.Network.Subnets; s != nil && len(s.Database) == 0 && !errs.has(Namespace+":network.subnets") {
			errs.add(p+".databases", "needs database subnets, and platform:network.subnets sets the layout without any: add platform:network.subnets.database, one CIDR per availability zone")
		}
		for _, problem := range dbplan.Validate(cluster, t.Name, t.Namespaces, t.Databases, c.today(), identifiers) {
			errs.add(p+problem.Path, problem.Msg)
		}
		for j, db := range t.Databases {
			if db.IAMAuthentication && len(t.Policies.ManagedPolicyArns) == 0 && t.Policies.Document == "" {
				errs.add(fmt.Sprintf("%s.databases[%d].iamAuthentication", p, j), "needs the team's workload role, which logs in: give the team policies (platform:teams[].policies)")
			}
		}
	}
}

// Databases are every team's databases with the environment's defaults applied, in config order.
func (c *Config) Databases() []dbplan.Instance {
	var out []dbplan.Instance
	for _, t := range c.Teams {
		for _, db := range t.Databases {
			out = append(out, dbplan.Resolve(c.Cluster.Name, t.Name, t.Namespaces, db, c.Policy().Database))
		}
	}
	return out
}
