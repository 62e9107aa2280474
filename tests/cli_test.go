package tests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/example/platform/internal/cli"
	"github.com/example/platform/internal/cost"
	"github.com/example/platform/internal/diff"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/pricing"
	"github.com/example/platform/internal/timeline"
)

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = cli.Run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// The `platform` command (internal/cli), run in-process.

// The plan is what a reviewer runs on a pull request: the same input must give the same output.
func TestPlanIsDeterministic(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		for _, format := range [][]string{nil, {"--json"}} {
			args := append([]string{"plan", "--stack", stack, "--dir", projectDir(t)}, format...)
			code1, out1, err1 := runCmd(t, args...)
			code2, out2, _ := runCmd(t, args...)
			if code1 != 0 || code2 != 0 {
				t.Fatalf("%v: exit %d: %s", args, code1, err1)
			}
			if out1 != out2 {
				t.Errorf("%v: two runs differ", args)
			}
		}
	}
}

func TestPlanTree(t *testing.T) {
	code, out, stderr := runCmd(t, "plan", "--stack", "dev", "--dir", projectDir(t))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"Stack dev (project platform): 284 resources",
		"platform:index:Network  network  (35)",
		"  aws:ec2/subnet:Subnet  network-private-0  10.10.0.0/19 eu-north-1a",
		"platform:index:Cluster  cluster  (12)",
		"eks:index:Cluster  cluster-eks  Kubernetes 1.35",
		"     6  aws:ec2/subnet:Subnet",
		"  kubeconfig           [secret]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q:\n%s", want, out)
		}
	}
}

func TestPlanJSON(t *testing.T) {
	code, out, stderr := runCmd(t, "plan", "--stack", "prod", "--json", "--dir", projectDir(t))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var p planner.Plan
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	if p.Stack != "prod" || len(p.Resources) != 288 {
		t.Errorf("stack %s with %d resources", p.Stack, len(p.Resources))
	}
	for _, r := range p.Resources {
		if r.URN == "" || r.Type == "" || r.Name == "" || r.Inputs == nil {
			t.Errorf("incomplete resource %+v", r)
		}
	}
	// The kubeconfig reaches the Kubernetes provider: it must be redacted there.
	if strings.Contains(out, "certificate-authority-data") || strings.Contains(out, "get-token") {
		t.Error("the JSON plan contains the kubeconfig")
	}
	if !strings.Contains(out, `"kubeconfig": "[secret]"`) {
		t.Error("the provider's kubeconfig input is not shown as [secret]")
	}
}

func TestPlanInvalidConfig(t *testing.T) {
	dir := t.TempDir()
	project, err := os.ReadFile(filepath.Join(projectDir(t), "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	stack, err := os.ReadFile(filepath.Join(projectDir(t), "Pulumi.prod.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(stack), "natGateways: perAz", "natGateways: single", 1)
	os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), project, 0o644)
	os.WriteFile(filepath.Join(dir, "Pulumi.prod.yaml"), []byte(bad), 0o644)
	code, out, stderr := runCmd(t, "plan", "--stack", "prod", "--dir", dir)
	if code != 1 || out != "" {
		t.Fatalf("exit %d, stdout %q; want 1 and nothing", code, out)
	}
	want := `platform plan: invalid stack config: platform:network.natGateways "single" is not allowed in prod`
	if !strings.HasPrefix(stderr, want) {
		t.Errorf("stderr = %q\nwant prefix %q", stderr, want)
	}
}

func TestUsageErrors(t *testing.T) {
	if code, _, stderr := runCmd(t, "plan"); code != 2 || !strings.Contains(stderr, "--stack is required") {
		t.Errorf("plan without --stack: exit %d, %q", code, stderr)
	}
	if code, _, stderr := runCmd(t, "frobnicate"); code != 2 || !strings.Contains(stderr, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: exit %d, %q", code, stderr)
	}
	if code, _, stderr := runCmd(t, "plan", "--stack", "staging", "--dir", projectDir(t)); code != 1 || !strings.Contains(stderr, "the stacks here are: dev, prod") {
		t.Errorf("unknown stack: exit %d, %q", code, stderr)
	}
}

func TestCostDiffGraphCommands(t *testing.T) {
	// cost: the command's total is the estimator's, in text and JSON.
	for _, stack := range []string{"dev", "prod"} {
		want := cost.Estimate(stackPlan(t, stack).Plan)
		code, out, stderr := runCmd(t, "cost", "--stack", stack, "--dir", projectDir(t))
		if code != 0 || !strings.Contains(out, fmt.Sprintf("\nTotal: %.2f USD/month\n", want.Total)) || !strings.Contains(out, "Assumptions:") {
			t.Fatalf("cost %s: exit %d %s, want total %.2f\n%s", stack, code, stderr, want.Total, out)
		}
		code, out, _ = runCmd(t, "cost", "--stack", stack, "--json", "--dir", projectDir(t))
		var got cost.Report
		if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil || got.Total != want.Total || len(got.Lines) != len(want.Lines) {
			t.Errorf("cost --json %s: exit %d, %v: total %.2f (%d lines), the estimator's %.2f (%d lines)", stack, code, err, got.Total, len(got.Lines), want.Total, len(want.Lines))
		}
	}
	code, out, _ := runCmd(t, "cost", "--stack", "prod", "--markdown", "--dir", projectDir(t))
	if code != 0 || !strings.HasPrefix(out, "### Estimated monthly cost: `prod`") {
		t.Errorf("cost --markdown: exit %d\n%s", code, out)
	}

	// diff: a new VPC CIDR replaces the VPC on cidrBlock, and the Markdown says so.
	dir := t.TempDir()
	_, plan, _ := runCmd(t, "plan", "--stack", "dev", "--json", "--dir", projectDir(t))
	writeFile(t, filepath.Join(dir, "dev.json"), []byte(plan))
	head, err := json.Marshal(planWith(t, "dev", edit(kNet, "cidr", "10.30.0.0/16")))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "head.json"), head)
	code, out, stderr := runCmd(t, "diff", "--base", filepath.Join(dir, "dev.json"), "--head", filepath.Join(dir, "head.json"), "--json")
	var r diff.Result
	if err := json.Unmarshal([]byte(out), &r); code != 0 || err != nil {
		t.Fatalf("diff --json: exit %d %v %s\n%s", code, err, stderr, out)
	}
	var vpc *diff.Change
	for i, c := range r.Changed {
		if c.Type == "aws:ec2/vpc:Vpc" {
			vpc = &r.Changed[i]
		}
	}
	if vpc == nil || vpc.Name != "network-vpc" || !slices.Equal(vpc.Replace, []string{"cidrBlock"}) || len(r.Added)+len(r.Removed) != 0 {
		t.Errorf("diff of a new VPC CIDR: VPC change %+v, %d added, %d removed", vpc, len(r.Added), len(r.Removed))
	}
	// With --timeline, the same JSON carries the change's modelled duration: the VPC's
	// replacement is a step of it.
	code, out, stderr = runCmd(t, "diff", "--base", filepath.Join(dir, "dev.json"), "--head", filepath.Join(dir, "head.json"), "--json", "--timeline")
	var timed struct {
		diff.Result
		Timeline *timeline.Result `json:"timeline"`
	}
	if err := json.Unmarshal([]byte(out), &timed); code != 0 || err != nil || timed.Timeline == nil {
		t.Fatalf("diff --json --timeline: exit %d %v %s\n%s", code, err, stderr, out)
	}
	replaced := false
	for _, s := range timed.Timeline.Steps {
		replaced = replaced || s.Name == "network-vpc"
	}
	if len(timed.Changed) != len(r.Changed) || timed.Timeline.Total <= 0 || !replaced {
		t.Errorf("diff --json --timeline: %d changes (want %d), modelled %s, the VPC's replacement in it: %v", len(timed.Changed), len(r.Changed), timed.Timeline.Total, replaced)
	}
	code, out, _ = runCmd(t, "diff", "--base", filepath.Join(dir, "dev.json"), "--head", filepath.Join(dir, "head.json"))
	if code != 0 || !strings.Contains(out, "| `network-vpc` | `aws:ec2/vpc:Vpc` | **replace** (cidrBlock)") {
		t.Errorf("diff Markdown does not show the VPC's replacement on cidrBlock:\n%s", out)
	}
	if code, _, stderr := runCmd(t, "diff", "--stack", "dev"); code != 2 || !strings.Contains(stderr, "--base") {
		t.Errorf("diff without a base: exit %d %s", code, stderr)
	}

	// graph: exactly the dependencies between components the program wires, and each
	// component's resource count.
	code, out, _ = runCmd(t, "graph", "--stack", "prod", "--dir", projectDir(t))
	if code != 0 || !strings.HasPrefix(out, "flowchart LR\n") {
		t.Fatalf("graph: exit %d\n%s", code, out)
	}
	var edges []string
	for _, line := range strings.Split(out, "\n") {
		if e, ok := strings.CutPrefix(line, "  "); ok && strings.Contains(e, " --> ") {
			edges = append(edges, e)
		}
	}
	want := []string{
		"access --> boundary", "access --> cluster", "access --> network",
		"addons --> boundary", "addons --> certificates", "addons --> cluster", "addons --> dns", "addons --> network",
		"argocd --> addons", "argocd --> certificates", "argocd --> cluster", "argocd --> github",
		"backup --> alarms", "backup --> boundary",
		"certificates --> alarms", "certificates --> dns",
		"cluster --> boundary", "cluster --> logs", "cluster --> network",
		"github --> boundary", "github --> cluster", "github --> dns", "github --> network",
		"network --> boundary", "network --> logs",
		"runners --> boundary", "runners --> cluster", "runners --> logs", "runners --> network",
		"teams --> addons", "teams --> argocd", "teams --> boundary", "teams --> certificates", "teams --> cluster", "teams --> github",
	}
	if !slices.Equal(edges, want) {
		t.Errorf("graph edges:\n%s\nwant:\n%s", strings.Join(edges, "\n"), strings.Join(want, "\n"))
	}
	p := stackPlan(t, "prod")
	for _, c := range p.Resources {
		if !strings.HasPrefix(c.Type, "platform:index:") {
			continue
		}
		n := 0
		for _, r := range p.Resources {
			for u := r.Parent; u != ""; {
				if u == c.URN {
					n++
					break
				}
				parent, _ := p.ByURN(u)
				u = parent.Parent
			}
		}
		node := fmt.Sprintf("  %s[\"%s<br/>%d resources\"]\n", c.Name, strings.TrimPrefix(c.Type, "platform:index:"), n)
		if n == 0 || !strings.Contains(out, node) {
			t.Errorf("graph lacks the node %q", node)
		}
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// `platform plan` says what `pulumi preview` warns about: here a Kubernetes version in EKS
// extended support today (picked from the calendar, so the test follows the clock).
func TestPlanWarnsAboutExtendedSupport(t *testing.T) {
	extended := ""
	for _, v := range pricing.EKSCalendar {
		if _, s := pricing.EKSSupport(v.Version, time.Now()); s == pricing.Extended {
			extended = v.Version
		}
	}
	if extended == "" {
		t.Fatalf("no version of the EKS calendar (%s) is in extended support today: the calendar is stale, update internal/pricing/eks.go", pricing.EKSCalendarDate)
	}
	dir := t.TempDir()
	for _, f := range []string{"Pulumi.yaml", "Pulumi.dev.yaml"} {
		b, err := os.ReadFile(filepath.Join(projectDir(t), f))
		if err != nil {
			t.Fatal(err)
		}
		b = []byte(strings.Replace(string(b), `kubernetesVersion: "1.35"`, `kubernetesVersion: "`+extended+`"`, 1))
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, stderr := runCmd(t, "plan", "--stack", "dev", "--dir", dir)
	if code != 0 || !strings.Contains(out, "warning: platform:cluster.kubernetesVersion "+extended+" is in EKS extended support since") {
		t.Errorf("exit %d %s\n%s", code, stderr, out)
	}
	code, out, _ = runCmd(t, "cost", "--stack", "dev", "--dir", dir)
	if code != 0 || !strings.Contains(out, "EKS control plane ("+extended+", extended support)") || !strings.Contains(out, "Note: Kubernetes "+extended+" is in EKS extended support since") {
		t.Errorf("cost does not price extended support:\n%s", out)
	}
}
