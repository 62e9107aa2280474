package cost

import (
	"testing"

	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/pricing"
)

// The runners' line is the assumed build-minutes at the compute type's price; arm64 and
// unknown types are unpriced, never zero.
func TestRunnerLines(t *testing.T) {
	for _, tt := range []struct {
		envType, compute string
		want             float64
		priced           bool
	}{
		{"LINUX_CONTAINER", "BUILD_GENERAL1_MEDIUM", pricing.RunnerMinutesPerMonth * pricing.CodeBuildLinuxMinute["BUILD_GENERAL1_MEDIUM"], true},
		{"LINUX_CONTAINER", "BUILD_GENERAL1_SMALL", pricing.RunnerMinutesPerMonth * 0.005, true},
		{"ARM_CONTAINER", "BUILD_GENERAL1_MEDIUM", 0, false},
	} {
		res := planner.Resource{Name: "runners-project", Type: "aws:codebuild/project:Project",
			Inputs: map[string]any{"environment": map[string]any{"type": tt.envType, "computeType": tt.compute}}}
		var got []Line
		runnerLines(res, func(res planner.Resource, item string, qty float64, unit string, price float64, ok bool, why string) {
			l := Line{Item: item, Quantity: qty, UnitPrice: price}
			if ok {
				l.Monthly = round(qty * price)
			} else {
				l.Unpriced = why
			}
			got = append(got, l)
		})
		if len(got) != 1 || got[0].Monthly != round(tt.want) || (got[0].Unpriced == "") != tt.priced {
			t.Errorf("%s %s: %+v, want %.2f priced=%v", tt.envType, tt.compute, got, tt.want, tt.priced)
		}
	}
}
