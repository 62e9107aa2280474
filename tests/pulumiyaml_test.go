package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"gopkg.in/yaml.v3"

	"github.com/example/platform/internal/config"
)

// Pulumi.yaml is valid for Pulumi's own project schema and documents exactly the keys the
// program reads, each with a type, a description and its default.
func TestPulumiYAMLDocumentsEveryKey(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(projectDir(t), "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if err := workspace.ValidateProject(doc); err != nil {
		t.Fatalf("Pulumi.yaml fails Pulumi's project schema: %v", err)
	}
	project, err := workspace.LoadProject(filepath.Join(projectDir(t), "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if project.Name != "platform" || project.Runtime.Name() != "go" {
		t.Errorf("project %s runtime %s", project.Name, project.Runtime.Name())
	}
	documented := map[string]bool{}
	for key, c := range project.Config {
		documented[key] = true
		if c.Type == nil || c.Description == "" {
			t.Errorf("%s: no type or description", key)
		}
		if !strings.Contains(c.Description, "Default") && !strings.Contains(c.Description, "default") {
			t.Errorf("%s: the description does not state the default", key)
		}
	}
	for _, k := range config.Keys {
		if !documented[config.Namespace+":"+k] {
			t.Errorf("platform:%s is read by the program but not documented in Pulumi.yaml", k)
		}
		delete(documented, config.Namespace+":"+k)
	}
	for k := range documented {
		t.Errorf("%s is documented in Pulumi.yaml but the program does not read it", k)
	}
	env := project.Config["platform:environment"]
	if env.Default != string(config.Defaults("p", "s").Environment) {
		t.Errorf("Pulumi.yaml default environment %v, Go default %s", env.Default, config.Defaults("p", "s").Environment)
	}
}
