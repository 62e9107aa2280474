package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"

	"golang.org/x/term"

	"github.com/example/platform/internal/runner"
)

// stacksFlag collects repeated --stack flags, in order.
type stacksFlag []string

func (s *stacksFlag) String() string     { return fmt.Sprint(*s) }
func (s *stacksFlag) Set(v string) error { *s = append(*s, v); return nil }

// newRunner builds the real runner; tests replace it.
var newRunner = func(dir string, out io.Writer) (*runner.Runner, error) {
	ctx := context.Background()
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS credentials: %w", err)
	}
	sweeper := runner.AWSSweeper{ELB: elbv2.NewFromConfig(cfg), EC2: ec2.NewFromConfig(cfg)}
	return &runner.Runner{
		Workspace: runner.LocalWorkspace{Dir: dir},
		LoadBalancers: runner.Kubectl{Wait: func(ctx context.Context, cluster string, progress io.Writer) error {
			return sweeper.WaitForNoLoadBalancers(ctx, cluster, 15*time.Second, progress)
		}},
		Sweeper: sweeper,
		Out:     out,
	}, nil
}

func deployCmd(op runner.Operation, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(string(op), flag.ContinueOnError)
	fs.SetOutput(stderr)
	var stacks stacksFlag
	fs.Var(&stacks, "stack", "stack to "+string(op)+" (repeat for several, run in the given order)")
	yes := fs.Bool("yes", false, "confirm up/destroy (required when not run from a terminal)")
	sweep := fs.Bool("sweep", false, "destroy: delete AWS resources still tagged for the cluster afterwards")
	dir := fs.String("dir", "", "project directory (default: the nearest directory with a Pulumi.yaml)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if len(stacks) == 0 || fs.NArg() > 0 {
		fmt.Fprintf(stderr, "platform %s: --stack is required, e.g. platform %s --stack dev\n", op, op)
		return 2
	}
	projectDir, err := findProject(*dir)
	if err != nil {
		fmt.Fprintf(stderr, "platform %s: %v\n", op, err)
		return 1
	}
	r, err := newRunner(projectDir, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "platform %s: %v\n", op, err)
		return 1
	}
	r.Yes, r.Sweep, r.Terminal = *yes, *sweep, isTerminal(os.Stdin)
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
