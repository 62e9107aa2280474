package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/example/platform/internal/diff"
	"github.com/example/platform/internal/planner"
)

func diffCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	basePath := fs.String("base", "", "base plan (from `platform plan --json`)")
	headPath := fs.String("head", "", "head plan (default: plan --stack in the working tree)")
	baseRef := fs.String("base-ref", "", "plan the stack at this git ref (in a temporary worktree) as the base")
	stack := fs.String("stack", "", "stack, with --base-ref or without --head")
	asJSON := fs.Bool("json", false, "print JSON instead of Markdown")
	dir := fs.String("dir", "", "project directory (default: the nearest directory with a Pulumi.yaml)")
	withTimeline := fs.Bool("timeline", false, "add the change's modelled duration and critical path (with --json: under \"timeline\")")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if (*basePath == "") == (*baseRef == "") || ((*baseRef != "" || *headPath == "") && *stack == "") {
		fmt.Fprintln(stderr, "platform diff: give --base A.json or --base-ref REF (with --stack), and --head B.json or --stack")
		return 2
	}
	projectDir, err := findProject(*dir)
	if err != nil {
		fmt.Fprintln(stderr, "platform diff:", err)
		return 1
	}
	var base, head *planner.Plan
	if *basePath != "" {
		base, err = readPlan(*basePath)
	} else {
		base, err = planAtRef(projectDir, *baseRef, *stack, stderr)
	}
	if err == nil {
		if *headPath != "" {
			head, err = readPlan(*headPath)
		} else {
			// As the deployment after the base: the program's guards that read the last
			// deployment (a team dropped without retirement) judge the head against it.
			head, err = planStackAfter(projectDir, *stack, base)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "platform diff:", describeError(err))
		return 1
	}
	r := diff.PlansOn(base, head, time.Now())
	if *asJSON && *withTimeline {
		err = writeChangeTimelineJSON(stdout, r, base, head)
	} else if *asJSON {
		err = r.JSON(stdout)
	} else {
		err = r.Markdown(stdout)
		if err == nil && *withTimeline {
			err = writeChangeTimeline(stdout, base, head)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "platform diff:", err)
		return 1
	}
	if r.Refused != "" {
		fmt.Fprintln(stderr, "platform diff: refused:", r.Refused)
		return 1
	}
	return 0
}

func readPlan(path string) (*planner.Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p planner.Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s is not a plan from `platform plan --json`: %w", path, err)
	}
	return &p, nil
}

// planAtRef plans the stack with the program and config as they are at ref: a detached
// worktree, `go run ./cmd/platform plan --json` there, and the worktree removed again.
func planAtRef(projectDir, ref, stack string, progress io.Writer) (*planner.Plan, error) {
	tmp, err := os.MkdirTemp("", "platform-base-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	wt := filepath.Join(tmp, "wt")
	git := func(args ...string) error {
		cmd := exec.Command("git", args...)
		cmd.Dir = projectDir
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git %v: %v: %s", args, err, out)
		}
		return nil
	}
	if err := git("worktree", "add", "--detach", wt, ref); err != nil {
		return nil, err
	}
	defer git("worktree", "remove", "--force", wt)
	top, err := exec.Command("git", "-C", projectDir, "rev-parse", "--show-prefix").Output()
	if err != nil {
		return nil, err
	}
	wtProject := filepath.Join(wt, string(bytes.TrimSpace(top)))
	fmt.Fprintf(progress, "platform diff: planning %s at %s (builds the program as of that ref)\n", stack, ref)
	cmd := exec.Command("go", "run", "./cmd/platform", "plan", "--json", "--stack", stack, "--dir", wtProject)
	cmd.Dir = wtProject
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("planning %s at %s: %v: %s", stack, ref, err, errb.String())
	}
	var p planner.Plan
	if err := json.Unmarshal(out.Bytes(), &p); err != nil {
		return nil, fmt.Errorf("plan at %s: %w", ref, err)
	}
	return &p, nil
}
