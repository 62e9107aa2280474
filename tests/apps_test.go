package tests

import (
	"testing"

	"github.com/example/platform/internal/diff"
)

// Every team application follows the stack's revision: the ApplicationSet's generator and its
// Applications' source use the root app's (main in dev, the release tag in prod), over the
// stack's own overlays, in the team's project and namespace.
func TestApplicationSetFollowsTheStackRevision(t *testing.T) {
	for stack, rev := range map[string]string{"dev": "main", "prod": "v1.4.0"} {
		p := stackPlan(t, stack)
		root := p.named(t, "kubernetes:argoproj.io/v1alpha1:Application", "argocd-root-app")
		set := p.named(t, "kubernetes:argoproj.io/v1alpha1:ApplicationSet", "teams-applicationset")
		if getString(root, "spec.source.targetRevision") != rev || getString(set, "spec.generators.0.git.revision") != rev ||
			getString(set, "spec.template.spec.source.targetRevision") != rev {
			t.Errorf("%s: root %s, generator %s, applications %s; want all %s", stack, getString(root, "spec.source.targetRevision"),
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

// Promotion: a new release tag in prod changes the root app's and the ApplicationSet's
// revision, and nothing else.
func TestReleaseTagPromotesEveryApplication(t *testing.T) {
	base := stackPlan(t, "prod").Plan
	head := planWith(t, "prod", edit("platform:argocd", "revision", "v1.5.0"))
	r := diff.Plans(base, head)
	var changed []string
	for _, c := range r.Changed {
		changed = append(changed, c.Name)
		if len(c.Replace) != 0 {
			t.Errorf("%s is replaced by a promotion", c.Name)
		}
	}
	if len(r.Added)+len(r.Removed) != 0 || len(changed) != 2 || !contains(changed, "argocd-root-app") || !contains(changed, "teams-applicationset") {
		t.Errorf("a promotion changed %v (added %d, removed %d); want the root app and the application set", changed, len(r.Added), len(r.Removed))
	}
}
