package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/example/platform/components/teams/teamplan"
	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/scaffold"
	"github.com/example/platform/internal/teamconfig"
)

// teamFlags name the flag each key of the new team's entry comes from, so that a refusal
// says what to change on the command line.
var teamFlags = map[string]string{
	".name": "--name", ".githubTeam": "--github-team", ".accessRoleArns": "--access-role", ".repos": "--repo",
	".namespaces": "--namespace", ".images": "--image", ".ingress": "--ingress",
}

// teamCmd is `platform team add`: a new team in each stack's platform:teams and its folder in
// the GitOps repository. Everything is checked before anything is written: a team of that
// name in any stack, any config error the edited stacks would have, a differing README.
func teamCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(stderr, "platform team: use `platform team add --name T --github-team G ...`")
		return 2
	}
	fs := flag.NewFlagSet("team add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var e teamconfig.Entry
	var roles, only []string
	fs.StringVar(&e.Name, "name", "", "the team's name (a DNS label starting with a letter)")
	fs.StringVar(&e.GitHubTeam, "github-team", "", "the team's GitHub team slug in platform:github.owner")
	fs.Func("access-role", "an IAM role ARN of its members (repeat); STACK=ARN for one stack only", func(s string) error { roles = append(roles, s); return nil })
	fs.Func("repo", "a repository of platform:github.owner the team deploys from (repeat)", func(s string) error { e.Repos = append(e.Repos, s); return nil })
	fs.Func("namespace", "a namespace of the team (repeat; default: one named after the team)", func(s string) error { e.Namespaces = append(e.Namespaces, s); return nil })
	fs.Func("image", "an ECR repository of the team (repeat)", func(s string) error { e.Images = append(e.Images, s); return nil })
	fs.StringVar(&e.Ingress, "ingress", "", "shared (default) or dedicated: its own ALB")
	fs.Func("stack", "a stack to add the team to (repeat; default: every Pulumi.<stack>.yaml)", func(s string) error { only = append(only, s); return nil })
	gitops := fs.String("gitops", ".", "the GitOps repository's directory: teams/<name>/README.md goes there")
	dir := fs.String("dir", "", "project directory (default: the nearest directory with a Pulumi.yaml)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "platform team add: unexpected argument %q; every value is a flag\n", fs.Arg(0))
		return 2
	case e.Name == "":
		fmt.Fprintln(stderr, "platform team add: --name is required: the team's name, a DNS label starting with a letter, e.g. payments")
		return 2
	case e.GitHubTeam == "":
		fmt.Fprintln(stderr, "platform team add: --github-team is required: the slug of the team's GitHub team (its members log in to Argo CD and own teams/<name>/), e.g. payments-devs")
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "platform team add: "+format+"\n", a...)
		return 1
	}
	projectDir, err := findProject(*dir)
	if err != nil {
		return fail("%v", err)
	}
	stacks, err := teamStacks(projectDir, only)
	if err != nil {
		return fail("%v; nothing was written", err)
	}
	perStack, err := splitRoles(roles, stacks)
	if err != nil {
		return fail("%v; nothing was written", err)
	}
	if err := checkGitOpsDir(*gitops, projectDir); err != nil {
		return fail("%v; nothing was written", err)
	}
	project, err := os.ReadFile(filepath.Join(projectDir, "Pulumi.yaml"))
	if err != nil {
		return fail("%v", err)
	}
	edited := map[string][]byte{}
	for _, s := range stacks {
		path := filepath.Join(projectDir, "Pulumi."+s+".yaml")
		src, err := os.ReadFile(path)
		if err != nil {
			return fail("%v", err)
		}
		// A stack that is invalid already is not the new team's fault: say so rather than
		// blame a flag.
		if err := validateStackFile(project, s, src); err != nil {
			return fail("%s is invalid before the change (fix it first); nothing was written:\n%s", filepath.Base(path), describeError(err))
		}
		entry := e
		entry.AccessRoleArns = perStack[s]
		out, index, err := teamconfig.Add(src, config.Namespace+":teams", entry)
		if err != nil {
			return fail("%s: %v; nothing was written", filepath.Base(path), err)
		}
		if err := validateStackFile(project, s, out); err != nil {
			return fail("with team %s, %s would be invalid; nothing was written:\n%s", e.Name, filepath.Base(path), flagged(err, index, len(e.Namespaces) > 0))
		}
		edited[path] = out
	}
	readme := "teams/" + e.Name + "/README.md"
	files := map[string]string{readme: scaffold.Init([]scaffold.Stack{{Teams: []teamplan.Team{{Name: e.Name}}}})[readme]}
	if differ, err := differing(*gitops, files); err != nil {
		return fail("%v", err)
	} else if len(differ) > 0 {
		return fail("%s exists in the GitOps repository (--gitops %s) and differs; nothing was written (move it away, or add the team to the stacks by hand)", readme, *gitops)
	}
	if err := replaceFiles(edited); err != nil {
		return fail("%v", err)
	}
	for _, s := range stacks {
		fmt.Fprintf(stdout, "added team %s to %s\n", e.Name, filepath.Join(projectDir, "Pulumi."+s+".yaml"))
	}
	if code := writeAll("team add", *gitops, files, stdout, stderr); code != 0 {
		return code
	}
	fmt.Fprintf(stdout, "\nNext:\n")
	for _, s := range stacks {
		fmt.Fprintf(stdout, "  platform diff --base-ref HEAD --stack %s   # review what the team gets\n", s)
	}
	fmt.Fprintf(stdout, "  commit the stack files (infrastructure repository) and teams/%s/ (GitOps repository), through pull requests\n", e.Name)
	fmt.Fprintf(stdout, "  pulumi up for each stack (or its workflow: deploy-dev.yml on main, release.yml for prod)\n")
	fmt.Fprintf(stdout, "  then the team adds apps: platform app new --team %s --name <app> --repo %s\n", e.Name, *gitops)
	return 0
}

// teamStacks are the stacks to edit: only's, each of which must exist, or every stack file.
func teamStacks(projectDir string, only []string) ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(projectDir, "Pulumi.*.yaml"))
	if err != nil {
		return nil, err
	}
	var all []string
	for _, m := range matches {
		all = append(all, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m), "Pulumi."), ".yaml"))
	}
	slices.Sort(all)
	if len(all) == 0 {
		return nil, fmt.Errorf("no Pulumi.<stack>.yaml in %s", projectDir)
	}
	for _, s := range only {
		if !slices.Contains(all, s) {
			return nil, fmt.Errorf("--stack %s: there is no Pulumi.%s.yaml; the stacks here are: %s", s, s, strings.Join(all, ", "))
		}
	}
	if len(only) == 0 {
		return all, nil
	}
	slices.Sort(only)
	return slices.Compact(only), nil
}

// splitRoles gives each stack its --access-role values: an ARN goes to every stack, STACK=ARN
// to that one (stacks are usually in different AWS accounts, so their roles differ).
func splitRoles(roles, stacks []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, r := range roles {
		stack, arn, scoped := strings.Cut(r, "=")
		if !scoped || strings.HasPrefix(r, "arn:") {
			for _, s := range stacks {
				out[s] = append(out[s], r)
			}
			continue
		}
		if !slices.Contains(stacks, stack) {
			return nil, fmt.Errorf("--access-role %s: %q is not a stack being edited (%s); use ARN for every stack or STACK=ARN", r, stack, strings.Join(stacks, ", "))
		}
		out[stack] = append(out[stack], arn)
	}
	return out, nil
}

// checkGitOpsDir: --gitops is an existing directory, and not the Pulumi project (the default,
// ".", is the project when the command runs there: the team's folder does not belong in the
// infrastructure repository).
func checkGitOpsDir(dir, projectDir string) error {
	info, err := os.Stat(dir)
	if err != nil || !info.IsDir() {
		return fmt.Errorf("--gitops %s: not a directory; give the GitOps repository's directory (`platform gitops init` makes one)", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "Pulumi.yaml")); err == nil {
		return fmt.Errorf("--gitops %s: that is a Pulumi project (it has a Pulumi.yaml), not the GitOps repository; run from the GitOps repository with --dir, or pass --gitops DIR", dir)
	}
	return nil
}

// validateStackFile runs the program's own config checks (Pulumi's loader, then the config's
// decode and validation, as `platform plan` does) on a stack file's bytes, in a scratch copy
// of the project: nothing in the project is written.
func validateStackFile(project []byte, stack string, src []byte) error {
	tmp, err := os.MkdirTemp("", "platform-team-add-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // scratch: a leftover in the temp dir harms nothing
	if err := os.WriteFile(filepath.Join(tmp, "Pulumi.yaml"), project, 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "Pulumi."+stack+".yaml"), src, 0o600); err != nil {
		return err
	}
	_, err = stackConfig(tmp, stack)
	return err
}

// flagged is the config's error with each problem of the new entry (platform:teams[index])
// prefixed by the flag it came from; namespaces come from --name when --namespace was not given.
func flagged(err error, index int, namespaceFlag bool) string {
	var errs config.Errors
	if !errors.As(err, &errs) {
		return describeError(err)
	}
	prefix := fmt.Sprintf("%s:teams[%d]", config.Namespace, index)
	var lines []string
	for _, e := range errs {
		line := "  - " + e.Error()
		if rest, ok := strings.CutPrefix(e.Key, prefix); ok {
			for k, f := range teamFlags {
				if rest == k || strings.HasPrefix(rest, k+".") || strings.HasPrefix(rest, k+"[") {
					if k == ".namespaces" && !namespaceFlag {
						f = "--name (the team's namespace)"
					}
					line = "  - " + f + ": " + e.Error()
				}
			}
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// replaceFiles writes every file through a temporary file and a rename, keeping each file's
// mode: all are written before any replaces its original, so a failure leaves no half file.
func replaceFiles(files map[string][]byte) error {
	temps := map[string]string{}
	defer func() {
		for _, t := range temps {
			os.Remove(t) // gone after a rename; after a failure, the leftover copies are dropped
		}
	}()
	for path, b := range files {
		info, err := os.Stat(path)
		if err != nil {
			return err
		}
		f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
		if err != nil {
			return err
		}
		temps[path] = f.Name()
		_, werr := f.Write(b)
		cerr := f.Close()
		if err := errors.Join(werr, cerr, os.Chmod(f.Name(), info.Mode().Perm())); err != nil {
			return err
		}
	}
	for _, path := range slices.Sorted(maps.Keys(temps)) {
		if err := os.Rename(temps[path], path); err != nil {
			return err
		}
	}
	return nil
}
