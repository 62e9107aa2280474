package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
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
				wantGroup, want := ghplan.RunsOn(cfg.GitHub.Runners, m[2], cfg.Cluster.Name, cfg.UsesRunnerGroup())
				if group, got := runsOn(job.RunsOn); group != wantGroup || !reflect.DeepEqual(got, want) {
					t.Errorf("%s runs %s on group %q %v, but Pulumi.%s.yaml says runners %q (runner group %v): want group %q, labels %v",
						where, m[1], group, got, m[2], cfg.GitHub.Runners, cfg.UsesRunnerGroup(), wantGroup, want)
				}
			}
		}
	}
	if deploying < 2 {
		t.Errorf("only %d steps run the platform command on a stack", deploying)
	}
}

// runsOn reads a job's runs-on: a label, a list of labels, or {group, labels}.
func runsOn(v any) (group string, labels []string) {
	switch x := v.(type) {
	case string:
		return "", []string{x}
	case []any:
		var out []string
		for _, e := range x {
			s, _ := e.(string)
			out = append(out, s)
		}
		return "", out
	case map[string]any:
		group, _ = x["group"].(string)
		_, labels = runsOn(x["labels"])
		return group, labels
	}
	return "", nil
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

// pipeline is a workflow file read for its security properties.
type pipeline struct {
	On          map[string]any `yaml:"on"`
	Permissions any            `yaml:"permissions"`
	Jobs        map[string]struct {
		Environment any            `yaml:"environment"`
		Permissions map[string]any `yaml:"permissions"`
		Steps       []struct {
			Uses string `yaml:"uses"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

var (
	pinnedAction = regexp.MustCompile(`^\s*- uses: ([\w./-]+)@([0-9a-f]{40}) # v\d+\.\d+\.\d+\s*$`)
	anyUses      = regexp.MustCompile(`^\s*-?\s*uses:`)
	secretRef    = regexp.MustCompile(`\$\{\{\s*secrets\.`)
)

// No path from a pull request to a credential: the workflow that runs pull request code has
// read-only contents and no secret, OIDC token or environment; the one that comments never
// checks out code and has only the permissions commenting needs; every action is pinned to a
// commit; secrets appear only in jobs of an environment, which only its branch or tag can use.
func TestWorkflowsGivePullRequestsNothing(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(projectDir(t), ".github", "workflows", "*.yml"))
	triggers := map[string]bool{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(f)
		for i, line := range strings.Split(string(raw), "\n") {
			if anyUses.MatchString(line) && !pinnedAction.MatchString(line) {
				t.Errorf("%s:%d: %q is not pinned to a full commit SHA with its version in a comment", name, i+1, strings.TrimSpace(line))
			}
		}
		var p pipeline
		if err := yaml.Unmarshal(raw, &p); err != nil {
			t.Fatal(err)
		}
		for trigger := range p.On {
			triggers[trigger] = true
			if trigger == "pull_request_target" {
				t.Errorf("%s: pull_request_target runs with the base repository's secrets", name)
			}
		}
		if _, ok := p.On["pull_request"]; ok {
			if secretRef.Match(raw) || strings.Contains(string(raw), "id-token") {
				t.Errorf("%s runs pull request code and references secrets or an OIDC token", name)
			}
			if perms, _ := p.Permissions.(map[string]any); len(perms) != 1 || perms["contents"] != "read" {
				t.Errorf("%s: permissions %v, want contents: read only", name, p.Permissions)
			}
			for job, j := range p.Jobs {
				if j.Environment != nil || len(j.Permissions) != 0 {
					t.Errorf("%s job %s: environment %v, permissions %v", name, job, j.Environment, j.Permissions)
				}
			}
		}
		if _, ok := p.On["workflow_run"]; ok {
			if perms, _ := p.Permissions.(map[string]any); len(perms) != 0 {
				t.Errorf("%s: workflow permissions %v, want none", name, p.Permissions)
			}
			for job, j := range p.Jobs {
				for _, s := range j.Steps {
					if strings.HasPrefix(s.Uses, "actions/checkout@") {
						t.Errorf("%s job %s checks out code in the base repository's context", name, job)
					}
				}
				want := map[string]any{"actions": "read", "pull-requests": "write"}
				if !reflect.DeepEqual(j.Permissions, want) {
					t.Errorf("%s job %s: permissions %v, want %v", name, job, j.Permissions, want)
				}
			}
		}
		// Secrets only in jobs that run in an environment (environment secrets, per stack).
		var generic struct {
			Jobs map[string]map[string]any `yaml:"jobs"`
		}
		if err := yaml.Unmarshal(raw, &generic); err != nil {
			t.Fatal(err)
		}
		for job, body := range generic.Jobs {
			text, _ := yaml.Marshal(body)
			if body["environment"] == nil && secretRef.Match(text) {
				t.Errorf("%s job %s references secrets outside an environment", name, job)
			}
		}
	}
	if !triggers["pull_request"] || !triggers["workflow_run"] || !triggers["push"] {
		t.Errorf("triggers %v: want pull_request (checks), workflow_run (comment) and push (deploys)", triggers)
	}
}

// Each environment deploys only from its branch: dev from main on a push, prod from main when
// someone dispatches the release workflow with a release tag (the GitHubIntegration sets the
// environments' deployment policies); prod's self-hosted runners serve exactly that workflow on
// main (its runner group).
func TestEnvironmentsDeployOnlyFromTheirRefs(t *testing.T) {
	for file, stack := range map[string]string{"deploy-dev.yml": "dev", "release.yml": "prod"} {
		raw, err := os.ReadFile(filepath.Join(projectDir(t), ".github", "workflows", file))
		if err != nil {
			t.Fatal(err)
		}
		var p pipeline
		if err := yaml.Unmarshal(raw, &p); err != nil {
			t.Fatal(err)
		}
		plan := stackPlan(t, stack)
		env := plan.named(t, "github:index/repositoryEnvironment:RepositoryEnvironment", "github-environment")
		pol := plan.named(t, "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy", "github-deploy-from")
		if get(env, "canAdminsBypass") != false || get(env, "deploymentBranchPolicy.customBranchPolicies") != true ||
			get(env, "deploymentBranchPolicy.protectedBranches") != false {
			t.Errorf("%s environment = %v", stack, env.Inputs)
		}
		ref := config.PolicyFor(config.Environment(stack)).DeployRef
		if ref.Branch != "main" || getString(pol, "branchPattern") != ref.Branch || get(pol, "tagPattern") != nil {
			t.Errorf("%s: deploy ref %+v, environment policy %v, want main", stack, ref, pol.Inputs)
		}
		cfg := decodeStack(t, stack)
		switch stack {
		case "dev":
			push, _ := p.On["push"].(map[string]any)
			if branches, _ := push["branches"].([]any); len(p.On) != 1 || len(branches) != 1 || branches[0] != ref.Branch {
				t.Errorf("dev: triggers %v, want a push to %s only", p.On, ref.Branch)
			}
		case "prod":
			dispatch, _ := p.On["workflow_dispatch"].(map[string]any)
			if _, ok := dispatch["inputs"].(map[string]any)["tag"]; len(p.On) != 1 || !ok || !strings.Contains(string(raw), `^v[0-9]+\.[0-9]+\.[0-9]+$`) ||
				!strings.Contains(string(raw), "ref: refs/tags/${{ inputs.tag }}") {
				t.Errorf("prod: triggers %v: want workflow_dispatch with a tag input, checked and checked out", p.On)
			}
			// prod's runners are CodeBuild's (components/runners): its webhook serves this
			// workflow by name, and only main deploys (the environment's policy above).
			if cfg.GitHub.Runners == ghplan.CodeBuild {
				var named struct{ Name string }
				if err := yaml.Unmarshal(raw, &named); err != nil || named.Name != ghplan.ReleaseWorkflowName {
					t.Errorf("%s is named %q, but the runners' webhook matches %q (%v)", file, named.Name, ghplan.ReleaseWorkflowName, err)
				}
				hook := plan.named(t, "aws:codebuild/webhook:Webhook", "runners-webhook")
				if !strings.Contains(fmt.Sprint(hook.Inputs["filterGroups"]), "^"+ghplan.ReleaseWorkflowName+"$") {
					t.Errorf("prod's runner webhook = %v", hook.Inputs)
				}
				continue
			}
			if !cfg.UsesRunnerGroup() {
				t.Fatal("prod's example runs without a runner group")
			}
			group := plan.named(t, "github:index/actionsRunnerGroup:ActionsRunnerGroup", "github-runner-group")
			if getString(group, "name") != ghplan.RunnerGroup(stack) || get(group, "restrictedToWorkflows") != true || getString(group, "visibility") != "selected" ||
				strings.Join(getStrings(group, "selectedWorkflows"), ",") != ghplan.ReleaseWorkflow("example-org", "platform-infra")+"" ||
				!strings.HasSuffix(ghplan.ReleaseWorkflow("example-org", "platform-infra"), "/.github/workflows/"+file+"@refs/heads/"+ref.Branch) ||
				len(getStrings(group, "selectedRepositoryIds")) != 1 {
				t.Errorf("prod runner group = %v", group.Inputs)
			}
		}
	}
}

// Every workflow passes actionlint, GitHub Actions' checker (syntax, expressions, runner
// labels and groups, untrusted input in scripts); a control shows it refuses an injection.
func TestWorkflowsPassActionlint(t *testing.T) {
	lint := enforcerPath(t, "actionlint")
	files, err := filepath.Glob(filepath.Join(projectDir(t), ".github", "workflows", "*.yml"))
	if err != nil || len(files) < 4 {
		t.Fatalf("workflows: %v %v", files, err)
	}
	run := func(args ...string) (string, error) {
		cmd := exec.Command(lint, append([]string{"-no-color", "-shellcheck=", "-pyflakes="}, args...)...)
		cmd.Dir = projectDir(t)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run(files...); err != nil {
		t.Errorf("actionlint: %v\n%s", err, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.yml")
	if err := os.WriteFile(bad, []byte("on: pull_request\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"${{ github.event.pull_request.title }}\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := run(bad); err == nil || !strings.Contains(out, "potentially untrusted") {
		t.Errorf("the control passed actionlint: %v\n%s", err, out)
	}
}

// The pull-request workflow runs what CI runs on main: .ci/run, which requires every tool (a
// missing one fails the run instead of skipping its tests), with ../shared checked out beside
// the project and the tools' builds cached; never a bare `go test`, where the strongest tests
// skip. .ci/run itself must keep requiring each tool.
func TestPullRequestsRunWhatCIRuns(t *testing.T) {
	dir := projectDir(t)
	raw, err := os.ReadFile(filepath.Join(dir, ".github", "workflows", "pull-request.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Defaults struct {
				Run struct {
					WorkingDirectory string `yaml:"working-directory"`
				} `yaml:"run"`
			} `yaml:"defaults"`
			Steps []struct {
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(raw, &wf); err != nil {
		t.Fatal(err)
	}
	job := wf.Jobs["checks"]
	var runsCI, sharedBeside, cached bool
	project := job.Defaults.Run.WorkingDirectory
	for _, s := range job.Steps {
		switch {
		case strings.TrimSpace(s.Run) == ".ci/run":
			runsCI = true
		case strings.Contains(s.Run, "go test"):
			t.Errorf("the pull-request workflow runs %q besides .ci/run", s.Run)
		case strings.HasPrefix(s.Uses, "actions/checkout@") && s.With["repository"] != "":
			sharedBeside = project != "" && filepath.Join(project, "..", s.With["path"]) == "shared"
		case strings.HasPrefix(s.Uses, "actions/cache@"):
			cached = strings.Contains(s.With["path"], ".cache/platform-testbin")
		}
	}
	if !runsCI || !sharedBeside || !cached {
		t.Errorf("pull-request.yml: runs .ci/run %v, ../shared beside the project %v, tool builds cached %v", runsCI, sharedBeside, cached)
	}
	ci, err := os.ReadFile(filepath.Join(dir, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"KUBEAPI", "PULUMI", "ENGINES", "PROMTOOL", "K8S_PROVIDER"} {
		if !strings.Contains(string(ci), "export PLATFORM_REQUIRE_"+v+"=1") {
			t.Errorf(".ci/run no longer requires PLATFORM_REQUIRE_%s", v)
		}
	}
}
