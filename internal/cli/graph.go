package cli

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/example/platform/internal/planner"
)

func graphCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("graph", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stack := fs.String("stack", "", "stack name (required)")
	dir := fs.String("dir", "", "project directory (default: the nearest directory with a Pulumi.yaml)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *stack == "" {
		fmt.Fprintln(stderr, "platform graph: --stack is required")
		return 2
	}
	p, ok := planInDir("graph", *dir, *stack, stderr)
	if !ok {
		return 1
	}
	io.WriteString(stdout, Mermaid(p))
	return 0
}

// Mermaid is the component graph: one node per component with its resource count, an edge
// where a component's resources depend on another's.
func Mermaid(p *planner.Plan) string {
	component := map[string]string{} // component URN -> its name
	types := map[string]string{}
	parent := map[string]string{}
	for _, r := range p.Resources {
		parent[r.URN] = r.Parent
		if strings.HasPrefix(r.Type, "platform:index:") {
			component[r.URN] = r.Name
			types[r.Name] = strings.TrimPrefix(r.Type, "platform:index:")
		}
	}
	// A resource belongs to its nearest component ancestor, however deep it is nested (a
	// child of a child is listed before its parent in URN order, so walk the chain).
	owner := func(urn string) (string, bool) {
		for u := parent[urn]; u != ""; u = parent[u] {
			if c, ok := component[u]; ok {
				return c, true
			}
		}
		return "", false
	}
	counts := map[string]int{}
	edges := map[string]bool{}
	for _, r := range p.Resources {
		from, ok := owner(r.URN)
		if !ok {
			continue
		}
		counts[from]++
		for _, d := range r.Dependencies {
			to, ok := component[d]
			if !ok {
				to, ok = owner(d)
			}
			if ok && to != from {
				edges[from+" --> "+to] = true
			}
		}
	}
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	names := make([]string, 0, len(types))
	for n := range types {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  %s[\"%s<br/>%d resources\"]\n", n, types[n], counts[n])
	}
	lines := make([]string, 0, len(edges))
	for e := range edges {
		lines = append(lines, e)
	}
	sort.Strings(lines)
	for _, e := range lines {
		b.WriteString("  " + e + "\n")
	}
	return b.String()
}
