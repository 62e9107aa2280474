package tests

import (
	"encoding/json"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/recorder"
	"github.com/example/platform/internal/runner"
	"github.com/example/platform/internal/timeline"
)

// The recorder sleeps each create for its modelled duration, scaled down to a few seconds for
// each modelled minute. Two runs of the same first up differ only in that scale, so their wall
// times differ by the schedule's length at the difference of the scales, whatever the engine's
// own work costs. The issue asked to subtract a run with every create instant instead; measured
// here, that undercounts: the engine's ~25 s of work in that run is serial, but with sleeps it
// mostly runs during them (dev measured -33% at 1 s a minute and -21% at 4 s a minute, while
// the engine ended the model's critical path within 0.3% of the modelled time). Both scales
// keep the sleeps long enough to dominate the engine's work: at 3 s a minute dev's engine
// still added 7 s more than at 6 (measured 0.885 of the model), so the smaller scale is 4.
var timelineScales = [2]time.Duration{4 * time.Second, 8 * time.Second} // per modelled minute

// timelineTolerance is how far the engine's measured time may be from the model's.
const timelineTolerance = 0.15

// TestEngineMatchesTheTimeModel runs the first `up` of each stack twice through the real
// engine on the recorder, each on an empty stack with Pulumi's default parallelism, the
// recorder sleeping every create for its modelled duration at two scales (timelineScales). The
// difference of the two wall times is the time the schedule of the creates took at the
// difference of the scales, which the model (internal/timeline, `platform plan --timeline`)
// predicts. The two measurements are made in one run on one machine, so the test asserts
// their agreement, not a machine's speed; the numbers are logged (and recorded in the README
// with the command that produced them), with the critical path step by step.
func TestEngineMatchesTheTimeModel(t *testing.T) {
	if testing.Short() {
		t.Skip("the engine's first up, twice per stack: not in -short")
	}
	for _, stack := range []string{"dev", "prod"} {
		// Both stacks at once (the test is long): each run spends most of its time asleep, and
		// each stack's two runs share the machine with the other stack's alike.
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			p := stackPlan(t, stack).Plan
			model, err := timeline.Model(p, timeline.Options{Parallelism: timeline.DefaultParallelism()})
			if err != nil {
				t.Fatal(err)
			}
			var took [2]time.Duration
			var slept *engineStack
			var started time.Time
			var sleeps map[string]int64
			for i, scale := range timelineScales {
				sleeps = recorderDurations(t, p, timeline.Durations(p), scale)
				path := filepath.Join(t.TempDir(), "durations.json")
				b, err := json.Marshal(sleeps)
				if err != nil {
					t.Fatal(err)
				}
				writeFile(t, path, b)
				slept = newEngineStack(t, stack)
				slept.env[recorder.DurationsEnv] = path
				took[i], started = timedFirstUp(t, slept)
			}
			measured := took[1] - took[0]
			predicted := scaled(model.Total, timelineScales[1]) - scaled(model.Total, timelineScales[0])
			ratio := float64(measured) / float64(predicted)
			t.Logf("%s: modelled first up %s (parallelism %d); engine: %s at %s a modelled minute, %s at %s: %s more, the model %s more: measured/modelled = %.3f",
				stack, model.Total.Round(time.Second), model.Parallelism, took[0].Round(time.Millisecond), timelineScales[0], took[1].Round(time.Millisecond), timelineScales[1],
				measured.Round(time.Millisecond), predicted.Round(time.Millisecond), ratio)
			// The critical path step by step in the second run: when the model ends each step
			// and when the engine did (the journal's time of its create), at that run's scale.
			finished := map[string]time.Time{}
			for _, e := range slept.journalFrom(t, 0) {
				if e.Op == "create" {
					finished[e.URN] = e.Time
				}
			}
			for _, st := range model.CriticalPath {
				u := st.URN
				if st.Type == recorder.EKSClusterType {
					u = recorder.EKSClusterChildURN(u, st.Name)
				}
				t.Logf("  %-60s modelled end %8s  engine %8s", st.Name, scaled(st.End(), timelineScales[1]).Round(100*time.Millisecond), finished[u].Sub(started).Round(100*time.Millisecond))
			}
			if math.Abs(ratio-1) > timelineTolerance {
				t.Errorf("%s: the engine took %s more for the slower creates, the model predicts %s: off by %.0f%%, more than %.0f%%",
					stack, measured.Round(time.Millisecond), predicted.Round(time.Millisecond), 100*(ratio-1), 100*timelineTolerance)
			}
			// The order the data does not show still held, with every create taking its time.
			createOrderHolds(t, p, slept.journalFrom(t, 0))
			// The sleeps reached the resources they were meant for: every slept URN was created.
			created := positions(slept.journalFrom(t, 0), "create")
			for urn := range sleeps {
				if _, ok := created[urn]; !ok {
					t.Errorf("%s slept for %s, which the engine never created: the model's URNs are not the engine's", stack, urn)
				}
			}
		})
	}
}

// scaled is a modelled duration at the recorder's scale: so long for each modelled minute.
func scaled(d, perMinute time.Duration) time.Duration {
	return time.Duration(float64(d) / float64(time.Minute) * float64(perMinute))
}

// recorderDurations is the recorder's sleep of each create, in milliseconds by URN. pulumi-eks's
// cluster is one modelled step (the plan, on mocks, has no children for it); on the recorder the
// component's EKS cluster child is what is created, so it sleeps the component's duration.
func recorderDurations(t *testing.T, p *planner.Plan, modelled map[string]time.Duration, perMinute time.Duration) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for urn, d := range modelled {
		if d <= 0 {
			continue
		}
		r, ok := p.ByURN(urn)
		if !ok {
			t.Fatalf("the model has a duration for %s, which is not in the plan", urn)
		}
		if r.Type == recorder.EKSClusterType {
			urn = recorder.EKSClusterChildURN(urn, r.Name)
		}
		out[urn] = scaled(d, perMinute).Milliseconds()
	}
	if len(out) == 0 {
		t.Fatal("the model gives no resource any duration")
	}
	return out
}

// timedFirstUp is the wall time of the stack's first up, and when it started. The stack is
// created and its secrets set before the clock starts, as both runs do the same there.
func timedFirstUp(t *testing.T, s *engineStack) (time.Duration, time.Time) {
	t.Helper()
	s.stack(t)
	start := time.Now()
	out := s.run(t, runner.Up)
	took := time.Since(start)
	if c := changes(t, out); len(c) != 1 || c["create"] == 0 {
		t.Fatalf("first up of %s: %v, want only creates", s.name, c)
	}
	return took, start
}
