package teamplan

// Argo CD: each team gets an AppProject that reaches its own namespaces only.

// InCluster is Argo CD's name for the cluster it runs in.
const InCluster = "https://kubernetes.default.svc"

// ProjectName is the team's AppProject.
func ProjectName(team string) string { return "team-" + team }

// ProjectKinds are all a team's Applications may create: the kinds its members may write in
// its namespaces (DeveloperRules, SecretsRules; a test keeps the two in step). Anything else is
// refused by Argo CD, so the platform's objects in the namespace (quota, limits, network policy,
// RBAC, the SecretStore) and anything the platform has not thought of (a TargetGroupBinding that
// joins a target group of the platform's, an Application that names another project) stay out
// of Git's reach.
var ProjectKinds = []struct{ Group, Kind string }{
	{"", "Pod"}, {"", "Service"}, {"", "ConfigMap"}, {"", "PersistentVolumeClaim"}, {"", "ServiceAccount"}, {"", "Secret"},
	{"apps", "Deployment"}, {"apps", "StatefulSet"}, {"apps", "ReplicaSet"}, {"apps", "DaemonSet"},
	{"batch", "Job"}, {"batch", "CronJob"},
	{"autoscaling", "HorizontalPodAutoscaler"}, {"policy", "PodDisruptionBudget"},
	{"networking.k8s.io", "Ingress"}, {"external-secrets.io", "ExternalSecret"},
	{"monitoring.coreos.com", "ServiceMonitor"}, {"monitoring.coreos.com", "PodMonitor"}, {"monitoring.coreos.com", "PrometheusRule"},
	{"monitoring.coreos.com", "AlertmanagerConfig"},
}

// ProjectSpec is a team's AppProject: sources are the GitOps repository and the team's
// repositories; destinations are the team's namespaces in this cluster; no cluster-scoped
// kind; ProjectKinds and nothing else; Applications in Argo CD's own namespace only (the
// ApplicationSet's: no sourceNamespaces); the developer role (sync, not change the project)
// for the team's GitHub team through Dex ("org:team").
func ProjectSpec(t Team, owner, gitopsRepoURL string) map[string]any {
	sources := []any{gitopsRepoURL}
	for _, r := range t.Repos {
		sources = append(sources, "https://github.com/"+owner+"/"+RepoName(r)+".git")
	}
	var dests []any
	for _, ns := range t.Namespaces {
		dests = append(dests, map[string]any{"server": InCluster, "namespace": ns})
	}
	var kinds []any
	for _, k := range ProjectKinds {
		kinds = append(kinds, map[string]any{"group": k.Group, "kind": k.Kind})
	}
	spec := map[string]any{
		"description":                "Team " + t.Name + ": its namespaces only",
		"sourceRepos":                sources,
		"destinations":               dests,
		"clusterResourceWhitelist":   []any{},
		"namespaceResourceWhitelist": kinds,
	}
	if len(t.SyncWindows) > 0 {
		var windows []any
		for _, w := range t.SyncWindows {
			win := map[string]any{"kind": w.Kind, "schedule": w.Schedule, "duration": w.Duration,
				"applications": []any{"*"}, "manualSync": w.ManualSync}
			if w.TimeZone != "" {
				win["timeZone"] = w.TimeZone
			}
			windows = append(windows, win)
		}
		spec["syncWindows"] = windows
	}
	if t.GitHubTeam != "" && owner != "" {
		p := ProjectName(t.Name)
		spec["roles"] = []any{map[string]any{
			"name":        "developer",
			"description": "Members of " + owner + "/" + t.GitHubTeam,
			"policies": []any{
				"p, proj:" + p + ":developer, applications, *, " + p + "/*, allow",
				"p, proj:" + p + ":developer, logs, get, " + p + "/*, allow",
			},
			"groups": []any{owner + ":" + t.GitHubTeam},
		}}
	}
	return spec
}
