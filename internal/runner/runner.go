// Package runner drives preview/up/refresh/destroy over one or more stacks for the platform
// command: in order, stopping at the first failure, with a summary per stack, and a destroy
// that first removes the load balancers Kubernetes created and afterwards finds what is left.
// Pulumi, Kubernetes and AWS sit behind small interfaces so the orchestration is testable.
package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/example/platform/internal/contract"
)

// Operation is what to do to a stack.
type Operation string

const (
	Preview Operation = "preview"
	Up      Operation = "up"
	Refresh Operation = "refresh"
	Destroy Operation = "destroy"
)

// ParseOperation checks an operation name.
func ParseOperation(s string) (Operation, error) {
	switch op := Operation(s); op {
	case Preview, Up, Refresh, Destroy:
		return op, nil
	}
	return "", fmt.Errorf("unknown operation %q; use preview, up, refresh or destroy", s)
}

// Result is what one operation on one stack did.
type Result struct {
	// Changes counts resources by operation ("create", "update", "delete", "same", ...).
	Changes map[string]int
	// Outputs are the stack outputs, secrets shown as "[secret]".
	Outputs map[string]string
}

// Stack is one Pulumi stack (the Automation API in production, a fake in tests).
type Stack interface {
	Run(ctx context.Context, op Operation, progress io.Writer) (Result, error)
	// Output reads a stack output (e.g. kubeconfig, clusterName) for the destroy steps.
	Output(ctx context.Context, name string) (string, error)
}

// Workspace selects stacks.
type Workspace interface {
	Select(ctx context.Context, stack string) (Stack, error)
}

// LoadBalancers removes what Kubernetes made AWS create: Ingresses (ALBs) and LoadBalancer
// Services (NLBs), then waits until the controller has deleted them in AWS.
type LoadBalancers interface {
	Remove(ctx context.Context, kubeconfig, cluster string, progress io.Writer) error
}

// Leftover is an AWS resource still tagged for a cluster after destroy.
type Leftover struct {
	Kind, ID string
}

// Sweeper finds and deletes AWS resources tagged for a cluster
// (elbv2.k8s.aws/cluster=<cluster> or kubernetes.io/cluster/<cluster>).
type Sweeper interface {
	Find(ctx context.Context, cluster string) ([]Leftover, error)
	Delete(ctx context.Context, leftovers []Leftover) error
}

// Runner runs an operation over stacks.
type Runner struct {
	Workspace     Workspace
	LoadBalancers LoadBalancers
	Sweeper       Sweeper
	Out           io.Writer
	// Yes confirms up/destroy; required when not on a terminal (CI), where nobody can answer.
	Yes      bool
	Terminal bool
	// Sweep deletes leftovers after destroy instead of listing them and failing.
	Sweep bool
	Now   func() time.Time
}

// ErrLeftovers is returned when destroy left tagged AWS resources and Sweep is off.
var ErrLeftovers = errors.New("AWS resources tagged for the cluster are left after destroy")

// Run runs op on each stack in order, stopping at the first failure.
func (r *Runner) Run(ctx context.Context, op Operation, stacks []string) error {
	if len(stacks) == 0 {
		return errors.New("no stack given: pass --stack dev [--stack prod ...]")
	}
	if (op == Up || op == Destroy) && !r.Yes && !r.Terminal {
		return fmt.Errorf("%s changes real infrastructure: pass --yes (required when not run from a terminal)", op)
	}
	now := r.Now
	if now == nil {
		now = time.Now
	}
	for i, name := range stacks {
		fmt.Fprintf(r.Out, "\n=== %s %s (%d/%d)\n", op, name, i+1, len(stacks))
		start := now()
		res, err := r.runOne(ctx, op, name)
		r.summary(op, name, res, now().Sub(start), err)
		if err != nil {
			if i+1 < len(stacks) {
				fmt.Fprintf(r.Out, "stopping: not running %s on %s\n", op, strings.Join(stacks[i+1:], ", "))
			}
			return fmt.Errorf("%s %s: %w", op, name, err)
		}
	}
	return nil
}

func (r *Runner) runOne(ctx context.Context, op Operation, name string) (Result, error) {
	st, err := r.Workspace.Select(ctx, name)
	if err != nil {
		return Result{}, err
	}
	var cluster string
	if op == Destroy {
		if cluster, err = r.beforeDestroy(ctx, st); err != nil {
			return Result{}, err
		}
	}
	res, err := st.Run(ctx, op, r.Out)
	if err != nil || op != Destroy || cluster == "" {
		return res, err
	}
	return res, r.afterDestroy(ctx, cluster)
}

// beforeDestroy deletes Ingresses and LoadBalancer Services while the controller that owns
// their ALBs/NLBs still runs: destroying the cluster first would orphan them.
func (r *Runner) beforeDestroy(ctx context.Context, st Stack) (string, error) {
	cluster, err := st.Output(ctx, contract.OutputClusterName)
	if err != nil || cluster == "" {
		fmt.Fprintln(r.Out, "no clusterName output: nothing deployed, no load balancers to remove")
		return "", nil
	}
	kubeconfig, err := st.Output(ctx, contract.OutputKubeconfig)
	if err != nil {
		return "", fmt.Errorf("reading the kubeconfig output: %w", err)
	}
	if r.LoadBalancers == nil {
		return "", errors.New("no load balancer remover configured")
	}
	fmt.Fprintf(r.Out, "removing Ingresses and LoadBalancer Services of %s before destroy\n", cluster)
	if err := r.LoadBalancers.Remove(ctx, kubeconfig, cluster, r.Out); err != nil {
		return "", fmt.Errorf("removing load balancers before destroy: %w", err)
	}
	return cluster, nil
}

func (r *Runner) afterDestroy(ctx context.Context, cluster string) error {
	if r.Sweeper == nil {
		return errors.New("no sweeper configured")
	}
	left, err := r.Sweeper.Find(ctx, cluster)
	if err != nil {
		return fmt.Errorf("looking for leftovers of %s: %w", cluster, err)
	}
	if len(left) == 0 {
		fmt.Fprintf(r.Out, "no AWS resources tagged for %s are left\n", cluster)
		return nil
	}
	sort.Slice(left, func(i, j int) bool { return left[i].Kind+left[i].ID < left[j].Kind+left[j].ID })
	fmt.Fprintf(r.Out, "%d AWS resource(s) tagged for %s are left:\n", len(left), cluster)
	for _, l := range left {
		fmt.Fprintf(r.Out, "  %s %s\n", l.Kind, l.ID)
	}
	if !r.Sweep {
		fmt.Fprintln(r.Out, "re-run with --sweep to delete them")
		return ErrLeftovers
	}
	if err := r.Sweeper.Delete(ctx, left); err != nil {
		return fmt.Errorf("sweeping: %w", err)
	}
	fmt.Fprintf(r.Out, "deleted %d leftover(s)\n", len(left))
	return nil
}

func (r *Runner) summary(op Operation, name string, res Result, took time.Duration, err error) {
	status := "succeeded"
	if err != nil {
		status = "FAILED: " + err.Error()
	}
	fmt.Fprintf(r.Out, "--- %s %s %s in %s\n", op, name, status, took.Round(time.Second))
	ops := make([]string, 0, len(res.Changes))
	for k, n := range res.Changes {
		ops = append(ops, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(ops)
	if len(ops) > 0 {
		fmt.Fprintf(r.Out, "    resources: %s\n", strings.Join(ops, ", "))
	}
	keys := make([]string, 0, len(res.Outputs))
	for k := range res.Outputs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(r.Out, "    %s: %s\n", k, res.Outputs[k])
	}
}
