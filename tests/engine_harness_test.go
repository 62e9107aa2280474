package tests

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"gopkg.in/yaml.v3"

	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/recorder"
	"github.com/example/platform/internal/runner"
	"github.com/example/platform/stacks"
)

// The engine harness runs the real program through the real Pulumi engine (the pulumi CLI,
// through the project's own runner and the Automation API) with the recording provider
// (internal/recorder) standing in for every provider plugin, on a local file backend with a
// passphrase secrets provider.

// recorderPackages are the provider plugins the program loads.
var recorderPackages = []string{"aws", "eks", "kubernetes", "github", "tls", "random"}

var (
	pluginsOnce sync.Once
	pluginsDir  string
	pluginsErr  error
	// pulumiCmd is the CLI, its version checked once rather than on every workspace.
	pulumiCmd auto.PulumiCommand
)

// enginePath returns a PATH with the recording provider (built once per test binary, under
// each pulumi-resource-<package> name) ahead of the pulumi CLI. Without a pulumi CLI the test
// skips, saying so, or fails where PLATFORM_REQUIRE_PULUMI=1 (CI).
func enginePath(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("pulumi"); err != nil {
		missing(t, "PLATFORM_REQUIRE_PULUMI", "no pulumi CLI on PATH: the engine tests need it (`bash .ci/pulumi-cli.sh` builds it from the Go module proxy and prints the directory to put on PATH)")
	}
	pluginsOnce.Do(func() {
		pluginsDir, pluginsErr = os.MkdirTemp("", "platform-recorder-*")
		if pluginsErr != nil {
			return
		}
		first := filepath.Join(pluginsDir, "pulumi-resource-"+recorderPackages[0])
		cmd := exec.Command("go", "build", "-o", first, "./internal/recorder/cmd/recorder")
		cmd.Dir = projectDir(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			pluginsErr = err
			t.Logf("%s", out)
			return
		}
		if pulumiCmd, pluginsErr = auto.NewPulumiCommand(nil); pluginsErr != nil {
			return
		}
		for _, pkg := range recorderPackages[1:] {
			if pluginsErr = os.Link(first, filepath.Join(pluginsDir, "pulumi-resource-"+pkg)); pluginsErr != nil {
				return
			}
		}
	})
	if pluginsErr != nil {
		t.Fatalf("building the recording provider: %v", pluginsErr)
	}
	return pluginsDir + string(os.PathListSeparator) + os.Getenv("PATH")
}

// engineStack is one example stack in a private project directory (the repository's stack
// files are never written: setting the secrets encrypts them into the copy).
type engineStack struct {
	name, dir, journal string
	env                map[string]string
	edits              []mutation
	secretsSet         bool
	editsApplied       int
}

func newEngineStack(t *testing.T, stack string, edits ...mutation) *engineStack {
	t.Helper()
	path := enginePath(t)
	dir := t.TempDir()
	for _, f := range []string{"Pulumi.yaml", "Pulumi." + stack + ".yaml"} {
		b, err := os.ReadFile(filepath.Join(projectDir(t), f))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, f), b)
	}
	s := &engineStack{name: stack, dir: dir, journal: filepath.Join(dir, "journal.jsonl"), edits: edits}
	s.env = map[string]string{
		"PATH":                     path,
		"PULUMI_BACKEND_URL":       "file://" + filepath.Join(dir, "backend"),
		"PULUMI_CONFIG_PASSPHRASE": "engine-test",
		"PULUMI_SKIP_UPDATE_CHECK": "true",
		"PULUMI_HOME":              filepath.Join(dir, "home"),
		recorder.JournalEnv:        s.journal,
	}
	if err := os.MkdirAll(filepath.Join(dir, "backend"), 0o755); err != nil {
		t.Fatal(err)
	}
	return s
}

// Secret values the stack files do not hold: set as secrets, as a user would.
var engineSecrets = map[string]string{
	"github:token":                "ghp_engineTestToken0123456789abcdefABCDEF",
	"platform:argocdClientSecret": "engine-test-oauth-client-secret-0123456789",
	// Required only where CodeBuild runs the runners (prod); a stack that does not need it
	// has it unread.
	"platform:runnersGitHubToken": "github_pat_engineTestRunnersToken0123456789",
}

func (s *engineStack) workspace(t *testing.T) runner.InlineWorkspace {
	return runner.InlineWorkspace{Project: "platform", Program: func(ctx context.Context, name string) (auto.Stack, error) {
		program := func(pctx *pulumi.Context) error {
			_, err := stacks.Program(pctx)
			return err
		}
		st, err := auto.UpsertStackInlineSource(ctx, name, "platform", program, auto.WorkDir(s.dir), auto.EnvVars(s.env), auto.Pulumi(pulumiCmd))
		if err != nil {
			return st, err
		}
		// The stack file keeps what was set: each secret and edit is set once (every CLI call
		// costs the engine tests seconds).
		if !s.secretsSet {
			for k, v := range engineSecrets {
				if err := st.SetConfig(ctx, k, auto.ConfigValue{Value: v, Secret: true}); err != nil {
					return st, err
				}
			}
			s.secretsSet = true
		}
		in, err := planner.LoadStack(s.dir, name)
		if err != nil {
			return st, err
		}
		for _, e := range s.edits[s.editsApplied:] {
			before := map[string]string{}
			for k, v := range in.Config {
				before[k] = v
			}
			e(t, in.Config)
			for k, v := range in.Config {
				if before[k] == v {
					continue
				}
				// An object or list goes into the stack file as YAML: `pulumi config set`
				// would store its JSON as a string, which Pulumi.yaml's types refuse.
				var structured any
				if json.Unmarshal([]byte(v), &structured) == nil && (strings.HasPrefix(v, "{") || strings.HasPrefix(v, "[")) {
					if err := setStackFileValue(filepath.Join(s.dir, "Pulumi."+name+".yaml"), k, structured); err != nil {
						return st, err
					}
					continue
				}
				if err := st.SetConfig(ctx, k, auto.ConfigValue{Value: v}); err != nil {
					return st, err
				}
			}
			s.editsApplied++
		}
		return st, nil
	}}
}

// setStackFileValue sets one config key of a stack file to a structured value.
func setStackFileValue(path, key string, value any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var file map[string]any
	if err := yaml.Unmarshal(b, &file); err != nil {
		return err
	}
	cfg, _ := file["config"].(map[string]any)
	if cfg == nil {
		cfg = map[string]any{}
		file["config"] = cfg
	}
	cfg[key] = value
	out, err := yaml.Marshal(file)
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o644)
}

// runner is the project's runner on this stack, with fakes only where a cluster or AWS
// account would be needed (the Kubernetes steps and the sweep).
func (s *engineStack) runner(t *testing.T, out io.Writer) *runner.Runner {
	return &runner.Runner{Project: "platform", Workspace: s.workspace(t), Out: out, Yes: true,
		Kubernetes: engineK8s{}, NewSweeper: func(context.Context, runner.Scope) (runner.Sweeper, error) { return engineSweeper{}, nil }}
}

type engineK8s struct{}

func (engineK8s) StopGitOps(context.Context, string, io.Writer) error          { return nil }
func (engineK8s) RemoveLoadBalancers(context.Context, string, io.Writer) error { return nil }
func (engineK8s) RemoveVolumes(context.Context, string, io.Writer) error       { return nil }

type engineSweeper struct{}

func (engineSweeper) Find(context.Context) ([]runner.Leftover, error)         { return nil, nil }
func (engineSweeper) Delete(context.Context, []runner.Leftover) error         { return nil }
func (engineSweeper) WaitForNoLoadBalancers(context.Context, io.Writer) error { return nil }

func (s *engineStack) run(t *testing.T, op runner.Operation) string {
	t.Helper()
	var out strings.Builder
	if err := s.runner(t, &out).Run(context.Background(), op, []string{s.name}); err != nil {
		t.Fatalf("%s %s: %v\n%s", op, s.name, err, tail(out.String(), 60))
	}
	return out.String()
}

func tail(s string, lines int) string {
	l := strings.Split(s, "\n")
	return strings.Join(l[max(0, len(l)-lines):], "\n")
}
