package tests

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/cost"
)

// `platform cost --by team` on the example stacks: each team's dedicated resources and node
// share, and the platform's shared part, adding up to the stack's total.

func centsOf(f float64) int64 { return int64(math.Round(f * 100)) }

// teamSplit is a stack's estimate split by its configured teams, as the command computes it.
func teamSplit(t *testing.T, stack string) (cost.Report, cost.Split) {
	t.Helper()
	p := stackPlan(t, stack).Plan
	cfg := stackConfig(t, stack)
	teams, err := cost.TeamsFrom(cfg.Cluster.Name, cfg.Teams)
	if err != nil {
		t.Fatal(err)
	}
	r := cost.Estimate(p)
	return r, cost.ByTeam(r, p, teams)
}

// buckets are the teams' and then the platform's.
func buckets(s cost.Split) []cost.TeamCost {
	return append(append([]cost.TeamCost(nil), s.Teams...), s.Platform)
}

// Every line of the stack's report is in exactly one bucket, the node groups' lines in parts
// that add up to them, and the buckets add up to the report's total to the cent.
func TestCostByTeamAddsUpToTheTotal(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		r, s := teamSplit(t, stack)
		if len(s.Teams) != 2 || len(r.Lines) < 20 {
			t.Fatalf("%s: %d teams, %d lines: not the example stack", stack, len(s.Teams), len(r.Lines))
		}
		count := make([]int, len(r.Lines))
		parts := make([]int64, len(r.Lines))
		var sum int64
		for _, b := range buckets(s) {
			var lines int64
			for _, sh := range b.Lines {
				count[sh.Line]++
				parts[sh.Line] += centsOf(sh.Monthly)
				lines += centsOf(sh.Monthly)
			}
			if lines != centsOf(b.Total) || centsOf(b.Direct)+centsOf(b.NodeShare) != centsOf(b.Total) {
				t.Errorf("%s %s: lines %d cents, dedicated %.2f + node share %.2f, total %.2f", stack, b.Name, lines, b.Direct, b.NodeShare, b.Total)
			}
			sum += centsOf(b.Total)
		}
		nodeLines := 0
		for i, l := range r.Lines {
			want := 1
			if l.Type == "aws:eks/nodeGroup:NodeGroup" {
				// Split among the buckets with a node share (here both teams: quotas overcommit).
				want, nodeLines = len(s.Teams), nodeLines+1
			}
			if count[i] != want || parts[i] != centsOf(l.Monthly) {
				t.Errorf("%s: line %d %s %q is in %d buckets (want %d), its parts %d cents of %.2f", stack, i, l.Resource, l.Item, count[i], want, parts[i], l.Monthly)
			}
		}
		if sum != centsOf(r.Total) || s.Total != r.Total || nodeLines != 2 {
			t.Errorf("%s: the buckets add up to %d cents, the stack's total is %.2f (split's %.2f); %d node lines", stack, sum, r.Total, s.Total, nodeLines)
		}
		// Each team's node share is its fraction of the node lines, within a cent per line.
		var nodes float64
		for _, l := range r.Lines {
			if l.Type == "aws:eks/nodeGroup:NodeGroup" {
				nodes += l.Monthly
			}
		}
		for _, tc := range s.Teams {
			if tc.NodeShare <= 0 || math.Abs(tc.NodeShare-nodes*tc.NodeFraction) > 0.02 {
				t.Errorf("%s %s: node share %.2f, %.4f of the nodes' %.2f", stack, tc.Name, tc.NodeShare, tc.NodeFraction, nodes)
			}
		}
	}
}

// The team's dedicated resources land on the team: every ECR repository and database line on
// the team its config or tag names, and prod's dedicated ALB on search; nothing else does.
func TestCostByTeamDedicatedResources(t *testing.T) {
	owner := func(s cost.Split, line int) string {
		for _, b := range buckets(s) {
			for _, sh := range b.Lines {
				if sh.Line == line {
					return b.Name
				}
			}
		}
		return ""
	}
	repo := regexp.MustCompile(`^teams-([a-z0-9-]+?)-ecr-`)
	for _, stack := range []string{"dev", "prod"} {
		r, s := teamSplit(t, stack)
		p := stackPlan(t, stack)
		dedicated := map[string]int{}
		for i, l := range r.Lines {
			got := owner(s, i)
			want := ""
			switch {
			case l.Type == "aws:ecr/repository:Repository":
				want = repo.FindStringSubmatch(l.Resource)[1]
			case l.Type == "aws:rds/instance:Instance":
				// The tag's key has dots: read the map, not a dotted path.
				tags, _ := get(p.named(t, l.Type, l.Resource), "tags").(map[string]any)
				want, _ = tags[contract.TeamLabel].(string)
			case strings.HasPrefix(l.Resource, "databases-payments-ledger-"):
				want = "payments"
			case l.Resource == "IngressGroup team-search":
				want = "search"
			case l.Type == "aws:eks/nodeGroup:NodeGroup":
				continue
			default:
				want = cost.PlatformBucket
			}
			if got != want {
				t.Errorf("%s: %s %q is %q's, want %q's", stack, l.Resource, l.Item, got, want)
			}
			if want != cost.PlatformBucket {
				dedicated[want]++
			}
		}
		// The controls: the lines the checks above expect exist in each stack.
		want := map[string]map[string]int{"dev": {"payments": 1 + 3 + 4 + 2}, "prod": {"payments": 1, "search": 3}}[stack]
		if fmt.Sprint(dedicated) != fmt.Sprint(want) {
			t.Errorf("%s: dedicated lines %v, want %v", stack, dedicated, want)
		}
		for _, tc := range s.Teams {
			if centsOf(tc.Direct) != centsOf(sumDedicated(r, s, tc.Name)) {
				t.Errorf("%s %s: dedicated %.2f", stack, tc.Name, tc.Direct)
			}
		}
	}
}

func sumDedicated(r cost.Report, s cost.Split, team string) float64 {
	var sum float64
	for _, b := range s.Teams {
		if b.Name != team {
			continue
		}
		for _, sh := range b.Lines {
			if r.Lines[sh.Line].Type != "aws:eks/nodeGroup:NodeGroup" {
				sum += r.Lines[sh.Line].Monthly
			}
		}
	}
	return sum
}

// The command prints the table with the total of `platform cost`, in text, JSON and Markdown,
// and refuses another split, writing nothing on stdout.
func TestCostByTeamCommand(t *testing.T) {
	total := regexp.MustCompile(`\nTotal: ([0-9.]+) USD/month`)
	for _, stack := range []string{"dev", "prod"} {
		code, plain, stderr := runCmd(t, "cost", "--stack", stack, "--dir", projectDir(t))
		m := total.FindStringSubmatch(plain)
		if code != 0 || m == nil {
			t.Fatalf("cost %s: exit %d %s\n%s", stack, code, stderr, plain)
		}
		code, out, stderr := runCmd(t, "cost", "--stack", stack, "--by", "team", "--dir", projectDir(t))
		for _, want := range []string{"team                      CPU quota  node share  dedicated USD  node share USD    total USD\n",
			"\npayments ", "\nsearch ", "\nplatform (shared) ", "\nTotal: " + m[1] + " USD/month (platform cost --stack " + stack + ")\n"} {
			if code != 0 || !strings.Contains(out, want) {
				t.Errorf("cost --by team %s: exit %d %s, no %q in\n%s", stack, code, stderr, want, out)
			}
		}
		code, out, _ = runCmd(t, "cost", "--stack", stack, "--by", "team", "--json", "--dir", projectDir(t))
		var s cost.Split
		if err := json.Unmarshal([]byte(out), &s); code != 0 || err != nil || fmt.Sprintf("%.2f", s.Total) != m[1] || len(s.Teams) != 2 {
			t.Errorf("cost --by team --json %s: exit %d %v, total %.2f, want %s", stack, code, err, s.Total, m[1])
		}
		code, out, _ = runCmd(t, "cost", "--stack", stack, "--by", "team", "--markdown", "--dir", projectDir(t))
		if code != 0 || !strings.Contains(out, "| payments | 8 |") || !strings.Contains(out, "| **total** | | | | | **"+m[1]+"** |") {
			t.Errorf("cost --by team --markdown %s: exit %d\n%s", stack, code, out)
		}
	}
	for _, args := range [][]string{{"--by", "foo"}, {"--by", "teams"}, {"--by=Team"}} {
		code, out, stderr := runCmd(t, append([]string{"cost", "--stack", "prod", "--dir", projectDir(t)}, args...)...)
		if code != 2 || out != "" || !strings.Contains(stderr, "--by") || !strings.Contains(stderr, "--by team") {
			t.Errorf("cost %v: exit %d, stdout %q, stderr %q", args, code, out, stderr)
		}
	}
}
