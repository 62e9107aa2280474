package runner

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// fakeWorld records every call of every fake in one log, so tests assert on the order of
// events across Pulumi, Kubernetes and AWS.
type fakeWorld struct {
	log     []string
	fail    map[string]bool // "up dev", "select dev", "output kubeconfig dev", "remove-lbs", ...
	config  map[string]map[string]string
	state   map[string][]StateResource
	outputs map[string]map[string]string
	left    []Leftover
	scopes  []Scope
	kept    map[string][]string // the URNs each stack's destroy was told to keep
	missing map[string]bool     // stacks the backend does not have
}

func (w *fakeWorld) call(s string) error {
	w.log = append(w.log, s)
	if w.fail[s] {
		return errors.New(s + " failed")
	}
	return nil
}

type fakeWS struct{ w *fakeWorld }

func (f fakeWS) Select(_ context.Context, s string) (Stack, error) {
	if err := f.w.call("select " + s); err != nil {
		return nil, err
	}
	return fakeStack{f.w, s}, nil
}

func (f fakeWS) SelectExisting(ctx context.Context, s string) (Stack, error) {
	if f.w.missing[s] {
		f.w.log = append(f.w.log, "select-existing "+s+": none")
		return nil, ErrNoStack
	}
	return f.Select(ctx, s)
}

type fakeStack struct {
	w    *fakeWorld
	name string
}

func (s fakeStack) Run(_ context.Context, op Operation, _ io.Writer) (Result, error) {
	if err := s.w.call(string(op) + " " + s.name); err != nil {
		return Result{}, err
	}
	return Result{Changes: map[string]int{"create": 2, "same": 5}, Outputs: map[string]string{"clusterName": "c-" + s.name}}, nil
}

func (s fakeStack) Destroy(ctx context.Context, keep []string, out io.Writer) (Result, error) {
	if s.w.kept == nil {
		s.w.kept = map[string][]string{}
	}
	s.w.kept[s.name] = keep
	return s.Run(ctx, Destroy, out)
}

func (s fakeStack) Output(_ context.Context, name string) (string, error) {
	if err := s.w.call("output " + name + " " + s.name); err != nil {
		return "", err
	}
	return s.w.outputs[s.name][name], nil
}

func (s fakeStack) Config(context.Context) (map[string]string, error) {
	if err := s.w.call("config " + s.name); err != nil {
		return nil, err
	}
	return s.w.config[s.name], nil
}

func (s fakeStack) Resources(context.Context) ([]StateResource, error) {
	if err := s.w.call("state " + s.name); err != nil {
		return nil, err
	}
	return s.w.state[s.name], nil
}

type fakeK8s struct{ w *fakeWorld }

func (f fakeK8s) StopGitOps(_ context.Context, kc string, _ io.Writer) error {
	return f.w.call("stop-gitops " + kc)
}
func (f fakeK8s) RemoveLoadBalancers(_ context.Context, kc string, _ io.Writer) error {
	return f.w.call("remove-lbs " + kc)
}
func (f fakeK8s) RemoveVolumes(_ context.Context, kc string, _ io.Writer) error {
	return f.w.call("remove-volumes " + kc)
}

type fakeSweeper struct {
	w     *fakeWorld
	scope Scope
}

func (f fakeSweeper) Find(context.Context) ([]Leftover, error) {
	if err := f.w.call("find " + f.scope.Cluster); err != nil {
		return nil, err
	}
	return f.w.left, nil
}

func (f fakeSweeper) Delete(_ context.Context, left []Leftover) error {
	var ids []string
	for _, l := range left {
		ids = append(ids, l.ID)
	}
	return f.w.call("delete " + strings.Join(ids, ","))
}

func (f fakeSweeper) WaitForNoLoadBalancers(context.Context, io.Writer) error {
	return f.w.call("wait-lbs " + f.scope.Cluster)
}

func newRunner(w *fakeWorld, out io.Writer) *Runner {
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	n := 0
	return &Runner{Project: "platform", Workspace: fakeWS{w}, Kubernetes: fakeK8s{w}, Out: out, Yes: true,
		NewSweeper: func(_ context.Context, s Scope) (Sweeper, error) {
			w.scopes = append(w.scopes, s)
			if err := w.call("sweeper " + s.Account); err != nil {
				return nil, err
			}
			return fakeSweeper{w, s}, nil
		},
		Now: func() time.Time { n++; return t0.Add(time.Duration(n) * 90 * time.Second) }}
}

func TestStacksRunInOrderAndStopAtTheFirstFailure(t *testing.T) {
	w := &fakeWorld{fail: map[string]bool{"up dev": true}}
	var out strings.Builder
	err := newRunner(w, &out).Run(context.Background(), Up, []string{"dev", "prod"})
	if err == nil || !strings.Contains(err.Error(), "up dev: up dev failed") {
		t.Fatalf("err = %v", err)
	}
	if strings.Join(w.log, "|") != "select dev|up dev" {
		t.Errorf("calls = %v; prod must not run after dev failed", w.log)
	}
	if !strings.Contains(out.String(), "stopping: not running up on prod") || !strings.Contains(out.String(), "--- up dev FAILED: up dev failed") {
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

// A stack that cannot be selected fails that stack, runs nothing on it or after it.
func TestStackSelectionFails(t *testing.T) {
	for _, op := range []Operation{Preview, Up, Refresh, Destroy} {
		w := &fakeWorld{fail: map[string]bool{"select dev": true}}
		err := newRunner(w, io.Discard).Run(context.Background(), op, []string{"dev", "prod"})
		if err == nil || !strings.Contains(err.Error(), "selecting the stack") || strings.Join(w.log, "|") != "select dev" {
			t.Errorf("%s: err %v, calls %v", op, err, w.log)
		}
	}
}

// Destroying or refreshing a stack that does not exist says so, and creates or changes
// nothing (selecting it the way preview and up do would create it, and write an encryption
// salt into Pulumi.<stack>.yaml).
func TestDestroyOfAStackThatDoesNotExist(t *testing.T) {
	for _, op := range []Operation{Destroy, Refresh} {
		w := devWorld()
		w.missing = map[string]bool{"dev": true}
		err := newRunner(w, io.Discard).Run(context.Background(), op, []string{"dev"})
		if err == nil || !strings.Contains(err.Error(), "stack dev does not exist") || !strings.Contains(err.Error(), "nothing was created or changed") {
			t.Errorf("%s: err %v", op, err)
		}
		if got := strings.Join(w.log, "|"); got != "select-existing dev: none" {
			t.Errorf("%s: calls %s, want only the lookup", op, got)
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
		w := devWorld()
		r := newRunner(w, io.Discard)
		r.Yes, r.Terminal = tc.yes, tc.terminal
		r.Ask = func(string) (string, error) { return "dev\n", nil }
		err := r.Run(context.Background(), tc.op, []string{"dev"})
		if (err != nil) != tc.wantErr {
			t.Errorf("%s yes=%v terminal=%v: err = %v", tc.op, tc.yes, tc.terminal, err)
		}
		if tc.wantErr && (len(w.log) != 0 || !strings.Contains(err.Error(), "--yes")) {
			t.Errorf("%s without --yes touched stacks (%v) or said %v", tc.op, w.log, err)
		}
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
