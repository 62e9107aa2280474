package tests

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/example/platform/internal/diff"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/stacks"
)

var update = flag.Bool("update", false, "rewrite the golden files in tests/testdata")

// editJSON changes one JSON config value for a diff scenario.
func planWith(t *testing.T, stack string, edits ...mutation) *planner.Plan {
	t.Helper()
	in := stackInput(t, stack)
	for _, e := range edits {
		e(t, in.Config)
	}
	p, err := planner.Run(in, stacks.Program)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Golden tests on pairs of plans: each scenario's Markdown is compared byte for byte
// (`go test ./tests -run TestDiffGolden -update` rewrites them after a deliberate change).
func TestDiffGolden(t *testing.T) {
	base := stackPlan(t, "dev").Plan
	scenarios := map[string]*planner.Plan{
		"added-node-group": planWith(t, "dev", func(t *testing.T, cfg map[string]string) {
			var c map[string]any
			json.Unmarshal([]byte(cfg[kCluster]), &c)
			c["nodeGroups"] = append(c["nodeGroups"].([]any), map[string]any{"name": "spot", "capacityType": "SPOT", "instanceTypes": []any{"m6a.large"}, "minSize": 0, "desiredSize": 1, "maxSize": 5})
			b, _ := json.Marshal(c)
			cfg[kCluster] = string(b)
		}),
		"vpc-cidr-replaced": planWith(t, "dev", edit(kNet, "cidr", "10.30.0.0/16")),
		"tempo-removed":     planWith(t, "dev", edit("platform:addons", "tempo.enabled", false)),
		"retention-changed": planWith(t, "dev", edit(kNet, "flowLogsRetentionDays", 30)),
		"cluster-renamed":   planWith(t, "dev", edit(kCluster, "name", "platform-dev2")),
		"no-change":         stackPlan(t, "dev").Plan,
	}
	for name, head := range scenarios {
		t.Run(name, func(t *testing.T) {
			var got bytes.Buffer
			if err := diff.Plans(base, head).Markdown(&got); err != nil {
				t.Fatal(err)
			}
			var again bytes.Buffer
			diff.Plans(base, head).Markdown(&again)
			if got.String() != again.String() {
				t.Fatal("diff output is not deterministic")
			}
			path := filepath.Join("testdata", "diff-"+name+".md")
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got.String() != string(want) {
				t.Errorf("diff differs from %s:\n--- got\n%s\n--- want\n%s", path, got.String(), want)
			}
		})
	}
}

func TestDiffClassifies(t *testing.T) {
	base := stackPlan(t, "dev").Plan
	r := diff.Plans(base, planWith(t, "dev", edit(kNet, "cidr", "10.30.0.0/16")))
	replaced := map[string]bool{}
	for _, c := range r.Changed {
		if len(c.Replace) > 0 {
			replaced[c.Type] = true
		}
	}
	if !replaced["aws:ec2/vpc:Vpc"] || !replaced["aws:ec2/subnet:Subnet"] || len(r.Added)+len(r.Removed) != 0 {
		t.Errorf("VPC CIDR change: %+v", r)
	}
	r = diff.Plans(base, planWith(t, "dev", edit("platform:addons", "tempo.enabled", false)))
	if len(r.Removed) == 0 || len(r.Added) != 0 || r.CostDelta >= 0 {
		t.Errorf("removing Tempo: %d removed, %d added, cost delta %v", len(r.Removed), len(r.Added), r.CostDelta)
	}
	if r := diff.Plans(base, base); len(r.Added)+len(r.Removed)+len(r.Changed) != 0 || r.CostDelta != 0 {
		t.Errorf("a plan differs from itself: %+v", r)
	}
}
