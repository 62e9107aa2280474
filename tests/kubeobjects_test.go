package tests

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/example/platform/internal/kubeapi"
	"github.com/example/platform/internal/planner"
)

// kubeObjects are the Kubernetes objects the program creates directly (typed resources and
// CustomResources), as the API server will receive them. Helm releases are not objects; their
// embedded object fragments are checked by TestHelmValueFragmentsAgainstAPIServer.
func kubeObjects(p *plan) []kubeapi.Object {
	var out []kubeapi.Object
	for _, r := range p.Resources {
		if !strings.HasPrefix(r.Type, "kubernetes:") || strings.HasPrefix(r.Type, "kubernetes:helm.sh/") {
			continue
		}
		body := map[string]any{}
		for k, v := range r.Shaped {
			body[k] = v
		}
		meta, _ := body["metadata"].(map[string]any)
		if meta == nil {
			meta = map[string]any{}
			body["metadata"] = meta
		}
		if meta["name"] == nil {
			// Pulumi auto-names objects without a name: the resource name plus a suffix.
			meta["name"] = r.Name + "-a1b2c3d4"
		}
		out = append(out, kubeapi.Object{ID: r.URN, Body: body})
	}
	return out
}

// Every Kubernetes object of the dev and prod plans is accepted by a real kube-apiserver
// (server-side apply, dry run, strict field validation) with the upstream CRDs installed.
func TestKubernetesObjectsAgainstAPIServer(t *testing.T) {
	s := kubeapi.Shared(t)
	// The platform: 6 namespaces, 2 StorageClasses (gp3 and its opt-out from backups), Secret, 1-2 ClusterSecretStores, 4
	// ExternalSecrets, 2 AppProjects and the default one's patch, Application, the platform's
	// IngressClass and its params, Loki's NetworkPolicy, 2 PodMonitors and 2 PrometheusRules
	// (24-25). The two teams (43 in dev, 46
	// in prod, where search has a dedicated class): 3 namespaces, each with its quota, limit
	// range, 5-6 NetworkPolicies, 1-2 RoleBindings, service account and SecretStore; 3
	// ClusterRoles, a view binding, 2 AppProjects, 1-2 IngressClasses with params, the
	// ApplicationSet, the monitoring ValidatingAdmissionPolicy and its binding.
	want := map[string]int{"dev": 95, "prod": 95}
	for _, stack := range []string{"dev", "prod"} {
		objs := kubeObjects(stackPlan(t, stack))
		if len(objs) != want[stack] {
			t.Errorf("%s: %d Kubernetes objects in the plan, want %d (update the count when adding objects)", stack, len(objs), want[stack])
		}
		n, errs := s.ValidateAll(objs)
		for _, err := range errs {
			t.Errorf("%s: %v", stack, err)
		}
		t.Logf("%s: %d objects validated by kube-apiserver %s", stack, n, kubeapi.K8sVersion)
	}
}

// The objects of the plan reach the server with their real kinds: a typo in one (here, an
// unknown field slipped into the gp3 StorageClass) fails the check.
func TestKubernetesObjectCheckCanFail(t *testing.T) {
	s := kubeapi.Shared(t)
	var bad []kubeapi.Object
	for _, o := range kubeObjects(stackPlan(t, "dev")) {
		if o.Body["kind"] == "StorageClass" || o.Body["kind"] == "ClusterSecretStore" {
			body := map[string]any{}
			for k, v := range o.Body {
				body[k] = v
			}
			if body["kind"] == "StorageClass" {
				body["volumeBindingMod"] = "WaitForFirstConsumer"
			} else {
				body["spec"] = map[string]any{"provider": map[string]any{"aws": map[string]any{"service": "ParamStore", "region": "eu-north-1"}}}
			}
			bad = append(bad, kubeapi.Object{ID: o.ID, Body: body})
		}
	}
	// dev's two StorageClasses (gp3, gp3-no-backup) and its ClusterSecretStore.
	_, errs := s.ValidateAll(bad)
	if len(bad) != 3 || len(errs) != len(bad) {
		t.Fatalf("%d of %d broken objects rejected, want 3 of 3: %v", len(errs), len(bad), errs)
	}
	joined := fmt.Sprint(errs)
	if !strings.Contains(joined, "volumeBindingMod") || !strings.Contains(joined, "ParamStore") {
		t.Errorf("rejections do not name the problems: %v", errs)
	}
}

// Helm values that embed Kubernetes object fragments (resources, topology spread, PDB specs,
// volume claim templates) are wrapped in the object they end up in and validated by the
// server, so a wrong quantity or field name fails here rather than in `helm upgrade`.
func TestHelmValueFragmentsAgainstAPIServer(t *testing.T) {
	s := kubeapi.Shared(t)
	// Baseline, as every namespace must enforce (the platform's namespace policy).
	if err := s.Apply(kubeapi.Object{ID: "ns", Body: map[string]any{
		"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "fragments",
			"labels": map[string]any{"pod-security.kubernetes.io/enforce": "baseline"}}}}); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, stack := range []string{"dev", "prod"} {
		for _, rel := range stackPlan(t, stack).ofType(typeRelease) {
			objs := fragments(rel)
			checked += len(objs)
			for _, o := range objs {
				if err := s.DryRunApply(o); err != nil {
					t.Errorf("%s: %v", stack, err)
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d fragments found in the releases' values", checked)
	}
	t.Logf("%d Helm value fragments validated", checked)

	bad := kubeapi.Object{ID: "bad-resources", Body: podWith(map[string]any{"resources": resources("100m", "128MB!")})}
	if err := s.DryRunApply(bad); err == nil {
		t.Error("a pod with an invalid memory quantity was accepted")
	}
}

func resources(cpu, mem string) map[string]any {
	return map[string]any{"requests": map[string]any{"cpu": cpu, "memory": mem}}
}

// fragments walks a release's values and wraps each known fragment in a minimal object.
func fragments(rel planner.Resource) []kubeapi.Object {
	var out []kubeapi.Object
	var walk func(path string, v any)
	walk = func(path string, v any) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			id := fmt.Sprintf("%s values %s.%s", rel.Name, path, k)
			switch k {
			case "resources":
				if r, ok := m[k].(map[string]any); ok && (r["requests"] != nil || r["limits"] != nil) {
					out = append(out, kubeapi.Object{ID: id, Body: podWith(map[string]any{"resources": r})})
					continue
				}
			case "topologySpreadConstraints":
				out = append(out, kubeapi.Object{ID: id, Body: podSpecWith(map[string]any{"topologySpreadConstraints": m[k]})})
				continue
			case "podDisruptionBudget":
				if spec := pdbSpec(m[k]); spec != nil {
					out = append(out, kubeapi.Object{ID: id, Body: map[string]any{
						"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
						"metadata": map[string]any{"name": "fragment", "namespace": "fragments"}, "spec": spec}})
				}
				continue
			case "volumeClaimTemplate":
				if t, ok := m[k].(map[string]any); ok {
					out = append(out, kubeapi.Object{ID: id, Body: map[string]any{
						"apiVersion": "v1", "kind": "PersistentVolumeClaim",
						"metadata": map[string]any{"name": "fragment", "namespace": "fragments"}, "spec": t["spec"]}})
				}
				continue
			}
			walk(path+"."+k, m[k])
		}
	}
	walk("", get(rel, "values"))
	return out
}

// pdbSpec is a chart's PDB block as a PDB spec: "enabled" is the chart's switch, not a field.
func pdbSpec(v any) map[string]any {
	m, ok := v.(map[string]any)
	if !ok || m["enabled"] == false {
		return nil
	}
	spec := map[string]any{"selector": map[string]any{"matchLabels": map[string]any{"app": "fragment"}}}
	for k, val := range m {
		if k != "enabled" {
			spec[k] = val
		}
	}
	if spec["minAvailable"] != nil && spec["maxUnavailable"] != nil {
		delete(spec, "minAvailable") // the charts let maxUnavailable win
	}
	return spec
}

func podWith(container map[string]any) map[string]any {
	c := map[string]any{"name": "fragment", "image": "registry.k8s.io/pause:3.10"}
	for k, v := range container {
		c[k] = v
	}
	return podSpecWith(map[string]any{"containers": []any{c}})
}

func podSpecWith(fields map[string]any) map[string]any {
	spec := map[string]any{"containers": []any{map[string]any{"name": "fragment", "image": "registry.k8s.io/pause:3.10"}}}
	for k, v := range fields {
		spec[k] = v
	}
	return map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": "fragment", "namespace": "fragments", "labels": map[string]any{"app": "fragment"}},
		"spec":     spec,
	}
}
