package tests

import (
	"testing"

	"github.com/example/platform/components/addons"
)

// Autoscaling that works: every scaffolded app's HorizontalPodAutoscaler reads the resource
// metrics API, which the plan registers (the metrics-server EKS add-on serves
// v1beta1.metrics.k8s.io); no overlay sets a field the HPA owns; and Argo CD neither reports
// nor resets what an HPA writes in an app whose Git still sets it.
func TestAutoscalingWorks(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		p := stackPlan(t, stack)
		server, ok := p.Named("aws:eks/addon:Addon", "addons-metrics-server")
		if !ok || getString(server, "addonName") != addons.MetricsServerAddon {
			t.Errorf("%s: no metrics-server add-on: every HPA on CPU would have no metric", stack)
		}
		set := p.named(t, "kubernetes:argoproj.io/v1alpha1:ApplicationSet", "teams-applicationset")
		var deployments bool
		for _, d := range asList(get(set, "spec.template.spec.ignoreDifferences")) {
			m, _ := d.(map[string]any)
			if m["group"] == "apps" && m["kind"] == "Deployment" && len(asList(m["managedFieldsManagers"])) == 1 &&
				asList(m["managedFieldsManagers"])[0] == "kube-controller-manager" {
				deployments = true
			}
		}
		respect := false
		for _, o := range asList(get(set, "spec.template.spec.syncPolicy.syncOptions")) {
			respect = respect || o == "RespectIgnoreDifferences=true"
		}
		if !deployments || !respect {
			t.Errorf("%s: the team Applications would undo an HPA's scaling (ignoreDifferences %v, RespectIgnoreDifferences %v)", stack, deployments, respect)
		}
		for name, app := range scaffoldApps {
			files, err := app.Files(scaffoldStacks(t))
			if err != nil {
				t.Fatal(err)
			}
			objs := kustomizeBuild(t, files, "teams/"+app.Team+"/apps/"+app.Name+"/overlays/"+stack)
			targets := map[string]bool{}
			for _, o := range objs {
				if o.Body["kind"] == "HorizontalPodAutoscaler" {
					spec := o.Body["spec"].(map[string]any)
					ref := spec["scaleTargetRef"].(map[string]any)
					targets[ref["kind"].(string)+"/"+ref["name"].(string)] = true
					if spec["minReplicas"] == nil {
						t.Errorf("%s %s: the HPA has no floor", stack, name)
					}
				}
			}
			if len(targets) == 0 {
				t.Errorf("%s %s: no HPA", stack, name)
			}
			for _, o := range objs {
				meta := o.Body["metadata"].(map[string]any)
				if !targets[o.Body["kind"].(string)+"/"+meta["name"].(string)] {
					continue
				}
				if r, set := o.Body["spec"].(map[string]any)["replicas"]; set {
					t.Errorf("%s %s: the overlay sets %s's replicas (%v), which its HPA owns", stack, name, meta["name"], r)
				}
				delete(targets, o.Body["kind"].(string)+"/"+meta["name"].(string))
			}
			if len(targets) > 0 {
				t.Errorf("%s %s: HPAs target what the overlay does not have: %v", stack, name, targets)
			}
		}
	}
}
