package tests

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"testing"

	"github.com/hmarr/codeowners"

	"github.com/example/platform/components/githubint/ghplan"
	"github.com/example/platform/internal/planner"
)

// The repositories' code owners, as GitHub resolves them (github.com/hmarr/codeowners applies
// GitHub's rules: gitignore-style patterns, the last match wins): in the GitOps repository each
// team's directory is its GitHub team's, everything else (clusters/, CODEOWNERS itself, a team
// without a GitHub team) the platform's admins'; in the infrastructure repository everything is
// the admins'. Only prod manages them (platform:github.protectRepositories); dev leaves them.
func TestCodeOwners(t *testing.T) {
	p := stackPlan(t, "prod")
	owners := func(resource string) codeowners.Ruleset {
		f := p.named(t, "github:index/repositoryFile:RepositoryFile", resource)
		if getString(f, "file") != ghplan.CodeOwnersPath || get(f, "overwriteOnCreate") != true {
			t.Errorf("%s: %v", resource, f.Inputs)
		}
		rules, err := codeowners.ParseFile(strings.NewReader(getString(f, "content")))
		if err != nil {
			t.Fatalf("%s: GitHub would not read it: %v", resource, err)
		}
		return rules
	}
	check := func(repo string, rules codeowners.Ruleset, path, want string) {
		t.Helper()
		rule, err := rules.Match(path)
		var got []string
		if rule != nil {
			for _, o := range rule.Owners {
				got = append(got, o.String())
			}
		}
		if err != nil || strings.Join(got, " ") != want {
			t.Errorf("%s: %s is owned by %v (%v), want %s", repo, path, got, err, want)
		}
	}
	gitops := owners("github-gitops-codeowners")
	for path, want := range map[string]string{
		"teams/payments/apps/payments-api/overlays/prod/kustomization.yaml": "@example-org/payments-devs",
		"teams/payments/README.md":                          "@example-org/payments-devs",
		"teams/search/apps/search-api/base/deployment.yaml": "@example-org/search-devs",
		"teams/search-jobs/apps/x/base/job.yaml":            "@example-org/platform",
		"teams/payments-x/apps/a/base/d.yaml":               "@example-org/platform",
		"clusters/prod/apps.yaml":                           "@example-org/platform",
		".github/CODEOWNERS":                                "@example-org/platform",
		"README.md":                                         "@example-org/platform",
	} {
		check("gitops", gitops, path, want)
	}
	infra := owners("github-infra-codeowners")
	for _, path := range []string{".github/workflows/release.yml", "Pulumi.prod.yaml", "teams/payments/x"} {
		check("infra", infra, path, "@example-org/platform")
	}
	for _, typ := range []string{"github:index/repositoryFile:RepositoryFile", "github:index/repositoryRuleset:RepositoryRuleset", "github:index/actionsRunnerGroup:ActionsRunnerGroup"} {
		if n := len(stackPlan(t, "dev").ofType(typ)); n != 0 {
			t.Errorf("dev manages %d %s: one stack (prod) manages the shared repositories", n, typ)
		}
	}
}

// The rulesets: on each repository's default branch, pull requests approved by the code owners
// of what changes (approvals reset by a new push, the last push approved by someone else), no
// force push or deletion, bypassed only by organization owners; release tags created by the
// admin teams (and owners) only, and moved or deleted by nobody.
func TestRepositoryRulesets(t *testing.T) {
	p := stackPlan(t, "prod")
	h := fnv.New32a()
	h.Write([]byte("platform")) // the offline plan's id of the admin team (planner mocks)
	adminTeam := fmt.Sprint(h.Sum32() % 10000000)
	for _, repo := range []struct{ key, name string }{{"gitops", "gitops"}, {"infra", "platform-infra"}} {
		r := func(suffix string) planner.Resource {
			return p.named(t, "github:index/repositoryRuleset:RepositoryRuleset", "github-"+repo.key+"-"+suffix)
		}
		actors := func(rs planner.Resource) []string {
			var out []string
			list, _ := get(rs, "bypassActors").([]any)
			for _, a := range list {
				m := a.(map[string]any)
				id, _ := m["actorId"].(float64)
				out = append(out, fmt.Sprintf("%v:%d:%v", m["actorType"], int(id), m["bypassMode"]))
			}
			slices.Sort(out)
			return out
		}
		branch := r("default-branch")
		if getString(branch, "repository") != repo.name || getString(branch, "target") != "branch" || getString(branch, "enforcement") != "active" ||
			strings.Join(getStrings(branch, "conditions.refName.includes"), ",") != "~DEFAULT_BRANCH" ||
			get(branch, "rules.pullRequest.requireCodeOwnerReview") != true || get(branch, "rules.pullRequest.requiredApprovingReviewCount") != 1.0 ||
			get(branch, "rules.pullRequest.dismissStaleReviewsOnPush") != true || get(branch, "rules.pullRequest.requireLastPushApproval") != true ||
			get(branch, "rules.nonFastForward") != true || get(branch, "rules.deletion") != true ||
			strings.Join(actors(branch), ",") != "OrganizationAdmin:1:always" {
			t.Errorf("%s default branch ruleset = %v", repo.key, branch.Inputs)
		}
		create := r("release-tags-create")
		if getString(create, "target") != "tag" || strings.Join(getStrings(create, "conditions.refName.includes"), ",") != ghplan.ReleaseTagPattern ||
			get(create, "rules.creation") != true || strings.Join(actors(create), ",") != "OrganizationAdmin:1:always,Team:"+adminTeam+":always" {
			t.Errorf("%s release tag creation ruleset = %v", repo.key, create.Inputs)
		}
		immutable := r("release-tags-immutable")
		if getString(immutable, "target") != "tag" || strings.Join(getStrings(immutable, "conditions.refName.includes"), ",") != ghplan.ReleaseTagPattern ||
			get(immutable, "rules.update") != true || get(immutable, "rules.deletion") != true || get(immutable, "rules.nonFastForward") != true ||
			len(actors(immutable)) != 0 || get(immutable, "enforcement") != "active" {
			t.Errorf("%s immutable release tags ruleset = %v", repo.key, immutable.Inputs)
		}
		// CODEOWNERS lands before the branch ruleset (which would refuse a direct commit from
		// anyone but an organization owner).
		if !depends(branch, p.named(t, "github:index/repositoryFile:RepositoryFile", "github-"+repo.key+"-codeowners")) {
			t.Errorf("%s: the branch ruleset does not wait for CODEOWNERS", repo.key)
		}
	}
}
