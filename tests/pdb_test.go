package tests

import (
	"fmt"
	"maps"
	"slices"
	"testing"
)

// Checklist 31: in prod every replicated platform workload keeps all but a bounded number of
// pods through a node drain (a node group upgrade, the autoscaler's scale-in). Each planned
// Helm release is rendered by Helm with the pinned chart and the plan's values, and every
// Deployment or StatefulSet with more than one replica must be selected by a
// PodDisruptionBudget of the same release, one that lets at least one pod go (a budget that
// lets none would block every drain).
func TestReplicatedPlatformWorkloadsHaveDisruptionBudgets(t *testing.T) {
	p := stackPlan(t, "prod")
	releases := p.ofType(typeRelease)
	if len(releases) < 8 {
		t.Fatalf("only %d releases", len(releases))
	}
	checked := 0
	for _, rel := range releases {
		objs := renderRelease(t, rel, "1.35.0")
		var budgets []map[string]any
		for _, o := range objs {
			if o["kind"] == "PodDisruptionBudget" {
				budgets = append(budgets, o)
			}
		}
		for _, o := range objs {
			if o["kind"] != "Deployment" && o["kind"] != "StatefulSet" {
				continue
			}
			spec, _ := o["spec"].(map[string]any)
			replicas, _ := spec["replicas"].(int)
			if replicas < 2 {
				continue
			}
			checked++
			labels := podLabels(spec)
			name := fmt.Sprintf("%s: %s %s (%d replicas)", rel.Name, o["kind"], meta(o)["name"], replicas)
			var covering []string
			for _, b := range budgets {
				bs, _ := b["spec"].(map[string]any)
				sel, _ := bs["selector"].(map[string]any)
				match, _ := sel["matchLabels"].(map[string]any)
				if len(match) == 0 || !subset(match, labels) {
					continue
				}
				covering = append(covering, fmt.Sprint(meta(b)["name"]))
				if bs["maxUnavailable"] == 0 || bs["minAvailable"] == replicas {
					t.Errorf("%s: budget %s lets no pod go: every drain would block", name, meta(b)["name"])
				}
			}
			if len(covering) == 0 {
				t.Errorf("%s: no PodDisruptionBudget selects its pods (labels %v)", name, slices.Sorted(maps.Keys(labels)))
			}
		}
	}
	if checked < 4 {
		t.Errorf("only %d replicated workloads in prod's releases", checked)
	}
	t.Logf("%d replicated workloads, each under a budget", checked)
}

func meta(o map[string]any) map[string]any { m, _ := o["metadata"].(map[string]any); return m }

func podLabels(spec map[string]any) map[string]any {
	tpl, _ := spec["template"].(map[string]any)
	m, _ := tpl["metadata"].(map[string]any)
	l, _ := m["labels"].(map[string]any)
	return l
}

func subset(sel, labels map[string]any) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}
