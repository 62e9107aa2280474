package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/example/platform/internal/scaffold"
)

// appWorkflow is `platform app ci`'s workflow for payments-api (payments declares the image
// and the repository in both example stacks), written into a fresh directory.
func appWorkflow(t *testing.T, extra ...string) (dir string, body []byte) {
	t.Helper()
	dir = t.TempDir()
	args := append([]string{"app", "ci", "--team", "payments", "--name", "payments-api", "--out", dir, "--dir", projectDir(t)}, extra...)
	if code, _, stderr := runCmd(t, args...); code != 0 {
		t.Fatalf("app ci: %d %s", code, stderr)
	}
	body, err := os.ReadFile(filepath.Join(dir, ".github", "workflows", "payments-api.yml"))
	if err != nil {
		t.Fatal(err)
	}
	return dir, body
}

// projectPins are the project's own pins, action -> "sha # version".
func projectPins(t *testing.T) map[string]string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(projectDir(t), ".github", "workflows", "*.yml"))
	pins := map[string]string{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range usesPin.FindAllStringSubmatch(string(raw), -1) {
			pins[m[1]] = m[2] + " # " + m[3]
		}
	}
	if len(pins) < 4 {
		t.Fatalf("the project's workflows pin %v", pins)
	}
	return pins
}

var (
	usesPin   = regexp.MustCompile(`(?m)^\s*-?\s*uses: ([\w./-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)\s*$`)
	pushGate  = "github.event_name == 'push'"
	untrusted = regexp.MustCompile(`\$\{\{`)
)

type appJob struct {
	If          string         `yaml:"if"`
	Needs       any            `yaml:"needs"`
	Environment any            `yaml:"environment"`
	Permissions map[string]any `yaml:"permissions"`
	Steps       []struct {
		Uses string `yaml:"uses"`
		Run  string `yaml:"run"`
	} `yaml:"steps"`
}

// appWorkflowProblems are an app workflow's breaches of the pipeline rules: every action pinned
// to a commit (the project's own pin where it uses the action too); permissions none by
// default and each job's own; a job that can run for a pull request has contents: read and no
// environment, secret or OIDC token; the others run only on a push to main, in a stack's
// environment: one push job per stack (sorted stacks) with id-token: write and nothing else,
// and the rest with no permission, in dev; no expression inside a script.
func appWorkflowProblems(raw []byte, pins map[string]string, stacks []string) []string {
	var problems []string
	bad := func(format string, v ...any) { problems = append(problems, fmt.Sprintf(format, v...)) }
	for i, line := range strings.Split(string(raw), "\n") {
		if !anyUses.MatchString(line) {
			continue
		}
		m := usesPin.FindStringSubmatch(line)
		if m == nil {
			bad("line %d: %q is not pinned to a full commit SHA with its version in a comment", i+1, strings.TrimSpace(line))
		} else if want, ok := pins[m[1]]; ok && want != m[2]+" # "+m[3] {
			bad("line %d: %s is pinned at %s # %s, the project's workflows at %s", i+1, m[1], m[2], m[3], want)
		}
	}
	var w struct {
		On          map[string]any    `yaml:"on"`
		Permissions any               `yaml:"permissions"`
		Jobs        map[string]appJob `yaml:"jobs"`
	}
	var generic struct {
		Jobs map[string]map[string]any `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(raw, &w); err != nil {
		return append(problems, err.Error())
	}
	if err := yaml.Unmarshal(raw, &generic); err != nil {
		return append(problems, err.Error())
	}
	triggers := slices.Sorted(func(yield func(string) bool) {
		for k := range w.On {
			if !yield(k) {
				return
			}
		}
	})
	push, _ := w.On["push"].(map[string]any)
	if !reflect.DeepEqual(triggers, []string{"pull_request", "push"}) || !reflect.DeepEqual(push["branches"], []any{"main"}) {
		bad("triggers %v, want pull_request and a push to main only", w.On)
	}
	if perms, ok := w.Permissions.(map[string]any); !ok || len(perms) != 0 {
		bad("workflow permissions %v, want {} (each job names its own)", w.Permissions)
	}
	var gated func(name string, seen int) bool
	gated = func(name string, seen int) bool {
		j, ok := w.Jobs[name]
		if !ok || seen > len(w.Jobs) {
			return false
		}
		if strings.HasPrefix(j.If, pushGate) {
			return true
		}
		needs, _ := j.Needs.(string)
		return needs != "" && gated(needs, seen+1)
	}
	var pushed []string
	for name, j := range w.Jobs {
		text, _ := yaml.Marshal(generic.Jobs[name])
		assumes := false
		for _, s := range j.Steps {
			assumes = assumes || strings.HasPrefix(s.Uses, "aws-actions/configure-aws-credentials@")
			if untrusted.MatchString(s.Run) {
				bad("job %s: an expression inside a script (pass it through env)", name)
			}
		}
		if j.Permissions == nil {
			bad("job %s names no permissions", name)
		}
		if !gated(name, 0) {
			if j.Environment != nil || !reflect.DeepEqual(j.Permissions, map[string]any{"contents": "read"}) ||
				secretRef.Match(text) || strings.Contains(string(text), "id-token") || assumes {
				bad("job %s runs for pull requests: environment %v, permissions %v, secrets %v, OIDC %v, assumes a role %v: want contents: read only",
					name, j.Environment, j.Permissions, secretRef.Match(text), strings.Contains(string(text), "id-token"), assumes)
			}
			continue
		}
		env, _ := j.Environment.(string)
		if !slices.Contains(stacks, env) {
			bad("job %s: environment %v, want one of the stacks' %v (its deployment policy keeps other refs out)", name, j.Environment, stacks)
		}
		if _, ok := j.Permissions["id-token"]; ok || assumes {
			// The push job of a stack: its environment is its role's OIDC subject.
			pushed = append(pushed, env)
			if !assumes || name != scaffold.PushJob(env) || !reflect.DeepEqual(j.Permissions, map[string]any{"id-token": "write"}) {
				bad("job %s: permissions %v, assumes a push role %v: want id-token: write only, in %s", name, j.Permissions, assumes, scaffold.PushJob(env))
			}
		} else if len(j.Permissions) > 0 || env != scaffold.DevStack {
			bad("job %s: environment %s, permissions %v: a job without a role runs in %s with none", name, env, j.Permissions, scaffold.DevStack)
		}
	}
	if slices.Sort(pushed); !reflect.DeepEqual(pushed, stacks) {
		bad("jobs with an OIDC token in environments %v, want exactly one push job per stack %v", pushed, stacks)
	}
	return problems
}

// The generated workflow keeps the pipeline rules; each mutation that breaks one is caught.
func TestAppWorkflowRules(t *testing.T) {
	pins, stacks := projectPins(t), []string{"dev", "prod"}
	_, raw := appWorkflow(t)
	if p := appWorkflowProblems(raw, pins, stacks); len(p) > 0 {
		t.Fatalf("the generated workflow:\n%s", strings.Join(p, "\n"))
	}
	body := string(raw)
	checkout := "actions/checkout@11d5960a326750d5838078e36cf38b85af677262 # v4.4.0"
	for name, m := range map[string][2]string{
		"id-token on the pull request job":  {"    permissions:\n      contents: read\n    steps:", "    permissions:\n      contents: read\n      id-token: write\n    steps:"},
		"a tag-pinned action":               {checkout, "actions/checkout@v4"},
		"a SHA other than the project's":    {checkout, "actions/checkout@0000000000000000000000000000000000000000 # v4.4.0"},
		"a push job outside environment":    {"    environment: dev\n    permissions:\n      id-token: write", "    permissions:\n      id-token: write"},
		"a push job in another's":           {"    environment: prod\n    permissions:\n      id-token: write", "    environment: dev\n    permissions:\n      id-token: write"},
		"a push job ungated":                {"    if: github.event_name == 'push' && github.repository", "    if: github.repository"},
		"a secret in the pull request job":  {"      - name: Build the image\n        run: docker", "      - name: Build the image\n        env: {T: \"${{ secrets.X }}\"}\n        run: docker"},
		"broader permissions on push":       {"      id-token: write\n    env:", "      id-token: write\n      contents: write\n    env:"},
		"an expression in a script":         {`run: docker buildx build --platform "$PLATFORMS"`, `run: docker buildx build --tag "${{ github.head_ref }}" --platform "$PLATFORMS"`},
		"write permissions by default":      {"permissions: {}\n\ndefaults", "permissions: write-all\n\ndefaults"},
		"a pull_request_target trigger":     {"  pull_request:\n", "  pull_request_target:\n"},
		"id-token on the proposing job":     {"    permissions: {}\n    # One", "    permissions:\n      id-token: write\n    # One"},
		"a push from any branch":            {"    branches: [main]", "    branches: ['**']"},
		"the proposing job without its env": {"    # For its secret: only main and release tags can read it.\n    environment: dev\n", ""},
	} {
		mutated := strings.Replace(body, m[0], m[1], 1)
		if mutated == body {
			t.Errorf("%s: the mutation changed nothing", name)
			continue
		}
		if p := appWorkflowProblems([]byte(mutated), pins, stacks); len(p) == 0 {
			t.Errorf("%s: accepted", name)
		} else if testing.Verbose() {
			t.Logf("%s: %s", name, p[0])
		}
	}
	// Without prod's push job, promoting dev's tag to prod would name an image never pushed there.
	start, end := strings.Index(body, "\n  push-prod:"), strings.Index(body, "\n  propose:")
	if start < 0 || end < start {
		t.Fatal("no push-prod job before propose")
	}
	if p := appWorkflowProblems([]byte(body[:start]+body[end:]), pins, stacks); len(p) == 0 {
		t.Error("a workflow without prod's push job: accepted")
	} else if testing.Verbose() {
		t.Logf("no push-prod: %s", p[0])
	}
}

// Every workflow `platform app ci` writes passes actionlint; a control shows it still catches
// an injection in the generated file.
func TestAppWorkflowPassesActionlint(t *testing.T) {
	lint := enforcerPath(t, "actionlint")
	run := func(path string) (string, error) {
		out, err := exec.Command(lint, "-no-color", "-shellcheck=", "-pyflakes=", path).CombinedOutput()
		return string(out), err
	}
	var raw []byte
	for _, extra := range [][]string{nil, {"--gitops-repo", "another-org/deployments", "--repo", "payments-api"}} {
		dir, body := appWorkflow(t, extra...)
		raw = body
		if out, err := run(filepath.Join(dir, ".github", "workflows", "payments-api.yml")); err != nil {
			t.Errorf("actionlint %v: %v\n%s", extra, err, out)
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.yml")
	mutated := strings.Replace(string(raw), `run: docker buildx build --platform "$PLATFORMS"`, `run: docker buildx build --tag "${{ github.head_ref }}" --platform "$PLATFORMS"`, 1)
	if mutated == string(raw) {
		t.Fatal("the control changed nothing")
	}
	if err := os.WriteFile(bad, []byte(mutated), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := run(bad); err == nil || !strings.Contains(out, "potentially untrusted") {
		t.Errorf("the control passed actionlint: %v\n%s", err, out)
	}
}

// `platform app ci` writes the workflow once, from the dev stack's config by default, never
// over a team's edits; each bad flag is refused with nothing written.
func TestAppCICommand(t *testing.T) {
	dir, raw := appWorkflow(t)
	for _, want := range []string{"GITOPS_REPO: example-org/gitops\n", "github.repository == 'example-org/payments-api'", "ref: main\n",
		"OVERLAY: " + scaffold.OverlayPath("payments", "payments-api", "dev") + "\n"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the workflow lacks %q", want)
		}
	}
	args := []string{"app", "ci", "--team", "payments", "--name", "payments-api", "--out", dir, "--dir", projectDir(t)}
	if code, _, stderr := runCmd(t, args...); code != 0 {
		t.Errorf("again, unchanged: %d %s", code, stderr)
	}
	path := filepath.Join(dir, ".github", "workflows", "payments-api.yml")
	edited := append(raw, []byte("# the team's edit\n")...)
	writeFile(t, path, edited)
	if code, _, stderr := runCmd(t, args...); code != 1 || !strings.Contains(stderr, "differ") {
		t.Errorf("over an edited file: %d %s", code, stderr)
	}
	if got, _ := os.ReadFile(path); string(got) != string(edited) {
		t.Error("the team's edit was overwritten")
	}
	base := []string{"--team", "payments", "--name", "payments-api", "--dir", projectDir(t)}
	with := func(flag, value string) []string {
		out := slices.Clone(base)
		if i := slices.Index(out, flag); i >= 0 {
			out[i+1] = value
			return out
		}
		return append(out, flag, value)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{with("--team", "nobody"), 1, "--team \"nobody\" is not a team"},
		{with("--name", "Bad_Name"), 1, "--name \"Bad_Name\" is not allowed"},
		{with("--name", "ledger"), 1, "platform:teams[].images"},
		{append(with("--team", "search"), "--name", "search-api"), 1, "platform:teams[].images"},
		{with("--repo", "someone-elses"), 1, "--repo \"someone-elses\" is not a repository of team payments"},
		{with("--gitops-repo", "gitops"), 1, "--gitops-repo \"gitops\" is not allowed: OWNER/NAME"},
		{with("--gitops-repo", "a/b;c"), 1, "--gitops-repo"},
		{with("--dir", t.TempDir()), 1, "--dir"},
		{with("--bogus", "x"), 2, "bogus"},
		{append(slices.Clone(base), "extra"), 2, "unexpected argument"},
	} {
		out := t.TempDir()
		code, _, stderr := runCmd(t, append([]string{"app", "ci", "--out", out}, c.args...)...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s", c.args, code, c.code, c.want, stderr)
		}
		if entries, err := os.ReadDir(out); err != nil || len(entries) != 0 {
			t.Errorf("%v wrote %v (%v)", c.args, entries, err)
		}
	}
}
