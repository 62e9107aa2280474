package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/stacks"
)

// The example stack files hold no secret: no ciphertext a `pulumi preview` would fail to
// decrypt before the program runs.
func TestExampleStacksHoldNoSecrets(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		raw, err := os.ReadFile(filepath.Join(projectDir(t), "Pulumi."+stack+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(raw), "\n") {
			if trimmed := strings.TrimSpace(line); strings.HasPrefix(trimmed, "secure:") {
				t.Errorf("Pulumi.%s.yaml:%d holds a ciphertext (%s)", stack, i+1, trimmed)
			}
		}
		in, err := planner.LoadStack(projectDir(t), stack)
		if err != nil {
			t.Fatal(err)
		}
		if len(in.SecretKeys) != 0 {
			t.Errorf("Pulumi.%s.yaml has secret keys %v", stack, in.SecretKeys)
		}
	}
}

// Without its secrets the program fails with one error that lists the command for each, and
// registers nothing.
func TestMissingSecretsListTheCommands(t *testing.T) {
	t.Setenv("GITHUB_TOKEN", "")
	in, err := planner.LoadStack(projectDir(t), "prod")
	if err != nil {
		t.Fatal(err)
	}
	p, err := planner.Run(in, stacks.Program)
	if err == nil {
		t.Fatal("the program ran without its secrets")
	}
	msg := err.Error()
	for _, s := range config.Secrets {
		if !strings.Contains(msg, "\n  "+s.Set) {
			t.Errorf("the error does not say `%s`:\n%s", s.Set, msg)
		}
	}
	if len(p.Resources) != 0 {
		t.Errorf("%d resources registered", len(p.Resources))
	}
}

// What the Pulumi CLI refuses before the program runs is refused offline too: a key of the
// project's namespace Pulumi.yaml declares without a default and the stack does not set, and
// a value of the wrong type. Every key of this project has a default, so a stack file needs
// only what it changes.
func TestStackFilesPassPulumisOwnConfigChecks(t *testing.T) {
	dir := t.TempDir()
	project, err := os.ReadFile(filepath.Join(projectDir(t), "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Pulumi.yaml", string(project))
	write("Pulumi.minimal.yaml", "config:\n  aws:region: eu-north-1\n")
	if _, err := planner.LoadStack(dir, "minimal"); err != nil {
		t.Errorf("a stack that sets only its region: %v", err)
	}
	write("Pulumi.typed.yaml", "config:\n  aws:region: eu-north-1\n  platform:network: 10.0.0.0/16\n")
	if _, err := planner.LoadStack(dir, "typed"); err == nil || !strings.Contains(err.Error(), "Stack 'typed' with configuration key 'platform:network' must be of type 'object'") {
		t.Errorf("a string for an object key: %v", err)
	}
	// The check itself: a required key (no default) the stack does not set.
	write("Pulumi.yaml", strings.Replace(string(project), "  platform:certificates:\n    type: object\n    default: {}\n", "  platform:certificates:\n    type: object\n", 1))
	if _, err := planner.LoadStack(dir, "minimal"); err == nil || !strings.Contains(err.Error(), "Stack 'minimal' is missing configuration values platform:certificates") {
		t.Errorf("a required key left unset: %v", err)
	}
}

// `platform plan` says what is left before a real `up`: the secrets to set and the OAuth app's
// URLs, which the plan computes offline.
func TestPlanSaysWhatIsLeftBeforeUp(t *testing.T) {
	code, out, stderr := runCmd(t, "plan", "--stack", "dev", "--dir", projectDir(t))
	if code != 0 {
		t.Fatal(stderr)
	}
	for _, want := range []string{
		"Before the first `pulumi up`:",
		"github:token is not set (stood in for offline): pulumi config set --secret github:token",
		"platform:argocdClientSecret is not set (stood in for offline): pulumi config set --secret platform:argocdClientSecret",
		"homepage https://argocd.dev.example.org, authorization callback https://argocd.dev.example.org/api/dex/callback",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q:\n%s", want, out[:min(len(out), 2000)])
		}
	}
}
