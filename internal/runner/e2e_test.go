package runner

import (
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// End to end through the real Automation API and Pulumi CLI, on a local file backend, with an
// inline program that needs no provider plugin. Runs when a pulumi CLI is on PATH.
func TestAutomationAPIEndToEnd(t *testing.T) {
	if _, err := exec.LookPath("pulumi"); err != nil {
		t.Skip("no pulumi CLI on PATH: install it to run the Automation API end-to-end test")
	}
	backend := t.TempDir()
	env := map[string]string{
		"PULUMI_BACKEND_URL":       "file://" + backend,
		"PULUMI_CONFIG_PASSPHRASE": "e2e-test",
		"PULUMI_SKIP_UPDATE_CHECK": "true",
	}
	program := func(ctx *pulumi.Context) error {
		var c struct{ pulumi.ResourceState }
		if err := ctx.RegisterComponentResource("platform:test:Thing", "thing", &c); err != nil {
			return err
		}
		ctx.Export("clusterName", pulumi.String("e2e-"+ctx.Stack()))
		ctx.Export("token", pulumi.ToSecret(pulumi.String("s3cret")))
		return nil
	}
	ws := InlineWorkspace{Project: "e2e", Program: func(ctx context.Context, stack string) (auto.Stack, error) {
		return auto.UpsertStackInlineSource(ctx, stack, "e2e", program, auto.EnvVars(env), auto.WorkDir(t.TempDir()))
	}}
	var out strings.Builder
	lbs, sweeper := &e2eLB{}, &e2eSweeper{}
	r := &Runner{Workspace: ws, LoadBalancers: lbs, Sweeper: sweeper, Out: &out, Yes: true}
	ctx := context.Background()
	for _, op := range []Operation{Preview, Up, Refresh, Destroy} {
		if err := r.Run(ctx, op, []string{"dev", "prod"}); err != nil {
			t.Fatalf("%s: %v\n%s", op, err, out.String())
		}
	}
	for _, want := range []string{"--- up dev succeeded", "clusterName: e2e-prod", "token: [secret]", "--- destroy prod succeeded"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out.String(), "s3cret") {
		t.Error("a secret output was printed")
	}
	if lbs.calls != 2 || sweeper.calls != 2 {
		t.Errorf("destroy steps ran %d/%d times, want 2/2", lbs.calls, sweeper.calls)
	}
	_ = os.RemoveAll(backend)
}

type e2eLB struct{ calls int }

func (l *e2eLB) Remove(_ context.Context, _, _ string, _ io.Writer) error {
	l.calls++
	return nil
}

type e2eSweeper struct{ calls int }

func (s *e2eSweeper) Find(context.Context, string) ([]Leftover, error) { s.calls++; return nil, nil }
func (s *e2eSweeper) Delete(context.Context, []Leftover) error         { return nil }
