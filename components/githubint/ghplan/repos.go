package ghplan

import (
	"fmt"
	"sort"
	"strings"
)

// Who may change the repositories the platform deploys from. Write access to the GitOps
// repository is write access to the cluster (Argo CD deploys it), and to the infrastructure
// repository to the account (its workflows deploy with the CI role); so both repositories'
// default branches take reviewed pull requests only, with review by the code owners of what
// changes, and release tags, which prod follows, are created by the platform's admins only and
// never moved or deleted. Organization owners bypass the rules (they can change them anyway),
// which lets the program, acting as one, write CODEOWNERS.

// CodeOwnersPath is where GitHub reads a repository's code owners.
const CodeOwnersPath = ".github/CODEOWNERS"

// TeamDir is a team's directory in the GitOps repository and its GitHub team.
type TeamDir struct{ Team, GitHubTeam string }

// CodeOwners gives everything to the platform's admin teams and each teams/<team>/ directory to
// the team's GitHub team (teams without one stay the admins'). GitHub applies the last
// matching line, so the teams' lines come after the catch-all.
func CodeOwners(owner string, admins []string, teams []TeamDir) string {
	var b strings.Builder
	b.WriteString("# Managed by the platform program (components/githubint): edits here are undone on the\n")
	b.WriteString("# next `pulumi up`. A change needs the approval of the owners of what it touches.\n")
	fmt.Fprintf(&b, "*  %s\n", handles(owner, admins))
	sorted := append([]TeamDir(nil), teams...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Team < sorted[j].Team })
	for _, t := range sorted {
		if t.GitHubTeam != "" {
			fmt.Fprintf(&b, "/teams/%s/  %s\n", t.Team, handles(owner, []string{t.GitHubTeam}))
		}
	}
	return b.String()
}

func handles(owner string, teams []string) string {
	out := make([]string, len(teams))
	for i, t := range teams {
		out[i] = "@" + owner + "/" + t
	}
	return strings.Join(out, " ")
}

// ReleaseTagPattern is the release tags' pattern, as rulesets name refs.
const ReleaseTagPattern = "refs/tags/v*"

// Ruleset bypass actors: an organization owner (GitHub's OrganizationAdmin has id 1).
const (
	OrganizationAdminActorID = 1
	OrganizationAdminActor   = "OrganizationAdmin"
	TeamActor                = "Team"
)

// ReleaseWorkflow is the workflow that deploys the stacks whose runners are self-hosted, as a
// runner group names it: the workflow file on the default branch. The runner group serves this
// one job definition, so a workflow on any other branch (anyone with write access can push one)
// never runs on the runners inside the stack's network.
func ReleaseWorkflow(owner, repo string) string {
	return owner + "/" + repo + "/.github/workflows/release.yml@refs/heads/main"
}

// ReleaseWorkflowName is the release workflow's name (its `name:`), which the CodeBuild
// runners' webhook matches (WORKFLOW_NAME): GitHub's workflow_job event names the workflow, not
// its file or branch, so this filter is a convenience, not a boundary (components/runners).
const ReleaseWorkflowName = "release"

// RunnerGroup is the runner group of a stack's self-hosted runners.
func RunnerGroup(stack string) string { return "platform-" + stack }

// EnvironmentSubject is the OIDC subject of a job in environment env of repository
// owner/repo: the only subject the roles trusting a repository's workflows accept, because an
// environment's deployment policy decides which refs may run in it and a branch or tag
// subject would skip that.
func EnvironmentSubject(owner, repo, env string) string {
	return fmt.Sprintf("repo:%s/%s:environment:%s", owner, repo, env)
}
