package tests

import (
	"testing"

	"github.com/example/platform/internal/diff"
)

// Every team application follows the GitOps repository's protected default branch
// (platform:argocd.teamsRevision, default main) in every stack, over the stack's own overlays,
// in the team's project and namespace: a team promotes an app by a commit to its prod overlay
// (TestTeamPromotesAndRollsBackItsApp). The root app keeps the stack's revision: main in dev,
// the release tag in prod.
func TestApplicationSetFollowsTheStackRevision(t *testing.T) {
	for stack, rev := range map[string]string{"dev": "main", "prod": "v1.4.0"} {
		p := stackPlan(t, stack)
		root := p.named(t, "kubernetes:argoproj.io/v1alpha1:Application", "argocd-root-app")
		set := p.named(t, "kubernetes:argoproj.io/v1alpha1:ApplicationSet", "teams-applicationset")
		if getString(root, "spec.source.targetRevision") != rev || getString(set, "spec.generators.0.git.revision") != "main" ||
			getString(set, "spec.template.spec.source.targetRevision") != "main" {
			t.Errorf("%s: root %s, generator %s, applications %s; want the root at %s, the teams' at main", stack, getString(root, "spec.source.targetRevision"),
				getString(set, "spec.generators.0.git.revision"), getString(set, "spec.template.spec.source.targetRevision"), rev)
		}
		if getString(set, "spec.generators.0.git.directories.0.path") != "teams/*/apps/*/overlays/"+stack ||
			getString(set, "spec.template.spec.project") != "team-{{path[1]}}" || getString(set, "spec.template.spec.destination.namespace") != "{{path[1]}}" {
			t.Errorf("%s: application set %v", stack, get(set, "spec"))
		}
		if get(set, "spec.template.spec.syncPolicy.automated.prune") != true || getString(set, "spec.template.metadata.finalizers.0") != "resources-finalizer.argocd.argoproj.io" {
			t.Errorf("%s: sync policy %v, finalizers %v", stack, get(set, "spec.template.spec.syncPolicy"), get(set, "spec.template.metadata.finalizers"))
		}
		for _, team := range []string{"payments", "search"} {
			proj := p.named(t, "kubernetes:argoproj.io/v1alpha1:AppProject", "teams-"+team+"-project")
			if !contains(set.Dependencies, proj.URN) {
				t.Errorf("%s: the application set does not wait for %s's project", stack, team)
			}
		}
	}
	// prod's Friday window reaches payments' project, and only it.
	p := stackPlan(t, "prod")
	if w := getString(p.named(t, "kubernetes:argoproj.io/v1alpha1:AppProject", "teams-payments-project"), "spec.syncWindows.0.schedule"); w != "0 16 * * 5" {
		t.Errorf("payments' sync window %q", w)
	}
	if get(p.named(t, "kubernetes:argoproj.io/v1alpha1:AppProject", "teams-search-project"), "spec.syncWindows") != nil {
		t.Error("search has a sync window it did not ask for")
	}
}

// The platform's promotion: a new release tag in prod changes the root app's revision, and
// nothing else (the teams' apps follow main and their own prod overlays). A teamsRevision set
// to a release tag brings back the release-tag model for the teams: only the ApplicationSet
// changes. A teamsRevision on an unprotected branch is refused in prod (TestBadConfig).
func TestReleaseTagPromotesEveryApplication(t *testing.T) {
	base := stackPlan(t, "prod").Plan
	for _, c := range []struct {
		key, value, want string
	}{
		{"revision", "v1.5.0", "argocd-root-app"},
		{"teamsRevision", "v1.5.0", "teams-applicationset"},
	} {
		r := diff.Plans(base, planWith(t, "prod", edit("platform:argocd", c.key, c.value)))
		var changed []string
		for _, ch := range r.Changed {
			changed = append(changed, ch.Name)
			if len(ch.Replace) != 0 {
				t.Errorf("%s: %s is replaced by a promotion", c.key, ch.Name)
			}
		}
		if len(r.Added)+len(r.Removed) != 0 || len(changed) != 1 || changed[0] != c.want {
			t.Errorf("%s %s changed %v (added %d, removed %d); want %s only", c.key, c.value, changed, len(r.Added), len(r.Removed), c.want)
		}
	}
}
