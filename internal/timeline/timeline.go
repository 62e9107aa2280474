// Package timeline models how long a `pulumi up` of a plan takes: each resource operation
// gets a duration from a table with its source (durations.go), and the operations are
// scheduled along the plan's dependency graph as the Pulumi engine runs them, at most
// --parallel at once. It prints nothing and reaches no cloud: `platform plan --timeline` and
// `platform diff --timeline` render its Result.
//
// What the engine does, and the model with it:
//   - A resource's registration reaches the engine once the program has every input and every
//     DependsOn resolved; an input or a DependsOn resolves when that resource's operation has
//     finished. So a resource starts when all of planner.Resource.Dependencies (inputs and
//     DependsOn, as the SDK recorded them) have finished.
//   - A child is registered with its parent's URN, which resolves when the parent is registered:
//     a child starts no earlier than its parent (a component "finishes" when it is registered,
//     so a component's own dependencies hold all its children back). A resource also waits for
//     its provider (pulumi:providers:*), whose configuration needs its inputs (a kubeconfig).
//   - The Go SDK expands a DependsOn on a local component into the component's children; a
//     dependency recorded on a component's URN (a remote component such as eks:index:Cluster,
//     or any component in a synthetic plan) waits for the component and all its descendants.
//   - --parallel bounds concurrent resource operations (steps), not registrations: ready steps
//     take a free slot in the order they became ready (then plan order); components and
//     zero-duration steps take no slot.
package timeline

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/example/platform/internal/planner"
)

// Unbounded is Options.Parallelism for no bound (pulumi up --parallel with a huge value).
const Unbounded = -1

// Options are the engine's settings the schedule depends on.
type Options struct {
	// Parallelism is Pulumi's --parallel: 0 is DefaultParallelism(), Unbounded (negative) none.
	Parallelism int
}

// DefaultParallelism is the pulumi CLI's default --parallel: PULUMI_PARALLEL if set (since
// pulumi/pulumi#18782), else 4 x the number of CPUs (pkg/cmd/pulumi/operations/up.go's
// defaultParallel, since pulumi/pulumi#15016; before it, unbounded).
func DefaultParallelism() int {
	if v, err := strconv.Atoi(os.Getenv("PULUMI_PARALLEL")); err == nil && v > 0 {
		return v
	}
	return 4 * runtime.NumCPU()
}

// Step is one modelled resource operation.
type Step struct {
	URN      string        `json:"urn"`
	Type     string        `json:"type"`
	Name     string        `json:"name"`
	Op       string        `json:"op"` // create, update, replace, delete
	Start    time.Duration `json:"start"`
	Duration time.Duration `json:"duration"`
	Source   string        `json:"source"`
	// After is what the step waited for last: a dependency's name, or "a free slot".
	After string `json:"after,omitempty"`
}

// End is when the step finishes.
func (s Step) End() time.Duration { return s.Start + s.Duration }

// Result is a modelled deployment.
type Result struct {
	Total time.Duration `json:"total"`
	// Steps are every operation, in plan order.
	Steps []Step `json:"steps"`
	// CriticalPath is the chain of steps that ends last, first step first: each waited for the
	// one before it (a dependency, or the slot it freed).
	CriticalPath []Step `json:"criticalPath"`
	Parallelism  int    `json:"parallelism"` // 0: unbounded
	// Floor is the first up's lower bound (Model only).
	Floor *Floor `json:"floor,omitempty"`
}

// job is one node of the schedule.
type job struct {
	r     planner.Resource
	op    string
	est   Estimate
	step  bool // an engine step (takes a slot while it runs); false: a component's registration
	deps  []int
	ready time.Duration
	by    int // the dependency that finished last (-1: none)
	start time.Duration
	slot  int // the step whose end freed the slot this one waited for (-1: none)
	done  bool
}

// Model schedules the first `up` of p.
func Model(p *planner.Plan, o Options) (*Result, error) {
	jobs := make([]*job, len(p.Resources))
	for i, r := range p.Resources {
		jobs[i] = &job{r: r, op: "create", est: CreateDuration(r), step: r.Custom || r.Type == "eks:index:Cluster"}
	}
	g := newGraph(p.Resources)
	for i, r := range p.Resources {
		jobs[i].deps = g.deps(r)
	}
	res, err := schedule(jobs, o.Parallelism)
	if err != nil {
		return nil, err
	}
	res.Floor = floorOf(p, res)
	return res, nil
}

// graph resolves a resource's dependencies to indexes of the plan.
type graph struct {
	index    map[string]int
	res      []planner.Resource
	children map[string][]string
}

func newGraph(rs []planner.Resource) *graph {
	g := &graph{index: map[string]int{}, res: rs, children: map[string][]string{}}
	for i, r := range rs {
		g.index[r.URN] = i
		if r.Parent != "" {
			g.children[r.Parent] = append(g.children[r.Parent], r.URN)
		}
	}
	return g
}

// deps are r's dependencies, its provider and its parent, as plan indexes.
func (g *graph) deps(r planner.Resource) []int {
	set := map[int]bool{}
	add := func(urn string) {
		if i, ok := g.index[urn]; ok && urn != r.URN {
			set[i] = true
		}
	}
	for _, d := range r.Dependencies {
		add(d)
		if i, ok := g.index[d]; ok && !g.res[i].Custom && !g.ancestor(d, r) {
			for _, c := range g.descendants(d) {
				add(c)
			}
		}
	}
	if r.Provider != "" {
		if k := strings.LastIndex(r.Provider, "::"); k > 0 {
			add(r.Provider[:k])
		}
	}
	add(r.Parent)
	out := make([]int, 0, len(set))
	for i := range set {
		out = append(out, i)
	}
	sort.Ints(out)
	return out
}

func (g *graph) descendants(urn string) []string {
	var out []string
	for _, c := range g.children[urn] {
		out = append(out, c)
		out = append(out, g.descendants(c)...)
	}
	return out
}

// ancestor: is a an ancestor of r (a dependency on it cannot wait for r itself)?
func (g *graph) ancestor(a string, r planner.Resource) bool {
	for p := r.Parent; p != ""; {
		if p == a {
			return true
		}
		i, ok := g.index[p]
		if !ok {
			return false
		}
		p = g.res[i].Parent
	}
	return false
}

// schedule runs the jobs as the engine would: list scheduling of ready steps on parallelism
// slots, in the order they became ready, then plan order.
func schedule(jobs []*job, parallelism int) (*Result, error) {
	if parallelism == 0 {
		parallelism = DefaultParallelism()
	}
	if parallelism < 0 {
		parallelism = 0
	}
	dependents := make([][]int, len(jobs))
	pending := make([]int, len(jobs))
	for i, j := range jobs {
		j.by, j.slot = -1, -1
		pending[i] = len(j.deps)
		for _, d := range j.deps {
			dependents[d] = append(dependents[d], i)
		}
	}
	var instant, waiting []int // instant: take no slot; waiting: steps ready for a slot
	for i := range jobs {
		if pending[i] == 0 {
			enqueue(jobs, i, &instant, &waiting)
		}
	}
	type run struct {
		i   int
		end time.Duration
	}
	var running []run
	now, finished := time.Duration(0), 0
	var freed []int // the steps that ended at now, whose slots the next starts take in order
	finish := func(i int, at time.Duration) {
		jobs[i].done = true
		finished++
		for _, k := range dependents[i] {
			dk := jobs[k]
			if at > dk.ready || dk.by < 0 {
				dk.ready, dk.by = max(at, dk.ready), i
			}
			if pending[k]--; pending[k] == 0 {
				enqueue(jobs, k, &instant, &waiting)
			}
		}
	}
	for {
		for len(instant) > 0 {
			i := instant[0]
			instant = instant[1:]
			jobs[i].start = now
			finish(i, now)
		}
		sort.SliceStable(waiting, func(a, b int) bool {
			ja, jb := jobs[waiting[a]], jobs[waiting[b]]
			if ja.ready != jb.ready {
				return ja.ready < jb.ready
			}
			return waiting[a] < waiting[b]
		})
		for len(waiting) > 0 && (parallelism == 0 || len(running) < parallelism) {
			i := waiting[0]
			waiting = waiting[1:]
			j := jobs[i]
			j.start = now
			if now > j.ready && len(freed) > 0 {
				j.slot = freed[0]
				if len(freed) > 1 {
					freed = freed[1:]
				}
			}
			running = append(running, run{i, now + j.est.Duration})
		}
		if len(running) == 0 {
			if len(instant) > 0 {
				continue
			}
			break
		}
		sort.SliceStable(running, func(a, b int) bool {
			if running[a].end != running[b].end {
				return running[a].end < running[b].end
			}
			return running[a].i < running[b].i
		})
		now, freed = running[0].end, nil
		for len(running) > 0 && running[0].end == now {
			freed = append(freed, running[0].i)
			finish(running[0].i, now)
			running = running[1:]
		}
	}
	if finished < len(jobs) {
		var stuck []string
		for _, j := range jobs {
			if !j.done {
				stuck = append(stuck, j.r.Name)
			}
		}
		sort.Strings(stuck)
		return nil, fmt.Errorf("the dependency graph has a cycle through %d resources: %s", len(stuck), strings.Join(stuck, ", "))
	}
	return result(jobs, parallelism), nil
}

func enqueue(jobs []*job, i int, instant, waiting *[]int) {
	if jobs[i].step && jobs[i].est.Duration > 0 {
		*waiting = append(*waiting, i)
	} else {
		*instant = append(*instant, i)
	}
}

func result(jobs []*job, parallelism int) *Result {
	res := &Result{Parallelism: parallelism}
	last := -1
	for i, j := range jobs {
		if j.step {
			res.Steps = append(res.Steps, stepOf(jobs, j))
		}
		if end := j.start + j.est.Duration; last < 0 || end > jobs[last].start+jobs[last].est.Duration {
			last = i
		}
	}
	if last < 0 {
		return res
	}
	res.Total = jobs[last].start + jobs[last].est.Duration
	for i := last; i >= 0; {
		j := jobs[i]
		if j.step {
			res.CriticalPath = append([]Step{stepOf(jobs, j)}, res.CriticalPath...)
		}
		if j.slot >= 0 {
			i = j.slot
		} else {
			i = j.by
		}
	}
	return res
}

func stepOf(jobs []*job, j *job) Step {
	s := Step{URN: j.r.URN, Type: j.r.Type, Name: j.r.Name, Op: j.op, Start: j.start, Duration: j.est.Duration, Source: j.est.Source}
	switch {
	case j.slot >= 0:
		s.After = "a free slot (" + jobs[j.slot].r.Name + " ended)"
	case j.by >= 0:
		s.After = jobs[j.by].r.Name
	}
	return s
}
