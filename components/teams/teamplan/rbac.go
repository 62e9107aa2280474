package teamplan

// ClusterRoles the team RoleBindings grant.
const (
	// DeveloperRole is edit-like in a team's namespaces: workloads, services, config, ingress,
	// external secrets and monitors. It can read but never change the namespace's
	// ResourceQuota, LimitRange, NetworkPolicies or RBAC, and has no Secrets.
	DeveloperRole = "team-developer"
	// SecretsRole adds Secrets and exec/port-forward into pods (which read mounted secrets).
	SecretsRole = "team-secrets"
	// ViewerRole reads the rest of the cluster, never Secrets (clusterView). Our own rules,
	// not the aggregated "view": what it grants is stated here and tested.
	ViewerRole = "team-viewer"
)

var (
	write = []any{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"}
	read  = []any{"get", "list", "watch"}
)

func rule(verbs []any, group string, resources ...string) map[string]any {
	rs := make([]any, len(resources))
	for i, r := range resources {
		rs[i] = r
	}
	return map[string]any{"apiGroups": []any{group}, "resources": rs, "verbs": verbs}
}

// DeveloperRules are DeveloperRole's rules.
func DeveloperRules() []any {
	return []any{
		rule(write, "", "pods", "services", "configmaps", "persistentvolumeclaims", "serviceaccounts"),
		rule(read, "", "pods/log", "events", "endpoints", "resourcequotas", "limitranges"),
		rule(write, "apps", "deployments", "statefulsets", "replicasets", "daemonsets"),
		rule(write, "batch", "jobs", "cronjobs"),
		rule(write, "autoscaling", "horizontalpodautoscalers"),
		rule(write, "policy", "poddisruptionbudgets"),
		rule(write, "networking.k8s.io", "ingresses"),
		rule(read, "networking.k8s.io", "networkpolicies"),
		rule(read, "rbac.authorization.k8s.io", "roles", "rolebindings"),
		rule(write, "external-secrets.io", "externalsecrets"),
		rule(read, "external-secrets.io", "secretstores"),
		rule(write, "monitoring.coreos.com", "servicemonitors", "podmonitors", "prometheusrules", "alertmanagerconfigs"),
	}
}

// ViewerRules are ViewerRole's rules.
func ViewerRules() []any {
	return []any{
		rule(read, "", "pods", "pods/log", "services", "endpoints", "configmaps", "persistentvolumeclaims",
			"serviceaccounts", "events", "namespaces", "resourcequotas", "limitranges"),
		rule(read, "apps", "deployments", "statefulsets", "replicasets", "daemonsets"),
		rule(read, "batch", "jobs", "cronjobs"),
		rule(read, "autoscaling", "horizontalpodautoscalers"),
		rule(read, "policy", "poddisruptionbudgets"),
		rule(read, "networking.k8s.io", "ingresses", "networkpolicies"),
	}
}

// SecretsRules are SecretsRole's rules.
func SecretsRules() []any {
	return []any{
		rule(write, "", "secrets"),
		rule([]any{"create", "get"}, "", "pods/exec", "pods/portforward", "pods/attach"),
	}
}

// RoleBindings are the bindings in each of a team's namespaces: name to ClusterRole.
func RoleBindings(t Team) map[string]string {
	out := map[string]string{DeveloperRole: DeveloperRole}
	if t.ReadSecrets {
		out[SecretsRole] = SecretsRole
	}
	return out
}

// Subjects are the team's members as Kubernetes knows them: its group.
func Subjects(t Team) []any {
	return []any{map[string]any{"kind": "Group", "name": Group(t.Name), "apiGroup": "rbac.authorization.k8s.io"}}
}
