package tests

import (
	"fmt"
	"testing"

	"github.com/example/platform/internal/kubeapi"
)

// The teams' RBAC on a real, RBAC-enabled kube-apiserver: the dev plan's ClusterRoles,
// namespaces and bindings are applied, and the server's own authorizer answers for a member
// of each team (SubjectAccessReview, what `kubectl auth can-i --as` asks).
func TestTeamAccessOnAPIServer(t *testing.T) {
	s := kubeapi.Shared(t)
	p := stackPlan(t, "dev")
	applied := 0
	for _, o := range kubeObjects(p) {
		switch o.Body["kind"] {
		case "ClusterRole", "ClusterRoleBinding", "Namespace", "RoleBinding":
			if err := s.Apply(o); err != nil {
				t.Fatalf("applying %s: %v", o.ID, err)
			}
			applied++
		}
	}
	if applied < 3+1+3+4 {
		t.Fatalf("applied %d RBAC objects and namespaces, want the teams' 11 at least", applied)
	}
	payments := []string{"team:payments", "system:authenticated"}
	search := []string{"team:search", "system:authenticated"}
	cases := []struct {
		who                              string
		groups                           []string
		verb, group, resource, namespace string
		allowed                          bool
	}{
		// A member works in the team's namespace...
		{"alice", payments, "create", "apps", "deployments", "payments", true},
		{"alice", payments, "patch", "networking.k8s.io", "ingresses", "payments", true},
		{"alice", payments, "create", "external-secrets.io", "externalsecrets", "payments", true},
		{"alice", payments, "get", "", "secrets", "payments", true},
		{"alice", payments, "get", "", "resourcequotas", "payments", true},
		{"alice", payments, "create", "monitoring.coreos.com", "alertmanagerconfigs", "payments", true},
		{"alice", payments, "create", "monitoring.coreos.com", "alertmanagerconfigs", "monitoring", false},
		{"alice", payments, "create", "monitoring.coreos.com", "alertmanagerconfigs", "search", false},
		// ...never another team's...
		{"alice", payments, "create", "apps", "deployments", "search", false},
		{"alice", payments, "list", "", "pods", "search", false},
		// ...and cannot change what the platform set in its own.
		{"alice", payments, "update", "", "resourcequotas", "payments", false},
		{"alice", payments, "delete", "", "limitranges", "payments", false},
		{"alice", payments, "patch", "networking.k8s.io", "networkpolicies", "payments", false},
		{"alice", payments, "delete", "networking.k8s.io", "networkpolicies", "payments", false},
		{"alice", payments, "create", "rbac.authorization.k8s.io", "rolebindings", "payments", false},
		{"alice", payments, "patch", "rbac.authorization.k8s.io", "roles", "payments", false},
		{"alice", payments, "create", "external-secrets.io", "secretstores", "payments", false},
		{"alice", payments, "create", "rbac.authorization.k8s.io", "clusterrolebindings", "", false},
		{"alice", payments, "patch", "", "namespaces", "", false},
		// The platform's namespaces are out of reach.
		{"alice", payments, "get", "", "secrets", "argocd", false},
		{"alice", payments, "get", "", "secrets", "external-secrets", false},
		{"alice", payments, "list", "", "pods", "kube-system", false},
		// search chose no Secrets (nor exec, which reads them) and a read-only view of the rest.
		{"bob", search, "get", "", "secrets", "search", false},
		{"bob", search, "create", "", "pods/exec", "search", false},
		{"bob", search, "create", "apps", "deployments", "search-jobs", true},
		{"bob", search, "list", "", "pods", "payments", true},
		{"bob", search, "get", "", "secrets", "payments", false},
		{"bob", search, "create", "apps", "deployments", "payments", false},
		// Someone in no team gets nothing.
		{"mallory", []string{"system:authenticated"}, "list", "", "pods", "payments", false},
	}
	for _, c := range cases {
		got, err := s.Can(kubeapi.Access{User: c.who, Groups: c.groups, Verb: c.verb, Group: c.group, Resource: c.resource, Namespace: c.namespace})
		if err != nil {
			t.Fatal(err)
		}
		if got != c.allowed {
			t.Errorf("%s %v %s %s in %q: allowed %v, want %v", c.who, c.groups, c.verb, fmt.Sprintf("%s/%s", c.group, c.resource), c.namespace, got, c.allowed)
		}
	}
}
