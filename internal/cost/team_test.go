package cost

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/components/teams/teamplan"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/planner"
)

func nodeGroup(name, instanceType string, n float64) planner.Resource {
	return res(nodeGroupType, name, map[string]any{"instanceTypes": []any{instanceType}, "scalingConfig": map[string]any{"desiredSize": n}})
}

// classParams are IngressClassParams putting the namespaces of teams into group.
func classParams(name, group string, teams ...string) planner.Resource {
	values := make([]any, len(teams))
	for i, t := range teams {
		values[i] = t
	}
	return res("kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams", name, map[string]any{"spec": map[string]any{
		"group":             map[string]any{"name": group},
		"namespaceSelector": map[string]any{"matchExpressions": []any{map[string]any{"key": contract.TeamLabel, "operator": "In", "values": values}}},
	}})
}

func cents(f float64) int64 { return int64(math.Round(f * 100)) }

// checkSplit asserts what every split must hold: each Report line in exactly one bucket, or a
// node line in parts that add up to it; the buckets add up to the Report's total to the cent;
// every unpriced line stays unpriced in one bucket.
func checkSplit(t *testing.T, r Report, s Split) {
	t.Helper()
	parts := map[int]int64{}
	seen := map[int]int{}
	var sum int64
	unpriced := 0
	for b := range len(s.Teams) + 1 {
		c := s.bucket(b)
		var lines int64
		for _, sh := range c.Lines {
			parts[sh.Line] += cents(sh.Monthly)
			seen[sh.Line]++
			lines += cents(sh.Monthly)
			if sh.Unpriced != "" {
				unpriced++
			}
		}
		if lines != cents(c.Total) || cents(c.Direct)+cents(c.NodeShare) != cents(c.Total) {
			t.Errorf("%s: lines %d, direct %.2f + nodes %.2f, total %.2f", c.Name, lines, c.Direct, c.NodeShare, c.Total)
		}
		sum += cents(c.Total)
	}
	for i, l := range r.Lines {
		if seen[i] == 0 || (seen[i] > 1 && l.Type != nodeGroupType) {
			t.Errorf("line %d (%s %s) is in %d buckets", i, l.Resource, l.Item, seen[i])
		}
		if parts[i] != cents(l.Monthly) {
			t.Errorf("line %d (%s %s): parts add up to %d cents, the line is %.2f", i, l.Resource, l.Item, parts[i], l.Monthly)
		}
	}
	if len(seen) != len(r.Lines) || sum != cents(r.Total) || unpriced != r.Unpriced || s.Unpriced != r.Unpriced {
		t.Errorf("%d lines assigned of %d; buckets add up to %d cents, total %.2f; unpriced %d of %d", len(seen), len(r.Lines), sum, r.Total, unpriced, r.Unpriced)
	}
}

func teamCost(s Split, name string) TeamCost {
	for _, t := range s.Teams {
		if t.Name == name {
			return t
		}
	}
	return s.Platform
}

func TestByTeam(t *testing.T) {
	a := Team{Name: "a", Namespaces: 1, CPUQuota: 1, IngressGroup: "team-a", Repositories: []string{"c/a/img"}}
	b := Team{Name: "b", Namespaces: 2, CPUQuota: 0.5}
	db := res("aws:rds/instance:Instance", "databases-a-db", map[string]any{"identifier": "c-a-db", "instanceClass": "db.t4g.micro",
		"allocatedStorage": 20.0, "engineVersion": "17", "tags": map[string]any{contract.TeamLabel: "a"}})
	dbAlarm := res("aws:cloudwatch/metricAlarm:MetricAlarm", "databases-a-db-alarm", map[string]any{"dimensions": map[string]any{"DBInstanceIdentifier": "c-a-db"}})
	dbLogs := res("aws:cloudwatch/logGroup:LogGroup", "databases-a-db-log", map[string]any{"name": "/aws/rds/instance/c-a-db/postgresql"})
	tests := []struct {
		name  string
		teams []Team
		plan  []planner.Resource
		// want is each bucket's dedicated (or shared) and node cents.
		want     map[string][2]int64
		fraction map[string]float64
		notes    []string
	}{
		// 6 vCPUs, 2 of them quota (1 x 1 core, 2 x 0.5): each team 1/6 of 210.24, the platform 4/6.
		{"quotas under the nodes", []Team{a, b}, []planner.Resource{nodeGroup("ng", "m6i.large", 3)},
			map[string][2]int64{"a": {0, 3504}, "b": {0, 3504}, PlatformBucket: {0, 14016}},
			map[string]float64{"a": 1.0 / 6, "b": 1.0 / 6, PlatformBucket: 4.0 / 6}, nil},
		// 3 cores of quota on 2 vCPUs: normalised to thirds of 60.74, the odd cents to the first.
		{"quotas exceeding the nodes, rounding", []Team{{Name: "x", Namespaces: 1, CPUQuota: 1}, {Name: "y", Namespaces: 1, CPUQuota: 1}, {Name: "z", Namespaces: 1, CPUQuota: 1}},
			[]planner.Resource{nodeGroup("ng", "t3.large", 1)},
			map[string][2]int64{"x": {0, 2025}, "y": {0, 2025}, "z": {0, 2024}, PlatformBucket: {0, 0}},
			map[string]float64{"x": 1.0 / 3, PlatformBucket: 0}, []string{"more than the nodes' 2 vCPUs"}},
		// a: its ALB (16.43 + 5.84), database (11.68 + 2.30 + 0.40), its alarm (0.10), log group
		// (2.50) and repository (0.50); the shared "teams" ALB and the control plane: the platform's.
		{"a team with a dedicated ALB and a database", []Team{a, b}, []planner.Resource{
			classParams("teams-a", "team-a", "a"), classParams("teams-shared", "teams", "b"), db, dbAlarm, dbLogs,
			res("aws:ecr/repository:Repository", "teams-a-ecr-img", map[string]any{"name": "c/a/img"}),
			res("eks:index:Cluster", "c", map[string]any{"version": "1.35"})},
			map[string][2]int64{"a": {1643 + 584 + 1168 + 230 + 40 + 10 + 250 + 50}, "b": {}, PlatformBucket: {7300 + 1643 + 584}},
			map[string]float64{"a": 0.5, "b": 0.5, PlatformBucket: 0}, []string{"more than the nodes' 0 vCPUs"}},
		// Names alone attribute nothing: a repository named like a's but not one of its images, a
		// tag naming no team, a's group selecting b's namespaces too, an untagged database's logs.
		{"names and loose selectors stay shared", []Team{a, b}, []planner.Resource{
			classParams("teams-a", "team-a", "a", "b"),
			res("aws:ecr/repository:Repository", "teams-a-ecr-other", map[string]any{"name": "c/a/other"}),
			res("aws:kms/key:Key", "teams-a-key", map[string]any{"tags": map[string]any{contract.TeamLabel: "nobody"}}),
			res("aws:cloudwatch/logGroup:LogGroup", "databases-a-x-log", map[string]any{"name": "/aws/rds/instance/c-a-x/postgresql"})},
			map[string][2]int64{"a": {}, "b": {}, PlatformBucket: {1643 + 584 + 50 + 100 + 250}},
			nil, []string{"do not select that team's namespaces only", "which is no team of the stack", "more than the nodes' 0 vCPUs"}},
		// Unpriced lines stay unpriced in their bucket: a's tagged unknown type, the platform's
		// node group with no price (its vCPUs known: p5.48xlarge has 192).
		{"unpriced lines", []Team{a}, []planner.Resource{
			res("aws:elasticache/cluster:Cluster", "cache", map[string]any{"tags": map[string]any{contract.TeamTag: "a"}}),
			nodeGroup("gpu", "p5.48xlarge", 1)},
			map[string][2]int64{"a": {}, PlatformBucket: {}}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Estimate(plan("us-east-1", tt.plan...))
			s := ByTeam(r, plan("us-east-1", tt.plan...), tt.teams)
			checkSplit(t, r, s)
			for name, want := range tt.want {
				c := teamCost(s, name)
				if c.Name != name || cents(c.Direct) != want[0] || cents(c.NodeShare) != want[1] {
					t.Errorf("%s: direct %.2f, nodes %.2f; want %d and %d cents (%+v)", name, c.Direct, c.NodeShare, want[0], want[1], c.Lines)
				}
			}
			for name, want := range tt.fraction {
				if got := teamCost(s, name).NodeFraction; math.Abs(got-want) > 1e-9 {
					t.Errorf("%s: node fraction %v, want %v", name, got, want)
				}
			}
			for _, n := range tt.notes {
				if !slices.ContainsFunc(s.Notes, func(s string) bool { return strings.Contains(s, n) }) {
					t.Errorf("no note %q in %q", n, s.Notes)
				}
			}
			if len(s.Notes) != len(tt.notes) {
				t.Errorf("notes %q, want %d", s.Notes, len(tt.notes))
			}
		})
	}
}

// The unpriced case in detail: which bucket holds which unpriced line.
func TestByTeamUnpricedStayVisible(t *testing.T) {
	res := []planner.Resource{res("aws:elasticache/cluster:Cluster", "cache", map[string]any{"tags": map[string]any{contract.TeamTag: "a"}}),
		nodeGroup("gpu", "p5.48xlarge", 1)}
	r := Estimate(plan("us-east-1", res...))
	s := ByTeam(r, plan("us-east-1", res...), []Team{{Name: "a", Namespaces: 1, CPUQuota: 1}})
	if r.Unpriced != 2 || s.Teams[0].Unpriced != 1 || s.Platform.Unpriced != 1 {
		t.Fatalf("unpriced: report %d, a %d, platform %d", r.Unpriced, s.Teams[0].Unpriced, s.Platform.Unpriced)
	}
	if l := s.Teams[0].Lines[0]; l.Resource != "cache" || l.Unpriced == "" || l.Basis != "tag platform-team=a" {
		t.Errorf("a's line: %+v", l)
	}
	if s.NodeVCPUs != 192 {
		t.Errorf("node vCPUs %v, want 192", s.NodeVCPUs)
	}
}

func TestSplitCents(t *testing.T) {
	third := 1.0 / 3
	for _, tt := range []struct {
		cents   int64
		weights []float64
		want    []int64
	}{
		{6074, []float64{third, third, third}, []int64{2025, 2025, 2024}},
		{1, []float64{0.5, 0.5}, []int64{1, 0}},
		{100, []float64{0, 1}, []int64{0, 100}},
		{0, []float64{0.3, 0.7}, []int64{0, 0}},
		{-7, []float64{0.5, 0.5}, []int64{-4, -3}},
		{22338, []float64{0.5, 0.5, 0}, []int64{11169, 11169, 0}},
		{1001, []float64{0.1, 0.2, 0.7}, []int64{100, 200, 701}},
	} {
		if got := splitCents(tt.cents, tt.weights); !slices.Equal(got, tt.want) {
			t.Errorf("splitCents(%d, %v) = %v, want %v", tt.cents, tt.weights, got, tt.want)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		n := 1 + rng.IntN(6)
		w, total := make([]float64, n), 0.0
		for i := range w {
			w[i] = rng.Float64()
			total += w[i]
		}
		for i := range w {
			w[i] /= total
		}
		c := rng.Int64N(1_000_000)
		var sum int64
		for i, p := range splitCents(c, w) {
			sum += p
			if math.Abs(float64(p)-float64(c)*w[i]) >= 1 {
				t.Fatalf("splitCents(%d, %v): part %d is %d, more than a cent from %v", c, w, i, p, float64(c)*w[i])
			}
		}
		if sum != c {
			t.Fatalf("splitCents(%d, %v) adds up to %d", c, w, sum)
		}
	}
}

func TestInstanceVCPUs(t *testing.T) {
	for it, want := range map[string]int{"m6i.large": 2, "m6i.xlarge": 4, "m6a.2xlarge": 8, "c6i.24xlarge": 96, "t3.medium": 2, "t3a.small": 2,
		"m7g.medium": 0, "m6i.metal": 0, "nonsense": 0, "m6i.0xlarge": 0} {
		got, ok := InstanceVCPUs(it)
		if got != want || ok != (want > 0) {
			t.Errorf("InstanceVCPUs(%q) = %d, %v; want %d", it, got, ok, want)
		}
	}
}

func TestTeamsFrom(t *testing.T) {
	x := teamplan.DefaultTeam()
	x.Name, x.Namespaces, x.Quota.CPU, x.Ingress, x.Images = "x", []string{"x", "x-jobs"}, "500m", teamplan.DedicatedIngress, []string{"api"}
	y := teamplan.DefaultTeam()
	y.Name = "y"
	got, err := TeamsFrom("c", []teamplan.Team{x, y})
	if err != nil {
		t.Fatal(err)
	}
	want := []Team{{Name: "x", Namespaces: 2, CPUQuota: 0.5, IngressGroup: "team-x", Repositories: []string{"c/x/api"}}, {Name: "y", Namespaces: 1, CPUQuota: 8}}
	for i := range want {
		if got[i].Name != want[i].Name || got[i].Namespaces != want[i].Namespaces || got[i].CPUQuota != want[i].CPUQuota ||
			got[i].IngressGroup != want[i].IngressGroup || !slices.Equal(got[i].Repositories, want[i].Repositories) {
			t.Errorf("team %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	y.Quota.CPU = "lots"
	if _, err := TeamsFrom("c", []teamplan.Team{x, y}); err == nil || !strings.Contains(err.Error(), "platform:teams[1].quota.cpu") {
		t.Errorf("bad quota: %v", err)
	}
}
