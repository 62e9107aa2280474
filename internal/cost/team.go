package cost

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/example/platform/components/teams/teamplan"
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
