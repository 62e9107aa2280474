package tests

import (
	"strings"
	"testing"

	"github.com/example/platform/internal/diff"
	"github.com/example/platform/internal/planner"
)

// platform diff replaces a Kubernetes object where the Kubernetes provider does (its forceNew
// table, as the program configures the provider) and where the program asks for it
// (pulumi.ReplaceOnChanges), and updates it in place everywhere else.
func TestDiffReplacesKubernetesObjectsAsTheProviderDoes(t *testing.T) {
	obj := func(typ string, inputs map[string]any, replaceOn ...string) planner.Resource {
		return planner.Resource{URN: "urn:pulumi:dev::platform::" + typ + "::x", Type: typ, Name: "x", Custom: true,
			Inputs: inputs, ReplaceOnChanges: replaceOn}
	}
	meta := func(name string) map[string]any { return map[string]any{"name": name, "namespace": "a"} }
	cases := []struct {
		name        string
		base, head  planner.Resource
		wantReplace string // the replace keys, joined; "" for an update in place
	}{
		{"a Secret's data", obj("kubernetes:core/v1:Secret", map[string]any{"metadata": meta("s"), "stringData": map[string]any{"k": "1"}}),
			obj("kubernetes:core/v1:Secret", map[string]any{"metadata": meta("s"), "stringData": map[string]any{"k": "2"}}), "stringData.k"},
		{"a ConfigMap's data (the provider's enableConfigMapMutable)", obj("kubernetes:core/v1:ConfigMap", map[string]any{"metadata": meta("c"), "data": map[string]any{"k": "1"}}),
			obj("kubernetes:core/v1:ConfigMap", map[string]any{"metadata": meta("c"), "data": map[string]any{"k": "2"}}), ""},
		{"a Deployment's selector", obj("kubernetes:apps/v1:Deployment", map[string]any{"metadata": meta("d"), "spec": map[string]any{"selector": map[string]any{"matchLabels": map[string]any{"a": "1"}}}}),
			obj("kubernetes:apps/v1:Deployment", map[string]any{"metadata": meta("d"), "spec": map[string]any{"selector": map[string]any{"matchLabels": map[string]any{"a": "2"}}}}), "spec.selector"},
		{"a Deployment's replicas", obj("kubernetes:apps/v1:Deployment", map[string]any{"metadata": meta("d"), "spec": map[string]any{"replicas": 1}}),
			obj("kubernetes:apps/v1:Deployment", map[string]any{"metadata": meta("d"), "spec": map[string]any{"replicas": 2}}), ""},
		{"a RoleBinding's role", obj("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", map[string]any{"metadata": meta("r"), "roleRef": map[string]any{"name": "view"}}),
			obj("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", map[string]any{"metadata": meta("r"), "roleRef": map[string]any{"name": "edit"}}), "roleRef.name"},
		{"a StorageClass's parameters", obj("kubernetes:storage.k8s.io/v1:StorageClass", map[string]any{"metadata": meta("gp3"), "parameters": map[string]any{"type": "gp3"}}),
			obj("kubernetes:storage.k8s.io/v1:StorageClass", map[string]any{"metadata": meta("gp3"), "parameters": map[string]any{"type": "io2"}}), "parameters.type"},
		{"a StorageClass's reclaim policy, by the provider alone", obj("kubernetes:storage.k8s.io/v1:StorageClass", map[string]any{"metadata": meta("gp3"), "reclaimPolicy": "Delete"}),
			obj("kubernetes:storage.k8s.io/v1:StorageClass", map[string]any{"metadata": meta("gp3"), "reclaimPolicy": "Retain"}), ""},
		{"a StorageClass's reclaim policy, replaced on by the program", obj("kubernetes:storage.k8s.io/v1:StorageClass", map[string]any{"metadata": meta("gp3"), "reclaimPolicy": "Delete"}, "reclaimPolicy"),
			obj("kubernetes:storage.k8s.io/v1:StorageClass", map[string]any{"metadata": meta("gp3"), "reclaimPolicy": "Retain"}, "reclaimPolicy"), "reclaimPolicy"},
		{"a ResourceQuota's limits", obj("kubernetes:core/v1:ResourceQuota", map[string]any{"metadata": meta("q"), "spec": map[string]any{"hard": map[string]any{"pods": "1"}}}),
			obj("kubernetes:core/v1:ResourceQuota", map[string]any{"metadata": meta("q"), "spec": map[string]any{"hard": map[string]any{"pods": "2"}}}), ""},
		{"a Namespace's name", obj("kubernetes:core/v1:Namespace", map[string]any{"metadata": map[string]any{"name": "a"}}),
			obj("kubernetes:core/v1:Namespace", map[string]any{"metadata": map[string]any{"name": "b"}}), "metadata.name"},
	}
	for _, c := range cases {
		r := diff.Plans(&planner.Plan{Resources: []planner.Resource{c.base}}, &planner.Plan{Resources: []planner.Resource{c.head}})
		if len(r.Changed) != 1 {
			t.Errorf("%s: %d changes, want 1", c.name, len(r.Changed))
			continue
		}
		if got := strings.Join(r.Changed[0].Replace, ","); got != c.wantReplace {
			t.Errorf("%s: replace keys %q, want %q", c.name, got, c.wantReplace)
		}
	}
}
