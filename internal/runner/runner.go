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
	// Destroy destroys the stack except the resources (URNs) in keep, which stay in it.
	Destroy(ctx context.Context, keep []string, progress io.Writer) (Result, error)
	// Output reads a stack output (clusterName, kubeconfig, vpcId) for the destroy steps; ""
	// when the stack has no such output.
	Output(ctx context.Context, name string) (string, error)
	// Config is the stack's config as the program receives it ("aws:region",
	// "platform:environment"; object values as JSON).
	Config(ctx context.Context) (map[string]string, error)
	// Resources are the resources in the stack's state.
	Resources(ctx context.Context) ([]StateResource, error)
}

// StateResource is one resource in a stack's state.
type StateResource struct {
	URN, Type, ID string
	// Custom is false for components and the stack itself.
	Custom, Protect bool
	// RetainOnDelete: a destroy removes it from the state and leaves it in the cloud.
	RetainOnDelete bool
	// Parent is the parent's URN; Dependencies are the URNs it depends on (declared and
	// through its properties).
	Parent       string
	Dependencies []string
	// Outputs are its state outputs as exported. The Automation API exports with
	// --show-secrets: secret values arrive decrypted (in memory only, never written).
	Outputs map[string]any
}

// Name is the resource's logical name (the last part of its URN).
func (s StateResource) Name() string { return s.URN[strings.LastIndex(s.URN, "::")+2:] }

// Workspace selects stacks.
type Workspace interface {
	// Select selects the stack, creating it if it does not exist (a first preview or up).
	Select(ctx context.Context, stack string) (Stack, error)
	// SelectExisting selects the stack only if it exists (ErrNoStack otherwise), creating and
	// writing nothing: a destroy or refresh of a stack that was never deployed.
	SelectExisting(ctx context.Context, stack string) (Stack, error)
}

// ErrNoStack: the stack does not exist in the backend.
var ErrNoStack = errors.New("the stack does not exist")

// Kubernetes undoes, before a destroy, what the cluster made AWS create and Pulumi does not
// know: Argo CD's automated sync first (it would put back what the next steps delete), then
// Ingresses and LoadBalancer Services (their ALBs/NLBs), then the persistent volume claims
// (their EBS volumes), each while the controller or driver that deletes the AWS side still
// runs.
type Kubernetes interface {
	StopGitOps(ctx context.Context, kubeconfig string, progress io.Writer) error
	RemoveLoadBalancers(ctx context.Context, kubeconfig string, progress io.Writer) error
	RemoveVolumes(ctx context.Context, kubeconfig string, progress io.Writer) error
}

// Leftover is an AWS resource still tagged for a cluster after destroy.
type Leftover struct {
	Kind, ID string
}

// Scope is what a sweep may touch: resources tagged as owned by Cluster, in the stack's own
// Account, Region and VPC.
type Scope struct {
	Stack, Cluster, Region, Account, VPC string
}

// Sweeper finds and deletes AWS resources a cluster left behind, within its Scope.
type Sweeper interface {
	Find(ctx context.Context) ([]Leftover, error)
	Delete(ctx context.Context, leftovers []Leftover) error
	// WaitForNoLoadBalancers returns once the Load Balancer Controller has deleted the
	// cluster's load balancers (it does so asynchronously), reporting progress.
	WaitForNoLoadBalancers(ctx context.Context, progress io.Writer) error
}

// Runner runs an operation over stacks.
type Runner struct {
	// Project is the Pulumi project's name (Pulumi.yaml): the config's defaults derive from it.
	Project    string
	Workspace  Workspace
	Kubernetes Kubernetes
	// NewSweeper makes the sweeper of one stack's scope; it refuses a scope the credentials
	// do not match (another account).
	NewSweeper func(ctx context.Context, scope Scope) (Sweeper, error)
	Out        io.Writer
	// Yes confirms up/destroy; required when not on a terminal (CI), where nobody can answer.
	// For a production stack it is not enough: see ConfirmDestroy.
	Yes      bool
	Terminal bool
	// Ask asks the person at the terminal a question and returns the answer.
	Ask func(question string) (string, error)
	// ConfirmDestroy names the stacks whose destroy the operator confirmed by name
	// (--confirm-destroy): required for production stacks and stacks with protected resources.
	ConfirmDestroy []string
	// Sweep deletes leftovers after destroy instead of listing them and failing.
	Sweep bool
	// BeforeDestroyTimeout bounds the Kubernetes steps before a destroy. Default 20 minutes.
	BeforeDestroyTimeout time.Duration
	Now                  func() time.Time
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
	selectStack := r.Workspace.Select
	if op == Destroy || op == Refresh {
		selectStack = r.Workspace.SelectExisting
	}
	st, err := selectStack(ctx, name)
	if errors.Is(err, ErrNoStack) {
		return Result{}, fmt.Errorf("stack %s does not exist in this backend (pulumi stack ls lists those that do): nothing to %s, and nothing was created or changed", name, op)
	}
	if err != nil {
		return Result{}, fmt.Errorf("selecting the stack: %w", err)
	}
	if op == Destroy {
		return r.destroy(ctx, name, st)
	}
	return st.Run(ctx, op, r.Out)
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
