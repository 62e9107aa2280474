package tests

import (
	"testing"

	"github.com/example/platform/components/argocd"
	"github.com/example/platform/internal/kubeapi"
)

func namespace(name string, labels map[string]any) kubeapi.Object {
	meta := map[string]any{"name": name}
	if labels != nil {
		meta["labels"] = labels
	}
	return kubeapi.Object{ID: "Namespace " + name, Body: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": meta}}
}

// Namespaces behind Argo CD's projects, on the real kube-apiserver with the dev plan's
// admission policies: nothing from Git (Argo CD's controller, which the chart lets do anything)
// creates, relabels or deletes a namespace outside platform:argocd.destinationNamespaces, and
// no one creates or changes a namespace that enforces less than Pod Security baseline, but the
// few the platform exempts. Next to each attack, what the platform and Argo CD legitimately do.
func TestNamespacePoliciesOnAPIServer(t *testing.T) {
	s := kubeapi.Shared(t)
	applyPolicies(t, s, stackPlan(t, "dev"))
	// The chart gives the application controller every verb on everything (createClusterRoles):
	// RBAC lets it, so the policies are what stop it.
	if err := s.Apply(kubeapi.Object{ID: "controller binding", Body: map[string]any{
		"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
		"metadata": map[string]any{"name": "argocd-application-controller-test"},
		"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
		"subjects": []any{map[string]any{"kind": "ServiceAccount", "name": "argocd-application-controller", "namespace": "argocd"}},
	}}); err != nil {
		t.Fatal(err)
	}
	restricted := map[string]any{"pod-security.kubernetes.io/enforce": "restricted"}
	if err := s.Apply(namespace("apps-old", restricted)); err != nil {
		t.Fatal(err)
	}
	git := kubeapi.Identity{User: argocd.ControllerUser, Groups: []string{"system:serviceaccounts", "system:serviceaccounts:argocd", "system:authenticated"}}
	admin := kubeapi.Identity{User: "platform-admin", Groups: []string{"system:masters"}}
	type attempt struct {
		name   string
		as     kubeapi.Identity
		obj    kubeapi.Object
		delete bool
		denied string // "" = admitted
	}
	cases := []attempt{
		// What the platform and Argo CD do.
		{"Argo CD creates an app namespace", git, namespace("apps-web", restricted), false, ""},
		{"Argo CD creates a baseline app namespace", git, namespace("apps-jobs", map[string]any{"pod-security.kubernetes.io/enforce": "baseline"}), false, ""},
		{"Argo CD deletes an app namespace", git, namespace("apps-old", nil), true, ""},
		{"the program's privileged monitoring", admin, namespace("monitoring", map[string]any{"pod-security.kubernetes.io/enforce": "privileged"}), false, ""},
		{"kube-system as it is", admin, namespace("kube-system", nil), false, ""},
		// From Git, outside the platform's namespaces.
		{"Argo CD creates another namespace", git, namespace("payments2", restricted), false, "only the namespaces of platform:argocd.destinationNamespaces"},
		{"Argo CD relabels a team's namespace", git, namespace("payments", map[string]any{"pod-security.kubernetes.io/enforce": "baseline"}), false, "only the namespaces of platform:argocd.destinationNamespaces"},
		{"Argo CD takes over a team's namespace", git, namespace("payments", restricted), false, "only the namespaces of platform:argocd.destinationNamespaces"},
		{"Argo CD deletes a team's namespace", git, namespace("payments", nil), true, "only the namespaces of platform:argocd.destinationNamespaces"},
		{"Argo CD deletes a platform namespace", git, namespace("monitoring", nil), true, "only the namespaces of platform:argocd.destinationNamespaces"},
		{"Argo CD makes an app namespace a team's", git, namespace("apps-x", map[string]any{"pod-security.kubernetes.io/enforce": "restricted", "platform.example.org/team": "payments"}), false, "sets no platform.example.org/ label"},
		// Pod Security, whoever asks.
		{"a namespace enforcing nothing", admin, namespace("apps-bare", nil), false, "Pod Security restricted or baseline"},
		{"Argo CD's privileged namespace", git, namespace("apps-root", map[string]any{"pod-security.kubernetes.io/enforce": "privileged"}), false, "Pod Security restricted or baseline"},
		{"an old version of restricted", admin, namespace("apps-old-rules", map[string]any{"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "v1.22"}), false, "at the latest version"},
		{"a privileged team namespace", admin, namespace("search", map[string]any{"pod-security.kubernetes.io/enforce": "privileged", "platform.example.org/team": "search"}), false, "Pod Security restricted or baseline"},
	}
	try := func(c attempt) error {
		if c.delete {
			return s.DryRunDeleteAs(c.as, c.obj)
		}
		return s.DryRunApplyAs(c.as, c.obj)
	}
	waitForPolicy(t, s, namespace("apps-waiting", nil))
	for _, c := range cases {
		checkAdmission(t, c.name, try(c), c.denied)
	}
}
