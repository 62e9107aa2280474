package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/example/platform/internal/cost"
)

func costCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cost", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stack := fs.String("stack", "", "stack name: reads Pulumi.<stack>.yaml (required)")
	by := fs.String("by", "", `split the estimate: "team" (each team's dedicated resources and node share, and the platform's shared part)`)
	asJSON := fs.Bool("json", false, "print the estimate as JSON")
	asMarkdown := fs.Bool("markdown", false, "print the estimate as Markdown (for a pull request comment)")
	dir := fs.String("dir", "", "project directory (default: the nearest directory with a Pulumi.yaml)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *stack == "" || fs.NArg() > 0 || (*asJSON && *asMarkdown) {
		fmt.Fprintln(stderr, "platform cost: --stack is required, and --json and --markdown exclude each other")
		return 2
	}
	if *by != "" && *by != "team" {
		fmt.Fprintf(stderr, "platform cost: --by %q: allowed is --by team (each team's cost and the platform's shared part)\n", *by)
		return 2
	}
	p, ok := planInDir("cost", *dir, *stack, stderr)
	if !ok {
		return 1
	}
	r := cost.EstimateOn(p, time.Now())
	var out any = r
	text, markdown := r.Text, r.Markdown
	if *by == "team" {
		teams, err := costTeams(*dir, *stack)
		if err != nil {
			fmt.Fprintln(stderr, "platform cost:", err)
			return 1
		}
		s := cost.ByTeam(r, p, teams)
		out, text, markdown = s, func(w io.Writer) error { return splitText(w, s) }, func(w io.Writer) error { return splitMarkdown(w, s) }
	}
	var err error
	switch {
	case *asJSON:
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(out)
	case *asMarkdown:
		err = markdown(stdout)
	default:
		err = text(stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "platform cost:", err)
		return 1
	}
	return 0
}

// costTeams are the stack's validated teams, as the split reads them.
func costTeams(dir, stack string) ([]cost.Team, error) {
	cfg, err := stackConfig(dir, stack)
	if err != nil {
		return nil, fmt.Errorf("%s", describeError(err))
	}
	return cost.TeamsFrom(cfg.Cluster.Name, cfg.Teams)
}

// splitText writes the split as a table, the platform's shared part and the stack's total
// (the total of `platform cost`), then the rule and what each team's dedicated lines are.
func splitText(w io.Writer, s cost.Split) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Estimated monthly cost of stack %s (%s) by team, prices of %s\n\n", s.Stack, s.Region, s.PriceDate)
	fmt.Fprintf(&b, "%-24s %10s %11s %14s %15s %12s\n", "team", "CPU quota", "node share", "dedicated USD", "node share USD", "total USD")
	for _, t := range s.Teams {
		fmt.Fprintf(&b, "%-24s %10g %10.2f%% %14.2f %15.2f %12.2f%s\n", clipName(t.Name), t.CPU, t.NodeFraction*100, t.Direct, t.NodeShare, t.Total, unpricedNote(t.Unpriced))
	}
	pl := s.Platform
	fmt.Fprintf(&b, "\n%-24s %10s %10.2f%% %14.2f %15.2f %12.2f%s\n", pl.Name, "", pl.NodeFraction*100, pl.Direct, pl.NodeShare, pl.Total, unpricedNote(pl.Unpriced))
	fmt.Fprintf(&b, "\nTotal: %.2f USD/month%s (platform cost --stack %s)\n", s.Total, unpricedNote(s.Unpriced), s.Stack)
	fmt.Fprintf(&b, "\nNodes: %g vCPUs; the teams' CPU quotas (requests.cpu per namespace x namespaces): %g cores.\n", s.NodeVCPUs, s.TeamsCPU)
	b.WriteString("A team's node share is its quota over the nodes' vCPUs (over the quotas' sum when they are more). The platform's row holds\n" +
		"every line no team owns (in the dedicated column: control plane, NAT, shared ALBs, addons) and the nodes no quota covers.\n")
	for _, n := range s.Notes {
		b.WriteString("Note: " + n + "\n")
	}
	for _, t := range s.Teams {
		fmt.Fprintf(&b, "\nDedicated to %s:\n", t.Name)
		none := true
		for _, l := range t.Lines {
			if strings.HasPrefix(l.Basis, "node share") {
				continue
			}
			none = false
			fmt.Fprintf(&b, "  %-40s %-46s %10s  (%s)\n", clip(l.Resource, 40), clip(l.Item, 46), money(l), l.Basis)
		}
		if none {
			b.WriteString("  nothing\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// splitMarkdown writes the split for a pull request comment.
func splitMarkdown(w io.Writer, s cost.Split) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### Estimated monthly cost by team: `%s` (%s): **%.2f USD**", s.Stack, s.Region, s.Total)
	if s.Unpriced > 0 {
		fmt.Fprintf(&b, " + %d unpriced", s.Unpriced)
	}
	b.WriteString("\n\n| team | CPU quota | node share | dedicated USD | node share USD | total USD |\n|---|---:|---:|---:|---:|---:|\n")
	for _, t := range append(append([]cost.TeamCost(nil), s.Teams...), s.Platform) {
		quota := fmt.Sprintf("%g", t.CPU)
		if t.Name == cost.PlatformBucket {
			quota = ""
		}
		fmt.Fprintf(&b, "| %s | %s | %.2f%% | %.2f | %.2f | %.2f%s |\n", t.Name, quota, t.NodeFraction*100, t.Direct, t.NodeShare, t.Total, unpricedNote(t.Unpriced))
	}
	fmt.Fprintf(&b, "| **total** | | | | | **%.2f** |\n", s.Total)
	fmt.Fprintf(&b, "\nNodes: %g vCPUs; the teams' CPU quotas: %g cores. The platform's row holds its shared lines (in the dedicated column) and the nodes no quota covers.\n", s.NodeVCPUs, s.TeamsCPU)
	for _, n := range s.Notes {
		b.WriteString("\n> **Note**: " + n + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func money(l cost.Share) string {
	if l.Unpriced != "" {
		return "unpriced"
	}
	return fmt.Sprintf("%.2f", l.Monthly)
}

func unpricedNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" + %d unpriced", n)
}

func clipName(s string) string { return clip(s, 24) }

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n-1] + "~"
	}
	return s
}
