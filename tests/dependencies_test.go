package tests

import (
	"slices"
	"testing"
	"time"

	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/recorder"
	"github.com/example/platform/internal/timeline"
)

// Dependencies the program used to declare that the data does not need, each of which put a
// release's whole rollout on the first up's critical path (internal/timeline). They were
// removed; a test fails if one comes back.
var removedDependencies = []struct{ dependent, dependency, why string }{
	{"addons-kube-prometheus-stack", "addons-alert-receiver", "Alertmanager's pod starts when the receiver's Secret appears"},
	{"addons-kube-prometheus-stack", "addons-grafana-oauth", "Grafana's pod starts when its OAuth Secret appears"},
	{"addons-loki", "addons-kube-prometheus-stack", "the ServiceMonitor needs only the CRDs (addons-monitoring-crds)"},
	{"addons-tempo", "addons-kube-prometheus-stack", "the ServiceMonitor needs only the CRDs"},
	{"addons-alloy", "addons-kube-prometheus-stack", "the ServiceMonitor needs only the CRDs"},
	{"addons-alloy", "addons-loki", "Alloy pushes to Loki's address and retries until it answers"},
	{"addons-external-secrets", "addons-kube-prometheus-stack", "the ServiceMonitor needs only the CRDs"},
	{"argocd-release", "addons-kube-prometheus-stack", "Argo CD's ServiceMonitors need only the CRDs"},
}

// What the same releases still need, which the data does not show either: the order the
// engine must keep (checked on the plan here and on the engine's journal in
// TestEngineMatchesTheTimeModel).
var neededOrder = []struct{ dependent, dependency string }{
	{"addons-kube-prometheus-stack", "addons-monitoring-crds"},
	{"addons-loki", "addons-monitoring-crds"},
	{"addons-tempo", "addons-monitoring-crds"},
	{"argocd-release", "addons-monitoring-crds"},
	{"addons-kube-prometheus-stack", "addons-aws-load-balancer-controller"},
	{"addons-kube-prometheus-stack", "addons-ebs-csi-gp3"},
	{"addons-loki", "addons-ebs-csi-gp3"},
	{"argocd-release", "addons-aws-load-balancer-controller"},
	{"argocd-release", "argocd-dex-secret"},
	{"addons-alert-receiver", "addons-store-aws-parameter-store"},
	{"addons-store-aws-parameter-store", "addons-external-secrets"},
	{"addons-kube-prometheus-stack", "cluster-general-ng"},
	{"addons-alloy", "cluster-general-ng"},
}

// byName finds a resource of the plan by its logical name (unique in these stacks).
func byName(t *testing.T, p *planner.Plan, name string) planner.Resource {
	t.Helper()
	var found []planner.Resource
	for _, r := range p.Resources {
		if r.Name == name {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s: %d resources named %s, want 1", p.Stack, len(found), name)
	}
	return found[0]
}

func TestRemovedDependenciesStayRemoved(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		p := stackPlan(t, stack).Plan
		for _, d := range removedDependencies {
			dependent, dependency := byName(t, p, d.dependent), byName(t, p, d.dependency)
			if slices.Contains(dependent.Dependencies, dependency.URN) {
				t.Errorf("%s: %s waits for %s again, which put it on the first up's critical path; it does not need to: %s", stack, d.dependent, d.dependency, d.why)
			}
		}
		for _, d := range neededOrder {
			dependent, dependency := byName(t, p, d.dependent), byName(t, p, d.dependency)
			if !slices.Contains(dependent.Dependencies, dependency.URN) {
				t.Errorf("%s: %s no longer waits for %s, which it needs", stack, d.dependent, d.dependency)
			}
		}
	}
}

// The goal: a modelled first up within 1.15 times its floor (control plane, then
// node group, then the slowest addon), at Pulumi's default parallelism on a 2-CPU runner and
// unbounded.
func TestFirstUpIsNearItsFloor(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		p := stackPlan(t, stack).Plan
		for _, parallelism := range []int{8, timeline.Unbounded} {
			r, err := timeline.Model(p, timeline.Options{Parallelism: parallelism})
			if err != nil {
				t.Fatal(err)
			}
			ratio := float64(r.Total) / float64(r.Floor.Total)
			t.Logf("%s at parallelism %d: first up %s, floor %s, ratio %.2f", stack, parallelism, r.Total.Round(time.Second), r.Floor.Total.Round(time.Second), ratio)
			if ratio > 1.15 {
				t.Errorf("%s at parallelism %d: the modelled first up is %.2f times its floor, more than 1.15", stack, parallelism, ratio)
			}
		}
	}
}

// createOrderHolds checks the engine's journal of a first up: each needed order held.
func createOrderHolds(t *testing.T, p *planner.Plan, entries []recorder.Entry) {
	t.Helper()
	created := positions(entries, "create")
	for _, d := range neededOrder {
		dependent, dependency := byName(t, p, d.dependent), byName(t, p, d.dependency)
		a, okA := created[dependent.URN]
		b, okB := created[dependency.URN]
		if !okA || !okB {
			t.Errorf("%s: the journal lacks the create of %s or %s", p.Stack, d.dependent, d.dependency)
			continue
		}
		if a < b {
			t.Errorf("%s: the engine created %s before %s, which it needs", p.Stack, d.dependent, d.dependency)
		}
	}
}
