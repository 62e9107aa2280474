package tests

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/internal/timeline"
)

// fastByNature are the types allowed to fall to timeline.DefaultDuration: none today. A new
// type in a stack's plan fails TestTimelineNoSlowTypeFallsToTheDefault until it is in the
// duration table (internal/timeline/durations.go) with its source, or listed here as an API
// call of a couple of seconds.
var fastByNature = map[string]bool{}

// The first up's modelled timeline of both stacks: the EKS control plane and a node group
// set it (they are on the critical path), with Pulumi's default parallelism and without a
// bound alike.
func TestTimelineCriticalPathHoldsControlPlaneAndNodeGroup(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		p := stackPlan(t, stack).Plan
		for _, par := range []int{8, timeline.Unbounded} {
			r, err := timeline.Model(p, timeline.Options{Parallelism: par})
			if err != nil {
				t.Fatalf("%s: %v", stack, err)
			}
			types := map[string]bool{}
			for _, s := range r.CriticalPath {
				types[s.Type] = true
			}
			if !types["eks:index:Cluster"] || !types["aws:eks/nodeGroup:NodeGroup"] {
				t.Errorf("%s at parallelism %d: the critical path lacks the control plane or the node group: %v", stack, par, slices.Sorted(maps.Keys(types)))
			}
			if r.Floor == nil || r.Floor.Total <= 0 || r.Total < r.Floor.Total {
				t.Errorf("%s: total %s below its floor %+v", stack, r.Total, r.Floor)
			}
			if len(r.Steps) == 0 || r.CriticalPath[len(r.CriticalPath)-1].End() != r.Total {
				t.Errorf("%s: the critical path does not end at the total", stack)
			}
			t.Logf("%s at parallelism %d: first up %s, floor %s, ratio %.2f", stack, par, timeline.Clock(r.Total), timeline.Clock(r.Floor.Total), r.Floor.Ratio)
		}
	}
}

// Every type in both stacks' plans has its own row in the duration table (with a source), or
// is listed as fast by nature.
func TestTimelineNoSlowTypeFallsToTheDefault(t *testing.T) {
	defaulted := map[string]bool{}
	for _, stack := range []string{"dev", "prod"} {
		for _, r := range stackPlan(t, stack).Resources {
			if e := timeline.CreateDuration(r); e.Default {
				defaulted[r.Type] = true
			} else if e.Source == "" {
				t.Errorf("%s: duration %s without a source", r.Type, e.Duration)
			}
		}
	}
	for _, typ := range slices.Sorted(maps.Keys(defaulted)) {
		if !fastByNature[typ] {
			t.Errorf("%s falls to the default duration (%s): add it to internal/timeline/durations.go with its source", typ, timeline.DefaultDuration)
		}
	}
}

// Durations names every resource of the plan, as the recorder's sleeps need.
func TestTimelineDurationsCoverThePlan(t *testing.T) {
	sp := stackPlan(t, "prod")
	d := timeline.Durations(sp.Plan)
	if len(d) != len(sp.Resources) {
		t.Errorf("%d durations for %d resources", len(d), len(sp.Resources))
	}
	eks := sp.named(t, typeEKS, "cluster-eks")
	if d[eks.URN] != timeline.ControlPlane {
		t.Errorf("the cluster component's duration is %s, want the control plane's", d[eks.URN])
	}
}

func TestPlanTimelineCLI(t *testing.T) {
	code, out, stderr := runCmd(t, "plan", "--stack", "prod", "--timeline", "--parallel", "8", "--dir", projectDir(t))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"Stack prod, first up: ", "(modelled; pulumi --parallel 8)", "Floor: ", "modelled/floor = ",
		"Critical path (", "START", "SOURCE", "cluster-eks (eks:Cluster)", "cluster-general-ng (aws:NodeGroup)",
		"Done by component",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan --timeline lacks %q:\n%s", want, out)
		}
	}
	code, out, stderr = runCmd(t, "plan", "--stack", "dev", "--timeline", "--json", "--parallel", "8", "--dir", projectDir(t))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Stack     string
		Resources []json.RawMessage
		Timeline  timeline.Result
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.Stack != "dev" || len(got.Resources) == 0 || got.Timeline.Total <= 0 || got.Timeline.Parallelism != 8 || got.Timeline.Floor == nil {
		t.Errorf("plan --timeline --json: stack %q, %d resources, timeline %+v", got.Stack, len(got.Resources), got.Timeline.Floor)
	}
}

// A Kubernetes upgrade's modelled change: the control plane's update, then the node group's
// roll, in that order on the critical path.
func TestTimelineOfKubernetesUpgrade(t *testing.T) {
	base := stackPlan(t, "prod").Plan
	head := planWith(t, "prod", edit(kCluster, "kubernetesVersion", "1.36"))
	r, err := timeline.ModelChange(base, head, timeline.Options{Parallelism: 8})
	if err != nil {
		t.Fatal(err)
	}
	var path []string
	for _, s := range r.CriticalPath {
		path = append(path, s.Op+" "+s.Name)
	}
	if len(path) < 2 || path[0] != "update cluster-eks" || path[1] != "update cluster-general-ng" {
		t.Errorf("upgrade's critical path %v, want the control plane then the node group", path)
	}
	if len(r.Steps) != 7 {
		t.Errorf("%d steps, want the 7 version-bound updates", len(r.Steps))
	}
	t.Logf("prod upgrade 1.35 -> 1.36: %s, critical path %v", timeline.Clock(r.Total), path)
}
