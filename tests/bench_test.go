package tests

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/cost"
	"github.com/example/platform/internal/diff"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/stacks"
)

// Benchmarks of the offline commands on the prod stack and on a synthetic stack ten times its
// size (prod's resources registered ten times over), to show how each grows. Results and the
// command are recorded in the README.

func BenchmarkPlanProd(b *testing.B) {
	in := stackInput(b, "prod")
	for i := 0; i < b.N; i++ {
		if _, err := planner.Run(in, stacks.Program); err != nil {
			b.Fatal(err)
		}
	}
}

// synthetic10x registers every custom resource of the prod plan ten times, with its inputs.
func synthetic10x(b *testing.B) planner.Program {
	prod := stackPlan(b, "prod").Plan
	return func(ctx *pulumi.Context) (pulumi.Map, error) {
		for copy := 0; copy < 10; copy++ {
			for _, r := range prod.Resources {
				if !r.Custom || strings.HasPrefix(r.Type, "pulumi:providers:") {
					continue
				}
				var res pulumi.CustomResourceState
				if err := ctx.RegisterResource(r.Type, fmt.Sprintf("%s-%d", r.Name, copy), pulumi.ToMap(r.Inputs), &res); err != nil {
					return nil, err
				}
			}
		}
		return pulumi.Map{"region": pulumi.String("eu-north-1")}, nil
	}
}

func BenchmarkPlanSynthetic10x(b *testing.B) {
	in := stackInput(b, "prod")
	program := synthetic10x(b)
	for i := 0; i < b.N; i++ {
		if _, err := planner.Run(in, program); err != nil {
			b.Fatal(err)
		}
	}
}

func syntheticPlan(b *testing.B) *planner.Plan {
	p, err := planner.Run(stackInput(b, "prod"), synthetic10x(b))
	if err != nil {
		b.Fatal(err)
	}
	return p
}

func BenchmarkCostProd(b *testing.B) {
	p := stackPlan(b, "prod").Plan
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cost.Estimate(p)
	}
}

func BenchmarkCostSynthetic10x(b *testing.B) {
	p := syntheticPlan(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cost.Estimate(p)
	}
}

func BenchmarkDiffProd(b *testing.B) {
	base, head := stackPlan(b, "dev").Plan, stackPlan(b, "prod").Plan
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		diff.Plans(base, head)
	}
}

func BenchmarkDiffSynthetic10x(b *testing.B) {
	base := syntheticPlan(b)
	head := syntheticPlan(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		diff.Plans(base, head)
	}
}
