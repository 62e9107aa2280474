package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/restore"
)

const restoreUsage = `usage:
  platform restore db --stack S --team T --name N (--snapshot ID|ARN | --time RFC3339 | --latest) [--as NEWNAME] [--write] [--dir DIR]
  platform restore volume --stack S --namespace NS --claim PVC --recovery-point ARN --az AZ [--size GiB] [--dir DIR]

Both plan a restore and run nothing: db prints the new entry of the team's databases (restoreFrom,
the source's settings) and the commands that apply it; volume prints the AWS Backup restore job,
the tags, and the PersistentVolume and claim that give the volume back to its namespace.
`

// restoreClock is the clock restore plans are judged on (tests set it).
var restoreClock = time.Now

// restoreCmd plans a restore. Every refusal goes to stderr with nothing on stdout.
func restoreCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "db" && args[0] != "volume") {
		fmt.Fprint(stderr, "platform restore: say db or volume\n\n"+restoreUsage)
		return 2
	}
	if args[0] == "db" {
		return restoreDB(args[1:], stdout, stderr)
	}
	return restoreVolume(args[1:], stdout, stderr)
}

func restoreDB(args []string, stdout, stderr io.Writer) int {
	const cmd = "platform restore db"
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var req restore.DBRequest
	fs.StringVar(&req.Stack, "stack", "", "stack name: reads Pulumi.<stack>.yaml (required)")
	fs.StringVar(&req.Team, "team", "", "the team whose database it is (required)")
	fs.StringVar(&req.Name, "name", "", "the database to restore: its name in the team's databases (required)")
	fs.StringVar(&req.Snapshot, "snapshot", "", "restore this RDS snapshot (identifier or ARN)")
	fs.StringVar(&req.Time, "time", "", "restore the database as of this time (RFC 3339)")
	fs.BoolVar(&req.Latest, "latest", false, "restore the database's latest restorable time")
	fs.StringVar(&req.As, "as", "", "the new database's name (default <name>-restored)")
	write := fs.Bool("write", false, "add the entry to Pulumi.<stack>.yaml (every other byte kept)")
	dir := fs.String("dir", "", "project directory (default: the nearest directory with a Pulumi.yaml)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, cmd+": "+format+"\n", a...)
		return code
	}
	switch {
	case fs.NArg() > 0:
		return fail(2, "unexpected argument %q; every value is a flag\n\n%s", fs.Arg(0), restoreUsage)
	case req.Stack == "":
		return fail(2, "--stack is required, e.g. --stack prod")
	case req.Team == "":
		return fail(2, "--team is required: the team whose database it is")
	case req.Name == "":
		return fail(2, "--name is required: the database to restore, as named in the team's databases")
	}
	req.Now = restoreClock()
	cfg, err := stackConfig(*dir, req.Stack)
	if err != nil {
		return fail(1, "%s", describeError(err))
	}
	plan, err := restore.PlanDB(cfg, req)
	var flagErr *restore.FlagError
	if errors.As(err, &flagErr) {
		return fail(2, "%v", err)
	} else if err != nil {
		return fail(1, "%v", err)
	}
	projectDir, err := findProject(*dir)
	if err != nil {
		return fail(1, "%v", err)
	}
	stackFile := filepath.Join(projectDir, "Pulumi."+req.Stack+".yaml")
	src, err := os.ReadFile(stackFile)
	if err != nil {
		return fail(1, "%v", err)
	}
	project, err := os.ReadFile(filepath.Join(projectDir, "Pulumi.yaml"))
	if err != nil {
		return fail(1, "%v", err)
	}
	edited, err := restore.InsertDatabase(src, config.Namespace+":teams", plan.TeamIndex, plan.Entry)
	judged := edited
	switch {
	case errors.Is(err, restore.ErrNotSpliceable) && *write:
		return fail(1, "%s: %v; add the entry by hand (run again without --write to see it)", filepath.Base(stackFile), err)
	case errors.Is(err, restore.ErrNotSpliceable):
		// Not editable line by line: the same config, re-encoded, is judged instead.
		if judged, err = restore.AppendDatabase(src, config.Namespace+":teams", plan.TeamIndex, plan.Entry); err != nil {
			return fail(1, "%s: %v", filepath.Base(stackFile), err)
		}
	case err != nil:
		return fail(1, "%s: %v", filepath.Base(stackFile), err)
	}
	// The edited file is judged as `platform plan` judges it.
	if err := validateStackFile(project, req.Stack, judged); err != nil {
		return fail(2, "with the restored database, %s would be invalid; nothing was written:\n%s", filepath.Base(stackFile), restoreFlagged(err, plan))
	}
	item, err := restore.Item(plan.Entry, 0)
	if err != nil {
		return fail(1, "%v", err)
	}
	if *write {
		if err := replaceFiles(map[string][]byte{stackFile: edited}); err != nil {
			return fail(1, "%v", err)
		}
	}
	fmt.Fprint(stdout, plan.DBText(item, stackFile, *write))
	return 0
}

// restoreFlagged is the config's error with each problem of the new entry prefixed by the flag
// it came from.
func restoreFlagged(err error, plan restore.DBPlan) string {
	var errs config.Errors
	if !errors.As(err, &errs) {
		return describeError(err)
	}
	var lines []string
	for _, e := range errs {
		line := "  - " + e.Error()
		for j := 0; j < 1000; j++ {
			prefix := fmt.Sprintf("%s:teams[%d].databases[%d]", config.Namespace, plan.TeamIndex, j)
			if rest, ok := strings.CutPrefix(e.Key, prefix); ok && (rest == "" || rest[0] == '.') {
				if f := restore.FlagOf(rest); f != "" {
					line = "  - " + f + ": " + e.Error()
				}
				break
			}
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func restoreVolume(args []string, stdout, stderr io.Writer) int {
	const cmd = "platform restore volume"
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var req restore.VolumeRequest
	fs.StringVar(&req.Stack, "stack", "", "stack name: reads Pulumi.<stack>.yaml (required)")
	fs.StringVar(&req.Namespace, "namespace", "", "the namespace the claim is in: a team's or the platform's (required)")
	fs.StringVar(&req.Claim, "claim", "", "the PersistentVolumeClaim to create, bound to the restored volume (required)")
	fs.StringVar(&req.RecoveryPoint, "recovery-point", "", "the EBS recovery point's ARN, arn:aws:ec2:<region>::snapshot/snap-... (required)")
	fs.StringVar(&req.AZ, "az", "", "the availability zone of the new volume: one the cluster's nodes run in (required)")
	fs.IntVar(&req.SizeGiB, "size", 0, "the new volume's size in GiB, at least the recovery point's (default: its size)")
	dir := fs.String("dir", "", "project directory (default: the nearest directory with a Pulumi.yaml)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, cmd+": "+format+"\n", a...)
		return code
	}
	switch {
	case fs.NArg() > 0:
		return fail(2, "unexpected argument %q; every value is a flag\n\n%s", fs.Arg(0), restoreUsage)
	case req.Stack == "":
		return fail(2, "--stack is required, e.g. --stack prod")
	case req.Namespace == "" || req.Claim == "" || req.RecoveryPoint == "" || req.AZ == "":
		return fail(2, "--namespace, --claim, --recovery-point and --az are required\n\n%s", restoreUsage)
	}
	cfg, err := stackConfig(*dir, req.Stack)
	if err != nil {
		return fail(1, "%s", describeError(err))
	}
	plan, err := restore.PlanVolume(cfg, req)
	if err != nil {
		return fail(2, "%v", err)
	}
	fmt.Fprint(stdout, plan.VolumeText())
	return 0
}
