package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/stacks"
)

// planInDir finds the project (dir, or the nearest Pulumi.yaml upwards) and plans the stack,
// reporting a failure on stderr as "platform <cmd>: ..."; ok is false after a report.
func planInDir(cmd, dir, stack string, stderr io.Writer) (*planner.Plan, bool) {
	projectDir, err := findProject(dir)
	if err != nil {
		fmt.Fprintf(stderr, "platform %s: %v\n", cmd, err)
		return nil, false
	}
	p, err := planStack(projectDir, stack)
	if err != nil {
		fmt.Fprintf(stderr, "platform %s: %s\n", cmd, describeError(err))
		return nil, false
	}
	return p, true
}

// planStack runs the real program for one stack file under mocks, with the warnings
// `pulumi preview` would log for its config.
func planStack(dir, stack string) (*planner.Plan, error) { return planStackAfter(dir, stack, nil) }

// planStackAfter plans the stack as the deployment after previous (its outputs are what the
// program reads back from the last deployment: a team dropped without retirement is refused).
func planStackAfter(dir, stack string, previous *planner.Plan) (*planner.Plan, error) {
	in, err := planner.LoadStack(dir, stack)
	if err != nil {
		return nil, err
	}
	if previous != nil {
		in.Previous = previous.OutputValues()
	}
	// Secrets the stack file does not hold yet are stood in for; the plan says how to set them.
	standInSecrets(&in)
	p, err := planner.Run(in, stacks.Program)
	if err != nil {
		return p, err
	}
	cfg, err := decodeInput(in)
	if err != nil {
		return p, err
	}
	p.Warnings = cfg.Warnings()
	for _, s := range config.Secrets {
		needed := (s.Key != config.ArgoCDSecretKey || cfg.ArgoCD.Enabled) && (s.Key != config.RunnersTokenKey || cfg.UsesCodeBuildRunners())
		if slices.Contains(in.Substituted, s.Key) && needed && cfg.GitHub.Owner != "" {
			p.BeforeUp = append(p.BeforeUp, s.Key+" is not set (stood in for offline): "+s.Set)
		}
	}
	if url, ok := p.Outputs["githubOAuthCallbackUrl"].Value.(string); ok {
		home, _ := p.Outputs["githubOAuthHomepageUrl"].Value.(string)
		p.BeforeUp = append(p.BeforeUp, "the GitHub OAuth app Argo CD logs in with: homepage "+home+", authorization callback "+url+
			" (Settings -> Developer settings -> OAuth Apps in the organization)")
	}
	return p, nil
}

func writeJSON(w io.Writer, p *planner.Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// writeTree prints the resources as the component tree `pulumi up` would show, children sorted
// by type and name, then counts by type and the stack outputs.
func writeTree(w io.Writer, p *planner.Plan) error {
	children := map[string][]planner.Resource{}
	known := map[string]bool{}
	for _, r := range p.Resources {
		known[r.URN] = true
	}
	for _, r := range p.Resources {
		parent := r.Parent
		if !known[parent] {
			parent = ""
		}
		children[parent] = append(children[parent], r)
	}
	for k := range children {
		sort.Slice(children[k], func(i, j int) bool {
			a, b := children[k][i], children[k][j]
			if a.Type != b.Type {
				return a.Type < b.Type
			}
			return a.Name < b.Name
		})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Stack %s (project %s): %d resources (offline plan: provider outputs are mocked)\n\n",
		p.Stack, p.Project, len(p.Resources))
	for _, w := range p.Warnings {
		b.WriteString("warning: " + w + "\n")
	}
	if len(p.Warnings) > 0 {
		b.WriteString("\n")
	}
	if len(p.BeforeUp) > 0 {
		b.WriteString("Before the first `pulumi up`:\n")
		for _, s := range p.BeforeUp {
			b.WriteString("  - " + s + "\n")
		}
		b.WriteString("\n")
	}
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		for _, r := range children[parent] {
			line := fmt.Sprintf("%s%s  %s", strings.Repeat("  ", depth), r.Type, r.Name)
			if sum := summary(r); sum != "" {
				line += "  " + sum
			}
			if n := countDescendants(children, r.URN); n > 0 {
				line += fmt.Sprintf("  (%d)", n)
			}
			if r.Protect {
				line += "  [protected]"
			}
			if r.Remote {
				line += "  [remote component: its children are created by its provider]"
			}
			b.WriteString(line + "\n")
			walk(r.URN, depth+1)
		}
	}
	walk("", 0)

	counts := map[string]int{}
	for _, r := range p.Resources {
		counts[r.Type]++
	}
	b.WriteString("\nResources by type:\n")
	for _, t := range slices.Sorted(maps.Keys(counts)) {
		fmt.Fprintf(&b, "  %4d  %s\n", counts[t], t)
	}
	b.WriteString("\nOutputs:\n")
	var table string
	for _, k := range slices.Sorted(maps.Keys(p.Outputs)) {
		o := p.Outputs[k]
		v := o.Value
		if o.Secret {
			v = planner.Secret
		}
		line := render(v)
		if k == "teams" && !o.Secret {
			if rows, ok := teamsTable(v); ok && len(rows) > 1 {
				line, table = plural(len(rows)-1, "team")+": the table below (every value: --json)", formatTable(rows)
			}
		}
		if _, isString := v.(string); !isString && len(line) > maxOutputWidth {
			line = summarize(v)
		}
		fmt.Fprintf(&b, "  %-20s %s\n", k, line)
	}
	if table != "" {
		b.WriteString("\nTeams (output teams):\n" + table)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// maxOutputWidth is the longest list or object an output line shows whole: with 50 teams the
// teams output alone is 30,000 characters of JSON, which nobody reads on one line.
const maxOutputWidth = 120

// summarize is a long list or object in one line: its size, and its keys as far as they fit.
func summarize(v any) string {
	switch v := v.(type) {
	case map[string]any:
		keys := slices.Sorted(maps.Keys(v))
		return fmt.Sprintf("%s: %s (every value: --json)", plural(len(keys), "key"), fit(keys, maxOutputWidth-40))
	case []any:
		return plural(len(v), "item") + " (every value: --json)"
	}
	return "see --json"
}

// teamOutput is what the teams output holds per team (stacks/ exports it).
type teamOutput struct {
	Namespaces   []string          `json:"namespaces"`
	IngressClass string            `json:"ingressClass"`
	Repositories map[string]string `json:"repositories"`
	WorkloadRole string            `json:"workloadRole"`
	PushRole     string            `json:"pushRole"`
	SecretsRole  string            `json:"secretsRole"`
	WriterRole   string            `json:"secretsWriterRole"`
}

// teamsTable is one row per team (the first row is the header), or false when the output does
// not have the teams output's shape.
func teamsTable(v any) ([][]string, bool) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	var teams map[string]teamOutput
	if err := json.Unmarshal(raw, &teams); err != nil {
		return nil, false
	}
	rows := [][]string{{"TEAM", "NAMESPACES", "INGRESS CLASS", "IMAGES", "AWS ROLES"}}
	for _, name := range slices.Sorted(maps.Keys(teams)) {
		t := teams[name]
		var roles []string
		for _, r := range []struct{ name, arn string }{{"workload", t.WorkloadRole}, {"push", t.PushRole}, {"secrets", t.SecretsRole}, {"secrets-writer", t.WriterRole}} {
			if r.arn != "" {
				roles = append(roles, r.name)
			}
		}
		rows = append(rows, []string{name, fit(t.Namespaces, 40), t.IngressClass, fit(slices.Sorted(maps.Keys(t.Repositories)), 40), fit(roles, 40)})
	}
	return rows, true
}

// fit joins items with commas within width, ending with "+N more" for those left out.
func fit(items []string, width int) string {
	if len(items) == 0 {
		return "-"
	}
	out := ""
	for i, it := range items {
		more := fmt.Sprintf(" +%d more", len(items)-i)
		next := out
		if next != "" {
			next += ","
		}
		next += it
		if len(next) > width || (i < len(items)-1 && len(next)+len(more) > width) {
			if out == "" {
				return fmt.Sprintf("%d (%s)", len(items), "every one: --json")
			}
			return out + more
		}
		out = next
	}
	return out
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func formatTable(rows [][]string) string {
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		line := " "
		for i, c := range r {
			line += " " + c + strings.Repeat(" ", widths[i]-len(c)+1)
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	return b.String()
}

// summary is the one fact a reviewer wants on the line of some resource types.
func summary(r planner.Resource) string {
	in := r.Inputs
	str := func(k string) string { s, _ := in[k].(string); return s }
	switch r.Type {
	case "aws:ec2/vpc:Vpc":
		return str("cidrBlock")
	case "aws:ec2/subnet:Subnet":
		return str("cidrBlock") + " " + str("availabilityZone")
	case "aws:route53/zone:Zone":
		return str("name")
	case "aws:route53/record:Record":
		return str("type") + " " + str("name")
	case "aws:eks/nodeGroup:NodeGroup":
		sc, _ := in["scalingConfig"].(map[string]any)
		return fmt.Sprintf("%s %v nodes %v/%v/%v", str("capacityType"), render(in["instanceTypes"]), sc["minSize"], sc["desiredSize"], sc["maxSize"])
	case "eks:index:Cluster":
		return "Kubernetes " + str("version")
	case "aws:cloudwatch/logGroup:LogGroup":
		return fmt.Sprintf("retention %v days", in["retentionInDays"])
	}
	return ""
}

func countDescendants(children map[string][]planner.Resource, urn string) int {
	n := 0
	for _, c := range children[urn] {
		n += 1 + countDescendants(children, c.URN)
	}
	return n
}

func render(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// StackConfig decodes a stack's config offline, as the plan does: secrets the stack file does
// not hold yet are stood in for, so every other rule still runs.
func StackConfig(in planner.Input) (*config.Config, error) {
	standInSecrets(&in)
	return decodeInput(in)
}

// stackConfig finds the project from dir and decodes stack's config file as the program would
// (StackConfig).
func stackConfig(dir, stack string) (*config.Config, error) {
	projectDir, err := findProject(dir)
	if err != nil {
		return nil, err
	}
	in, err := planner.LoadStack(projectDir, stack)
	if err != nil {
		return nil, err
	}
	return StackConfig(in)
}

func standInSecrets(in *planner.Input) {
	for _, s := range config.Secrets {
		planner.Substitute(in, s.Key)
	}
}

// decodeInput decodes a loaded stack's config, its secret keys marked as Pulumi marks them.
func decodeInput(in planner.Input) (*config.Config, error) {
	secret := map[string]bool{}
	for _, k := range in.SecretKeys {
		secret[k] = true
	}
	return config.Decode(in.Project, in.Stack, in.Config, secret)
}
