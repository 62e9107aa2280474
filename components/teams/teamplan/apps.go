package teamplan

// Applications: one ApplicationSet per stack discovers every team application in the GitOps
// repository and makes an Application for each, at the stack's revision.

// ApplicationSetName is the stack's ApplicationSet.
const ApplicationSetName = "team-apps"

// AppsPath is where a team's applications live in the GitOps repository, and the overlay
// directory of a stack: teams/<team>/apps/<app>/overlays/<stack>.
func AppsPath(stack string) string { return "teams/*/apps/*/overlays/" + stack }

// HPAOwnedFields are what a HorizontalPodAutoscaler writes (the replica count of its target,
// through the scale subresource, as kube-controller-manager): Argo CD neither reports them as
// drift nor resets them with self-heal, so an app whose Git still sets replicas (apps
// scaffolded before the HPA owned them) scales all the same. A Deployment without an HPA keeps
// the count Git gives it: no HPA writes it.
var HPAOwnedFields = []any{
	map[string]any{"group": "apps", "kind": "Deployment", "managedFieldsManagers": []any{"kube-controller-manager"}},
	map[string]any{"group": "apps", "kind": "StatefulSet", "managedFieldsManagers": []any{"kube-controller-manager"}},
}

// ApplicationSetSpec generates, for each teams/<team>/apps/<app>/overlays/<stack> directory at
// revision (the root app's: main in dev, the release tag in prod, so a tag promotes every
// application), the Application <team>-<app> in the team's project and namespace. autoSync
// adds prune and self-heal. Each Application carries Argo CD's cascade finalizer on purpose:
// deleting an app's directory deletes its resources, not only the Application.
func ApplicationSetSpec(repoURL, revision, stack string, autoSync bool) map[string]any {
	syncPolicy := map[string]any{
		// RespectIgnoreDifferences: a sync leaves the ignored fields alone too, not only the diff.
		"syncOptions": []any{"PruneLast=true", "RespectIgnoreDifferences=true"},
		"retry": map[string]any{
			"limit":   5,
			"backoff": map[string]any{"duration": "10s", "factor": 2, "maxDuration": "5m"},
		},
	}
	if autoSync {
		syncPolicy["automated"] = map[string]any{"prune": true, "selfHeal": true}
	}
	return map[string]any{
		"generators": []any{map[string]any{"git": map[string]any{
			"repoURL":     repoURL,
			"revision":    revision,
			"directories": []any{map[string]any{"path": AppsPath(stack)}},
		}}},
		// The generated Applications belong to the ApplicationSet: edits to them are undone.
		"syncPolicy": map[string]any{"applicationsSync": "sync"},
		"template": map[string]any{
			"metadata": map[string]any{
				"name":       "{{path[1]}}-{{path[3]}}",
				"labels":     map[string]any{TeamLabel: "{{path[1]}}"},
				"finalizers": []any{"resources-finalizer.argocd.argoproj.io"},
			},
			"spec": map[string]any{
				"project":           "team-{{path[1]}}",
				"source":            map[string]any{"repoURL": repoURL, "targetRevision": revision, "path": "{{path}}"},
				"destination":       map[string]any{"server": InCluster, "namespace": "{{path[1]}}"},
				"syncPolicy":        syncPolicy,
				"ignoreDifferences": HPAOwnedFields,
			},
		},
	}
}
