package tests

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/example/platform/components/githubint/ghplan"
	"github.com/example/platform/internal/config"
)

type workflow struct {
	Jobs map[string]struct {
		RunsOn any `yaml:"runs-on"`
		Steps  []struct {
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

var stackArg = regexp.MustCompile(`platform (preview|up|refresh|destroy) --stack (\S+)`)

// The workflows match what each stack's config allows: a job that deploys or previews a stack
// runs where that stack's API endpoint is reachable (platform:github.runners), and asks for
// credentials as long as the CI role allows.
func TestWorkflowsMatchTheStacks(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(projectDir(t), ".github", "workflows", "*.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("workflows: %v %v", files, err)
	}
	deploying := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var w workflow
		if err := yaml.Unmarshal(raw, &w); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for name, job := range w.Jobs {
			where := filepath.Base(f) + " job " + name
			for _, step := range job.Steps {
				if step.Uses != "" && regexp.MustCompile(`^aws-actions/configure-aws-credentials@`).MatchString(step.Uses) {
					if got := step.With["role-duration-seconds"]; got != strconv.Itoa(ghplan.CISessionSeconds) {
						t.Errorf("%s: role-duration-seconds %q, want %d (the CI role's maximum)", where, got, ghplan.CISessionSeconds)
					}
				}
				m := stackArg.FindStringSubmatch(step.Run)
				if m == nil {
					continue
				}
				deploying++
				cfg := decodeStack(t, m[2])
				want := ghplan.RunsOn(cfg.GitHub.Runners, m[2])
				if got := runsOn(job.RunsOn); !reflect.DeepEqual(got, want) {
					t.Errorf("%s runs %s on %v, but Pulumi.%s.yaml says runners %q: want runs-on %v", where, m[1], got, m[2], cfg.GitHub.Runners, want)
				}
			}
		}
	}
	if deploying < 2 {
		t.Errorf("only %d steps run the platform command on a stack", deploying)
	}
}

func runsOn(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			s, _ := e.(string)
			out = append(out, s)
		}
		return out
	}
	return nil
}

func decodeStack(t *testing.T, stack string) *config.Config {
	t.Helper()
	in := stackInput(t, stack)
	secret := map[string]bool{}
	for _, k := range in.SecretKeys {
		secret[k] = true
	}
	cfg, err := config.Decode(in.Project, in.Stack, in.Config, secret)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
