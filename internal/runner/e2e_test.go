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
		msg := "no pulumi CLI on PATH: `bash .ci/pulumi-cli.sh` builds it (the directory to put on PATH is its last line)"
		if os.Getenv("PLATFORM_REQUIRE_PULUMI") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
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
		st, err := auto.UpsertStackInlineSource(ctx, stack, "e2e", program, auto.EnvVars(env), auto.WorkDir(t.TempDir()))
		if err != nil {
			return st, err
		}
		return st, st.SetConfig(ctx, "aws:region", auto.ConfigValue{Value: "eu-north-1"})
	}}
	var out strings.Builder
	k8s, sweeps := &e2eK8s{}, 0
	r := &Runner{Project: "e2e", Workspace: ws, Kubernetes: k8s, Out: &out, Yes: true,
		NewSweeper: func(_ context.Context, s Scope) (Sweeper, error) { sweeps++; return e2eSweeper{}, nil }}
	ctx := context.Background()
	for _, op := range []Operation{Preview, Up, Refresh} {
		if err := r.Run(ctx, op, []string{"dev", "prod"}); err != nil {
			t.Fatalf("%s: %v\n%s", op, err, out.String())
		}
	}
	// No platform:environment: production by default, so --yes alone does not destroy.
	if err := r.Run(ctx, Destroy, []string{"dev"}); err == nil || !strings.Contains(err.Error(), "--confirm-destroy dev") {
		t.Fatalf("destroy without --confirm-destroy: %v", err)
	}
	r.ConfirmDestroy = []string{"dev", "prod"}
	if err := r.Run(ctx, Destroy, []string{"dev", "prod"}); err != nil {
		t.Fatalf("destroy: %v\n%s", err, out.String())
	}
	for _, want := range []string{"--- up dev succeeded", "clusterName: e2e-prod", "token: [secret]", "--- destroy prod succeeded"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out.String(), "s3cret") {
		t.Error("a secret output was printed")
	}
	// The destroy read the real state (one component) and the clusterName output; without a
	// kubeconfig output the Kubernetes steps are skipped, and the sweep ran for each stack.
	if k8s.calls != 0 || sweeps != 2 || !strings.Contains(out.String(), "destroy dev deletes 1 resource(s):\n     1 platform:test:Thing\n") {
		t.Errorf("destroy steps ran %d/%d times, want 0/2\n%s", k8s.calls, sweeps, out.String())
	}
	_ = os.RemoveAll(backend)
}

type e2eK8s struct{ calls int }

func (k *e2eK8s) StopGitOps(context.Context, string, io.Writer) error { k.calls++; return nil }
func (k *e2eK8s) RemoveLoadBalancers(context.Context, string, io.Writer) error {
	k.calls++
	return nil
}
func (k *e2eK8s) RemoveVolumes(context.Context, string, io.Writer) error { k.calls++; return nil }

type e2eSweeper struct{}

func (e2eSweeper) Find(context.Context) ([]Leftover, error)                { return nil, nil }
func (e2eSweeper) Delete(context.Context, []Leftover) error                { return nil }
func (e2eSweeper) WaitForNoLoadBalancers(context.Context, io.Writer) error { return nil }
