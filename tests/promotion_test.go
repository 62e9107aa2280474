package tests

import (
	"encoding/json"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/scaffold"
)

// gitIn runs git in dir and returns its trimmed output.
func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.org")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// deployedApp is what Argo CD deploys for one generated Application.
type deployedApp struct {
	Project, Namespace, Revision, Image string
}

var pathParam = regexp.MustCompile(`\{\{\s*path(\[(\d+)\])?\s*\}\}`)

// applicationsOf evaluates the stack's planned ApplicationSet over the GitOps repository as
// Argo CD's git directory generator does: every directory matching the generator's path at
// the generator's revision gives one Application from the template ({{path}} and
// {{path[n]}}); each Application's source is then built with kustomize at its own revision,
// read from Git. It returns them by name, and checks each against the plan's AppProjects with
// Argo CD's own project code.
func applicationsOf(t *testing.T, stack, repo string) map[string]deployedApp {
	t.Helper()
	p := stackPlan(t, stack)
	set := p.named(t, "kubernetes:argoproj.io/v1alpha1:ApplicationSet", "teams-applicationset")
	rev, glob := getString(set, "spec.generators.0.git.revision"), getString(set, "spec.generators.0.git.directories.0.path")
	tmpl, err := json.Marshal(get(set, "spec.template"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]deployedApp{}
	var cases []argoCase
	for _, dir := range strings.Split(gitIn(t, repo, "ls-tree", "-r", "-d", "--name-only", rev), "\n") {
		if ok, _ := path.Match(glob, dir); !ok {
			continue
		}
		parts := strings.Split(dir, "/")
		rendered := pathParam.ReplaceAllStringFunc(string(tmpl), func(m string) string {
			sub := pathParam.FindStringSubmatch(m)
			if sub[2] == "" {
				return dir
			}
			i, _ := strconv.Atoi(sub[2])
			return parts[i]
		})
		if strings.Contains(rendered, "{{") {
			t.Fatalf("the template has a parameter this evaluation does not know: %s", rendered)
		}
		var app map[string]any
		if err := json.Unmarshal([]byte(rendered), &app); err != nil {
			t.Fatal(err)
		}
		spec := app["spec"].(map[string]any)
		src := spec["source"].(map[string]any)
		name := app["metadata"].(map[string]any)["name"].(string)
		srcRev, srcPath := src["targetRevision"].(string), src["path"].(string)
		appDir := strings.Join(parts[:4], "/")
		files := map[string]string{}
		for _, f := range strings.Split(gitIn(t, repo, "ls-tree", "-r", "--name-only", srcRev, "--", appDir), "\n") {
			files[f] = gitIn(t, repo, "show", srcRev+":"+f) + "\n"
		}
		d := deployedApp{Project: spec["project"].(string), Namespace: spec["destination"].(map[string]any)["namespace"].(string), Revision: srcRev}
		var resources []argoResource
		for _, o := range kustomizeBuild(t, files, srcPath) {
			group, _, _ := strings.Cut(o.Body["apiVersion"].(string), "/")
			if !strings.Contains(o.Body["apiVersion"].(string), "/") {
				group = ""
			}
			meta := o.Body["metadata"].(map[string]any)
			ns, _ := meta["namespace"].(string)
			resources = append(resources, namespaced(group, o.Body["kind"].(string), ns, meta["name"].(string)))
			if o.Body["kind"] == "Deployment" {
				pod := o.Body["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
				d.Image = pod["containers"].([]any)[0].(map[string]any)["image"].(string)
			}
		}
		app["metadata"].(map[string]any)["namespace"] = contract.ArgoCDNamespace
		cases = append(cases, argoCase{Name: name, Application: app, Resources: resources})
		out[name] = d
	}
	argoCDAdmits(t, stack, cases)
	return out
}

// argoCDAdmits asks Argo CD's own project code (tests/engines/argocd) whether it deploys each
// case with the stack's planned AppProjects.
func argoCDAdmits(t *testing.T, stack string, cases []argoCase) {
	t.Helper()
	var verdicts []struct {
		Name    string `json:"name"`
		Allowed bool   `json:"allowed"`
		Reason  string `json:"reason"`
	}
	runEnforcer(t, "argocd-engine", map[string]any{
		"controllerNamespace": contract.ArgoCDNamespace, "applicationNamespaces": []string{contract.ArgoCDAppsNamespace},
		"projects": planProjects(stackPlan(t, stack)), "cases": cases,
	}, &verdicts)
	if len(verdicts) != len(cases) {
		t.Fatalf("%d verdicts for %d cases", len(verdicts), len(cases))
	}
	for _, v := range verdicts {
		if !v.Allowed {
			t.Errorf("%s: Argo CD refuses the generated application %s: %s", stack, v.Name, v.Reason)
		}
	}
}

// A team promotes and rolls back one app by itself: in a scratch GitOps repository (real
// git), an app is written, CI bumps its dev tag, the team promotes it to prod, promotes a
// second build, and rolls back. Each step's commit touches one line of that app's prod
// overlay; the stacks' ApplicationSets, evaluated over the repository, deploy the promoted
// tag to prod and change nothing else, for this or any other team; Argo CD's own project
// code admits every generated Application; and nothing in the infrastructure repository
// changes (no `pulumi up`: the stack files are untouched).
func TestTeamPromotesAndRollsBackItsApp(t *testing.T) {
	project := projectDir(t)
	stackFiles := func() string {
		var b strings.Builder
		for _, f := range []string{"Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"} {
			body, err := os.ReadFile(filepath.Join(project, f))
			if err != nil {
				t.Fatal(err)
			}
			b.Write(body)
		}
		return b.String()
	}
	infraBefore := stackFiles()
	repo := t.TempDir()
	gitIn(t, repo, "init", "--quiet", "--initial-branch=main")
	run := func(want int, args ...string) string {
		t.Helper()
		code, stdout, stderr := runCmd(t, append(args, "--dir", project)...)
		if code != want {
			t.Fatalf("platform %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, stdout, stderr)
		}
		return stdout + stderr
	}
	run(0, "gitops", "init", repo)
	run(0, "app", "new", "--team", "payments", "--name", "payments-api", "--account", "111122223333", "--repo", repo)
	run(0, "app", "new", "--team", "search", "--name", "search-api", "--image", "ghcr.io/example-org/search-api", "--repo", repo)
	gitIn(t, repo, "add", "-A")
	gitIn(t, repo, "commit", "--quiet", "-m", "two teams' apps")

	prodOverlay := scaffold.OverlayPath("payments", "payments-api", "prod")
	devBump := func(tag string) {
		t.Helper()
		file := filepath.Join(repo, scaffold.OverlayPath("payments", "payments-api", "dev"))
		old, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		updated, err := scaffold.SetImageTag(old, "payments-api", tag)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, updated, 0o644); err != nil {
			t.Fatal(err)
		}
		gitIn(t, repo, "commit", "--quiet", "-am", "ci: payments-api "+tag+" in dev")
	}
	// merge is the pull request's merge (the code owners' approval is GitHub's, tested in
	// TestRepositoryRulesets): the branch the command committed on, fast-forwarded into main.
	// It checks the commit touched one line of the prod overlay and nothing else.
	merge := func(out string) {
		t.Helper()
		branch := regexp.MustCompile(`committed on branch (\S+):`).FindStringSubmatch(out)
		if branch == nil {
			t.Fatalf("no branch in %q", out)
		}
		if stat := gitIn(t, repo, "diff", "--numstat", "main", branch[1]); stat != "1\t1\t"+prodOverlay {
			t.Errorf("the change on %s is %q, want one line of %s", branch[1], stat, prodOverlay)
		}
		gitIn(t, repo, "switch", "--quiet", "main")
		gitIn(t, repo, "merge", "--quiet", "--ff-only", branch[1])
	}
	// prod pulls from prod's own repository of the team's image.
	prodCfg := stackConfig(t, "prod")
	image := "111122223333.dkr.ecr." + prodCfg.Region + ".amazonaws.com/" + prodCfg.Cluster.Name + "/payments/payments-api:"
	dev0, prod0 := applicationsOf(t, "dev", repo), applicationsOf(t, "prod", repo)
	if len(prod0) != 2 || len(dev0) != 2 {
		t.Fatalf("generated applications: dev %v, prod %v; want payments-payments-api and search-search-api in each", dev0, prod0)
	}
	pay := prod0["payments-payments-api"]
	if pay.Project != "team-payments" || pay.Namespace != "payments" || pay.Revision != "main" || pay.Image != image+scaffold.ImageTag {
		t.Fatalf("prod deploys %+v", pay)
	}
	// expect checks every app of both stacks: only the payments app's image moves, to the
	// tags given.
	expect := func(step, devTag, prodTag string) {
		t.Helper()
		for stack, want := range map[string]map[string]deployedApp{"dev": dev0, "prod": prod0} {
			got := applicationsOf(t, stack, repo)
			tag := map[string]string{"dev": devTag, "prod": prodTag}[stack]
			for name, w := range want {
				if name == "payments-payments-api" {
					w.Image = strings.TrimSuffix(w.Image, scaffold.ImageTag) + tag
					if stack == "prod" && w.Image != image+tag {
						t.Errorf("%s: prod's image %s, want %s", step, w.Image, image+tag)
					}
				}
				if got[name] != w {
					t.Errorf("%s: %s deploys %+v, want %+v", step, stack, got[name], w)
				}
			}
			if len(got) != len(want) {
				t.Errorf("%s: %s generates %d applications, want %d", step, stack, len(got), len(want))
			}
		}
	}

	devBump("sha-1111111")
	expect("CI's dev bump", "sha-1111111", scaffold.ImageTag)
	merge(run(0, "app", "promote", "--team", "payments", "--name", "payments-api", "--repo", repo, "--commit"))
	expect("the first promotion", "sha-1111111", "sha-1111111")
	// Promoting what prod runs already is refused, and writes nothing.
	if out := run(1, "app", "promote", "--team", "payments", "--name", "payments-api", "--repo", repo, "--commit"); !strings.Contains(out, "is already at sha-1111111 in prod") {
		t.Errorf("a second promotion of the same tag: %s", out)
	}
	devBump("sha-2222222")
	merge(run(0, "app", "promote", "--team", "payments", "--name", "payments-api", "--repo", repo, "--commit"))
	expect("the second promotion", "sha-2222222", "sha-2222222")
	merge(run(0, "app", "rollback", "--team", "payments", "--name", "payments-api", "--repo", repo, "--commit"))
	expect("the rollback", "sha-2222222", "sha-1111111")
	if log := gitIn(t, repo, "log", "--format=%s", "--", prodOverlay); log != "roll back payments/payments-api in prod: sha-1111111 (was sha-2222222)\n"+
		"promote payments/payments-api to prod: sha-2222222 (from dev)\npromote payments/payments-api to prod: sha-1111111 (from dev)\ntwo teams' apps" {
		t.Errorf("the trail in Git:\n%s", log)
	}
	if stackFiles() != infraBefore {
		t.Error("a promotion changed the infrastructure repository's stack files")
	}
}

// Bad input to promote and rollback is refused per flag, and nothing is written or committed.
func TestAppPromoteRefuses(t *testing.T) {
	project := projectDir(t)
	repo := t.TempDir()
	gitIn(t, repo, "init", "--quiet", "--initial-branch=main")
	if code, _, stderr := runCmd(t, "app", "new", "--team", "payments", "--name", "payments-api", "--account", "111122223333", "--repo", repo, "--dir", project); code != 0 {
		t.Fatal(stderr)
	}
	gitIn(t, repo, "add", "-A")
	gitIn(t, repo, "commit", "--quiet", "-m", "app")
	head := gitIn(t, repo, "rev-parse", "HEAD")
	base := []string{"--repo", repo, "--dir", project, "--commit"}
	for _, c := range []struct {
		name string
		code int
		args []string
		want string
	}{
		{"unknown team", 1, []string{"promote", "--team", "billing", "--name", "payments-api"}, `--team "billing" is not a team of stack dev`},
		{"bad app name", 1, []string{"promote", "--team", "payments", "--name", "Pay_API"}, `--name "Pay_API" is not an application name`},
		{"app not in the repository", 1, []string{"promote", "--team", "payments", "--name", "ledger"}, "--name: no overlay teams/payments/apps/ledger/overlays/dev/kustomization.yaml"},
		{"unknown stack", 1, []string{"promote", "--team", "payments", "--name", "payments-api", "--to", "staging"}, `--to "staging" is not a stack of the project (dev, prod)`},
		{"same stacks", 2, []string{"promote", "--team", "payments", "--name", "payments-api", "--to", "dev"}, "--from and --to must be two different stacks"},
		{"nothing to promote", 1, []string{"promote", "--team", "payments", "--name", "payments-api"}, "is already at v0.1.0 in prod"},
		{"no history to roll back to", 1, []string{"rollback", "--team", "payments", "--name", "payments-api"}, "has no tag before v0.1.0: pass --to TAG"},
		{"a tag that is not one", 1, []string{"rollback", "--team", "payments", "--name", "payments-api", "--to", "v1;curl"}, `"v1;curl" is not an image tag`},
		{"unknown rollback stack", 1, []string{"rollback", "--team", "payments", "--name", "payments-api", "--stack", "qa"}, `--stack "qa" is not a stack of the project`},
	} {
		code, stdout, stderr := runCmd(t, append(append([]string{"app"}, c.args...), base...)...)
		if code != c.code || !strings.Contains(stderr, c.want) || stdout != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d naming %q", c.name, code, stdout, stderr, c.code, c.want)
		}
		if status := gitIn(t, repo, "status", "--porcelain"); status != "" || gitIn(t, repo, "rev-parse", "HEAD") != head || gitIn(t, repo, "branch", "--show-current") != "main" {
			t.Errorf("%s: the repository changed: %q", c.name, status)
		}
	}
	// An uncommitted edit of the overlay is not swept into the promotion's commit.
	file := filepath.Join(repo, scaffold.OverlayPath("payments", "payments-api", "prod"))
	old, _ := os.ReadFile(file)
	os.WriteFile(file, append(old, []byte("# a local edit\n")...), 0o644)
	if code, _, stderr := runCmd(t, append([]string{"app", "rollback", "--team", "payments", "--name", "payments-api", "--to", "v0.0.9"}, base...)...); code != 1 || !strings.Contains(stderr, "has uncommitted changes") {
		t.Errorf("a dirty overlay: exit %d %s", code, stderr)
	}
}
