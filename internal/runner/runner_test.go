package runner

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// fakes record every call in one log, so tests assert on the order of events.
type fakeWorld struct {
	log      []string
	fail     map[string]bool // "up dev" fails
	outputs  map[string]map[string]string
	leftover []Leftover
}

type fakeWS struct{ w *fakeWorld }
type fakeStack struct {
	w    *fakeWorld
	name string
}

func (f fakeWS) Select(_ context.Context, s string) (Stack, error) {
	f.w.log = append(f.w.log, "select "+s)
	if f.w.fail["select "+s] {
		return nil, errors.New("no such stack")
	}
	return fakeStack{f.w, s}, nil
}

func (s fakeStack) Run(_ context.Context, op Operation, _ io.Writer) (Result, error) {
	s.w.log = append(s.w.log, string(op)+" "+s.name)
	if s.w.fail[string(op)+" "+s.name] {
		return Result{}, errors.New("boom")
	}
	return Result{Changes: map[string]int{"create": 2, "same": 5}, Outputs: map[string]string{"clusterName": "c-" + s.name}}, nil
}

func (s fakeStack) Output(_ context.Context, name string) (string, error) {
	s.w.log = append(s.w.log, "output "+name+" "+s.name)
	return s.w.outputs[s.name][name], nil
}

type fakeLB struct{ w *fakeWorld }

func (f fakeLB) Remove(_ context.Context, kubeconfig, cluster string, _ io.Writer) error {
	f.w.log = append(f.w.log, "remove-lbs "+cluster+" "+kubeconfig)
	if f.w.fail["remove-lbs"] {
		return errors.New("kubectl failed")
	}
	return nil
}

type fakeSweeper struct{ w *fakeWorld }

func (f fakeSweeper) Find(_ context.Context, cluster string) ([]Leftover, error) {
	f.w.log = append(f.w.log, "find "+cluster)
	return f.w.leftover, nil
}

func (f fakeSweeper) Delete(_ context.Context, l []Leftover) error {
	f.w.log = append(f.w.log, "delete "+l[0].ID)
	return nil
}

func newRunner(w *fakeWorld, out io.Writer) *Runner {
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	n := 0
	return &Runner{Workspace: fakeWS{w}, LoadBalancers: fakeLB{w}, Sweeper: fakeSweeper{w}, Out: out, Yes: true,
		Now: func() time.Time { n++; return t0.Add(time.Duration(n) * 90 * time.Second) }}
}

func TestStacksRunInOrderAndStopAtTheFirstFailure(t *testing.T) {
	w := &fakeWorld{fail: map[string]bool{"up dev": true}}
	var out strings.Builder
	err := newRunner(w, &out).Run(context.Background(), Up, []string{"dev", "prod"})
	if err == nil || !strings.Contains(err.Error(), "up dev: boom") {
		t.Fatalf("err = %v", err)
	}
	if strings.Join(w.log, "|") != "select dev|up dev" {
		t.Errorf("calls = %v; prod must not run after dev failed", w.log)
	}
	if !strings.Contains(out.String(), "stopping: not running up on prod") || !strings.Contains(out.String(), "--- up dev FAILED: boom") {
		t.Errorf("output:\n%s", out.String())
	}
	w = &fakeWorld{}
	out.Reset()
	if err := newRunner(w, &out).Run(context.Background(), Preview, []string{"dev", "prod"}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(w.log, "|") != "select dev|preview dev|select prod|preview prod" {
		t.Errorf("calls = %v", w.log)
	}
	for _, want := range []string{"=== preview dev (1/2)", "--- preview prod succeeded in 1m30s", "resources: create 2, same 5", "clusterName: c-prod"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
}

func TestYesIsRequiredOutsideATerminal(t *testing.T) {
	for _, tc := range []struct {
		op            Operation
		yes, terminal bool
		wantErr       bool
	}{
		{Up, false, false, true}, {Destroy, false, false, true}, {Up, true, false, false},
		{Up, false, true, false}, {Preview, false, false, false}, {Refresh, false, false, false},
	} {
		w := &fakeWorld{}
		r := newRunner(w, io.Discard)
		r.Yes, r.Terminal = tc.yes, tc.terminal
		err := r.Run(context.Background(), tc.op, []string{"dev"})
		if (err != nil) != tc.wantErr {
			t.Errorf("%s yes=%v terminal=%v: err = %v", tc.op, tc.yes, tc.terminal, err)
		}
		if tc.wantErr && (len(w.log) != 0 || !strings.Contains(err.Error(), "--yes")) {
			t.Errorf("%s without --yes touched stacks (%v) or said %v", tc.op, w.log, err)
		}
	}
}

func TestDestroyRemovesLoadBalancersFirstAndChecksLeftovers(t *testing.T) {
	outputs := map[string]map[string]string{"dev": {"clusterName": "platform-dev", "kubeconfig": "KCFG"}}
	w := &fakeWorld{outputs: outputs}
	if err := newRunner(w, io.Discard).Run(context.Background(), Destroy, []string{"dev"}); err != nil {
		t.Fatal(err)
	}
	want := "select dev|output clusterName dev|output kubeconfig dev|remove-lbs platform-dev KCFG|destroy dev|find platform-dev"
	if strings.Join(w.log, "|") != want {
		t.Errorf("calls =\n%v\nwant\n%v", strings.Join(w.log, "|"), want)
	}

	// Leftovers without --sweep: listed, destroy fails.
	w = &fakeWorld{outputs: outputs, leftover: []Leftover{{"target-group", "tg-1"}, {"load-balancer", "lb-1"}}}
	var out strings.Builder
	err := newRunner(w, &out).Run(context.Background(), Destroy, []string{"dev"})
	if !errors.Is(err, ErrLeftovers) || !strings.Contains(out.String(), "load-balancer lb-1") || !strings.Contains(out.String(), "--sweep") {
		t.Errorf("err = %v\n%s", err, out.String())
	}
	if strings.Contains(strings.Join(w.log, "|"), "delete") {
		t.Error("deleted leftovers without --sweep")
	}
	// With --sweep they are deleted.
	w.log = nil
	r := newRunner(w, io.Discard)
	r.Sweep = true
	if err := r.Run(context.Background(), Destroy, []string{"dev"}); err != nil || !strings.HasSuffix(strings.Join(w.log, "|"), "find platform-dev|delete lb-1") {
		t.Errorf("sweep: err %v calls %v", err, w.log)
	}
	// If the load balancers cannot be removed, the stack is not destroyed.
	w = &fakeWorld{outputs: outputs, fail: map[string]bool{"remove-lbs": true}}
	err = newRunner(w, io.Discard).Run(context.Background(), Destroy, []string{"dev"})
	if err == nil || strings.Contains(strings.Join(w.log, "|"), "destroy dev") {
		t.Errorf("destroy ran although the load balancers were not removed: %v %v", err, w.log)
	}
	// A stack that was never deployed has no cluster: destroy runs, nothing to sweep.
	w = &fakeWorld{outputs: map[string]map[string]string{}}
	if err := newRunner(w, io.Discard).Run(context.Background(), Destroy, []string{"dev"}); err != nil || strings.Join(w.log, "|") != "select dev|output clusterName dev|destroy dev" {
		t.Errorf("empty stack: %v %v", err, w.log)
	}
}

func TestParseOperation(t *testing.T) {
	for _, s := range []string{"preview", "up", "refresh", "destroy"} {
		if op, err := ParseOperation(s); err != nil || string(op) != s {
			t.Errorf("%s: %v", s, err)
		}
	}
	if _, err := ParseOperation("deploy"); err == nil {
		t.Error("deploy accepted")
	}
}
