package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/example/platform/internal/secrets"
)

const secretUsage = `usage:
  platform secret set --stack S --team T [--role-arn ARN] [--overwrite] [--dir DIR] NAME   (the value on stdin)
  platform secret list --stack S --team T [--role-arn ARN] [--dir DIR]

NAME is relative to the team's path /<cluster>/teams/<team>/, e.g. payments-api/DB_PASSWORD (what
the app scaffold's ExternalSecrets read as <app>/<KEY>). The value is read from standard input until
EOF, never from an argument, and never printed. --role-arn is the team's secrets writer role (the
stack output teams.<team>.secretsWriterRole); without it the command uses your credentials as they are.
`

// secretCmd writes a team's secret (a SecureString under its path, with the cluster's secrets
// key) or lists its secrets (names, versions, dates: never values). Everything it is given is
// checked before the value is read and before AWS is asked.
func secretCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "set" && args[0] != "list") {
		fmt.Fprint(stderr, "platform secret: say set or list\n\n"+secretUsage)
		return 2
	}
	op := args[0]
	cmd := "platform secret " + op
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	stack := fs.String("stack", "", "stack name: reads Pulumi.<stack>.yaml for its region, cluster and teams (required)")
	team := fs.String("team", "", "the team whose secret it is: one of the stack's platform:teams (required)")
	roleArn := fs.String("role-arn", "", "the team's secrets writer role to assume (stack output teams.<team>.secretsWriterRole)")
	dir := fs.String("dir", "", "project directory (default: the nearest directory with a Pulumi.yaml)")
	var overwrite *bool
	if op == "set" {
		overwrite = fs.Bool("overwrite", false, "replace the secret if it exists (a new version); without it an existing secret is refused")
	}
	positional, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return 2
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, cmd+": "+format+"\n", a...)
		return code
	}
	switch {
	case *stack == "":
		return fail(2, "--stack is required, e.g. --stack dev")
	case *team == "":
		return fail(2, "--team is required: the team whose secret it is, e.g. --team payments")
	case op == "set" && len(positional) != 1:
		return fail(2, "takes one NAME (the value comes on standard input, never as an argument), got %d arguments\n\n%s", len(positional), secretUsage)
	case op == "list" && len(positional) != 0:
		return fail(2, "takes no arguments, got %q", positional)
	}
	cfg, err := stackConfig(*dir, *stack)
	if err != nil {
		return fail(1, "%s", describeError(err))
	}
	var names []string
	for _, t := range cfg.Teams {
		names = append(names, t.Name)
	}
	if !slices.Contains(names, *team) {
		return fail(2, "--team %q is not a team of stack %s; its teams are: %s", *team, *stack, strings.Join(names, ", "))
	}
	if *roleArn != "" {
		if err := secrets.ValidateRoleArn(*roleArn, cfg.Cluster.Name); err != nil {
			return fail(2, "--role-arn %v", err)
		}
	}
	client := secrets.Client{Region: cfg.Region, RoleArn: *roleArn, SessionName: sessionName(*team)}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if op == "list" {
		return secretList(ctx, client, cfg.Cluster.Name, *team, stdout, fail)
	}
	name := positional[0]
	if _, err := secrets.ParameterName(cfg.Cluster.Name, *team, name); err != nil {
		return fail(2, "NAME %v", err)
	}
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return fail(2, "standard input is a terminal: pipe the value in (it would be echoed and kept in scrollback), e.g. `read -rs V && printf %%s \"$V\" | platform secret set ...` or `... < file`")
	}
	value, err := secrets.ReadValue(stdin)
	if err != nil {
		return fail(2, "standard input: %v", err)
	}
	api, err := client.New(ctx)
	if err != nil {
		return fail(1, "%s", scrub(err, value))
	}
	full, version, err := secrets.Put(ctx, api, secrets.Secret{Cluster: cfg.Cluster.Name, Team: *team, Name: name, Value: value, Overwrite: *overwrite})
	if errors.Is(err, secrets.ErrExists) {
		return fail(1, "%s exists; pass --overwrite to replace it (its value becomes a new version)", full)
	}
	if err != nil {
		return fail(1, "%s", scrub(err, value))
	}
	fmt.Fprintf(stdout, "%s: version %d (SecureString, key %s)\n", full, version, secrets.KeyAlias(cfg.Cluster.Name))
	return 0
}

func secretList(ctx context.Context, client secrets.Client, cluster, team string, stdout io.Writer, fail func(int, string, ...any) int) int {
	api, err := client.New(ctx)
	if err != nil {
		return fail(1, "%v", err)
	}
	entries, err := secrets.List(ctx, api, cluster, team)
	if err != nil {
		return fail(1, "%v", err)
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "%s (%d)\nNAME\tVERSION\tLAST MODIFIED\tTYPE\n", "/"+cluster+"/teams/"+team+"/", len(entries))
	for _, e := range entries {
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\n", e.Name, e.Version, e.LastModified.UTC().Format(time.RFC3339), e.Type)
	}
	if err := w.Flush(); err != nil {
		return fail(1, "%v", err)
	}
	return 0
}

// parseInterleaved parses flags before and after positional arguments ("set NAME --stack S"
// as well as "set --stack S NAME"); "--" ends the flags.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional, args = append(positional, rest[0]), rest[1:]
	}
}

// sessionName names the assumed role's session after the team (IAM allows 2-64 of
// [\w+=,.@-]; a team's name is a DNS label).
func sessionName(team string) string {
	s := "platform-secret-" + team
	if len(s) > 64 {
		s = s[:64]
	}
	return s
}

// scrub keeps the value out of an error from AWS or the SDK, whatever it quotes (SSM marks
// the value sensitive and should never quote it; this does not rely on it). A value of under
// four bytes would turn every word it occurs in into noise, and hides nothing.
func scrub(err error, value string) string {
	if len(value) < 4 {
		return err.Error()
	}
	return strings.ReplaceAll(err.Error(), value, "[the value]")
}
