package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"golang.org/x/term"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"

	"github.com/example/platform/internal/runner"
)

// stacksFlag collects repeated --stack flags, in order.
type stacksFlag []string

func (s *stacksFlag) String() string     { return fmt.Sprint(*s) }
func (s *stacksFlag) Set(v string) error { *s = append(*s, v); return nil }

// newRunner builds the real runner: the Automation API on the project, kubectl for the steps
// before a destroy, and a sweeper per stack in that stack's account and region.
func newRunner(dir string, out io.Writer, in io.Reader) (*runner.Runner, error) {
	project, err := workspace.LoadProject(filepath.Join(dir, "Pulumi.yaml"))
	if err != nil {
		return nil, fmt.Errorf("reading Pulumi.yaml: %w", err)
	}
	lines := bufio.NewReader(in)
	return &runner.Runner{
		Project:    project.Name.String(),
		Workspace:  runner.LocalWorkspace{Dir: dir},
		Kubernetes: runner.Kubectl{},
		NewSweeper: runner.NewAWSSweeper,
		Out:        out,
		Ask: func(q string) (string, error) {
			fmt.Fprint(out, q)
			return lines.ReadString('\n')
		},
	}, nil
}

func deployCmd(op runner.Operation, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(string(op), flag.ContinueOnError)
	fs.SetOutput(stderr)
	var stacks, confirm stacksFlag
	fs.Var(&stacks, "stack", "stack to "+string(op)+" (repeat for several, run in the given order)")
	yes := fs.Bool("yes", false, "confirm up/destroy (required when not run from a terminal; not enough to destroy prod)")
	fs.Var(&confirm, "confirm-destroy", "destroy: the name of a production stack, or one with protected resources, to destroy (repeat per stack)")
	sweep := fs.Bool("sweep", false, "destroy: delete AWS resources still owned by the cluster afterwards (even if the destroy failed)")
	dir := fs.String("dir", "", "project directory (default: the nearest directory with a Pulumi.yaml)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if len(stacks) == 0 || fs.NArg() > 0 {
		fmt.Fprintf(stderr, "platform %s: --stack is required, e.g. platform %s --stack dev\n", op, op)
		return 2
	}
	if op != runner.Destroy && (len(confirm) > 0 || *sweep) {
		fmt.Fprintf(stderr, "platform %s: --confirm-destroy and --sweep are destroy's flags\n", op)
		return 2
	}
	projectDir, err := findProject(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "platform %s: %v\n", op, err)
		return 1
	}
	r, err := newRunner(projectDir, stdout, os.Stdin)
	if err != nil {
		fmt.Fprintf(stderr, "platform %s: %v\n", op, err)
		return 1
	}
	r.Yes, r.Sweep, r.Terminal, r.ConfirmDestroy = *yes, *sweep, isTerminal(os.Stdin), confirm
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	if err := r.Run(ctx, op, stacks); err != nil {
		fmt.Fprintf(stderr, "platform %s: %v\n", op, err)
		if errors.Is(err, runner.ErrLeftovers) {
			return 3
		}
		return 1
	}
	fmt.Fprintf(stdout, "\n%s of %v done in %s\n", op, []string(stacks), time.Since(start).Round(time.Second))
	return 0
}

// isTerminal: a person at a terminal can be asked; /dev/null, pipes and CI cannot.
func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
