package scaffold

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/example/platform/components/teams/teamplan"
)

// DevStack is the stack whose overlay an app's workflow proposes the new tag in. The workflow
// pushes to every stack's repository, each from the GitHub environment named after the stack
// (created in every team repository by components/teams): the OIDC subject that stack's push
// role trusts (teamplan.PushSubjects).
const DevStack = "dev"

// Actions are the actions the app workflows use, pinned to the commit their release tag names:
// the project's own pins where .github/workflows uses the action too (a test keeps them equal);
// the others read from the actions' repositories (tags v2.1.7, v3.1.1, v4.2.0 and v4.3.0).
var Actions = map[string]Action{
	"checkout":     {"actions/checkout", "11d5960a326750d5838078e36cf38b85af677262", "v4.4.0"},
	"upload":       {"actions/upload-artifact", "ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"},
	"download":     {"actions/download-artifact", "d3f86a106a0bac45b974a628896c90dbdf5c8093", "v4.3.0"},
	"aws":          {"aws-actions/configure-aws-credentials", "7474bc4690e29a8392af63c5b98e7449536d5c3a", "v4.3.1"},
	"ecr-login":    {"aws-actions/amazon-ecr-login", "03f1aad4c6c7ffd436567f42f9384779290529bd", "v2.1.7"},
	"github-token": {"actions/create-github-app-token", "1b10c78c7865c340bc4f6099eb2f838309f1e8c3", "v3.1.1"},
	"qemu":         {"docker/setup-qemu-action", "96fe6ef7f33517b61c61be40b68a1882f3264fb8", "v4.2.0"},
	"buildx":       {"docker/setup-buildx-action", "37fe631027851001ddb9b187196cc803df7f5f0e", "v4.3.0"},
}

// Action is an action pinned to a commit, with the release it is.
type Action struct{ Repo, SHA, Version string }

func (a Action) uses() string { return a.Repo + "@" + a.SHA + " # " + a.Version }

// CI is `platform app ci`'s input: the app (Team, Name), where its code lives and where its
// manifests live.
type CI struct {
	Team, Name string
	// Owner is platform:github.owner; Repo the app's repository there, one of the team's repos
	// (the push role trusts those only).
	Owner, Repo string
	// GitOpsRepo is OWNER/NAME of the GitOps repository; GitOpsBranch the branch the teams'
	// ApplicationSet reads (platform:argocd.teamsRevision), which the proposal targets.
	GitOpsRepo, GitOpsBranch string
}

var (
	ghRepo = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,37}[A-Za-z0-9])?/[A-Za-z0-9._-]{1,100}$`)
	gitRef = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$`)
)

// Validate checks the input against the stacks, naming the flag or config key of each problem.
func (c CI) Validate(stacks []Stack) error {
	var errs []error
	bad := func(flag, format string, v ...any) { errs = append(errs, fmt.Errorf("--"+flag+" "+format, v...)) }
	if !slices.ContainsFunc(stacks, func(s Stack) bool { return s.Name == DevStack }) {
		errs = append(errs, fmt.Errorf("no stack %s (Pulumi.%s.yaml): the workflow pushes in the team repository's GitHub environment %s, which the push role of that stack trusts", DevStack, DevStack, DevStack))
	}
	if !dnsLabel.MatchString(c.Name) || len(c.Name) > 40 {
		bad("name", "%q is not allowed: a DNS label of at most 40 characters (the app's name)", c.Name)
	}
	for _, s := range stacks {
		t, err := teamplan.Find(s.Teams, c.Team)
		if err != nil {
			var names []string
			for _, t := range s.Teams {
				names = append(names, t.Name)
			}
			bad("team", "%q is not a team of stack %s (platform:teams: %s)", c.Team, s.Name, strings.Join(names, ", "))
			continue
		}
		if dnsLabel.MatchString(c.Name) && !slices.Contains(t.Images, c.Name) {
			bad("name", "%q is not an image of team %s in stack %s (platform:teams[].images: %s): add it there first, so the stack creates its ECR repository", c.Name, c.Team, s.Name, strings.Join(t.Images, ", "))
		}
		var repos []string
		for _, r := range t.Repos {
			repos = append(repos, teamplan.RepoName(r))
		}
		if !slices.Contains(repos, c.Repo) {
			bad("repo", "%q is not a repository of team %s in stack %s (platform:teams[].repos: %s): the push role trusts those only", c.Repo, c.Team, s.Name, strings.Join(repos, ", "))
		}
	}
	if c.Owner == "" {
		errs = append(errs, errors.New("platform:github.owner is not set in stack "+DevStack+": the push role trusts repositories of that organization"))
	}
	if !ghRepo.MatchString(c.GitOpsRepo) {
		bad("gitops-repo", "%q is not allowed: OWNER/NAME of the GitOps repository (default platform:github.owner/platform:github.gitopsRepo)", c.GitOpsRepo)
	}
	if !gitRef.MatchString(c.GitOpsBranch) || strings.Contains(c.GitOpsBranch, "..") {
		errs = append(errs, fmt.Errorf("platform:argocd.teamsRevision %q is not a branch name", c.GitOpsBranch))
	}
	return errors.Join(errs...)
}

// Files are the app repository's workflow, by path in that repository.
func (c CI) Files(stacks []Stack) (map[string]string, error) {
	if err := c.Validate(stacks); err != nil {
		return nil, err
	}
	return map[string]string{".github/workflows/" + c.Name + ".yml": c.workflow(stacks)}, nil
}

// OverlayEdit is the script that sets the dev overlay's tag: it edits the one images entry
// `platform app new` writes, and refuses (changing nothing) when it finds no such line or
// several, rather than guess. sed is on every runner; nothing is installed. The line keeps its
// form, so `platform app promote` (ImageTagOf) reads the tag back.
const OverlayEdit = `entry="^([[:space:]]*- \{name: ${APP}, newName: [^,}]+, newTag: )[^,}[:space:]]+\}[[:space:]]*$"
count=$(grep -cE "$entry" "$OVERLAY" || true)
if [ "$count" != 1 ]; then
  echo "::error file=$OVERLAY::found $count lines '- {name: $APP, newName: ..., newTag: ...}' (the form platform app new writes): set the tag $TAG by hand"
  exit 1
fi
# Quoted where YAML would read a number (a SHA of digits and one e): kustomize needs a string.
case "$TAG" in
  *[!0-9eE.+-]*) value=$TAG ;;
  *) value="\"$TAG\"" ;;
esac
sed -E -i "s|$entry|\1${value}}|" "$OVERLAY"`

// PushJob is the job that pushes the image to a stack's repository.
func PushJob(stack string) string { return "push-" + stack }

// workflow builds the image once, for every platform a node may run (Platforms), on pull
// requests with no credential at all. On main, one job per stack, in the stack's GitHub environment (the OIDC subject its push role trusts),
// pushes that same image as <commit sha>, an immutable tag, to the team's repository there:
// `platform app promote` then only copies dev's tag into another overlay. The propose job opens
// or updates one pull request in the GitOps repository setting the dev overlay to that tag,
// with a GitHub App token limited to that repository. Scripts read only env: nothing from Git
// (branch names, messages) is expanded into them.
func (c CI) workflow(stacks []Stack) string {
	gitopsOwner, gitopsName, _ := strings.Cut(c.GitOpsRepo, "/")
	dir := "teams/" + c.Team + "/apps/" + c.Name
	var b strings.Builder
	fmt.Fprintf(&b, `# %[1]s of team %[2]s: its image, from this repository to the GitOps repository.
#   pull requests: build the image for %[9]s (every architecture a node group may
#   run), with no credential (contents: read only);
#   %[6]s: build it once, push it as <commit sha> (an immutable tag) to the team's ECR repository
#   of each stack through that stack's push role (OIDC, the environment named after the stack),
#   then propose that tag in %[4]s's %[5]s/overlays/%[3]s as a pull request.
# Setup (README "App pipelines"): the platform sets the variable AWS_ROLE_ARN (the stack's push
# role) in each stack's environment; in environment %[3]s, the variable GITOPS_APP_CLIENT_ID
# and the secret GITOPS_APP_PRIVATE_KEY (a GitHub App installed on %[4]s with contents and
# pull requests write).
# Written by platform app ci --team %[2]s --name %[1]s --gitops-repo %[4]s.
name: %[1]s

on:
  push:
    branches: [%[6]s]
  pull_request:

# Each job names what it needs; nothing by default.
permissions: {}

defaults:
  run:
    shell: bash

env:
  APP: %[1]s
  # Every architecture a node group may run (x86_64, arm64 Graviton), whatever the stacks run
  # today: a platform missing here fails on those nodes with "exec format error".
  PLATFORMS: %[9]s

jobs:
  build:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: %[7]s
        with:
          persist-credentials: false
      # The runner is amd64: QEMU runs the other platforms' RUN steps.
      - uses: %[10]s
        with:
          platforms: %[11]s
      # A docker-container builder: the runner's default builder builds one platform only.
      - uses: %[12]s
      - name: Build the image
        run: docker buildx build --platform "$PLATFORMS" --provenance=false --output type=oci,dest=image.tar .
      - name: Check the image's platforms
        run: |
          %[13]s
      - if: github.event_name == 'push'
        uses: %[8]s
        with:
          name: image
          path: image.tar
          retention-days: 1
          if-no-files-found: error
`, c.Name, c.Team, DevStack, c.GitOpsRepo, dir, teamplan.PushRefs.Branch, Actions["checkout"].uses(), Actions["upload"].uses(),
		strings.Join(Platforms, ","), Actions["qemu"].uses(), emulated(), Actions["buildx"].uses(), indent(PlatformCheck, "          "))
	for _, s := range stacks {
		fmt.Fprintf(&b, `
  %[1]s:
    # Environment %[2]s admits %[3]s and release tags only: its OIDC subject is the one the push
    # role of stack %[2]s trusts, so no other ref can push.
    needs: build
    if: github.event_name == 'push' && github.repository == '%[4]s/%[5]s'
    runs-on: ubuntu-latest
    environment: %[2]s
    permissions:
      id-token: write
    env:
      IMAGE_REPOSITORY: %[6]s
      AWS_REGION: %[7]s
    steps:
      - name: Check the push role is set
        env:
          ROLE: ${{ vars.AWS_ROLE_ARN }}
        run: |
          if [ -z "$ROLE" ]; then
            echo "::error::environment %[2]s has no variable AWS_ROLE_ARN: the platform sets it for the repositories in platform:teams[].repos of team %[8]s (stack output teams.%[8]s.pushRole)"
            exit 1
          fi
      - uses: %[9]s
        with:
          name: image
      - uses: %[10]s
        with:
          role-to-assume: ${{ vars.AWS_ROLE_ARN }}
          aws-region: ${{ env.AWS_REGION }}
          role-duration-seconds: 900
      - id: ecr
        uses: %[11]s
      - name: Push the image
        env:
          REGISTRY: ${{ steps.ecr.outputs.registry }}
        run: |
          # Tags are immutable: a re-run finds its image pushed already.
          if aws ecr describe-images --repository-name "$IMAGE_REPOSITORY" --image-ids "imageTag=$GITHUB_SHA" >/dev/null 2>&1; then
            echo "::notice::$IMAGE_REPOSITORY:$GITHUB_SHA is pushed already"
            exit 0
          fi
          # Each platform's image, then the index under the tag, digests unchanged: every stack
          # runs the same image. skopeo is on the runner and reads amazon-ecr-login's login.
          skopeo copy --all --preserve-digests oci-archive:image.tar "docker://$REGISTRY/$IMAGE_REPOSITORY:$GITHUB_SHA"
`, PushJob(s.Name), s.Name, teamplan.PushRefs.Branch, c.Owner, c.Repo, teamplan.ECRRepositoryName(s.Cluster, c.Team, c.Name), s.Region, c.Team,
			Actions["download"].uses(), Actions["aws"].uses(), Actions["ecr-login"].uses())
	}
	fmt.Fprintf(&b, `
  propose:
    needs: %[1]s
    if: github.event_name == 'push'
    runs-on: ubuntu-latest
    # For its secret: only %[2]s and release tags can read it.
    environment: %[3]s
    # The GITHUB_TOKEN is not used: the App's token below acts on the GitOps repository only.
    permissions: {}
    # One proposal at a time; a newer commit's replaces an unmerged one.
    concurrency:
      group: %[4]s-propose-%[3]s
      cancel-in-progress: false
    env:
      GITOPS_REPO: %[5]s
      OVERLAY: %[6]s
      TAG: ${{ github.sha }}
      BRANCH: platform/%[3]s/%[7]s/%[4]s
    steps:
      - id: token
        uses: %[8]s
        with:
          client-id: ${{ vars.GITOPS_APP_CLIENT_ID }}
          private-key: ${{ secrets.GITOPS_APP_PRIVATE_KEY }}
          owner: %[9]s
          repositories: %[10]s
          permission-contents: write
          permission-pull-requests: write
      - uses: %[11]s
        with:
          repository: %[5]s
          ref: %[12]s
          token: ${{ steps.token.outputs.token }}
          path: gitops
      - name: Set the %[3]s overlay's tag
        working-directory: gitops
        run: |
          %[13]s
      - name: Open or update the pull request
        working-directory: gitops
        env:
          GH_TOKEN: ${{ steps.token.outputs.token }}
          BOT: ${{ steps.token.outputs.app-slug }}[bot]
          BASE: %[12]s
          RUN: ${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}
        run: |
          if git diff --quiet; then
            echo "::notice::$OVERLAY is at $TAG already"
            exit 0
          fi
          git config user.name "$BOT"
          git config user.email "$BOT@users.noreply.github.com"
          git switch -c "$BRANCH"
          git commit -am "$APP: %[3]s runs $TAG" -m "Pushed by $RUN"
          git push --force origin "HEAD:refs/heads/$BRANCH"
          title="$APP: %[3]s runs ${TAG:0:12}"
          if [ -n "$(gh pr list --repo "$GITOPS_REPO" --head "$BRANCH" --state open --json number --jq '.[].number')" ]; then
            gh pr edit "$BRANCH" --repo "$GITOPS_REPO" --title "$title"
          else
            gh pr create --repo "$GITOPS_REPO" --base "$BASE" --head "$BRANCH" --title "$title" --body "The image $APP:$TAG, built and pushed by $RUN."
          fi
`, PushJob(DevStack), teamplan.PushRefs.Branch, DevStack, c.Name, c.GitOpsRepo, OverlayPath(c.Team, c.Name, DevStack), c.Team,
		Actions["github-token"].uses(), gitopsOwner, gitopsName, Actions["checkout"].uses(), c.GitOpsBranch, indent(OverlayEdit, "          "))
	return b.String()
}
