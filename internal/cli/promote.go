package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/example/platform/components/teams/teamplan"
	"github.com/example/platform/internal/scaffold"
)

// A team's promotion is a commit to one app's overlay of the target stack in the GitOps
// repository: the ApplicationSet follows the protected default branch (platform:argocd.
// teamsRevision), so the merge of the team's pull request, approved by its code owners,
// deploys it, inside the project's sync windows, without a platform release or `pulumi up`,
// and moving no other app.

// moveFlags are what promote and rollback share.
type moveFlags struct {
	team, app, repo, dir string
	commit               bool
}

func (m *moveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&m.team, "team", "", "the team (platform:teams)")
	fs.StringVar(&m.app, "name", "", "the application (teams/<team>/apps/<name> in the GitOps repository)")
	fs.StringVar(&m.repo, "repo", ".", "the GitOps repository's directory")
	fs.StringVar(&m.dir, "dir", "", "project directory (default: the nearest directory with a Pulumi.yaml)")
	fs.BoolVar(&m.commit, "commit", false, "create a branch and commit the change on it (git), ready to push for a pull request")
}

// check validates the team, the app and the stacks named, naming the flag of each problem.
func (m *moveFlags) check(stackFlags map[string]string) error {
	stacks, err := loadStacks(m.dir)
	if err != nil {
		return err
	}
	var errs []error
	names := map[string]bool{}
	var all []string
	for _, s := range stacks {
		names[s.Name] = true
		all = append(all, s.Name)
		if _, err := teamplan.Find(s.Teams, m.team); err != nil {
			errs = append(errs, fmt.Errorf("--team %q is not a team of stack %s (platform:teams)", m.team, s.Name))
		}
	}
	if !scaffold.ValidAppName(m.app) {
		errs = append(errs, fmt.Errorf("--name %q is not an application name (a DNS label of at most 40 characters)", m.app))
	}
	for _, f := range []string{"from", "to", "stack"} {
		if v, ok := stackFlags[f]; ok && !names[v] {
			errs = append(errs, fmt.Errorf("--%s %q is not a stack of the project (%s)", f, v, strings.Join(all, ", ")))
		}
	}
	return errors.Join(errs...)
}

func (m *moveFlags) readOverlay(stack string) (string, []byte, error) {
	rel := scaffold.OverlayPath(m.team, m.app, stack)
	b, err := os.ReadFile(filepath.Join(m.repo, rel))
	if err != nil {
		return rel, nil, fmt.Errorf("--name: no overlay %s in --repo %s (%v): write the app first with platform app new", rel, m.repo, err)
	}
	return rel, b, nil
}

func appPromoteCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("app promote", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var m moveFlags
	m.register(fs)
	from := fs.String("from", "dev", "the stack whose overlay's image tag is promoted")
	to := fs.String("to", "prod", "the stack whose overlay gets the tag")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || *from == *to {
		fmt.Fprintln(stderr, "platform app promote: --from and --to must be two different stacks, and nothing else follows the flags")
		return 2
	}
	fail := func(err error) int { fmt.Fprintf(stderr, "platform app promote: %v\n", err); return 1 }
	if err := m.check(map[string]string{"from": *from, "to": *to}); err != nil {
		return fail(err)
	}
	fromPath, src, err := m.readOverlay(*from)
	if err != nil {
		return fail(err)
	}
	tag, err := scaffold.ImageTagOf(src, m.app)
	if err != nil {
		return fail(fmt.Errorf("%s %w", fromPath, err))
	}
	return m.move(*to, "promote", func(_, _ string) (string, string, error) {
		return tag, fmt.Sprintf("promote %s/%s to %s: %s (from %s)", m.team, m.app, *to, tag, *from), nil
	}, stdout, stderr)
}

func appRollbackCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("app rollback", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var m moveFlags
	m.register(fs)
	stack := fs.String("stack", "prod", "the stack whose overlay is rolled back")
	to := fs.String("to", "", "the tag to go back to (default: the tag before the current one in the overlay's Git history)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, "platform app rollback: nothing follows the flags")
		return 2
	}
	fail := func(err error) int { fmt.Fprintf(stderr, "platform app rollback: %v\n", err); return 1 }
	if err := m.check(map[string]string{"stack": *stack}); err != nil {
		return fail(err)
	}
	return m.move(*stack, "rollback", func(rel, current string) (string, string, error) {
		target := *to
		if target == "" {
			var err error
			if target, err = previousTag(m.repo, rel, m.app, current); err != nil {
				return "", "", err
			}
		}
		return target, fmt.Sprintf("roll back %s/%s in %s: %s (was %s)", m.team, m.app, *stack, target, current), nil
	}, stdout, stderr)
}

// move sets the stack's overlay to the tag target gives (from the overlay's path and current
// tag, with the commit message), and with --commit commits it on a new branch. Every check
// runs before the first write.
func (m *moveFlags) move(stack, cmd string, target func(rel, current string) (tag, msg string, err error), stdout, stderr io.Writer) int {
	fail := func(err error) int { fmt.Fprintf(stderr, "platform app %s: %v\n", cmd, err); return 1 }
	rel, old, err := m.readOverlay(stack)
	if err != nil {
		return fail(err)
	}
	current, err := scaffold.ImageTagOf(old, m.app)
	if err != nil {
		return fail(fmt.Errorf("%s %w", rel, err))
	}
	tag, msg, err := target(rel, current)
	if err != nil {
		return fail(err)
	}
	if current == tag {
		return fail(fmt.Errorf("%s/%s is already at %s in %s (%s): nothing to do", m.team, m.app, tag, stack, rel))
	}
	updated, err := scaffold.SetImageTag(old, m.app, tag)
	if err != nil {
		return fail(fmt.Errorf("the tag to set (%s's overlay for promote, --to for rollback): %w", stack, err))
	}
	branch := fmt.Sprintf("%s/%s/%s/%s-%s", cmd, m.team, m.app, stack, tag)
	if m.commit {
		if err := gitReady(m.repo, rel, branch); err != nil {
			return fail(err)
		}
		if _, err := git(m.repo, "switch", "--quiet", "-c", branch); err != nil {
			return fail(err)
		}
	}
	if err := os.WriteFile(filepath.Join(m.repo, rel), updated, 0o644); err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "%s/%s in %s: %s -> %s (%s)\n", m.team, m.app, stack, current, tag, rel)
	if !m.commit {
		fmt.Fprintf(stdout, "next: commit it on a branch and open a pull request; the team's code owners approve, the merge deploys it:\n"+
			"  git -C %s switch -c %s && git -C %s commit -m %q -- %s\n", m.repo, branch, m.repo, msg, rel)
		return 0
	}
	if _, err := git(m.repo, "commit", "--quiet", "-m", msg, "--", rel); err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "committed on branch %s: %s\nnext: git -C %s push -u origin %s, and open a pull request (gh pr create); the merge deploys it\n", branch, msg, m.repo, branch)
	return 0
}

// previousTag is the newest tag in the overlay's history that differs from current.
func previousTag(repo, rel, app, current string) (string, error) {
	log, err := git(repo, "log", "--format=%H", "--", rel)
	if err != nil {
		return "", fmt.Errorf("--repo %s: reading the history of %s: %v (or pass --to TAG)", repo, rel, err)
	}
	for _, rev := range strings.Fields(log) {
		body, err := git(repo, "show", rev+":"+rel)
		if err != nil {
			continue // the file did not exist there
		}
		if tag, err := scaffold.ImageTagOf([]byte(body), app); err == nil && tag != current {
			return tag, nil
		}
	}
	return "", fmt.Errorf("the history of %s has no tag before %s: pass --to TAG", rel, current)
}

// gitReady refuses a commit that would carry other changes to the overlay or reuse a branch.
func gitReady(repo, rel, branch string) error {
	if status, err := git(repo, "status", "--porcelain", "--", rel); err != nil {
		return fmt.Errorf("--commit: --repo %s is not a Git work tree: %v", repo, err)
	} else if status != "" {
		return fmt.Errorf("--commit: %s has uncommitted changes; commit or discard them first", rel)
	}
	if _, err := git(repo, "rev-parse", "--verify", "--quiet", "refs/heads/"+branch); err == nil {
		return fmt.Errorf("--commit: branch %s exists already", branch)
	}
	return nil
}

func git(repo string, args ...string) (string, error) {
	var out, errb bytes.Buffer
	cmd := exec.Command("git", append([]string{"-C", repo}, args...)...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimSpace(out.String()), nil
}
