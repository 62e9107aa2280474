// Package plantest runs one component in a small program under the offline planner's mocks,
// for the mock test beside each component.
package plantest

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/planner"
)

// Project, Stack and Region of the throwaway stack components are planned in.
const (
	Project = "platform"
	Stack   = "test"
	Region  = "eu-north-1"
)

// Account is the mocks' account in Region.
var Account = contract.Account{ID: planner.MockAccountID, Partition: "aws", Region: Region}

// Run plans program; the error is the program's (the plan holds what was registered before
// it).
func Run(program func(ctx *pulumi.Context) error) (*planner.Plan, error) {
	in := planner.Input{Project: Project, Stack: Stack, Config: map[string]string{"aws:region": Region}}
	return planner.Run(in, func(ctx *pulumi.Context) (pulumi.Map, error) {
		return pulumi.Map{}, program(ctx)
	})
}

// MustRun plans program and fails the test on an error.
func MustRun(t testing.TB, program func(ctx *pulumi.Context) error) *planner.Plan {
	t.Helper()
	p, err := Run(program)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return p
}

// Named is the resource of a type and name, or fails the test.
func Named(t testing.TB, p *planner.Plan, typ, name string) planner.Resource {
	t.Helper()
	r, ok := p.Named(typ, name)
	if !ok {
		var names []string
		for _, o := range p.OfType(typ) {
			names = append(names, o.Name)
		}
		t.Fatalf("no %s named %s; those of its type: %v", typ, name, names)
	}
	return r
}

// Names are the logical names of every resource in the plan, by type.
func Names(p *planner.Plan) map[string][]string {
	out := map[string][]string{}
	for _, r := range p.Resources {
		out[r.Type] = append(out[r.Type], r.Name)
	}
	return out
}

// Output is a known string output, for the handles a component test hands its component.
func Output(s string) pulumi.StringOutput { return pulumi.String(s).ToStringOutput() }

// Contains reports whether list holds s.
func Contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
