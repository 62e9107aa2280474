package tests

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/example/platform/internal/kubeapi"
	"github.com/example/platform/internal/planner"
)

// renderRelease renders a planned Helm release with the pinned chart from
// ../shared/fixtures/charts and the release's values, as `helm install` would (Helm from
// PLATFORM_ENGINES), and returns the rendered objects.
func renderRelease(t *testing.T, rel planner.Resource, kubeVersion string) []map[string]any {
	t.Helper()
	helm := enforcerPath(t, "helm")
	chart := kubeapi.SharedPath(t, filepath.Join("fixtures", "charts", getString(rel, "chart")+"-"+getString(rel, "version")+".tgz"))
	values, err := json.Marshal(get(rel, "values"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "values.json")
	if err := os.WriteFile(file, values, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(helm, "template", getString(rel, "name"), chart, "--namespace", getString(rel, "namespace"),
		"--values", file, "--kube-version", kubeVersion, "--api-versions", "monitoring.coreos.com/v1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helm template %s: %v\n%s", rel.Name, err, stderr.String())
	}
	var objs []map[string]any
	dec := yaml.NewDecoder(bytes.NewReader(out))
	for {
		var o map[string]any
		if err := dec.Decode(&o); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("%s: rendered YAML: %v", rel.Name, err)
		}
		if o != nil {
			objs = append(objs, o)
		}
	}
	return objs
}
