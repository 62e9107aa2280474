package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/scaffold"
)

// gitopsCmd is `platform gitops init [DIR]`: the GitOps repository's skeleton.
func gitopsCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "init" {
		fmt.Fprintf(stderr, "platform gitops: use `platform gitops init [DIR]`\n")
		return 2
	}
	fs := flag.NewFlagSet("gitops init", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "project directory (default: the nearest directory with a Pulumi.yaml)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	out := "."
	if fs.NArg() > 0 {
		out = fs.Arg(0)
	}
	stacks, err := loadStacks(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "platform gitops init: %v\n", err)
		return 1
	}
	return writeAll("gitops init", out, scaffold.Init(stacks), stdout, stderr)
}

// appCmd is `platform app new|ci|promote|rollback`.
func appCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "ci":
			return appCICmd(args[1:], stdout, stderr)
		case "promote":
			return appPromoteCmd(args[1:], stdout, stderr)
		case "rollback":
			return appRollbackCmd(args[1:], stdout, stderr)
		}
	}
	if len(args) == 0 || args[0] != "new" {
		fmt.Fprintf(stderr, "platform app: use `platform app new|ci|promote|rollback --team T --name N ...`\n")
		return 2
	}
	fs := flag.NewFlagSet("app new", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var a scaffold.App
	fs.StringVar(&a.Team, "team", "", "the team (platform:teams)")
	fs.StringVar(&a.Name, "name", "", "the application's name (a DNS label)")
	fs.StringVar(&a.Image, "image", "", "image repository, without tag (default: the team's ECR repository in --account)")
	fs.StringVar(&a.Account, "account", "", "AWS account of the team's ECR repository (without --image)")
	fs.IntVar(&a.Port, "port", 8080, "the container's HTTP port")
	fs.StringVar(&a.Host, "host", "", "host under each stack's domain (default: the name)")
	fs.Func("secret", "a secret environment variable, from SSM (repeat)", func(s string) error { a.Secrets = append(a.Secrets, s); return nil })
	fs.StringVar(&a.Database, "database", "", "the team's database whose connection Secret the app gets (platform:teams[].databases)")
	dir := fs.String("dir", "", "project directory (default: the nearest directory with a Pulumi.yaml)")
	repo := fs.String("repo", ".", "the GitOps repository's directory")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	stacks, err := loadStacks(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "platform app new: %v\n", err)
		return 1
	}
	files, err := a.Files(stacks)
	if err != nil {
		fmt.Fprintf(stderr, "platform app new: %v\n", err)
		return 1
	}
	return writeAll("app new", *repo, files, stdout, stderr)
}

// loadStacks reads every Pulumi.<stack>.yaml of the project, validated (stood-in secrets).
func loadStacks(dir string) ([]scaffold.Stack, error) {
	projectDir, err := findProject(dir)
	if err != nil {
		return nil, err
	}
	matches, err := filepath.Glob(filepath.Join(projectDir, "Pulumi.*.yaml"))
	if err != nil {
		return nil, err
	}
	slices.Sort(matches)
	var out []scaffold.Stack
	for _, m := range matches {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m), "Pulumi."), ".yaml")
		in, err := planner.LoadStack(projectDir, name)
		if err != nil {
			return nil, err
		}
		cfg, err := StackConfig(in)
		if err != nil {
			return nil, fmt.Errorf("stack %s: %s", name, describeError(err))
		}
		out = append(out, scaffold.Stack{Name: name, Domain: cfg.DNS.Domain, Cluster: cfg.Cluster.Name, Region: cfg.Region,
			Replicas: max(1, cfg.Policy().MinReplicas), Teams: cfg.Teams})
	}
	return out, nil
}

// differing are the paths of files (sorted) that exist under dir with other contents.
func differing(dir string, files map[string]string) ([]string, error) {
	var out []string
	for _, p := range slices.Sorted(maps.Keys(files)) {
		old, err := os.ReadFile(filepath.Join(dir, p))
		if err == nil && !bytes.Equal(old, []byte(files[p])) {
			out = append(out, p)
		} else if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	return out, nil
}

// writeAll writes files under dir, or nothing when an existing file differs (it names them):
// a scaffold never overwrites a team's edits.
func writeAll(cmd, dir string, files map[string]string, stdout, stderr io.Writer) int {
	differ, err := differing(dir, files)
	if err != nil {
		fmt.Fprintf(stderr, "platform %s: %v\n", cmd, err)
		return 1
	}
	if len(differ) > 0 {
		fmt.Fprintf(stderr, "platform %s: these files exist and differ; nothing was written (move them away or edit them by hand):\n  %s\n", cmd, strings.Join(differ, "\n  "))
		return 1
	}
	for _, p := range slices.Sorted(maps.Keys(files)) {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			fmt.Fprintf(stderr, "platform %s: %v\n", cmd, err)
			return 1
		}
		if err := os.WriteFile(full, []byte(files[p]), 0o644); err != nil {
			fmt.Fprintf(stderr, "platform %s: %v\n", cmd, err)
			return 1
		}
		fmt.Fprintf(stdout, "wrote %s\n", full)
	}
	return 0
}
