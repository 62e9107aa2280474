package tests

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/cost"
	"github.com/example/platform/internal/diff"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/stacks"
)

// Benchmarks of the offline commands. Each command is measured on one workload at two sizes,
// 1x and 10x, so the ratio says how it grows: the workload registers every custom resource of
// an example stack's plan n times, with its inputs. Diff compares dev's workload with prod's
// (a real difference: added, removed and changed resources), at the same n. PlanProd runs the
// real program for reference. Results and the command are recorded in the README.

func BenchmarkPlanProd(b *testing.B) {
	in := stackInput(b, "prod")
	for i := 0; i < b.N; i++ {
		if _, err := planner.Run(in, stacks.Program); err != nil {
			b.Fatal(err)
		}
	}
}

// synthetic registers every custom resource of the stack's plan n times, with its inputs.
func synthetic(b *testing.B, stack string, n int) planner.Program {
	plan := stackPlan(b, stack).Plan
	return func(ctx *pulumi.Context) (pulumi.Map, error) {
		for copy := 0; copy < n; copy++ {
			for _, r := range plan.Resources {
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

var (
	syntheticMu    sync.Mutex
	syntheticPlans = map[string]*planner.Plan{}
)

// syntheticPlan plans the synthetic workload once per test binary.
func syntheticPlan(b *testing.B, stack string, n int) *planner.Plan {
	syntheticMu.Lock()
	defer syntheticMu.Unlock()
	key := fmt.Sprintf("%s/%d", stack, n)
	if p, ok := syntheticPlans[key]; ok {
		return p
	}
	p, err := planner.Run(stackInput(b, stack), synthetic(b, stack, n))
	if err != nil {
		b.Fatal(err)
	}
	syntheticPlans[key] = p
	return p
}

func benchPlan(b *testing.B, n int) {
	in := stackInput(b, "prod")
	program := synthetic(b, "prod", n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := planner.Run(in, program); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPlan1x(b *testing.B)  { benchPlan(b, 1) }
func BenchmarkPlan10x(b *testing.B) { benchPlan(b, 10) }

func benchCost(b *testing.B, n int) {
	p := syntheticPlan(b, "prod", n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cost.Estimate(p)
	}
}

func BenchmarkCost1x(b *testing.B)  { benchCost(b, 1) }
func BenchmarkCost10x(b *testing.B) { benchCost(b, 10) }

func benchDiff(b *testing.B, n int) {
	base, head := syntheticPlan(b, "dev", n), syntheticPlan(b, "prod", n)
	if r := diff.Plans(base, head); len(r.Changed) == 0 {
		b.Fatal("the workload has no changes to diff")
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		diff.Plans(base, head)
	}
}

func BenchmarkDiff1x(b *testing.B)  { benchDiff(b, 1) }
func BenchmarkDiff10x(b *testing.B) { benchDiff(b, 10) }
