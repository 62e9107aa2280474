package cost

// Which team a cost line is: attribution by the resource's structured inputs (tags, names
// derived from the team's config), never by its logical name. See team.go for the split.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/planner"
)

// attributor finds the team of a resource from its inputs.
type attributor struct {
	teams    []Team
	known    map[string]bool
	byName   map[string][]planner.Resource
	dbTeam   map[string]string // RDS identifier -> team
	params   map[string]planner.Resource
	plan     *planner.Plan
	notes    *[]string
	reported map[string]bool
}

func newAttributor(p *planner.Plan, teams []Team, s *Split) *attributor {
	a := &attributor{teams: teams, known: map[string]bool{}, byName: map[string][]planner.Resource{}, dbTeam: map[string]string{},
		params: map[string]planner.Resource{}, plan: p, notes: &s.Notes, reported: map[string]bool{}}
	for _, t := range teams {
		a.known[t.Name] = true
	}
	for _, res := range p.Resources {
		a.byName[res.Type+"\x00"+res.Name] = append(a.byName[res.Type+"\x00"+res.Name], res)
		switch res.Type {
		case "aws:rds/instance:Instance":
			if t, _ := a.tagged(res); t != "" {
				a.dbTeam[str(res.Inputs["identifier"])] = t
			}
		case "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams":
			if g, ok := groupName(res.Inputs); ok {
				a.params[g] = res
			}
		}
	}
	return a
}

// team is the team a line is dedicated to ("" for the platform) and why.
func (a *attributor) team(l Line) (string, string) {
	if l.Type == albType {
		g := strings.TrimPrefix(l.Resource, "IngressGroup ")
		for _, t := range a.teams {
			if t.IngressGroup != "" && t.IngressGroup == g {
				if params, ok := a.params[g]; ok && selectsOnly(params.Inputs, t.Name) {
					return t.Name, "dedicated IngressGroup " + g
				}
				a.note(g, fmt.Sprintf("IngressGroup %s is team %s's, but its IngressClassParams do not select that team's namespaces only: its ALB stays shared", g, t.Name))
			}
		}
		return "", ""
	}
	found, basis := "", ""
	for _, res := range a.byName[l.Type+"\x00"+l.Resource] {
		t, why := a.owner(res)
		if found != "" && t != found {
			a.note(l.Resource, fmt.Sprintf("two %s resources are named %s and belong to different owners: shared", l.Type, l.Resource))
			return "", ""
		}
		found, basis = t, why
	}
	return found, basis
}

// owner is the team a plan resource is dedicated to, by a tag or a structured input.
func (a *attributor) owner(res planner.Resource) (string, string) {
	if t, why := a.tagged(res); t != "" {
		return t, why
	}
	in := res.Inputs
	switch res.Type {
	case "aws:ecr/repository:Repository":
		for _, t := range a.teams {
			if slices.Contains(t.Repositories, str(in["name"])) {
				return t.Name, "ECR repository " + str(in["name"])
			}
		}
	case "aws:cloudwatch/metricAlarm:MetricAlarm":
		dims, _ := in["dimensions"].(map[string]any)
		if id := str(dims["DBInstanceIdentifier"]); a.dbTeam[id] != "" {
			return a.dbTeam[id], "alarm on database " + id
		}
	case "aws:cloudwatch/logGroup:LogGroup":
		// RDS writes an instance's exported logs to /aws/rds/instance/<identifier>/<log>.
		if rest, ok := strings.CutPrefix(str(in["name"]), "/aws/rds/instance/"); ok {
			id, _, _ := strings.Cut(rest, "/")
			if a.dbTeam[id] != "" {
				return a.dbTeam[id], "log group of database " + id
			}
		}
	}
	return "", ""
}

// tagged is the team a resource's tags name, when it is one of the stack's teams.
func (a *attributor) tagged(res planner.Resource) (string, string) {
	tags, _ := res.Inputs["tags"].(map[string]any)
	for _, key := range []string{contract.TeamLabel, contract.TeamTag} {
		v := str(tags[key])
		if v == "" {
			continue
		}
		if a.known[v] {
			return v, "tag " + key + "=" + v
		}
		a.note(res.Name, fmt.Sprintf("%s is tagged %s=%s, which is no team of the stack: shared", res.Name, key, v))
	}
	return "", ""
}

func (a *attributor) note(key, n string) {
	if !a.reported[key] {
		a.reported[key] = true
		*a.notes = append(*a.notes, n)
	}
}

// nodeVCPUs are the vCPUs of each node group at its desired size, by name; a group whose
// instance type's vCPUs are unknown is absent (its cost stays the platform's, with a note).
func (a *attributor) nodeVCPUs() map[string]float64 {
	out := map[string]float64{}
	for _, res := range a.plan.OfType(nodeGroupType) {
		types, _ := res.Inputs["instanceTypes"].([]any)
		sc, _ := res.Inputs["scalingConfig"].(map[string]any)
		n, _ := sc["desiredSize"].(float64)
		it := ""
		if len(types) > 0 {
			it = str(types[0])
		}
		v, ok := InstanceVCPUs(it)
		if !ok {
			a.note(res.Name, fmt.Sprintf("node group %s: no vCPU count for instance type %q, so its cost stays the platform's", res.Name, it))
			continue
		}
		out[res.Name] = float64(v) * n
	}
	return out
}

// InstanceVCPUs is an EC2 instance type's vCPUs by its size, the convention of the current
// general purpose, compute and memory families: large 2, xlarge 4, <n>xlarge 4n, and 2 for the
// burstable (t) family's smaller sizes. Other sizes are not guessed.
func InstanceVCPUs(instanceType string) (int, bool) {
	family, size, ok := strings.Cut(instanceType, ".")
	switch {
	case !ok:
		return 0, false
	case size == "large":
		return 2, true
	case size == "xlarge":
		return 4, true
	case strings.HasSuffix(size, "xlarge"):
		n, err := strconv.Atoi(strings.TrimSuffix(size, "xlarge"))
		return 4 * n, err == nil && n > 0
	case strings.HasPrefix(family, "t") && slices.Contains([]string{"nano", "micro", "small", "medium"}, size):
		return 2, true
	}
	return 0, false
}

// selectsOnly is whether IngressClassParams select the namespaces of one team and no others.
func selectsOnly(inputs map[string]any, team string) bool {
	spec, _ := inputs["spec"].(map[string]any)
	sel, _ := spec["namespaceSelector"].(map[string]any)
	labels, _ := sel["matchLabels"].(map[string]any)
	exprs, _ := sel["matchExpressions"].([]any)
	byLabel := len(labels) == 1 && str(labels[contract.TeamLabel]) == team
	byExpr := false
	if len(exprs) == 1 {
		e, _ := exprs[0].(map[string]any)
		values, _ := e["values"].([]any)
		byExpr = str(e["key"]) == contract.TeamLabel && str(e["operator"]) == "In" && len(values) == 1 && str(values[0]) == team
	}
	return (byLabel && len(exprs) == 0) || (byExpr && len(labels) == 0)
}
