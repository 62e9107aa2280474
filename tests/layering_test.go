package tests

import (
	"os/exec"
	"strings"
	"testing"
)

// The layout's rules, checked on the import graph: pure planning code links no Pulumi or
// cloud SDK (its tests link in a second, and config validation cannot deploy anything); no
// component reads the config schema or the composition; Argo CD does not reach into the
// addons; components know each other only through their handles.
func TestLayering(t *testing.T) {
	const mod = "github.com/example/platform/"
	pure := []string{"internal/config", "internal/contract", "internal/iampolicy", "internal/alertrules", "internal/chartkeys",
		"components/network/netplan", "components/cluster/clusterplan", "components/githubint/ghplan"}
	for _, pkg := range pure {
		for _, dep := range deps(t, mod+pkg) {
			if strings.HasPrefix(dep, "github.com/pulumi/") || strings.HasPrefix(dep, "github.com/aws/") {
				t.Errorf("%s is pure planning code but links %s", pkg, dep)
			}
		}
	}
	components := []string{"network", "dns", "alarms", "certificates", "cluster", "addons", "argocd", "githubint"}
	for _, c := range components {
		for _, dep := range deps(t, mod+"components/"+c) {
			if dep == mod+"internal/config" || dep == mod+"stacks" {
				t.Errorf("component %s imports %s: components take Args, the config schema stays in internal/config", c, dep)
			}
			for _, other := range components {
				if other != c && dep == mod+"components/"+other {
					t.Errorf("component %s imports component %s: take its handle (components/handle) instead", c, other)
				}
			}
		}
	}
}

func deps(t *testing.T, pkg string) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", pkg)
	cmd.Dir = projectDir(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}
