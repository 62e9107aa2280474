package runner

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

const account = "111122223333"

// state of a deployed stack: the stack, a provider, a VPC (whose ownerId is the account), the
// cluster component and two roles; protected marks the zone protected and keeps the audit log
// group on destroy (retainOnDelete), as prod does.
func deployedState(stack string, protected bool) []StateResource {
	urn := func(typ, name string) string { return "urn:pulumi:" + stack + "::platform::" + typ + "::" + name }
	logs := "aws:cloudwatch/logGroup:LogGroup"
	return []StateResource{
		{URN: urn("pulumi:pulumi:Stack", "platform-"+stack), Type: "pulumi:pulumi:Stack"},
		{URN: urn("pulumi:providers:aws", "default"), Type: "pulumi:providers:aws", ID: "p"},
		{URN: urn("aws:ec2/vpc:Vpc", "network-vpc"), Type: "aws:ec2/vpc:Vpc", ID: "vpc-1", Custom: true, Outputs: map[string]any{"ownerId": account}},
		{URN: urn("eks:index:Cluster", "cluster-eks"), Type: "eks:index:Cluster"},
		{URN: urn("aws:iam/role:Role", "a-role"), Type: "aws:iam/role:Role", ID: "a", Custom: true, Outputs: map[string]any{"arn": "arn:aws:iam::" + account + ":role/a"}},
		{URN: urn("aws:iam/role:Role", "b-role"), Type: "aws:iam/role:Role", ID: "b", Custom: true},
		{URN: urn("aws:route53/zone:Zone", "dns-zone"), Type: "aws:route53/zone:Zone", ID: "Z1", Custom: true, Protect: protected},
		{URN: urn(logs, "cluster-control-plane-logs"), Type: logs, ID: "/aws/eks/x/cluster", Custom: true, RetainOnDelete: protected},
	}
}

func devWorld() *fakeWorld {
	return &fakeWorld{
		config:  map[string]map[string]string{"dev": {"aws:region": "eu-north-1", "platform:environment": "dev"}},
		state:   map[string][]StateResource{"dev": deployedState("dev", false)},
		outputs: map[string]map[string]string{"dev": {"clusterName": "platform-dev", "kubeconfig": "KCFG"}},
	}
}

func prodWorld() *fakeWorld {
	return &fakeWorld{
		config:  map[string]map[string]string{"prod": {"aws:region": "eu-north-1", "platform:environment": "prod"}},
		state:   map[string][]StateResource{"prod": deployedState("prod", true)},
		outputs: map[string]map[string]string{"prod": {"clusterName": "platform-prod", "kubeconfig": "KCFG"}},
	}
}

func calls(w *fakeWorld) string { return strings.Join(w.log, "|") }

// The destroy's order: read everything, check the sweep's account, stop Argo CD, remove load
// balancers and wait for AWS, remove volumes, destroy, then look for leftovers.
func TestDestroyOrder(t *testing.T) {
	w := devWorld()
	var out strings.Builder
	if err := newRunner(w, &out).Run(context.Background(), Destroy, []string{"dev"}); err != nil {
		t.Fatal(err)
	}
	want := "select dev|config dev|state dev|output clusterName dev|output kubeconfig dev|sweeper " + account +
		"|stop-gitops KCFG|remove-lbs KCFG|wait-lbs platform-dev|remove-volumes KCFG|destroy dev|find platform-dev"
	if calls(w) != want {
		t.Errorf("calls =\n%s\nwant\n%s", calls(w), want)
	}
	if len(w.scopes) != 1 || w.scopes[0] != (Scope{Stack: "dev", Cluster: "platform-dev", Region: "eu-north-1", Account: account, VPC: "vpc-1"}) {
		t.Errorf("sweep scope = %+v: the stack's own cluster, region, account and VPC", w.scopes)
	}
	for _, line := range []string{"destroy dev deletes 6 resource(s):", "   1 aws:cloudwatch/logGroup:LogGroup", "   2 aws:iam/role:Role", "   1 aws:ec2/vpc:Vpc", "   1 eks:index:Cluster", "   1 aws:route53/zone:Zone"} {
		if !strings.Contains(out.String(), line+"\n") {
			t.Errorf("preview lacks %q:\n%s", line, out.String())
		}
	}
}

// Production, or protected resources, need the stack's name repeated: --yes is not enough.
func TestDestroyGuardsProduction(t *testing.T) {
	for _, tc := range []struct {
		name    string
		world   func() *fakeWorld
		stack   string
		confirm []string
		allowed bool
	}{
		{"prod with --yes only", prodWorld, "prod", nil, false},
		{"prod confirmed as another stack", prodWorld, "prod", []string{"dev"}, false},
		{"prod confirmed by name", prodWorld, "prod", []string{"prod"}, true},
		{"environment unset is prod", func() *fakeWorld {
			w := devWorld()
			delete(w.config["dev"], "platform:environment")
			return w
		}, "dev", nil, false},
		{"dev with a protected resource", func() *fakeWorld {
			w := devWorld()
			w.state["dev"] = deployedState("dev", true)
			return w
		}, "dev", nil, false},
		{"dev", devWorld, "dev", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := tc.world()
			var out strings.Builder
			r := newRunner(w, &out)
			r.ConfirmDestroy = tc.confirm
			err := r.Run(context.Background(), Destroy, []string{tc.stack})
			destroyed := strings.Contains(calls(w), "destroy "+tc.stack)
			if tc.allowed != (err == nil) || destroyed != tc.allowed {
				t.Fatalf("err %v, calls %s", err, calls(w))
			}
			if !tc.allowed {
				if !strings.Contains(err.Error(), "--confirm-destroy "+tc.stack) || !strings.Contains(err.Error(), "--yes alone is not enough") {
					t.Errorf("refusal does not say how to confirm: %v", err)
				}
				if want := "select " + tc.stack + "|config " + tc.stack + "|state " + tc.stack; calls(w) != want {
					t.Errorf("a refused destroy went further: %s", calls(w))
				}
			}
		})
	}
	// The preview names what stays; confirmed, the destroy keeps exactly the protected zone.
	w := prodWorld()
	var out strings.Builder
	r := newRunner(w, &out)
	r.ConfirmDestroy = []string{"prod"}
	if err := r.Run(context.Background(), Destroy, []string{"prod"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "destroy prod deletes 4 resource(s):") || !strings.Contains(out.String(), "and leaves 1 protected resource(s): dns-zone\n") ||
		!strings.Contains(out.String(), "and keeps 1 resource(s) in the cloud, out of the state (retainOnDelete): cluster-control-plane-logs\n") {
		t.Errorf("preview:\n%s", out.String())
	}
	if got := w.kept["prod"]; len(got) != 1 || !strings.HasSuffix(got[0], "::dns-zone") {
		t.Errorf("the destroy kept %v, want the protected zone", got)
	}
}

// A protected resource that depends on others would stop Pulumi halfway, after it deleted
// everything around it: refused even when confirmed, with the commands that unprotect it.
func TestDestroyRefusesToStopHalfway(t *testing.T) {
	w := prodWorld()
	st := w.state["prod"]
	for i := range st {
		switch st[i].Name() {
		case "cluster-eks": // a component: protected, with a protected child on the VPC and a role
			st[i].Protect = true
			st[i].Dependencies = []string{st[2].URN}
		case "b-role":
			st[i].Parent = st[3].URN
			st[i].Protect = true
			st[i].Dependencies = []string{st[4].URN}
		}
	}
	var out strings.Builder
	r := newRunner(w, &out)
	r.ConfirmDestroy = []string{"prod"}
	err := r.Run(context.Background(), Destroy, []string{"prod"})
	if err == nil {
		t.Fatal("a destroy that would stop halfway was run")
	}
	for _, want := range []string{
		"half destroyed",
		"  b-role keeps 2 resource(s): a-role, network-vpc\n",
		"  cluster-eks keeps 1 resource(s): network-vpc\n",
		"  pulumi state unprotect --stack prod --yes 'urn:pulumi:prod::platform::aws:iam/role:Role::b-role'\n",
		"  pulumi state unprotect --stack prod --yes 'urn:pulumi:prod::platform::eks:index:Cluster::cluster-eks'\n",
		"may stay protected; the destroy leaves them: dns-zone",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal lacks %q:\n%v", want, err)
		}
	}
	if want := "select prod|config prod|state prod"; calls(w) != want {
		t.Errorf("a refused destroy went further: %s", calls(w))
	}
}

// What protection keeps: the protected resources, their dependencies and parents,
// transitively; only custom, unprotected resources count as held up (not components, not
// providers).
func TestProtection(t *testing.T) {
	u := func(n string) string { return "urn:pulumi:s::p::t::" + n }
	state := []StateResource{
		{URN: u("stack")},
		{URN: u("comp"), Parent: u("stack")},
		{URN: u("prov"), Type: "pulumi:providers:aws", Custom: true},
		{URN: u("leaf"), Custom: true, Protect: true, Parent: u("comp"), Dependencies: []string{u("prov")}},
		{URN: u("mid"), Custom: true, Dependencies: []string{u("low")}},
		{URN: u("low"), Custom: true},
		{URN: u("top"), Custom: true, Protect: true, Dependencies: []string{u("mid")}},
		{URN: u("free"), Custom: true},
	}
	p := protection(state)
	if got := strings.Join(p.Protected, ","); got != "leaf,top" {
		t.Errorf("protected %s", got)
	}
	var kept []string
	for _, k := range p.Kept {
		kept = append(kept, k[strings.LastIndex(k, "::")+2:])
	}
	if got := strings.Join(kept, ","); got != "comp,leaf,low,mid,prov,stack,top" {
		t.Errorf("kept %s", got)
	}
	if len(p.HeldUp) != 1 || strings.Join(p.HeldUp["top"], ",") != "low,mid" {
		t.Errorf("held up %v, want top keeping low and mid", p.HeldUp)
	}
}

// At a terminal without --yes, the operator types the stack's name after seeing the preview.
func TestDestroyAsksAtATerminal(t *testing.T) {
	for answer, ok := range map[string]bool{"dev\n": true, "yes\n": false, "\n": false} {
		w := devWorld()
		var out strings.Builder
		r := newRunner(w, &out)
		r.Yes, r.Terminal = false, true
		r.Ask = func(q string) (string, error) {
			out.WriteString("ASK " + q)
			return answer, nil
		}
		err := r.Run(context.Background(), Destroy, []string{"dev"})
		if ok != (err == nil) || ok != strings.Contains(calls(w), "destroy dev") {
			t.Errorf("answer %q: err %v calls %s", answer, err, calls(w))
		}
		if i, j := strings.Index(out.String(), "destroy dev deletes"), strings.Index(out.String(), "ASK Type the stack name (dev)"); i < 0 || j < i {
			t.Errorf("answer %q: the question must follow the preview:\n%s", answer, out.String())
		}
	}
}

// Failing to read the stack is an error, never "nothing deployed"; nothing is destroyed.
func TestDestroyFailsWhenTheStackCannotBeRead(t *testing.T) {
	for _, fail := range []string{"config dev", "state dev", "output clusterName dev", "output kubeconfig dev", "sweeper " + account} {
		w := devWorld()
		w.fail = map[string]bool{fail: true}
		var out strings.Builder
		err := newRunner(w, &out).Run(context.Background(), Destroy, []string{"dev"})
		if err == nil || !strings.Contains(err.Error(), fail+" failed") {
			t.Errorf("%s: err = %v", fail, err)
		}
		if c := calls(w); strings.Contains(c, "destroy dev") || strings.Contains(c, "remove-lbs") || strings.Contains(out.String(), "nothing deployed") {
			t.Errorf("%s: went on: %s\n%s", fail, c, out.String())
		}
	}
}

// A failed destroy still looks for leftovers (what blocks the VPC's deletion); with --sweep
// it deletes every one of them; the destroy's error is kept.
func TestDestroyFailureStillSweeps(t *testing.T) {
	left := []Leftover{{KindSG, "sg-1"}, {KindLoadBalancer, "lb-1"}, {KindENI, "eni-1"}}
	w := devWorld()
	w.fail = map[string]bool{"destroy dev": true}
	w.left = left
	var out strings.Builder
	err := newRunner(w, &out).Run(context.Background(), Destroy, []string{"dev"})
	if err == nil || !strings.Contains(err.Error(), "destroy dev failed") || !errors.Is(err, ErrLeftovers) {
		t.Errorf("err = %v", err)
	}
	if !strings.HasSuffix(calls(w), "destroy dev|find platform-dev") || !strings.Contains(out.String(), "load-balancer lb-1") {
		t.Errorf("calls %s\n%s", calls(w), out.String())
	}
	w = devWorld()
	w.fail = map[string]bool{"destroy dev": true}
	w.left = left
	r := newRunner(w, io.Discard)
	r.Sweep = true
	err = r.Run(context.Background(), Destroy, []string{"dev"})
	if err == nil || errors.Is(err, ErrLeftovers) || !strings.HasSuffix(calls(w), "destroy dev|find platform-dev|delete sg-1,lb-1,eni-1") {
		t.Errorf("sweep after a failed destroy: err %v, calls %s", err, calls(w))
	}
}

func TestDestroyLeftovers(t *testing.T) {
	w := devWorld()
	w.left = []Leftover{{KindTargetGroup, "tg-1"}, {KindVolume, "vol-1"}}
	var out strings.Builder
	err := newRunner(w, &out).Run(context.Background(), Destroy, []string{"dev"})
	if !errors.Is(err, ErrLeftovers) || !strings.Contains(out.String(), "volume vol-1") || !strings.Contains(out.String(), "--sweep") {
		t.Errorf("err = %v\n%s", err, out.String())
	}
	if strings.Contains(calls(w), "delete") {
		t.Error("deleted leftovers without --sweep")
	}
	w.log = nil
	r := newRunner(w, io.Discard)
	r.Sweep = true
	if err := r.Run(context.Background(), Destroy, []string{"dev"}); err != nil || !strings.HasSuffix(calls(w), "find platform-dev|delete tg-1,vol-1") {
		t.Errorf("sweep: err %v calls %s", err, calls(w))
	}
}

// A kept volume (prod's data, reclaimPolicy Retain) is listed as kept, is no leftover (no exit
// 3) and is never handed to the sweep's Delete.
func TestDestroyListsKeptVolumesAndNeverSweepsThem(t *testing.T) {
	w := devWorld()
	w.left = []Leftover{{KindKeptVolume, "vol-data"}}
	var out strings.Builder
	if err := newRunner(w, &out).Run(context.Background(), Destroy, []string{"dev"}); err != nil {
		t.Errorf("only a kept volume left: err = %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "1 EBS volume(s) of platform-dev are kept") || !strings.Contains(out.String(), "vol-data") ||
		!strings.Contains(out.String(), "no AWS resources owned by platform-dev are left") {
		t.Errorf("the kept volume is not reported as kept:\n%s", out.String())
	}
	w = devWorld()
	w.left = []Leftover{{KindKeptVolume, "vol-data"}, {KindVolume, "vol-1"}}
	r := newRunner(w, io.Discard)
	r.Sweep = true
	if err := r.Run(context.Background(), Destroy, []string{"dev"}); err != nil || !strings.HasSuffix(calls(w), "find platform-dev|delete vol-1") {
		t.Errorf("sweep with a kept volume: err %v calls %s", err, calls(w))
	}
}

// If a step before the destroy fails, nothing is destroyed or swept; what is left is listed.
func TestDestroyStopsWhenAStepBeforeItFails(t *testing.T) {
	for _, step := range []string{"stop-gitops KCFG", "remove-lbs KCFG", "wait-lbs platform-dev", "remove-volumes KCFG"} {
		w := devWorld()
		w.fail = map[string]bool{step: true}
		w.left = []Leftover{{KindLoadBalancer, "lb-1"}}
		r := newRunner(w, io.Discard)
		r.Sweep = true
		err := r.Run(context.Background(), Destroy, []string{"dev"})
		if err == nil || !strings.Contains(err.Error(), "nothing was destroyed") {
			t.Errorf("%s: err = %v", step, err)
		}
		if c := calls(w); strings.Contains(c, "destroy dev") || strings.Contains(c, "delete") || !strings.HasSuffix(c, step+"|find platform-dev") {
			t.Errorf("%s: calls %s", step, c)
		}
	}
}

// Nothing deployed: destroy runs (it removes the empty stack's state), nothing else does.
func TestDestroyOfAnEmptyStack(t *testing.T) {
	w := devWorld()
	w.state["dev"] = deployedState("dev", false)[:2]
	var out strings.Builder
	if err := newRunner(w, &out).Run(context.Background(), Destroy, []string{"dev"}); err != nil {
		t.Fatal(err)
	}
	if calls(w) != "select dev|config dev|state dev|destroy dev" || !strings.Contains(out.String(), "nothing deployed") {
		t.Errorf("calls %s\n%s", calls(w), out.String())
	}
}

// A first `up` that failed after creating the cluster exported no outputs: the cluster's name
// comes from the config, the Kubernetes steps are skipped (no kubeconfig) and the sweep runs.
func TestDestroyAfterAnUnfinishedUp(t *testing.T) {
	w := devWorld()
	w.outputs = map[string]map[string]string{}
	var out strings.Builder
	if err := newRunner(w, &out).Run(context.Background(), Destroy, []string{"dev"}); err != nil {
		t.Fatal(err)
	}
	want := "select dev|config dev|state dev|output clusterName dev|output kubeconfig dev|sweeper " + account + "|destroy dev|find platform-dev"
	if calls(w) != want || !strings.Contains(out.String(), "cannot remove platform-dev's Ingresses") {
		t.Errorf("calls %s\n%s", calls(w), out.String())
	}
	w = devWorld()
	w.outputs = map[string]map[string]string{}
	w.config["dev"]["platform:cluster"] = `{"name":"team-cluster"}`
	newRunner(w, io.Discard).Run(context.Background(), Destroy, []string{"dev"})
	if len(w.scopes) != 1 || w.scopes[0].Cluster != "team-cluster" {
		t.Errorf("cluster from config: %+v", w.scopes)
	}
}
