// Package cli is the `platform` command (cmd/platform runs it): plan, cost, diff and graph
// offline, and preview/up/refresh/destroy through the Automation API. `platform plan` runs
// the real program offline, under mocks, and prints what `pulumi up` would create.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/runner"
)

const usage = `platform: the platform program's companion command

Usage:
  platform plan --stack STACK [--json] [--timeline [--parallel N]] [--dir DIR]
  platform cost --stack STACK [--by team] [--json | --markdown] [--dir DIR]
  platform diff (--base A.json | --base-ref REF) (--head B.json | --stack STACK) [--json] [--timeline] [--dir DIR]
  platform graph --stack STACK [--dir DIR]
  platform gitops init [DIR] [--dir DIR]
  platform app new --team T --name N [--image REPO | --account ID] [--port P] [--host H] [--secret KEY]... [--repo DIR] [--dir DIR]
  platform app ci --team T --name N [--repo R] [--gitops-repo OWNER/NAME] [--out DIR] [--dir DIR]
  platform app promote --team T --name N [--from dev] [--to prod] [--repo DIR] [--commit] [--dir DIR]
  platform app rollback --team T --name N [--stack prod] [--to TAG] [--repo DIR] [--commit] [--dir DIR]
  platform team add --name T --github-team G [--access-role [STACK=]ARN]... [--repo NAME]... [--namespace NS]... [--image NAME]... [--ingress shared|dedicated] [--stack S]... [--gitops DIR] [--dir DIR]
  platform secret set --stack S --team T [--role-arn ARN] [--overwrite] NAME   (the value on stdin)
  platform secret list --stack S --team T [--role-arn ARN] [--dir DIR]
  platform restore db --stack S --team T --name N (--snapshot ID|ARN | --time RFC3339 | --latest) [--as NEWNAME] [--write] [--dir DIR]
  platform restore volume --stack S --namespace NS --claim PVC --recovery-point ARN --az AZ [--size GiB] [--dir DIR]
  platform charts mirror [--repository URL]
  platform connect kube --stack S [--local-port P] [--role-arn ARN]
  platform connect db --stack S --team T --name N [--local-port P] [--role-arn ARN]
  platform preview|up|refresh --stack STACK [--stack STACK ...] [--yes] [--dir DIR]
  platform destroy --stack STACK [--stack STACK ...] [--yes] [--confirm-destroy STACK ...] [--sweep] [--dir DIR]

Commands:
  plan   run the program offline (no AWS account, no Pulumi CLI, no network) for the stack's
         Pulumi.<stack>.yaml and print the resources a 'pulumi up' would create, grouped by
         component. --json prints the whole plan (one object per resource) for tools and diffs.
         --timeline models the first up's duration instead: the total with pulumi's parallelism,
         its floor (control plane, node group, slowest addon) and the critical path, each step
         with the source of its duration.
  cost   the stack's estimated monthly AWS cost from its offline plan and the embedded, dated
         price table: one line per billable resource, assumptions printed, unknown prices as
         explicit "unpriced" lines.
  diff   added, removed and changed resources between two plans (with the changed keys and the
         changes that force a replacement) and the monthly cost delta, as Markdown for a pull
         request; --base-ref plans the base at a git ref in a temporary worktree.
         --timeline adds the change's modelled duration and its critical path.
  graph  the component graph as a Mermaid diagram.
  gitops init
         write the GitOps repository's skeleton into DIR (default .): clusters/<stack>/ per stack,
         teams/<team>/ per team, a README with the layout and the promotion rule. Refuses to
         overwrite a file that differs, and names it.
  app new
         write a team application into the GitOps repository (--repo): teams/T/apps/N/base/
         (Deployment, Service, Ingress on the team's class, ExternalSecret per --secret,
         ServiceMonitor, PodDisruptionBudget, HorizontalPodAutoscaler) and overlays/<stack>/.
  app ci
         write the app repository's GitHub Actions workflow (.github/workflows/N.yml under --out):
         pull requests build only, with no credentials; main builds once, pushes the image to
         the team's ECR repository of every stack through its push role (OIDC, in the stack's
         environment) and proposes the new tag in the dev overlay of the GitOps repository.
  app promote, app rollback
         copy an app's image tag from one stack's overlay to another's (default dev to prod),
         or set the previous one back (from the overlay's Git history, or --to TAG): one line
         of one app's overlay, committed on a new branch with --commit, for the team's pull
         request. The teams' ApplicationSet follows main (platform:argocd.teamsRevision), so the
         merge deploys it: no platform release, no pulumi up.
  team add
         add a team to platform:teams of every stack (or each --stack) and write teams/T/README.md
         into the GitOps repository (--gitops, default .), validated as plan validates; never
         replaces a team or a differing file, and writes nothing when anything is refused.
  secret set, secret list
         write a team's secret (an SSM SecureString under /<cluster>/teams/<team>/, the value
         read from stdin, never an argument) or list its names and versions (never values),
         with the caller's credentials or the team's writer role (--role-arn).
  cost --by team
         each team's dedicated resources and its share of the nodes by its CPU quota, and the
         platform's shared part; the lines add up to the stack's total.
  restore db, restore volume
         plan a restore and run nothing. db: a NEW database from a snapshot or a point in time,
         as an entry of the team's databases with restoreFrom and the source's settings (checked
         as plan checks config; --write adds it to the stack file), and the commands that apply
         it, switch the app and retire the old one. volume: the AWS Backup restore job of an EBS
         recovery point, its tags, and the PersistentVolume and claim that hand it back.
  charts mirror
         the pinned charts and versions a chart mirror (platform:helm.repository) must hold,
         and the helm commands that copy each one from upstream into it.

  preview, up, refresh, destroy
         run Pulumi (Automation API, the pulumi CLI on PATH, your login and AWS credentials)
         on each stack in order, streaming progress and printing a summary, stopping at the
         first failure. up/destroy need --yes outside a terminal. destroy shows what it
         deletes (counts by type) and what is protected; a prod stack, or one with protected
         resources, also needs --confirm-destroy STACK (at a terminal without --yes, it asks
         for the stack name). It then turns Argo CD's automated sync off, deletes Ingresses,
         LoadBalancer Services (waiting for their ALBs/NLBs) and persistent volume claims
         (waiting for their EBS volumes), destroys, and lists what is still owned by the
         cluster in the stack's account, region and VPC, also after a failed destroy: exit 3
         if anything is, or deletes it with --sweep (needs kubectl and AWS credentials of
         the stack's account). See README, "Destroying a stack".
`

// Run is the command without the process: it returns the exit code (0 ok, 1 failed, 2 bad
// usage). The tests run it in the whole-program test binary (tests/cli_test.go), which links
// the program anyway.
func Run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	switch args[0] {
	case "plan":
		return planCmd(args[1:], stdout, stderr)
	case "cost":
		return costCmd(args[1:], stdout, stderr)
	case "diff":
		return diffCmd(args[1:], stdout, stderr)
	case "graph":
		return graphCmd(args[1:], stdout, stderr)
	case "gitops":
		return gitopsCmd(args[1:], stdout, stderr)
	case "app":
		return appCmd(args[1:], stdout, stderr)
	case "charts":
		return chartsCmd(args[1:], stdout, stderr)
	case "team":
		return teamCmd(args[1:], stdout, stderr)
	case "secret":
		return secretCmd(args[1:], os.Stdin, stdout, stderr)
	case "restore":
		return restoreCmd(args[1:], stdout, stderr)
	case "connect":
		return connectCmd(args[1:], stdout, stderr)
	case "preview", "up", "refresh", "destroy":
		op, _ := runner.ParseOperation(args[0])
		return deployCmd(op, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "platform: unknown command %q\n\n%s", args[0], usage)
	return 2
}

func planCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stack := fs.String("stack", "", "stack name: reads Pulumi.<stack>.yaml (required)")
	asJSON := fs.Bool("json", false, "print the plan as JSON")
	dir := fs.String("dir", "", "project directory (default: the nearest directory with a Pulumi.yaml)")
	withTimeline := fs.Bool("timeline", false, "print the first up's modelled duration and critical path instead of the tree (with --json: the plan with a \"timeline\" key)")
	parallel := fs.Int("parallel", 0, "with --timeline: pulumi's --parallel to model (default: pulumi's default, 4 x CPUs or PULUMI_PARALLEL)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *stack == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "platform plan: --stack is required, e.g. platform plan --stack dev")
		return 2
	}
	plan, ok := planInDir("plan", *dir, *stack, stderr)
	if !ok {
		return 1
	}
	var err error
	if *withTimeline {
		err = writeTimeline(stdout, plan, *parallel, *asJSON)
	} else if *asJSON {
		err = writeJSON(stdout, plan)
	} else {
		err = writeTree(stdout, plan)
	}
	if err != nil {
		fmt.Fprintln(stderr, "platform plan:", err)
		return 1
	}
	return 0
}

// describeError prints config errors as the program reports them, without the SDK's
// "1 error occurred" wrapping.
func describeError(err error) string {
	var cfgErr config.Errors
	if errors.As(err, &cfgErr) {
		return cfgErr.Error()
	}
	if multi, ok := err.(interface{ WrappedErrors() []error }); ok {
		var lines []string
		for _, e := range multi.WrappedErrors() {
			lines = append(lines, e.Error())
		}
		return strings.Join(lines, "\n")
	}
	return err.Error()
}

// findProject returns dir, or the nearest directory upwards from the working directory that
// holds a Pulumi.yaml.
func findProject(dir string) (string, error) {
	if dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "Pulumi.yaml")); err != nil {
			return "", fmt.Errorf("--dir %s: no Pulumi.yaml there", dir)
		}
		return dir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "Pulumi.yaml")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("no Pulumi.yaml in this directory or above; run from the project or pass --dir")
		}
	}
}
