package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
)

// LocalWorkspace runs this Pulumi project (its directory) through the Automation API: the
// Pulumi CLI on PATH does the work, with the user's login and stack files.
type LocalWorkspace struct {
	Dir string
	// Options add to the workspace (environment variables, a program for tests).
	Options []auto.LocalWorkspaceOption
}

func (w LocalWorkspace) Select(ctx context.Context, stack string) (Stack, error) {
	if _, err := exec.LookPath("pulumi"); err != nil {
		return nil, errors.New("the pulumi CLI is not on PATH: install it (https://www.pulumi.com/docs/iac/download-install/) and `pulumi login`")
	}
	st, err := auto.UpsertStackLocalSource(ctx, stack, w.Dir, w.Options...)
	if err != nil {
		return nil, err
	}
	return autoStack{st}, nil
}

func (w LocalWorkspace) SelectExisting(ctx context.Context, stack string) (Stack, error) {
	if _, err := exec.LookPath("pulumi"); err != nil {
		return nil, errors.New("the pulumi CLI is not on PATH: install it (https://www.pulumi.com/docs/iac/download-install/) and `pulumi login`")
	}
	st, err := auto.SelectStackLocalSource(ctx, stack, w.Dir, w.Options...)
	if auto.IsSelectStack404Error(err) {
		return nil, ErrNoStack
	}
	if err != nil {
		return nil, err
	}
	return autoStack{st}, nil
}

// InlineWorkspace runs a Go program in-process (end-to-end tests that need no plugins).
type InlineWorkspace struct {
	Project string
	Program func(ctx context.Context, stack string) (auto.Stack, error)
}

// SelectExisting: the program decides (an inline stack is made by its program).
func (w InlineWorkspace) SelectExisting(ctx context.Context, stack string) (Stack, error) {
	return w.Select(ctx, stack)
}

func (w InlineWorkspace) Select(ctx context.Context, stack string) (Stack, error) {
	st, err := w.Program(ctx, stack)
	if err != nil {
		return nil, err
	}
	return autoStack{st}, nil
}

type autoStack struct{ s auto.Stack }

func (a autoStack) Run(ctx context.Context, op Operation, progress io.Writer) (Result, error) {
	var res Result
	switch op {
	case Preview:
		r, err := a.s.Preview(ctx, optpreview.ProgressStreams(progress))
		if err != nil {
			return res, err
		}
		res.Changes = map[string]int{}
		for k, n := range r.ChangeSummary {
			res.Changes[string(k)] = n
		}
		return res, nil
	case Up:
		r, err := a.s.Up(ctx, optup.ProgressStreams(progress))
		res.Changes = changes(r.Summary)
		res.Outputs = outputs(r.Outputs)
		return res, err
	case Refresh:
		r, err := a.s.Refresh(ctx, optrefresh.ProgressStreams(progress))
		res.Changes = changes(r.Summary)
		return res, err
	case Destroy:
		return a.Destroy(ctx, nil, progress)
	}
	return res, fmt.Errorf("unknown operation %q", op)
}

func (a autoStack) Destroy(ctx context.Context, keep []string, progress io.Writer) (Result, error) {
	opts := []optdestroy.Option{optdestroy.ProgressStreams(progress)}
	if len(keep) > 0 {
		opts = append(opts, optdestroy.Exclude(keep))
	}
	r, err := a.s.Destroy(ctx, opts...)
	return Result{Changes: changes(r.Summary)}, err
}

// Output reads one stack output in plain text (the destroy steps need the kubeconfig).
func (a autoStack) Output(ctx context.Context, name string) (string, error) {
	outs, err := a.s.Outputs(ctx)
	if err != nil {
		return "", err
	}
	v, ok := outs[name]
	if !ok {
		return "", nil
	}
	if s, ok := v.Value.(string); ok {
		return s, nil
	}
	b, err := json.Marshal(v.Value)
	return string(b), err
}

// Config is the stack's config (secrets decrypted by the CLI: the destroy steps read only
// the environment, region and cluster keys).
func (a autoStack) Config(ctx context.Context) (map[string]string, error) {
	all, err := a.s.GetAllConfig(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(all))
	for k, v := range all {
		out[k] = v.Value
	}
	return out, nil
}

// Resources reads the stack's state (`pulumi stack export`).
func (a autoStack) Resources(ctx context.Context) ([]StateResource, error) {
	exported, err := a.s.Export(ctx)
	if err != nil {
		return nil, err
	}
	return parseDeployment(exported.Deployment)
}

// parseDeployment reads the resources of an exported deployment (apitype.DeploymentV3).
func parseDeployment(raw json.RawMessage) ([]StateResource, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var d struct {
		Resources []struct {
			URN                  string              `json:"urn"`
			Type                 string              `json:"type"`
			ID                   string              `json:"id"`
			Custom               bool                `json:"custom"`
			Protect              bool                `json:"protect"`
			RetainOnDelete       bool                `json:"retainOnDelete"`
			Parent               string              `json:"parent"`
			Dependencies         []string            `json:"dependencies"`
			PropertyDependencies map[string][]string `json:"propertyDependencies"`
			Outputs              map[string]any      `json:"outputs"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("reading the exported state: %w", err)
	}
	out := make([]StateResource, 0, len(d.Resources))
	for _, r := range d.Resources {
		deps := slices.Clone(r.Dependencies)
		for _, ds := range r.PropertyDependencies {
			deps = append(deps, ds...)
		}
		slices.Sort(deps)
		out = append(out, StateResource{URN: r.URN, Type: r.Type, ID: r.ID, Custom: r.Custom, Protect: r.Protect,
			RetainOnDelete: r.RetainOnDelete, Parent: r.Parent, Dependencies: slices.Compact(deps), Outputs: r.Outputs})
	}
	return out, nil
}

func changes(s auto.UpdateSummary) map[string]int {
	if s.ResourceChanges == nil {
		return nil
	}
	return *s.ResourceChanges
}

func outputs(m auto.OutputMap) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if v.Secret {
			out[k] = "[secret]"
			continue
		}
		if s, ok := v.Value.(string); ok {
			out[k] = s
			continue
		}
		b, _ := json.Marshal(v.Value)
		out[k] = string(b)
	}
	return out
}
