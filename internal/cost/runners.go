package cost

import (
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/pricing"
)

// runnerLines prices the CodeBuild runners' project: its assumed build-minutes at its compute
// type's per-minute price (arm64 and unknown types are unpriced lines, never zero).
func runnerLines(res planner.Resource, add addFunc) {
	compute := str(res.Get("environment.computeType"))
	price, ok := pricing.CodeBuildLinuxMinute[compute]
	why := "no CodeBuild price for " + compute
	if str(res.Get("environment.type")) != "LINUX_CONTAINER" {
		ok, why = false, "no CodeBuild price for "+str(res.Get("environment.type"))+" "+compute+" (arm64 is not in the price table)"
	}
	add(res, "CodeBuild runner build-minutes (assumed) "+compute, pricing.RunnerMinutesPerMonth, "build-minute", price, ok, why)
}
