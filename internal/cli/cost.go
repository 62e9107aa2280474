package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/example/platform/internal/cost"
)

func costCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cost", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stack := fs.String("stack", "", "stack name: reads Pulumi.<stack>.yaml (required)")
	asJSON := fs.Bool("json", false, "print the estimate as JSON")
	asMarkdown := fs.Bool("markdown", false, "print the estimate as Markdown (for a pull request comment)")
	dir := fs.String("dir", "", "project directory (default: the nearest directory with a Pulumi.yaml)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *stack == "" || fs.NArg() > 0 || (*asJSON && *asMarkdown) {
		fmt.Fprintln(stderr, "platform cost: --stack is required, and --json and --markdown exclude each other")
		return 2
	}
	p, ok := planInDir("cost", *dir, *stack, stderr)
	if !ok {
		return 1
	}
	var err error
	r := cost.EstimateOn(p, time.Now())
	switch {
	case *asJSON:
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(r)
	case *asMarkdown:
		err = r.Markdown(stdout)
	default:
		err = r.Text(stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "platform cost:", err)
		return 1
	}
	return 0
}
