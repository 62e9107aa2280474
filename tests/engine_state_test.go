package tests

import (
	"context"
	"encoding/json"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/example/platform/internal/recorder"
	"github.com/example/platform/internal/runner"
)

// What the engine tests read back: the state Pulumi wrote, the journal the recording provider
// kept, and the runner's own summary of each operation.

// stateResource is one resource of an exported deployment (apitype.ResourceV3).
type stateResource struct {
	URN            string `json:"urn"`
	Type           string `json:"type"`
	ID             string `json:"id"`
	Custom         bool   `json:"custom"`
	Protect        bool   `json:"protect"`
	RetainOnDelete bool   `json:"retainOnDelete"`
	// External is a read, not a resource of the stack (the stack reference to the last
	// deployment): no provider creates or deletes it.
	External             bool                `json:"external"`
	Parent               string              `json:"parent"`
	Dependencies         []string            `json:"dependencies"`
	PropertyDependencies map[string][]string `json:"propertyDependencies"`
	Inputs               map[string]any      `json:"inputs"`
	Outputs              map[string]any      `json:"outputs"`
}

type deployment struct {
	Resources []stateResource `json:"resources"`
}

// byURN indexes the deployment.
func (d deployment) byURN() map[string]stateResource {
	m := make(map[string]stateResource, len(d.Resources))
	for _, r := range d.Resources {
		m[r.URN] = r
	}
	return m
}

// managed are the custom resources a provider created (not providers, not components).
func (d deployment) managed() []stateResource {
	var out []stateResource
	for _, r := range d.Resources {
		if r.Custom && !r.External && !strings.HasPrefix(r.Type, "pulumi:providers:") {
			out = append(out, r)
		}
	}
	return out
}

// dependsOn is every managed resource r waits for: its declared dependencies and property
// dependencies, a component among them standing for every managed resource under it.
func (d deployment) dependsOn(r stateResource) []string {
	children := map[string][]string{}
	for _, c := range d.Resources {
		if c.Parent != "" {
			children[c.Parent] = append(children[c.Parent], c.URN)
		}
	}
	all := d.byURN()
	seen := map[string]bool{}
	var out []string
	var add func(urn string)
	add = func(urn string) {
		if seen[urn] || urn == r.URN {
			return
		}
		seen[urn] = true
		dep, ok := all[urn]
		if !ok {
			return
		}
		if dep.Custom {
			if !strings.HasPrefix(dep.Type, "pulumi:providers:") {
				out = append(out, urn)
			}
			return
		}
		for _, c := range children[urn] {
			add(c)
		}
	}
	for _, u := range r.Dependencies {
		add(u)
	}
	for _, us := range r.PropertyDependencies {
		for _, u := range us {
			add(u)
		}
	}
	sort.Strings(out)
	return out
}

// export reads the stack's state as Pulumi exports it, raw and parsed.
func (s *engineStack) export(t *testing.T) ([]byte, deployment) {
	t.Helper()
	st := s.stack(t)
	exported, err := st.Export(context.Background())
	if err != nil {
		t.Fatalf("export %s: %v", s.name, err)
	}
	var d deployment
	if err := json.Unmarshal(exported.Deployment, &d); err != nil {
		t.Fatal(err)
	}
	return exported.Deployment, d
}

// importState replaces the stack's state.
func (s *engineStack) importState(t *testing.T, raw []byte) {
	t.Helper()
	st := s.stack(t)
	if err := st.Import(context.Background(), apitype.UntypedDeployment{Version: 3, Deployment: raw}); err != nil {
		t.Fatalf("import %s: %v", s.name, err)
	}
}

func (s *engineStack) stack(t *testing.T) auto.Stack {
	t.Helper()
	st, err := s.workspace(t).Program(context.Background(), s.name)
	if err != nil {
		t.Fatalf("stack %s: %v", s.name, err)
	}
	return st
}

// journal reads the recording provider's journal from entry from on.
func (s *engineStack) journalFrom(t *testing.T, from int) []recorder.Entry {
	t.Helper()
	entries, err := recorder.ReadJournal(s.journal)
	if err != nil {
		t.Fatal(err)
	}
	return entries[min(from, len(entries)):]
}

func (s *engineStack) journalLen(t *testing.T) int { return len(s.journalFrom(t, 0)) }

// ops counts journal entries by operation.
func ops(entries []recorder.Entry) map[string]int {
	m := map[string]int{}
	for _, e := range entries {
		m[e.Op]++
	}
	return m
}

// positions maps each URN to the index of its first journal entry of operation op.
func positions(entries []recorder.Entry, op string) map[string]int {
	m := map[string]int{}
	for i, e := range entries {
		if _, ok := m[e.URN]; !ok && e.Op == op {
			m[e.URN] = i
		}
	}
	return m
}

var summaryLine = regexp.MustCompile(`(?m)^    resources: (.*)$`)

// changes is the runner's summary of the operation it printed last ("create 3, same 2").
func changes(t *testing.T, out string) map[string]int {
	t.Helper()
	all := summaryLine.FindAllStringSubmatch(out, -1)
	if len(all) == 0 {
		t.Fatalf("the runner printed no resource summary:\n%s", tail(out, 30))
	}
	m := map[string]int{}
	for _, part := range strings.Split(all[len(all)-1][1], ", ") {
		k, v, ok := strings.Cut(part, " ")
		n, err := strconv.Atoi(v)
		if !ok || err != nil {
			t.Fatalf("summary part %q", part)
		}
		m[k] = n
	}
	return m
}

// onlySame fails unless an operation's summary is nothing but unchanged resources.
func onlySame(t *testing.T, what string, c map[string]int) {
	t.Helper()
	for k, n := range c {
		// The one read is the stack reference to the last deployment (stacks/retire.go): the
		// engine reads it on every run, and it changes nothing.
		if k == "read" && n == 1 {
			continue
		}
		if k != "same" && n > 0 {
			t.Errorf("%s: %d %s, want every resource the same (%v)", what, n, k, c)
		}
	}
	if c["same"] == 0 {
		t.Errorf("%s: no resource counted at all (%v)", what, c)
	}
}

// runExpectingError runs op through the runner and returns its error and output.
func (s *engineStack) runExpectingError(t *testing.T, op runner.Operation, confirm ...string) (string, error) {
	t.Helper()
	var out strings.Builder
	r := s.runner(t, &out)
	r.ConfirmDestroy = confirm
	err := r.Run(context.Background(), op, []string{s.name})
	return out.String(), err
}
