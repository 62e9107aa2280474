// Package tests runs the whole program for the example stacks under mocks and asserts on the
// recorded resource graph. The helpers here are shared by every whole-program test.
package tests

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/kubeapi"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/stacks"
)

// projectDir is the repository root, where Pulumi.yaml and the stack files are.
func projectDir(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test file")
	}
	return filepath.Dir(filepath.Dir(file))
}

// stackInput is the config of Pulumi.<stack>.yaml as Pulumi passes it to the program.
func stackInput(t testing.TB, stack string) planner.Input {
	t.Helper()
	in, err := planner.LoadStack(projectDir(t), stack)
	if err != nil {
		t.Fatal(err)
	}
	// The example stacks hold no secrets: stand in for them, as `platform plan` does.
	planner.Substitute(&in, secretKeys()...)
	return in
}

var (
	planMu    sync.Mutex
	planCache = map[string]*plan{}
)

// stackPlan runs the real program for an example stack once per test binary.
func stackPlan(t testing.TB, stack string) *plan {
	t.Helper()
	planMu.Lock()
	defer planMu.Unlock()
	if p, ok := planCache[stack]; ok {
		return p
	}
	p, err := planner.Run(stackInput(t, stack), stacks.Program)
	if err != nil {
		t.Fatalf("plan %s: %v", stack, err)
	}
	planCache[stack] = &plan{Plan: p}
	return planCache[stack]
}

// plan wraps a recorded plan with queries.
type plan struct{ *planner.Plan }

func (p *plan) ofType(typ string) []planner.Resource { return p.OfType(typ) }

func (p *plan) named(t testing.TB, typ, name string) planner.Resource {
	t.Helper()
	r, ok := p.Named(typ, name)
	if !ok {
		t.Fatalf("no %s named %s in the %s plan", typ, name, p.Stack)
	}
	return r
}

func (p *plan) byURN(urn string) (planner.Resource, bool) { return p.ByURN(urn) }

func (p *plan) byID(typ, id string) (planner.Resource, bool) { return p.ByID(typ, id) }

func (p *plan) counts() map[string]int { return p.Counts() }

// get reads a value from a resource's inputs by a dotted path ("metadataOptions.httpTokens",
// "routes.0.natGatewayId").
func get(r planner.Resource, path string) any { return r.Get(path) }

func getString(r planner.Resource, path string) string { return r.GetString(path) }

func getStrings(r planner.Resource, path string) []string {
	arr, _ := get(r, path).([]any)
	out := make([]string, 0, len(arr))
	for _, v := range arr {
		s, _ := v.(string)
		out = append(out, s)
	}
	return out
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func equalStrings(a, b []string) bool {
	return strings.Join(sorted(a), "\x00") == strings.Join(sorted(b), "\x00")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestMain stops the kube-apiserver the API-server tests share once they have all run.
func TestMain(m *testing.M) { os.Exit(kubeapi.RunTests(m)) }

func secretKeys() []string {
	var out []string
	for _, s := range config.Secrets {
		out = append(out, s.Key)
	}
	return out
}

// missing stops a test for want of a tool: it skips, saying what to install, or fails where
// env is 1 (CI, which installs the tool and must not skip).
func missing(t testing.TB, env, msg string) {
	t.Helper()
	if os.Getenv(env) == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}
