package cli

import (
	"flag"
	"fmt"
	"io"

	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/scaffold"
)

// appCICmd is `platform app ci`: the app repository's GitHub Actions workflow, which builds
// the image on pull requests and, on main, pushes it and proposes its tag to the dev overlay.
// The image is built for every node architecture (scaffold.Platforms), not only those the
// stacks run now: the workflow is written once, the stacks' node groups change after.
func appCICmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("app ci", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c scaffold.CI
	fs.StringVar(&c.Team, "team", "", "the team (platform:teams)")
	fs.StringVar(&c.Name, "name", "", "the application's name: one of the team's images (platform:teams[].images)")
	fs.StringVar(&c.Repo, "repo", "", "the app's repository in platform:github.owner, one of the team's repos (default: the app's name)")
	fs.StringVar(&c.GitOpsRepo, "gitops-repo", "", "OWNER/NAME of the GitOps repository (default: platform:github.owner/platform:github.gitopsRepo)")
	out := fs.String("out", ".", "the app repository's directory")
	dir := fs.String("dir", "", "project directory (default: the nearest directory with a Pulumi.yaml)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "platform app ci: unexpected argument %q: every input is a flag\n", fs.Arg(0))
		return 2
	}
	stacks, err := loadStacks(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "platform app ci: %v\n", err)
		return 1
	}
	if err := devGitHub(*dir, &c); err != nil {
		fmt.Fprintf(stderr, "platform app ci: %v\n", err)
		return 1
	}
	files, err := c.Files(stacks)
	if err != nil {
		fmt.Fprintf(stderr, "platform app ci: %v\n", err)
		return 1
	}
	return writeAll("app ci", *out, files, stdout, stderr)
}

// devGitHub fills in what the dev stack's config says: the organization, the GitOps
// repository (unless --gitops-repo names it) and the branch the teams' apps deploy from.
func devGitHub(dir string, c *scaffold.CI) error {
	cfg, err := stackConfig(dir, scaffold.DevStack)
	if err != nil {
		return fmt.Errorf("stack %s: %s (the workflow pushes in its environment)", scaffold.DevStack, describeError(err))
	}
	c.Owner = cfg.GitHub.Owner
	if c.Repo == "" {
		c.Repo = c.Name
	}
	if c.GitOpsRepo == "" && cfg.GitHub.Owner != "" && cfg.GitHub.GitOpsRepo != "" {
		c.GitOpsRepo = cfg.GitHub.Owner + "/" + cfg.GitHub.GitOpsRepo
	}
	c.GitOpsBranch = cfg.ArgoCD.TeamsRevision
	if config.IsReleaseTag(c.GitOpsBranch) {
		c.GitOpsBranch = "main"
	}
	return nil
}
