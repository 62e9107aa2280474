package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/example/platform/components/teams/teamplan"
)

// A team goes in two steps, so that its data never goes by accident: its name moves from
// platform:teams to platform:retiredTeams (the deployment then deletes its namespaces, their
// volumes, its databases and roles: `platform diff` lists them), and only then may the name
// leave config. The program learns what the last deployment had from its own stack output
// TeamData (read back through a stack reference to the stack itself, before anything is
// registered), because config alone cannot tell a removed team from one never deployed.

// TeamData is what a deployed team holds that a removal deletes: its databases and its
// namespaces, whose volumes go with them (up to the storage quota of each).
type TeamData struct {
	Databases    []string `json:"databases,omitempty"`
	Namespaces   []string `json:"namespaces"`
	StorageQuota string   `json:"storageQuota,omitempty"`
}

// holdsData is whether removing the team can lose data: a database, or a namespace whose quota
// admits volumes.
func (d TeamData) holdsData() bool {
	if len(d.Databases) > 0 {
		return true
	}
	// An unreadable quota is judged as one that admits volumes.
	q, err := teamplan.ParseQuantity(d.StorageQuota)
	return err != nil || q != 0
}

// TeamData is the stack output of the same name: each team's data, as this deployment leaves it.
func (c *Config) TeamData() map[string]TeamData {
	out := map[string]TeamData{}
	for _, t := range c.Teams {
		d := TeamData{Namespaces: t.Namespaces, StorageQuota: t.Quota.Storage}
		for _, db := range t.Databases {
			d.Databases = append(d.Databases, db.Name)
		}
		out[t.Name] = d
	}
	return out
}

// validateRetiredTeams judges platform:retiredTeams on its own: names, duplicates, and no name
// both retired and a team.
func (c *Config) validateRetiredTeams(errs *Errors) {
	seen := map[string]bool{}
	for i, name := range c.RetiredTeams {
		key := fmt.Sprintf("%s:retiredTeams[%d]", Namespace, i)
		switch {
		case !dnsLabel.MatchString(name):
			errs.add(key, fmt.Sprintf("%q is not a team name (a DNS label: lowercase letters, digits and '-')", name))
		case seen[name]:
			errs.add(key, fmt.Sprintf("%q is listed twice", name))
		case slices.ContainsFunc(c.Teams, func(t teamplan.Team) bool { return t.Name == name }):
			errs.add(key, fmt.Sprintf("%q is also in platform:teams: a team is either deployed (platform:teams) or retired (here), not both; remove one of the two entries", name))
		}
		seen[name] = true
	}
}

// CheckRemovedTeams refuses a config that drops a team the last deployment (previous: its
// TeamData output; nil for a first deployment or one from before the output existed) had with
// data, unless platform:retiredTeams names it. The error names each team and what would go.
func (c *Config) CheckRemovedTeams(previous map[string]TeamData) error {
	var errs Errors
	names := make([]string, 0, len(previous))
	for name := range previous {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		d := previous[name]
		if !d.holdsData() || slices.Contains(c.RetiredTeams, name) || slices.ContainsFunc(c.Teams, func(t teamplan.Team) bool { return t.Name == name }) {
			continue
		}
		var lost []string
		if len(d.Databases) > 0 {
			lost = append(lost, "its database(s) "+strings.Join(d.Databases, ", "))
		}
		if d.StorageQuota != "" {
			lost = append(lost, fmt.Sprintf("the volumes in its namespace(s) %s (up to %s each)", strings.Join(d.Namespaces, ", "), d.StorageQuota))
		} else {
			lost = append(lost, "its namespace(s) "+strings.Join(d.Namespaces, ", ")+" and their volumes")
		}
		errs.add(Namespace+":teams", fmt.Sprintf("team %s is no longer listed, but the last deployment has it, with %s: this deployment would delete them. "+
			"If the team is retired, add %q to platform:retiredTeams (`platform diff` then lists what goes, and `pulumi up` deletes it; the name may leave config after that); "+
			"otherwise put the team back", name, strings.Join(lost, " and "), name))
	}
	return errs.orNil()
}
