package timeline

import (
	"strings"
	"testing"
	"time"

	"github.com/example/platform/internal/planner"
)

// Synthetic plans: types with known table durations stand for the steps.
const (
	role   = "aws:iam/role:Role"                                   // 7 s
	nat    = "aws:ec2/natGateway:NatGateway"                       // 2 min
	record = "aws:route53/record:Record"                           // 1 min
	valid  = "aws:acm/certificateValidation:CertificateValidation" // 3 min
	comp   = "platform:index:Thing"                                // a component
	prov   = "pulumi:providers:kubernetes"                         // instant
	ns     = "kubernetes:core/v1:Namespace"                        // 2 s
	eks    = "eks:index:Cluster"                                   // the control plane
	ng     = "aws:eks/nodeGroup:NodeGroup"                         // 4 min at 2 nodes
	helm   = "kubernetes:helm.sh/v3:Release"                       // by chart
	addon  = "aws:eks/addon:Addon"                                 // by addon
	unk    = "aws:somewhere/unknownThing:UnknownThing"             // the default
)

// res is a resource named n of type t, depending on deps (names), with options.
func res(t, n string, deps ...string) planner.Resource {
	r := planner.Resource{URN: "urn:" + n, Type: t, Name: n, Custom: !strings.HasPrefix(t, "platform:") && t != eks, Inputs: map[string]any{}}
	for _, d := range deps {
		r.Dependencies = append(r.Dependencies, "urn:"+d)
	}
	return r
}

func child(r planner.Resource, parent string) planner.Resource { r.Parent = "urn:" + parent; return r }

func plan(rs ...planner.Resource) *planner.Plan { return &planner.Plan{Stack: "test", Resources: rs} }

func TestSchedule(t *testing.T) {
	withProvider := res(ns, "ns")
	withProvider.Provider = "urn:k8s::k8s-id"
	chart := res(helm, "prom", "ng")
	chart.Inputs = map[string]any{"chart": "kube-prometheus-stack", "timeout": float64(120)}
	for _, c := range []struct {
		name        string
		plan        *planner.Plan
		parallelism int
		total       time.Duration
		critical    []string
	}{
		{"one step", plan(res(nat, "a")), Unbounded, 2 * time.Minute, []string{"a"}},
		{"chain adds up", plan(res(nat, "a"), res(record, "b", "a"), res(valid, "c", "b")), Unbounded,
			6 * time.Minute, []string{"a", "b", "c"}},
		{"fan-out runs side by side", plan(res(role, "r"), res(nat, "a", "r"), res(nat, "b", "r"), res(record, "c", "r")), Unbounded,
			7*time.Second + 2*time.Minute, []string{"r", "a"}},
		{"parallelism 1 runs one at a time", plan(res(role, "r"), res(nat, "a", "r"), res(nat, "b", "r"), res(record, "c", "r")), 1,
			7*time.Second + 5*time.Minute, []string{"r", "a", "b", "c"}},
		{"parallelism 2 fills the slots in plan order", plan(res(nat, "a"), res(nat, "b"), res(record, "c")), 2,
			3 * time.Minute, []string{"a", "c"}},
		{"a dependency on a component waits for its children", plan(
			res(comp, "net"), child(res(nat, "gw"), "net"), child(res(role, "r"), "net"), res(record, "dns", "net")), Unbounded,
			3 * time.Minute, []string{"gw", "dns"}},
		{"children wait for their component's own dependencies", plan(
			res(valid, "cert"), res(comp, "app", "cert"), child(res(record, "dns"), "app")), Unbounded,
			4 * time.Minute, []string{"cert", "dns"}},
		{"a resource waits for its provider", plan(res(eks, "cluster"), res(prov, "k8s", "cluster"), withProvider), Unbounded,
			ControlPlane + 2*time.Second, []string{"cluster", "k8s", "ns"}},
		{"a Helm release is capped by its timeout", plan(res(eks, "cluster"), res(ng, "ng", "cluster"), chart), Unbounded,
			ControlPlane + 4*time.Minute + 2*time.Minute, []string{"cluster", "ng", "prom"}},
		{"components take no slot", plan(res(comp, "x"), res(comp, "y", "x"), res(nat, "a", "y"), res(nat, "b", "y")), 1,
			4 * time.Minute, []string{"a", "b"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := Model(c.plan, Options{Parallelism: c.parallelism})
			if err != nil {
				t.Fatal(err)
			}
			if r.Total != c.total {
				t.Errorf("total %s, want %s", r.Total, c.total)
			}
			var names []string
			for _, s := range r.CriticalPath {
				names = append(names, s.Name)
			}
			if strings.Join(names, ",") != strings.Join(c.critical, ",") {
				t.Errorf("critical path %v, want %v", names, c.critical)
			}
		})
	}
}

func TestCycleIsAnError(t *testing.T) {
	_, err := Model(plan(res(nat, "a", "b"), res(nat, "b", "a")), Options{Parallelism: Unbounded})
	if err == nil || !strings.Contains(err.Error(), "cycle") || !strings.Contains(err.Error(), "a, b") {
		t.Fatalf("err = %v, want a cycle through a, b", err)
	}
}

func TestFloorIsControlPlaneNodeGroupAndSlowestAddon(t *testing.T) {
	prom := res(helm, "prom", "ng")
	prom.Inputs = map[string]any{"chart": "kube-prometheus-stack"}
	loki := res(helm, "loki", "ng", "prom") // a link the floor does not count
	loki.Inputs = map[string]any{"chart": "loki"}
	dns := res(addon, "coredns", "ng")
	dns.Inputs = map[string]any{"addonName": "coredns"}
	p := plan(res(role, "key"), res(eks, "cluster", "key"), res(ng, "ng", "cluster"), prom, loki, dns)
	r, err := Model(p, Options{Parallelism: Unbounded})
	if err != nil {
		t.Fatal(err)
	}
	f := r.Floor
	want := 7*time.Second + ControlPlane + 4*time.Minute + 4*time.Minute
	if f == nil || f.Total != want || f.SlowestAddon.Name != "prom" {
		t.Fatalf("floor %+v, want %s with prom", f, want)
	}
	if r.Total != want+3*time.Minute || f.Ratio <= 1 {
		t.Errorf("total %s ratio %.2f, want the loki link on top of the floor", r.Total, f.Ratio)
	}
}

func TestDefaultDurationIsMarked(t *testing.T) {
	if e := CreateDuration(res(unk, "x")); !e.Default || e.Duration != DefaultDuration {
		t.Errorf("%+v", e)
	}
	if e := CreateDuration(res(nat, "x")); e.Default || e.Source == "" {
		t.Errorf("%+v", e)
	}
	multi := res("aws:rds/instance:Instance", "db")
	multi.Inputs["multiAz"] = true
	if CreateDuration(multi).Duration <= CreateDuration(res("aws:rds/instance:Instance", "db")).Duration {
		t.Error("Multi-AZ RDS is not slower than single-AZ")
	}
}

func TestDurationsAreByURN(t *testing.T) {
	d := Durations(plan(res(comp, "c"), res(eks, "cluster"), child(res(nat, "gw"), "c")))
	if d["urn:c"] != 0 || d["urn:cluster"] != ControlPlane || d["urn:gw"] != 2*time.Minute || len(d) != 3 {
		t.Errorf("%v", d)
	}
}

func TestDefaultParallelism(t *testing.T) {
	t.Setenv("PULUMI_PARALLEL", "")
	if DefaultParallelism() < 4 || DefaultParallelism()%4 != 0 {
		t.Errorf("default %d, want 4 x CPUs", DefaultParallelism())
	}
	t.Setenv("PULUMI_PARALLEL", "3")
	if DefaultParallelism() != 3 {
		t.Errorf("PULUMI_PARALLEL=3 gives %d", DefaultParallelism())
	}
}

// A Kubernetes upgrade: the control plane's version update, then the node group's roll, then
// deletes after everything else.
func TestModelChangeUpgrade(t *testing.T) {
	mk := func(version string, extra bool) *planner.Plan {
		c := res(eks, "cluster")
		c.Inputs = map[string]any{"version": version}
		g := res(ng, "ng", "cluster")
		g.Inputs = map[string]any{"version": version, "scalingConfig": map[string]any{"desiredSize": float64(3)}}
		p := plan(c, g, res(role, "r"))
		if extra {
			p.Resources = append(p.Resources, res(nat, "old", "r"))
		}
		return p
	}
	r, err := ModelChange(mk("1.35", true), mk("1.36", false), Options{Parallelism: Unbounded})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range r.CriticalPath {
		got = append(got, s.Op+" "+s.Name)
	}
	if strings.Join(got, ",") != "update cluster,update ng,delete old" {
		t.Errorf("critical path %v", got)
	}
	want := 30*time.Minute + 4*time.Minute + 3*3*time.Minute + time.Minute
	if r.Total != want || len(r.Steps) != 3 {
		t.Errorf("total %s (want %s), steps %+v", r.Total, want, r.Steps)
	}
}
