package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/example/platform/components/teams/teamplan"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/scaffold"
)

// `platform team add`: onboarding a team edits each stack file and the GitOps repository.

// teamAddDirs are a scratch copy of the project's Pulumi files and an empty GitOps repository.
func teamAddDirs(t *testing.T) (project, gitops string) {
	t.Helper()
	project, gitops = t.TempDir(), t.TempDir()
	for _, f := range []string{"Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"} {
		b, err := os.ReadFile(filepath.Join(projectDir(t), f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(project, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return project, gitops
}

// snapshot is every file under the dirs, by path: a refused command must leave it as it was.
func snapshot(t *testing.T, dirs ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, d := range dirs {
		err := filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			out[p] = string(b)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func yamlValue(t *testing.T, b []byte) map[string]any {
	t.Helper()
	v := map[string]any{}
	if err := yaml.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestTeamAdd(t *testing.T) {
	project, gitops := teamAddDirs(t)
	before := snapshot(t, project)
	code, out, stderr := runCmd(t, "team", "add", "--name", "billing", "--github-team", "billing-devs",
		"--access-role", "dev=arn:aws:iam::111122223333:role/billing-developers",
		"--access-role", "prod=arn:aws:iam::444455556666:role/billing-developers",
		"--repo", "billing-api", "--image", "billing-api", "--dir", project, "--gitops", gitops)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"added team billing to " + filepath.Join(project, "Pulumi.dev.yaml"), "Pulumi.prod.yaml",
		"wrote " + filepath.Join(gitops, "teams/billing/README.md"), "platform diff --base-ref HEAD --stack dev", "pulumi up"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for stack, account := range map[string]string{"dev": "111122223333", "prod": "444455556666"} {
		path := filepath.Join(project, "Pulumi."+stack+".yaml")
		after, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		old, now := yamlValue(t, []byte(before[path])), yamlValue(t, after)
		oldTeams := old["config"].(map[string]any)["platform:teams"].([]any)
		newTeams := now["config"].(map[string]any)["platform:teams"].([]any)
		want := map[string]any{"name": "billing", "githubTeam": "billing-devs", "accessRoleArns": []any{"arn:aws:iam::" + account + ":role/billing-developers"},
			"repos": []any{"billing-api"}, "images": []any{"billing-api"}}
		if len(newTeams) != len(oldTeams)+1 || !reflect.DeepEqual(newTeams[:len(oldTeams)], oldTeams) || !reflect.DeepEqual(newTeams[len(oldTeams)], want) {
			t.Errorf("%s: teams %v, want the old ones and %v", stack, newTeams, want)
		}
		// Everything else is as it was, and so is every comment, on its own line.
		delete(old["config"].(map[string]any), "platform:teams")
		delete(now["config"].(map[string]any), "platform:teams")
		if !reflect.DeepEqual(old, now) {
			t.Errorf("%s: the rest of the file changed", stack)
		}
		comments := 0
		for _, l := range strings.Split(before[path], "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "#") {
				comments++
				if !strings.Contains(string(after), l+"\n") {
					t.Errorf("%s: comment lost: %q", stack, l)
				}
			}
		}
		if comments < 5 {
			t.Errorf("%s: only %d comments: the check proves little", stack, comments)
		}
	}
	readme, err := os.ReadFile(filepath.Join(gitops, "teams/billing/README.md"))
	wantReadme := scaffold.Init([]scaffold.Stack{{Name: "dev", Teams: []teamplan.Team{{Name: "billing"}}}})["teams/billing/README.md"]
	if err != nil || string(readme) != wantReadme || wantReadme == "" {
		t.Errorf("README %q (%v), want %q", readme, err, wantReadme)
	}

	// The program plans the team: its namespace, with its access entry, in the table.
	code, planJSON, stderr := runCmd(t, "plan", "--stack", "dev", "--json", "--dir", project)
	if code != 0 {
		t.Fatalf("plan: exit %d: %s", code, stderr)
	}
	var p planner.Plan
	if err := json.Unmarshal([]byte(planJSON), &p); err != nil {
		t.Fatal(err)
	}
	ns, ok := p.Named("kubernetes:core/v1:Namespace", "teams-billing-billing-ns")
	if !ok || ns.GetString("metadata.name") != "billing" {
		t.Errorf("no namespace billing in the plan (%v)", ok)
	}
	entries := 0
	for _, r := range p.OfType("aws:eks/accessEntry:AccessEntry") {
		if r.GetString("principalArn") == "arn:aws:iam::111122223333:role/billing-developers" {
			entries++
		}
	}
	if entries != 1 {
		t.Errorf("%d access entries for billing's role, want 1", entries)
	}
}

func TestTeamAddNeverOverwrites(t *testing.T) {
	project, gitops := teamAddDirs(t)
	add := func(extra ...string) (int, string, string) {
		return runCmd(t, append([]string{"team", "add", "--name", "billing", "--github-team", "billing-devs", "--dir", project, "--gitops", gitops}, extra...)...)
	}
	// In prod only first: the next run over every stack meets it in prod after dev passed.
	if code, _, stderr := add("--stack", "prod"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	before := snapshot(t, project, gitops)
	code, out, stderr := add()
	if code != 1 || out != "" || !strings.Contains(stderr, `Pulumi.prod.yaml: team "billing" is already in platform:teams (entry [2])`) || !strings.Contains(stderr, "nothing was written") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if !reflect.DeepEqual(before, snapshot(t, project, gitops)) {
		t.Error("a refused add wrote files (dev gained the team?)")
	}
	// A differing README of that name in the GitOps repository: refused, no stack written.
	readme := filepath.Join(gitops, "teams/other/README.md")
	if err := os.MkdirAll(filepath.Dir(readme), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(readme, []byte("# ours\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before = snapshot(t, project, gitops)
	code, _, stderr = runCmd(t, "team", "add", "--name", "other", "--github-team", "other-devs", "--dir", project, "--gitops", gitops)
	if code != 1 || !strings.Contains(stderr, "teams/other/README.md exists in the GitOps repository") || !reflect.DeepEqual(before, snapshot(t, project, gitops)) {
		t.Errorf("differing README: exit %d, %q", code, stderr)
	}
}

func TestTeamAddRefusesBadInput(t *testing.T) {
	project, gitops := teamAddDirs(t)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--github-team", "g"}, 2, "--name is required"},
		{[]string{"--name", "billing"}, 2, "--github-team is required"},
		{[]string{"--name", "billing", "--github-team", "g", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"--name", "Billing_Team", "--github-team", "g"}, 1, `--name: platform:teams[2].name "Billing_Team" is not allowed`},
		{[]string{"--name", "kube", "--github-team", "g"}, 1, `--name: platform:teams[2].name "kube" is reserved`},
		{[]string{"--name", "search", "--github-team", "g"}, 1, `Pulumi.dev.yaml: team "search" is already in platform:teams (entry [1])`},
		{[]string{"--name", "monitoring", "--github-team", "g"}, 1, `--name (the team's namespace): platform:teams[2].namespaces[0] "monitoring" is a platform namespace`},
		{[]string{"--name", "billing", "--github-team", "g", "--namespace", "kube-billing"}, 1, `--namespace: platform:teams[2].namespaces[0] "kube-billing" is a platform namespace`},
		{[]string{"--name", "billing", "--github-team", "g", "--namespace", "search-jobs"}, 1, `--namespace: platform:teams[2].namespaces[0] "search-jobs" is already a namespace of team "search"`},
		{[]string{"--name", "billing", "--github-team", "Billing Devs"}, 1, `--github-team: platform:teams[2].githubTeam "Billing Devs" is not a GitHub team slug`},
		{[]string{"--name", "billing", "--github-team", "g", "--access-role", "billing-developers"}, 1, `--access-role: platform:teams[2].accessRoleArns[0] "billing-developers" is not an IAM role ARN`},
		{[]string{"--name", "billing", "--github-team", "g", "--access-role", "dev=arn:aws:iam::111122223333:role/payments-developers"}, 1, `--access-role: platform:teams[2].accessRoleArns[0] "arn:aws:iam::111122223333:role/payments-developers" already has an access entry (team "payments")`},
		{[]string{"--name", "billing", "--github-team", "g", "--access-role", "staging=arn:aws:iam::111122223333:role/x"}, 1, `--access-role staging=arn:aws:iam::111122223333:role/x: "staging" is not a stack being edited (dev, prod)`},
		{[]string{"--name", "billing", "--github-team", "g", "--repo", "other-org/billing-api"}, 1, `--repo: platform:teams[2].repos[0] "other-org/billing-api" is outside platform:github.owner (example-org)`},
		{[]string{"--name", "billing", "--github-team", "g", "--repo", "payments-api"}, 1, `--repo: platform:teams[2].repos[0]`},
		{[]string{"--name", "billing", "--github-team", "g", "--image", "Billing/API"}, 1, `--image: platform:teams[2].images[0]`},
		{[]string{"--name", "billing", "--github-team", "g", "--ingress", "private"}, 1, `--ingress: platform:teams[2].ingress "private" is not allowed`},
		{[]string{"--name", "billing", "--github-team", "g", "--stack", "staging"}, 1, "--stack staging: there is no Pulumi.staging.yaml; the stacks here are: dev, prod"},
		{[]string{"--name", "billing", "--github-team", "g", "--gitops", filepath.Join(gitops, "missing")}, 1, "--gitops " + filepath.Join(gitops, "missing") + ": not a directory"},
		{[]string{"--name", "billing", "--github-team", "g", "--gitops", project}, 1, "that is a Pulumi project"},
	} {
		before := snapshot(t, project, gitops)
		args := append([]string{"team", "add", "--dir", project, "--gitops", gitops}, c.args...)
		code, out, stderr := runCmd(t, args...)
		if code != c.code || out != "" || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d (want %d), stdout %q\nstderr %s\nwant %q", c.args, code, c.code, out, stderr, c.want)
		}
		if code == 1 && !strings.Contains(stderr, "nothing was written") {
			t.Errorf("%v: the refusal does not say nothing was written: %s", c.args, stderr)
		}
		if !reflect.DeepEqual(before, snapshot(t, project, gitops)) {
			t.Errorf("%v: a refused add changed files", c.args)
		}
	}
	// A stack that is invalid already is said to be, not blamed on a flag.
	dev := filepath.Join(project, "Pulumi.dev.yaml")
	b, err := os.ReadFile(dev)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dev, []byte(strings.Replace(string(b), "natGateways: instance", "natGateways: some", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, project, gitops)
	code, _, stderr := runCmd(t, "team", "add", "--name", "billing", "--github-team", "g", "--dir", project, "--gitops", gitops)
	if code != 1 || !strings.Contains(stderr, "Pulumi.dev.yaml is invalid before the change (fix it first)") || !strings.Contains(stderr, "platform:network.natGateways") ||
		!reflect.DeepEqual(before, snapshot(t, project, gitops)) {
		t.Errorf("invalid stack: exit %d, %s", code, stderr)
	}
}

// With 50 teams the plan's text stays readable: the teams output is a table, one row per team,
// and no output line is longer than 200 characters.
func TestPlanManyTeamsReadable(t *testing.T) {
	project, gitops := teamAddDirs(t)
	for i := range 48 {
		name := fmt.Sprintf("team%02d", i)
		if code, _, stderr := runCmd(t, "team", "add", "--name", name, "--github-team", name+"-devs", "--stack", "dev", "--repo", name+"-api", "--image", "api", "--image", "worker",
			"--access-role", fmt.Sprintf("arn:aws:iam::111122223333:role/%s-developers", name), "--dir", project, "--gitops", gitops); code != 0 {
			t.Fatalf("%s: %s", name, stderr)
		}
	}
	code, out, stderr := runCmd(t, "plan", "--stack", "dev", "--dir", project)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	outputs := out[strings.Index(out, "\nOutputs:\n"):]
	for _, l := range strings.Split(outputs, "\n") {
		if len(l) > 200 {
			t.Errorf("a %d-character line: %.150s...", len(l), l)
		}
	}
	for _, want := range []string{"\n  teams                50 teams: the table below (every value: --json)\n",
		// Other long objects are summarized.
		"\n  databases            1 key: payments-ledger (every value: --json)\n"} {
		if !strings.Contains(outputs, want) {
			t.Errorf("outputs lack %q:\n%s", want, outputs)
		}
	}
	rows := map[string]string{}
	for _, l := range strings.Split(outputs[strings.Index(outputs, "\nTeams (output teams):\n"):], "\n") {
		if f := strings.Fields(l); len(f) == 5 {
			rows[f[0]] = l
		}
	}
	for i := range 48 {
		name := fmt.Sprintf("team%02d", i)
		if f := strings.Fields(rows[name]); len(f) != 5 || f[1] != name || f[2] != "teams" || f[3] != "api,worker" || f[4] != "push,secrets,secrets-writer" {
			t.Errorf("row of %s: %q", name, rows[name])
		}
	}
	if f := strings.Fields(rows["search"]); len(f) != 5 || f[1] != "search,search-jobs" {
		t.Errorf("row of search: %q", rows["search"])
	}
	// Control: the value the table stands for is far too long for a line.
	_, planJSON, _ := runCmd(t, "plan", "--stack", "dev", "--json", "--dir", project)
	var p planner.Plan
	if err := json.Unmarshal([]byte(planJSON), &p); err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(p.Outputs["teams"].Value); len(b) < 10000 {
		t.Errorf("the teams output is only %d characters of JSON: the test proves little", len(b))
	}
}
