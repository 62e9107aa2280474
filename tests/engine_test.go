package tests

import (
	"strings"
	"testing"

	"github.com/example/platform/internal/recorder"
	"github.com/example/platform/internal/runner"
)

// The real Pulumi engine on the real program, through the project's runner, with the
// recording provider for every plugin (engine_harness_test.go). Both stacks run in parallel,
// each through its whole life: up from empty, an up that changes nothing, refresh, a rename
// by alias, a one-minor Kubernetes upgrade, and destroy.
func TestEngineLifecycle(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			t.Parallel()
			s := newEngineStack(t, stack)
			steps := []struct {
				name string
				fn   func(*testing.T, *engineStack)
			}{
				{"up from empty", engineUpFromEmpty},
				{"second up changes nothing", engineIdempotent},
				{"refresh finds no drift", engineRefresh},
				{"state holds no plaintext secret", engineNoPlaintextSecrets},
				{"renames by alias replace nothing", engineAliases},
				{"one-minor upgrade updates in place", engineUpgrade},
				{"destroy", engineDestroy},
			}
			for _, step := range steps {
				if !t.Run(step.name, func(t *testing.T) { step.fn(t, s) }) {
					t.Fatalf("stopping %s's lifecycle after %q failed", stack, step.name)
				}
			}
		})
	}
}

// up from empty creates every resource once, each after everything it depends on.
func engineUpFromEmpty(t *testing.T, s *engineStack) {
	out := s.run(t, runner.Up)
	c := changes(t, out)
	if len(c) != 1 || c["create"] == 0 {
		t.Fatalf("first up: %v, want only creates", c)
	}
	_, d := s.export(t)
	entries := s.journalFrom(t, 0)
	if got := ops(entries); len(got) != 1 || got["create"] != len(d.managed()) {
		t.Fatalf("journal of the first up: %v, want one create per managed resource in the state (%d)", got, len(d.managed()))
	}
	created := positions(entries, "create")
	checked := 0
	for _, r := range d.managed() {
		at, ok := created[r.URN]
		if !ok {
			t.Errorf("%s is in the state but was never created", r.URN)
			continue
		}
		for _, dep := range d.dependsOn(r) {
			checked++
			if created[dep] > at {
				t.Errorf("%s was created before %s, which it depends on", name(r.URN), name(dep))
			}
		}
	}
	if checked < len(d.managed()) {
		t.Errorf("only %d dependency edges between %d resources: the state's dependencies were not read", checked, len(d.managed()))
	}
	t.Logf("%d resources created, %d dependency edges in order", len(created), checked)
}

// A second up and a preview change nothing, and the provider is asked to do nothing.
func engineIdempotent(t *testing.T, s *engineStack) {
	from := s.journalLen(t)
	onlySame(t, "second up", changes(t, s.run(t, runner.Up)))
	onlySame(t, "preview after up", changes(t, s.run(t, runner.Preview)))
	if e := s.journalFrom(t, from); len(e) != 0 {
		t.Errorf("the second up called the provider %d times (%v), want none", len(e), ops(e))
	}
}

// refresh reads every resource back and finds nothing changed.
func engineRefresh(t *testing.T, s *engineStack) {
	from := s.journalLen(t)
	onlySame(t, "refresh", changes(t, s.run(t, runner.Refresh)))
	_, d := s.export(t)
	e := s.journalFrom(t, from)
	if got := ops(e); len(got) != 1 || got["read"] != len(d.managed()) {
		t.Errorf("refresh: %v, want one read per managed resource (%d)", got, len(d.managed()))
	}
	onlySame(t, "preview after refresh", changes(t, s.run(t, runner.Preview)))

	// The control: a resource edited outside Pulumi is drift, and only it; the next up puts
	// it back.
	s.env[recorder.DriftEnv] = "network-vpc"
	drifted := changes(t, s.run(t, runner.Refresh))
	delete(s.env, recorder.DriftEnv)
	if drifted["update"] != 1 {
		t.Errorf("refresh with network-vpc edited outside Pulumi: %v, want 1 update", drifted)
	}
	if c := changes(t, s.run(t, runner.Preview)); c["update"] != 1 || c["same"] == 0 {
		t.Errorf("preview after the drift: %v, want 1 update (the tag removed)", c)
	}
	from = s.journalLen(t)
	s.run(t, runner.Up)
	if e := s.journalFrom(t, from); len(e) != 1 || e[0].Op != "update" || name(e[0].URN) != "network-vpc" {
		t.Errorf("up after the drift called %v, want one update of network-vpc", e)
	}
	onlySame(t, "preview after putting the drift back", changes(t, s.run(t, runner.Preview)))
}

func name(urn string) string { return urn[strings.LastIndex(urn, "::")+2:] }
