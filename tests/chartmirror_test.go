package tests

import (
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/platform/internal/helmkit"
	"github.com/example/platform/internal/kubeapi"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/stacks"
)

// A chart mirror (platform:helm.repository): the fixture repository, served on 127.0.0.1, is
// the mirror; every planned release names it, and real Helm pulls each release's chart at its
// version from it, so a mirror holding what `platform charts mirror` lists serves every
// release of the stack.
func TestChartMirror(t *testing.T) {
	srv := httptest.NewServer(http.FileServer(http.Dir(kubeapi.SharedPath(t, filepath.Join("fixtures", "charts")))))
	defer srv.Close()
	mirror := srv.URL + "/"
	code, listed, _ := runCmd(t, "charts", "mirror", "--repository", mirror)
	if code != 0 {
		t.Fatalf("charts mirror: exit %d", code)
	}
	helm := enforcerPath(t, "helm")
	for _, stack := range []string{"dev", "prod"} {
		in := stackInput(t, stack)
		in.Config["platform:helm"] = `{"repository":"` + mirror + `"}`
		p, err := planner.Run(in, stacks.Program)
		if err != nil {
			t.Fatal(err)
		}
		releases := p.OfType(typeRelease)
		if len(releases) < 9 {
			t.Fatalf("%s: %d releases", stack, len(releases))
		}
		for _, rel := range releases {
			chart, version := getString(rel, "chart"), getString(rel, "version")
			if getString(rel, "repositoryOpts.repo") != mirror {
				t.Errorf("%s: %s takes %s from %q, not the mirror", stack, rel.Name, chart, getString(rel, "repositoryOpts.repo"))
			}
			if !strings.Contains(listed, chart) || !strings.Contains(listed, version) {
				t.Errorf("charts mirror does not list %s %s", chart, version)
			}
			cmd := exec.Command(helm, "pull", chart, "--repo", mirror, "--version", version, "--destination", t.TempDir())
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s: helm pull %s %s from the mirror: %v\n%s", stack, chart, version, err, out)
			}
		}
	}
	// An OCI registry: each chart is <path>/<name>, and Helm takes no repository.
	in := stackInput(t, "prod")
	in.Config["platform:helm"] = `{"repository":"oci://123456789012.dkr.ecr.eu-north-1.amazonaws.com/helm"}`
	p, err := planner.Run(in, stacks.Program)
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range p.OfType(typeRelease) {
		if !strings.HasPrefix(getString(rel, "chart"), "oci://123456789012.dkr.ecr.eu-north-1.amazonaws.com/helm/") || rel.Get("repositoryOpts") != nil {
			t.Errorf("%s: chart %q, repositoryOpts %v", rel.Name, getString(rel, "chart"), rel.Get("repositoryOpts"))
		}
	}
	// Without a mirror, the upstream repositories.
	for _, rel := range stackPlan(t, "dev").ofType(typeRelease) {
		found := false
		for _, c := range helmkit.All() {
			found = found || (c.Name == getString(rel, "chart") && c.Repo == getString(rel, "repositoryOpts.repo"))
		}
		if !found {
			t.Errorf("%s: %s from %s is not a pinned upstream", rel.Name, getString(rel, "chart"), getString(rel, "repositoryOpts.repo"))
		}
	}
}
