package cost

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/example/platform/components/teams/teamplan"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/planner"
)

// Cost per team (`platform cost --by team`). Every line of a stack's Report goes to exactly one
// bucket, a team or the platform's shared part, except the node groups' lines, which are split
// into parts that add up to the line to the cent:
//   - a team's dedicated lines: resources that are the team's by a structured input, never by
//     their logical name: an AWS tag naming the team (contract.TeamLabel on its databases,
//     contract.TeamTag), an ECR repository named teamplan.ECRRepositoryName for one of its
//     images, a CloudWatch alarm on one of its databases (DBInstanceIdentifier) or a log group
//     RDS writes for one (/aws/rds/instance/<identifier>/...), and the ALB of its dedicated
//     IngressGroup when the group's IngressClassParams select the team's namespaces only;
//   - its node share: each node group line times the team's CPU quota (requests.cpu of each of
//     its namespaces times their count) over the nodes' vCPUs (desired size). When the teams'
//     quotas add up to more than the nodes (quotas overcommit), the shares are the quotas over
//     their sum instead, so the nodes are counted once and the platform's node share is 0;
//   - the platform's shared part: everything else (control plane, NAT, the interface
//     endpoints of platform:network.endpoints, the platform's and the shared "teams" ALB, the
//     addons' volumes and buckets, keys, zones) and the nodes' vCPUs no quota covers.
// Unpriced lines go to their bucket like any other and stay unpriced there.

// Team is what the split needs of one team of platform:teams.
type Team struct {
	Name string `json:"name"`
	// Namespaces is how many namespaces the team has; its quota holds in each.
	Namespaces int `json:"namespaces"`
	// CPUQuota is each namespace's requests.cpu quota, in cores.
	CPUQuota float64 `json:"cpuQuotaPerNamespace"`
	// IngressGroup is the team's own IngressGroup ("" when its ingress is shared).
	IngressGroup string `json:"ingressGroup,omitempty"`
	// Repositories are its ECR repositories' names.
	Repositories []string `json:"repositories,omitempty"`
}

// TeamsFrom reads the split's view of a stack's validated teams.
func TeamsFrom(cluster string, teams []teamplan.Team) ([]Team, error) {
	out := make([]Team, 0, len(teams))
	for i, t := range teams {
		cpu, err := teamplan.ParseQuantity(t.Quota.CPU)
		if err != nil {
			return nil, fmt.Errorf("platform:teams[%d].quota.cpu: %v", i, err)
		}
		ct := Team{Name: t.Name, Namespaces: max(len(t.Namespaces), 1), CPUQuota: cpu}
		if t.Ingress == teamplan.DedicatedIngress {
			ct.IngressGroup = t.IngressClass()
		}
		for _, img := range t.Images {
			ct.Repositories = append(ct.Repositories, teamplan.ECRRepositoryName(cluster, t.Name, img))
		}
		out = append(out, ct)
	}
	return out, nil
}

// Split is a stack's Report divided among its teams and the platform.
type Split struct {
	Stack     string `json:"stack"`
	Region    string `json:"region"`
	PriceDate string `json:"priceDate"`
	// NodeVCPUs are the vCPUs of the node groups at their desired size; TeamsCPU the teams'
	// quotas added up. Shares are quota over the larger of the two.
	NodeVCPUs float64    `json:"nodeVCPUs"`
	TeamsCPU  float64    `json:"teamsCPUQuota"`
	Teams     []TeamCost `json:"teams"`
	Platform  TeamCost   `json:"platform"`
	// Total is the Report's total: the buckets' totals add up to it.
	Total    float64  `json:"monthlyTotal"`
	Unpriced int      `json:"unpricedLines"`
	Notes    []string `json:"notes,omitempty"`
}

// PlatformBucket names the platform's shared part.
const PlatformBucket = "platform (shared)"

// TeamCost is one bucket: a team's, or the platform's shared part.
type TeamCost struct {
	Name string `json:"name"`
	// CPU is the team's quota over all its namespaces (cores).
	CPU float64 `json:"cpuQuota"`
	// NodeFraction is the part of every node line the bucket carries.
	NodeFraction float64 `json:"nodeFraction"`
	// Direct is a team's dedicated lines; for the platform, its shared lines.
	Direct    float64 `json:"direct"`
	NodeShare float64 `json:"nodeShare"`
	Total     float64 `json:"total"`
	Unpriced  int     `json:"unpricedLines"`
	Lines     []Share `json:"lines"`
	direct    int64
	nodes     int64
}

// Share is a Report line, or a node line's part, in a bucket.
type Share struct {
	// Line is the line's index in Report.Lines.
	Line     int     `json:"line"`
	Resource string  `json:"resource"`
	Item     string  `json:"item"`
	Monthly  float64 `json:"monthly"`
	Unpriced string  `json:"unpriced,omitempty"`
	// Basis says why the line is in the bucket.
	Basis string `json:"basis"`
}

const (
	nodeGroupType = "aws:eks/nodeGroup:NodeGroup"
	// albType is the type EstimateOn gives an IngressGroup's ALB lines.
	albType = "alb (created by the Load Balancer Controller)"
)

// ByTeam splits r, the estimate of plan p, among teams and the platform.
func ByTeam(r Report, p *planner.Plan, teams []Team) Split {
	s := Split{Stack: r.Stack, Region: r.Region, PriceDate: r.PriceDate, Total: r.Total, Unpriced: r.Unpriced,
		Platform: TeamCost{Name: PlatformBucket}}
	a := newAttributor(p, teams, &s)
	idx := map[string]int{}
	for i, t := range teams {
		idx[t.Name] = i
		cpu := t.CPUQuota * float64(t.Namespaces)
		s.Teams = append(s.Teams, TeamCost{Name: t.Name, CPU: cpu})
		s.TeamsCPU += cpu
	}
	vcpus := a.nodeVCPUs()
	for _, v := range vcpus {
		s.NodeVCPUs += v
	}
	weights := nodeWeights(&s)
	for i, l := range r.Lines {
		sh := Share{Line: i, Resource: l.Resource, Item: l.Item, Monthly: l.Monthly, Unpriced: l.Unpriced}
		cents := int64(math.Round(l.Monthly * 100))
		if l.Type == nodeGroupType {
			if _, known := vcpus[l.Resource]; known && l.Unpriced == "" {
				for b, part := range splitCents(cents, weights) {
					if weights[b] == 0 {
						continue
					}
					bucket := s.bucket(b)
					sh.Monthly, sh.Basis = float64(part)/100, fmt.Sprintf("node share %.2f%%", weights[b]*100)
					bucket.nodes += part
					bucket.Lines = append(bucket.Lines, sh)
				}
				continue
			}
			sh.Basis = "node group without a vCPU count or a price"
			s.Platform.add(sh, cents)
			continue
		}
		team, basis := a.team(l)
		if team == "" {
			sh.Basis = "shared"
			s.Platform.add(sh, cents)
			continue
		}
		sh.Basis = basis
		s.Teams[idx[team]].add(sh, cents)
	}
	for b := range len(s.Teams) + 1 {
		c := s.bucket(b)
		c.NodeFraction = weights[b]
		c.Direct, c.NodeShare, c.Total = float64(c.direct)/100, float64(c.nodes)/100, float64(c.direct+c.nodes)/100
	}
	return s
}

// bucket is team b, or the platform after the teams.
func (s *Split) bucket(b int) *TeamCost {
	if b == len(s.Teams) {
		return &s.Platform
	}
	return &s.Teams[b]
}

func (c *TeamCost) add(sh Share, cents int64) {
	c.direct += cents
	if sh.Unpriced != "" {
		c.Unpriced++
	}
	c.Lines = append(c.Lines, sh)
}

// nodeWeights are the teams' parts of the nodes, then the platform's: quota over the nodes'
// vCPUs, or over the quotas' sum when they overcommit the nodes.
func nodeWeights(s *Split) []float64 {
	w := make([]float64, len(s.Teams)+1)
	base := max(s.NodeVCPUs, s.TeamsCPU)
	if base == 0 {
		w[len(s.Teams)] = 1
		return w
	}
	rest := 1.0
	for i, t := range s.Teams {
		w[i] = t.CPU / base
		rest -= w[i]
	}
	w[len(s.Teams)] = max(rest, 0)
	if s.TeamsCPU > s.NodeVCPUs {
		s.Notes = append(s.Notes, fmt.Sprintf("the teams' CPU quotas (%g cores) are more than the nodes' %g vCPUs: each team's node share is its quota over the quotas' sum, and the platform's is 0", s.TeamsCPU, s.NodeVCPUs))
	}
	return w
}

// splitCents divides cents by weights (adding up to 1) into parts that add up to cents exactly:
// each part rounded down, then a cent each to the largest remainders (ties to the first).
func splitCents(cents int64, weights []float64) []int64 {
	if cents < 0 {
		parts := splitCents(-cents, weights)
		for i := range parts {
			parts[i] = -parts[i]
		}
		return parts
	}
	parts := make([]int64, len(weights))
	rems := make([]float64, len(weights))
	left := cents
	for i, w := range weights {
		exact := float64(cents) * w
		parts[i] = int64(math.Floor(exact + 1e-9))
		rems[i] = exact - float64(parts[i])
		left -= parts[i]
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rems[b], rems[a]) })
	for i := 0; left > 0; i = (i + 1) % len(order) {
		parts[order[i]]++
		left--
	}
	// A part rounded past its weight (floating error) gives its cent back to the last bucket.
	for ; left < 0; left++ {
		parts[len(parts)-1]--
	}
	return parts
}

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
