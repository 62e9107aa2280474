package teamplan

// Argo CD: each team gets an AppProject that reaches its own namespaces only.

// InCluster is Argo CD's name for the cluster it runs in.
const InCluster = "https://kubernetes.default.svc"

// ProjectName is the team's AppProject.
func ProjectName(team string) string { return "team-" + team }

// ProtectedKinds are what a team's Applications may never create or change: the platform
// sets them (quota, limits, network policy) or they would grant access (RBAC).
var ProtectedKinds = []struct{ Group, Kind string }{
	{"", "ResourceQuota"}, {"", "LimitRange"},
	{"networking.k8s.io", "NetworkPolicy"},
	{"rbac.authorization.k8s.io", "Role"}, {"rbac.authorization.k8s.io", "RoleBinding"},
	{"external-secrets.io", "SecretStore"},
}

// ProjectSpec is a team's AppProject: sources are the GitOps repository and the team's
// repositories; destinations are the team's namespaces in this cluster; no cluster-scoped
// kind; the protected kinds refused; the developer role (sync, not change the project) for
// the team's GitHub team through Dex ("org:team").
func ProjectSpec(t Team, owner, gitopsRepoURL string) map[string]any {
	sources := []any{gitopsRepoURL}
	for _, r := range t.Repos {
		sources = append(sources, "https://github.com/"+owner+"/"+RepoName(r)+".git")
	}
	var dests []any
	for _, ns := range t.Namespaces {
		dests = append(dests, map[string]any{"server": InCluster, "namespace": ns})
	}
	var blacklist []any
	for _, k := range ProtectedKinds {
		blacklist = append(blacklist, map[string]any{"group": k.Group, "kind": k.Kind})
	}
	spec := map[string]any{
		"description":                "Team " + t.Name + ": its namespaces only",
		"sourceRepos":                sources,
		"destinations":               dests,
		"clusterResourceWhitelist":   []any{},
		"namespaceResourceBlacklist": blacklist,
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
