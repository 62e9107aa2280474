package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/example/platform/components/databases/dbplan"
	"github.com/example/platform/components/network/netplan"
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
		Account:            contract.Account{Partition: partition, Region: c.Region},
		Cluster:            c.validClusterName(errs),
		// Teams' namespaces stay outside what the platform's Argo CD project reaches.
		PlatformDestinations: c.platformDestinations(),
	}) {
		errs.add(Namespace+":teams"+p.Path, p.Msg)
	}
	c.validateDatabases(errs)
	c.validateTeamReach(errs)
}

// validClusterName is the cluster's name, or "" when it has an error of its own (what derives
// from it is then not judged again).
func (c *Config) validClusterName(errs *Errors) string {
	if errs.has(Namespace + ":cluster.name") {
		return ""
	}
	return c.Cluster.Name
}

// platformDestinations are the platform Argo CD project's destination namespaces (none
// without Argo CD).
func (c *Config) platformDestinations() []string {
	if !c.ArgoCD.Enabled {
		return nil
	}
	// A pattern that is refused has its own error; the teams are judged against the others.
	var out []string
	for _, d := range c.ArgoCD.DestinationNamespaces {
		if nsPattern.MatchString(d) && platformNamespaceReached(d) == "" {
			out = append(out, d)
		}
	}
	return out
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
	c.validateDatabaseSlots(errs)
	for i, t := range c.Teams {
		if len(t.Databases) == 0 {
			continue
		}
		p := fmt.Sprintf("%s:teams[%d]", Namespace, i)
		if s := c.Network.Subnets; s != nil && len(s.Database) == 0 && !errs.has(Namespace+":network.subnets") {
			errs.add(p+".databases", "needs database subnets, and platform:network.subnets sets the layout without any: add platform:network.subnets.database, one range per availability zone (each team's /28s are cut from it)")
		}
		if !dnsLabel.MatchString(t.Name) {
			continue // the team's name is no DNS label (its own error): the identifiers made from it are judged once it is
		}
		for _, problem := range dbplan.Validate(cluster, t.Name, t.Namespaces, t.Databases, c.today(), identifiers) {
			errs.add(p+problem.Path, problem.Msg)
		}
		for _, problem := range dbplan.ValidateRestores(t.Databases, dbplan.RestoreRules{Cluster: cluster, Team: t.Name, Region: c.Region,
			Partition: contract.PartitionOfRegion(c.Region), Now: c.today(), Settings: c.Policy().Database}) {
			errs.add(p+problem.Path, problem.Msg)
		}
		for j, db := range t.Databases {
			if db.IAMAuthentication && len(t.Policies.ManagedPolicyArns) == 0 && t.Policies.Document == "" {
				errs.add(fmt.Sprintf("%s.databases[%d].iamAuthentication", p, j), "needs the team's workload role, which logs in: give the team policies (platform:teams[].policies)")
			}
		}
	}
}

// validateDatabaseSlots: every team with databases has a slot of its own inside the VPC's
// database ranges; its database subnets (and so its network policy) follow from it.
func (c *Config) validateDatabaseSlots(errs *Errors) {
	slots := c.databaseSlotCount()
	if slots <= 0 {
		return // the network's own keys, or the databases' (no database ranges), say what is wrong
	}
	taken := map[int]string{}
	for _, t := range c.Teams {
		if t.DatabaseSlot != nil {
			taken[*t.DatabaseSlot] = t.Name
		}
	}
	free := func() int {
		for s := 0; s < slots; s++ {
			if taken[s] == "" {
				return s
			}
		}
		return -1
	}
	seen := map[int]string{}
	for i, t := range c.Teams {
		key := fmt.Sprintf("%s:teams[%d].databaseSlot", Namespace, i)
		switch s := t.DatabaseSlot; {
		case s == nil && len(t.Databases) > 0 && free() >= 0:
			errs.add(key, fmt.Sprintf("is required for a team with databases: the place of its own database subnets in the VPC's database ranges (0 to %d), one per team and never changed; %d is free", slots-1, free()))
		case s == nil && len(t.Databases) > 0:
			errs.add(key, fmt.Sprintf("is required for a team with databases, and all %d slots of the VPC's database ranges are taken: widen platform:network.cidr or platform:network.subnets.database", slots))
		case s == nil:
		case *s < 0 || *s >= slots:
			errs.add(key, fmt.Sprintf("%d is outside the VPC's database ranges, which hold slots 0 to %d (a /28 per AZ each)", *s, slots-1))
		case seen[*s] != "":
			errs.add(key, fmt.Sprintf("%d is already the slot of %s; each team has its own", *s, seen[*s]))
		default:
			seen[*s] = fmt.Sprintf("team %q", t.Name)
		}
	}
}

// databaseSlotCount is how many teams the VPC's database ranges hold, or -1 when the network
// config is too wrong to say.
func (c *Config) databaseSlotCount() int {
	n := c.Network
	if n.AZCount < netplan.MinAZs || n.AZCount > netplan.MaxAZs {
		return -1
	}
	azs := make([]string, n.AZCount)
	var p netplan.Plan
	var err error
	if s := n.Subnets; s != nil {
		p, err = netplan.PlanOverride(n.CIDR, azs, s.Public, s.Private, s.Database)
	} else {
		p, err = netplan.PlanSubnets(n.CIDR, azs)
	}
	if err != nil {
		return -1
	}
	return netplan.DatabaseSlots(p)
}

// DatabaseSlots are the teams with databases and their slots.
func (c *Config) DatabaseSlots() map[string]int {
	out := map[string]int{}
	for _, t := range c.Teams {
		if len(t.Databases) > 0 && t.DatabaseSlot != nil {
			out[t.Name] = *t.DatabaseSlot
		}
	}
	return out
}

// Databases are every team's databases with the environment's defaults applied, in config order.
func (c *Config) Databases() []dbplan.Instance {
	var out []dbplan.Instance
	for _, t := range c.Teams {
		out = append(out, dbplan.ResolveTeam(c.Cluster.Name, t.Name, t.Namespaces, t.Databases, c.Policy().Database)...)
	}
	return out
}

// validateTeamReach: a team without internet egress reaches AWS only through the stack's VPC
// endpoints, so each service its policies use needs one (S3's gateway endpoint is always
// there), and a service no endpoint serves needs internet egress. Refused here, not at run
// time, where the SDK's calls would time out.
func (c *Config) validateTeamReach(errs *Errors) {
	have := map[string]bool{}
	for _, e := range c.Network.Endpoints {
		have[e] = true
	}
	for i, t := range c.Teams {
		if t.InternetEgress {
			continue
		}
		p := fmt.Sprintf("%s:teams[%d]", Namespace, i)
		if errs.hasUnder(p + ".policies") {
			continue // its policies are wrong: what they reach is judged once they are right
		}
		r := teamplan.Reach(t)
		var missing []string
		for _, e := range slices.Sorted(maps.Keys(r.Endpoints)) {
			if !have[e] {
				missing = append(missing, fmt.Sprintf("%q (for %s)", e, strings.Join(r.Endpoints[e], ", ")))
			}
		}
		if len(missing) > 0 {
			errs.add(Namespace+":network.endpoints", fmt.Sprintf("lacks %s, which team %s's policies need without internet egress (%s.internetEgress is false): add them, or give the team internet egress",
				strings.Join(missing, ", "), t.Name, p))
		}
		if len(r.InternetOnly) > 0 {
			errs.add(p+".internetEgress", fmt.Sprintf("is false, yet team %s's policies use %s, which no VPC endpoint of the platform serves (it offers %s, and S3 through its gateway): set internetEgress: true, or drop those actions",
				t.Name, strings.Join(r.InternetOnly, ", "), strings.Join(slices.Sorted(maps.Keys(netplan.Endpoints)), ", ")))
		}
	}
}
