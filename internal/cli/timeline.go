package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/example/platform/internal/diff"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/timeline"
)

// writeTimeline prints the first up's modelled timeline (`platform plan --timeline`), or with
// asJSON the plan with the timeline under "timeline".
func writeTimeline(w io.Writer, p *planner.Plan, parallel int, asJSON bool) error {
	res, err := timeline.Model(p, timeline.Options{Parallelism: parallel})
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			*planner.Plan
			Timeline *timeline.Result `json:"timeline"`
		}{p, res})
	}
	if err := res.Text(w, fmt.Sprintf("Stack %s, first up", p.Stack)); err != nil {
		return err
	}
	_, err = io.WriteString(w, componentChains(p, res))
	return err
}

// componentChains is, per component, its step that ends last: where each part of the
// platform is done, for a reader looking for what to move off the critical path.
func componentChains(p *planner.Plan, res *timeline.Result) string {
	parent := map[string]string{}
	name := map[string]string{}
	for _, r := range p.Resources {
		parent[r.URN] = r.Parent
		if strings.HasPrefix(r.Type, "platform:index:") {
			name[r.URN] = r.Name
		}
	}
	owner := func(urn string) string {
		for u := parent[urn]; u != ""; u = parent[u] {
			if n, ok := name[u]; ok {
				return n
			}
		}
		return "(stack)"
	}
	last := map[string]timeline.Step{}
	for _, s := range res.Steps {
		o := owner(s.URN)
		if l, ok := last[o]; !ok || s.End() > l.End() {
			last[o] = s
		}
	}
	var owners []string
	for o := range last {
		owners = append(owners, o)
	}
	sort.Slice(owners, func(i, j int) bool {
		a, b := last[owners[i]], last[owners[j]]
		if a.End() != b.End() {
			return a.End() > b.End()
		}
		return owners[i] < owners[j]
	})
	var b strings.Builder
	b.WriteString("\nDone by component (its last step, and what that step waited for):\n")
	for _, o := range owners {
		s := last[o]
		fmt.Fprintf(&b, "  %8s  %-14s  %s (after %s)\n", timeline.Clock(s.End()), o, s.Name, orNothing(s.After))
	}
	return b.String()
}

func orNothing(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}

// writeChangeTimelineJSON is `platform diff --json --timeline`: the diff's JSON with the
// change's timeline under "timeline", as `plan --json --timeline` adds the first up's.
func writeChangeTimelineJSON(w io.Writer, r diff.Result, base, head *planner.Plan) error {
	res, err := timeline.ModelChange(base, head, timeline.Options{})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		diff.Result
		Timeline *timeline.Result `json:"timeline"`
	}{r, res})
}

// writeChangeTimeline prints the modelled duration of a change (`platform diff --timeline`).
func writeChangeTimeline(w io.Writer, base, head *planner.Plan) error {
	res, err := timeline.ModelChange(base, head, timeline.Options{})
	if err != nil {
		return err
	}
	if len(res.Steps) == 0 {
		_, err := io.WriteString(w, "\nModelled duration of this change: 0:00 (nothing to do)\n")
		return err
	}
	io.WriteString(w, "\n")
	return res.Text(w, "Modelled duration of this change")
}
