// Package planner runs the real Pulumi program in-process under mocks and records what it
// registers: the offline plan behind `platform plan` and the whole-program tests. It needs no
// cloud account, no Pulumi CLI and no network.
package planner

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Secret is what a secret value is replaced with in a plan.
const Secret = "[secret]"

// Unknown is what a value not known until deployment is replaced with.
const Unknown = "[unknown]"

// Resource is one registered resource.
type Resource struct {
	URN string `json:"urn"`
	// ID is the offline plan's stand-in id (not what AWS will assign): it lets tests and the
	// cost estimate follow references between resources (a node group's launch template).
	ID     string `json:"id,omitempty"`
	Type   string `json:"type"`
	Name   string `json:"name"`
	Parent string `json:"parent,omitempty"`
	// Custom is false for components (ours, and remote ones such as eks:index:Cluster).
	Custom  bool `json:"custom"`
	Remote  bool `json:"remote,omitempty"`
	Protect bool `json:"protect,omitempty"`
	// RetainOnDelete: destroy leaves the resource in the cloud (pulumi.RetainOnDelete).
	RetainOnDelete bool   `json:"retainOnDelete,omitempty"`
	Provider       string `json:"provider,omitempty"`
	// Inputs with secrets replaced by "[secret]".
	Inputs map[string]any `json:"inputs"`
	// Dependencies are every resource this one waits for (through inputs or DependsOn).
	Dependencies []string `json:"dependencies,omitempty"`
	// PropertyDependencies are the dependencies of each input property.
	PropertyDependencies map[string][]string `json:"propertyDependencies,omitempty"`
	IgnoreChanges        []string            `json:"ignoreChanges,omitempty"`
	// ReplaceOnChanges are inputs the program replaces the resource on (pulumi.ReplaceOnChanges),
	// besides what its provider replaces on.
	ReplaceOnChanges []string `json:"replaceOnChanges,omitempty"`
	// DeleteBeforeReplace: a replacement deletes the old resource first (pulumi.DeleteBeforeReplace).
	DeleteBeforeReplace bool `json:"deleteBeforeReplace,omitempty"`
	// Aliases are the URNs the resource was known by before a rename (pulumi.Aliases): the
	// engine adopts a resource found under one of them instead of replacing it.
	Aliases []string `json:"aliases,omitempty"`
	// Transforms counts the resource's transforms (pulumi.Transforms): they change what its
	// children register, which a plan under mocks does not see for a remote component.
	Transforms int `json:"transforms,omitempty"`
	// SecretInputs lists the top-level inputs that are secret.
	SecretInputs []string `json:"secretInputs,omitempty"`
	// Shaped are the inputs with a secret's structure kept and only its leaves replaced by
	// "[secret]": what a schema check needs (a Secret's stringData is still a map). Not in
	// plans: the keys of a secret map can say more than a plan should.
	Shaped map[string]any `json:"-"`
	// Outputs are the resource's state as the mocks return it (inputs and the stand-ins of
	// provider-computed values, secrets replaced): what tests trace stack outputs to. Not in
	// plans: the stand-ins are not what AWS will return.
	Outputs map[string]any `json:"-"`
}

// Output is one stack output.
type Output struct {
	Value  any  `json:"value"`
	Secret bool `json:"secret,omitempty"`
}

// Plan is everything one run of the program registered, sorted by URN (registration order is
// concurrent, so not deterministic).
type Plan struct {
	Project   string            `json:"project"`
	Stack     string            `json:"stack"`
	Resources []Resource        `json:"resources"`
	Outputs   map[string]Output `json:"outputs"`
	// Warnings are what `pulumi preview` would warn about the stack's config.
	Warnings []string `json:"warnings,omitempty"`
	// BeforeUp are the steps left before a real `pulumi up` (secrets to set, the OAuth app).
	BeforeUp []string `json:"beforeUp,omitempty"`
}

// OutputValues are the plan's stack outputs by name, as the next deployment's stack reference
// reads them (Input.Previous).
func (p *Plan) OutputValues() map[string]any {
	out := make(map[string]any, len(p.Outputs))
	for k, o := range p.Outputs {
		out[k] = o.Value
	}
	return out
}

// Program is the body under test: it registers resources and returns the stack outputs it
// exported.
type Program func(ctx *pulumi.Context) (pulumi.Map, error)

// Input is one stack's config as Pulumi passes it to the program.
type Input struct {
	Project, Stack string
	// Config is keyed "namespace:key"; object values are JSON.
	Config map[string]string
	// SecretKeys are the config keys whose values are secret.
	SecretKeys []string
	// Substituted are secrets the stack file does not hold, stood in for offline (Substitute).
	Substituted []string
	// Previous are the stack outputs of the last deployment, as the program's stack reference to
	// its own stack reads them. Nil: a first deployment (no outputs).
	Previous map[string]any
}

// envMu serializes runs: each run hands its config to the program through the process
// environment, as the Pulumi CLI does.
var envMu sync.Mutex

// Run runs program under mocks for in. On error the partial plan is returned too, so tests can
// check that invalid config registered nothing. The config reaches the program exactly as from
// the Pulumi CLI: in PULUMI_CONFIG and PULUMI_CONFIG_SECRET_KEYS.
func Run(in Input, program Program) (*Plan, error) {
	envMu.Lock()
	defer envMu.Unlock()
	restore, err := setConfigEnv(in)
	if err != nil {
		return nil, err
	}
	defer restore()
	m := newMocks(in.Project, in.Stack, in.Config["aws:region"])
	m.previous = in.Previous
	var outputs map[string]Output
	err = pulumi.RunErr(func(ctx *pulumi.Context) error {
		exports, err := program(ctx)
		if err != nil {
			return err
		}
		outputs, err = resolveOutputs(exports)
		return err
	}, pulumi.WithMocks(in.Project, in.Stack, m), func(info *pulumi.RunInfo) {
		info.Config = in.Config
		info.ConfigSecretKeys = in.SecretKeys
	})
	p := &Plan{Project: in.Project, Stack: in.Stack, Resources: m.recorded(), Outputs: outputs}
	return p, err
}

func setConfigEnv(in Input) (restore func(), err error) {
	cfg, err := json.Marshal(in.Config)
	if err != nil {
		return nil, err
	}
	keys, err := json.Marshal(in.SecretKeys)
	if err != nil {
		return nil, err
	}
	vars := map[string]string{pulumi.EnvConfig: string(cfg), pulumi.EnvConfigSecretKeys: string(keys)}
	old := map[string]*string{}
	for k, v := range vars {
		if prev, ok := os.LookupEnv(k); ok {
			old[k] = &prev
		} else {
			old[k] = nil
		}
		if err := os.Setenv(k, v); err != nil {
			return nil, err
		}
	}
	return func() {
		for k, v := range old {
			if v == nil {
				os.Unsetenv(k)
			} else {
				os.Setenv(k, *v)
			}
		}
	}, nil
}

func resolveOutputs(exports pulumi.Map) (map[string]Output, error) {
	out := map[string]Output{}
	for k, v := range exports {
		res, err := internals.UnsafeAwaitOutput(context.Background(), pulumi.ToOutput(v))
		if err != nil {
			return nil, fmt.Errorf("stack output %s: %w", k, err)
		}
		o := Output{Value: res.Value, Secret: res.Secret}
		if !res.Known {
			o.Value = Unknown
		}
		if res.Secret {
			o.Value = Secret
		}
		out[k] = o
	}
	return out, nil
}

// recorder keeps what the mocks saw. The mock monitor calls it from many goroutines.
type recorder struct {
	mu        sync.Mutex
	project   string
	stack     string
	resources []Resource
}

func (r *recorder) record(args pulumi.MockResourceArgs, id string, state resource.PropertyMap) {
	rpc := args.RegisterRPC
	res := Resource{
		ID:       id,
		Type:     args.TypeToken,
		Name:     args.Name,
		Custom:   args.Custom,
		Provider: args.Provider,
		Inputs:   Redact(args.Inputs),
		Shaped:   redactMap(args.Inputs, true),
		Outputs:  Redact(state),
	}
	for k, v := range args.Inputs {
		if v.ContainsSecrets() {
			res.SecretInputs = append(res.SecretInputs, string(k))
		}
	}
	sort.Strings(res.SecretInputs)
	if rpc != nil {
		res.Parent = rpc.GetParent()
		res.Remote = rpc.GetRemote()
		res.Protect = rpc.GetProtect()
		res.RetainOnDelete = rpc.GetRetainOnDelete()
		res.IgnoreChanges = rpc.GetIgnoreChanges()
		res.ReplaceOnChanges = rpc.GetReplaceOnChanges()
		res.DeleteBeforeReplace = rpc.GetDeleteBeforeReplace()
		res.Transforms = len(rpc.GetTransforms())
		res.Dependencies = sortedUnique(rpc.GetDependencies())
		for prop, deps := range rpc.GetPropertyDependencies() {
			if urns := sortedUnique(deps.GetUrns()); len(urns) > 0 {
				if res.PropertyDependencies == nil {
					res.PropertyDependencies = map[string][]string{}
				}
				res.PropertyDependencies[prop] = urns
			}
		}
	}
	res.URN = r.urn(res.Parent, res.Type, res.Name)
	if rpc != nil {
		res.Aliases = r.aliasURNs(res, rpc.GetAliases(), rpc.GetAliasURNs())
	}
	r.mu.Lock()
	r.resources = append(r.resources, res)
	r.mu.Unlock()
}

// urn computes the URN the way the engine (and the mock monitor) does.
func (r *recorder) urn(parent, typ, name string) string {
	return newURN(r.stack, r.project, parent, typ, name)
}

func newURN(stack, project, parent, typ, name string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(stack), tokens.PackageName(project), parentType, tokens.Type(typ), name))
}

// aliasURNs resolves alias specs as the engine does: a field left empty is the resource's own
// (its type, parent, stack and project).
func (r *recorder) aliasURNs(res Resource, specs []*pulumirpc.Alias, urns []string) []string {
	out := append([]string(nil), urns...)
	for _, a := range specs {
		if u := a.GetUrn(); u != "" {
			out = append(out, u)
			continue
		}
		spec := a.GetSpec()
		if spec == nil {
			continue
		}
		name, typ, parent := spec.GetName(), spec.GetType(), res.Parent
		if name == "" {
			name = res.Name
		}
		if typ == "" {
			typ = res.Type
		}
		switch {
		case spec.GetNoParent():
			parent = ""
		case spec.GetParentUrn() != "":
			parent = spec.GetParentUrn()
		}
		stack, project := r.stack, r.project
		if spec.GetStack() != "" {
			stack = spec.GetStack()
		}
		if spec.GetProject() != "" {
			project = spec.GetProject()
		}
		out = append(out, newURN(stack, project, parent, typ, name))
	}
	return sortedUnique(out)
}

func (r *recorder) recorded() []Resource {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := append([]Resource(nil), r.resources...)
	sort.Slice(out, func(i, j int) bool { return out[i].URN < out[j].URN })
	return out
}

func sortedUnique(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// Redact turns a property map into plain values, secrets replaced by "[secret]", unknowns by
// "[unknown]" and resource references by their URN.
func Redact(m resource.PropertyMap) map[string]any { return redactMap(m, false) }

func redactMap(m resource.PropertyMap, shape bool) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[string(k)] = redactValue(v, shape, false)
	}
	return out
}

// redactValue converts v; inSecret marks values under a secret, whose string leaves are
// replaced (shape) or which is replaced whole (not shape).
func redactValue(v resource.PropertyValue, shape, inSecret bool) any {
	switch {
	case v.IsSecret():
		if shape {
			return redactValue(v.SecretValue().Element, true, true)
		}
		return Secret
	case inSecret && v.IsString():
		return Secret
	case v.IsComputed():
		return Unknown
	case v.IsOutput():
		o := v.OutputValue()
		if !o.Known {
			return Unknown
		}
		if o.Secret {
			if shape {
				return redactValue(o.Element, true, true)
			}
			return Secret
		}
		return redactValue(o.Element, shape, inSecret)
	case v.IsResourceReference():
		return string(v.ResourceReferenceValue().URN)
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]any, len(arr))
		for i, e := range arr {
			out[i] = redactValue(e, shape, inSecret)
		}
		return out
	case v.IsObject():
		out := map[string]any{}
		for k, e := range v.ObjectValue() {
			out[string(k)] = redactValue(e, shape, inSecret)
		}
		return out
	case v.IsNull():
		return nil
	}
	return v.V
}
