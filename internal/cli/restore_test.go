package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func runRestore(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := restoreCmd(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// restoreProject is a copy of the project with prod's payments given database ledger (dev has
// one already), so that --write edits a scratch file.
func restoreProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"} {
		b, err := os.ReadFile(filepath.Join(projectDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "Pulumi.prod.yaml" {
			const anchor = "    - name: payments\n"
			if !bytes.Contains(b, []byte(anchor)) {
				t.Fatal("prod has no team payments")
			}
			b = bytes.Replace(b, []byte(anchor), []byte(anchor+"      databaseSlot: 0\n      databases:\n        - name: ledger\n          storageGiB: 100\n"), 1)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func fixedClock(t *testing.T) {
	old := restoreClock
	restoreClock = func() time.Time { return time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC) }
	t.Cleanup(func() { restoreClock = old })
}

// Every bad flag is refused on stderr, naming the flag and what is allowed, with nothing on
// stdout and nothing written.
func TestRestoreRefusesBadFlags(t *testing.T) {
	fixedClock(t)
	dir := restoreProject(t)
	before, _ := os.ReadFile(filepath.Join(dir, "Pulumi.dev.yaml"))
	db := func(extra ...string) []string {
		return append([]string{"db", "--stack", "dev", "--team", "payments", "--name", "ledger", "--dir", dir}, extra...)
	}
	vol := func(extra ...string) []string {
		return append([]string{"volume", "--stack", "dev", "--dir", dir, "--namespace", "search", "--claim", "data",
			"--recovery-point", "arn:aws:ec2:eu-north-1::snapshot/snap-0123456789abcdef0", "--az", "eu-north-1a"}, extra...)
	}
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no subcommand", nil, 2, "say db or volume"},
		{"unknown subcommand", []string{"bucket"}, 2, "say db or volume"},
		{"no stack", []string{"db", "--team", "payments", "--name", "ledger", "--latest"}, 2, "--stack is required"},
		{"no team", []string{"db", "--stack", "dev", "--name", "ledger", "--latest", "--dir", dir}, 2, "--team is required"},
		{"no name", []string{"db", "--stack", "dev", "--team", "payments", "--latest", "--dir", dir}, 2, "--name is required"},
		{"an argument", db("--latest", "now"), 2, `unexpected argument "now"`},
		{"no source", db(), 2, "give exactly one: --snapshot"},
		{"two sources", db("--latest", "--time", "2026-05-10T11:00:00Z"), 2, "give exactly one"},
		{"unknown stack", []string{"db", "--stack", "qa", "--team", "payments", "--name", "ledger", "--latest", "--dir", dir}, 1, `no stack "qa"`},
		{"unknown team", db("--latest", "--team", "billing"), 2, `--team "billing" is not a team of stack dev`},
		{"unknown database", db("--latest", "--name", "orders"), 2, `--name "orders" is not a database of team payments`},
		{"name taken", db("--latest", "--as", "ledger"), 2, `--as "ledger" is already a database`},
		{"new name not a label", db("--latest", "--as", "Ledger_2"), 2, `--as: platform:teams[0].databases[1].name "Ledger_2" is not allowed`},
		{"time not RFC 3339", db("--time", "10:30"), 2, `--time "10:30" is not an RFC 3339 time`},
		{"time in the future", db("--time", "2026-05-11T00:00:00Z"), 2, "is in the future"},
		{"time past retention", db("--time", "2026-05-01T00:00:00Z"), 2, "keeps 1 day(s) of point-in-time recovery"},
		{"snapshot of another region", db("--snapshot", "arn:aws:rds:eu-west-1:111122223333:snapshot:ledger-final"), 2,
			"--snapshot: platform:teams[0].databases[1].restoreFrom.snapshot \"arn:aws:rds:eu-west-1:111122223333:snapshot:ledger-final\" is in eu-west-1"},
		{"bad snapshot identifier", db("--snapshot", "ledger--final"), 2, "--snapshot: platform:teams[0].databases[1].restoreFrom.snapshot"},
		{"a team without a database slot", []string{"db", "--stack", "dev", "--team", "search", "--name", "index", "--snapshot", "search-index-final", "--dir", dir}, 2,
			"platform:teams[1].databaseSlot is required for a team with databases"},
		{"write into a flow list", []string{"db", "--stack", "dev", "--team", "search", "--name", "index", "--snapshot", "search-index-final", "--write", "--dir", dir}, 1, "add the entry by hand"},
		{"volume: missing flags", []string{"volume", "--stack", "dev", "--dir", dir}, 2, "--namespace, --claim, --recovery-point and --az are required"},
		{"volume: a namespace of no team", vol("--namespace", "billing"), 2, `--namespace "billing" is not a namespace of stack dev`},
		{"volume: bad claim", vol("--claim", "Data"), 2, `--claim "Data" is not a PersistentVolumeClaim name`},
		{"volume: an RDS recovery point", vol("--recovery-point", "arn:aws:rds:eu-north-1:111122223333:snapshot:awsbackup:job-1"), 2, "platform restore db --snapshot"},
		{"volume: another region", vol("--recovery-point", "arn:aws:ec2:eu-west-1::snapshot/snap-0123456789abcdef0"), 2, "copy it back"},
		{"volume: a zone without nodes", vol("--az", "eu-north-1c"), 2, `--az "eu-north-1c" is not a zone of stack dev`},
		{"volume: negative size", vol("--size", "-1"), 2, "--size -1 is not a gp3 size"},
		{"volume: not a number", vol("--size", "big"), 2, `invalid value "big" for flag -size`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runRestore(t, tt.args...)
			if code != tt.code || out != "" || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit %d, no stdout, stderr containing %q", code, out, errOut, tt.code, tt.want)
			}
		})
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "Pulumi.dev.yaml")); !bytes.Equal(before, after) {
		t.Error("a refused restore changed Pulumi.dev.yaml")
	}
}

func TestRestoreDBPrintsThePlan(t *testing.T) {
	fixedClock(t)
	dir := restoreProject(t)
	code, out, errOut := runRestore(t, "db", "--stack", "prod", "--team", "payments", "--name", "ledger", "--time", "2026-05-10T09:30:00Z", "--as", "ledger-0510", "--dir", dir)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	for _, want := range []string{
		"into a NEW database ledger-0510 (RDS instance platform-prod-payments-ledger-0510) from platform-prod-payments-ledger as of 2026-05-10T09:30:00Z",
		"- name: ledger-0510\n  storageGiB: 100\n  version: \"17\"\n  namespace: payments\n  dbName: ledger\n  restoreFrom:\n    pointInTime:\n      database: ledger\n      time: \"2026-05-10T09:30:00Z\"\n",
		"The stack's config with this entry is valid",
		"platform diff --base-ref HEAD --stack prod",
		"pulumi up --stack prod",
		"--no-deletion-protection",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// --write adds the entry's lines and changes no other byte; the file stays valid.
func TestRestoreDBWrite(t *testing.T) {
	fixedClock(t)
	dir := restoreProject(t)
	path := filepath.Join(dir, "Pulumi.dev.yaml")
	before, _ := os.ReadFile(path)
	code, out, errOut := runRestore(t, "db", "--stack", "dev", "--team", "payments", "--name", "ledger", "--latest", "--write", "--dir", dir)
	if code != 0 || errOut != "" || !strings.Contains(out, "Added to platform:teams[0].databases in "+path) {
		t.Fatalf("exit %d, stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	after, _ := os.ReadFile(path)
	const anchor = "          iamAuthentication: true\n"
	entry := "        - name: ledger-restored\n          storageGiB: 20\n          version: \"17\"\n          iamAuthentication: true\n" +
		"          namespace: payments\n          dbName: ledger\n          restoreFrom:\n            pointInTime:\n              database: ledger\n              latest: true\n"
	if want := strings.Replace(string(before), anchor, anchor+entry, 1); string(after) != want {
		t.Errorf("Pulumi.dev.yaml after --write:\n%s", after)
	}
	if _, err := stackConfig(dir, "dev"); err != nil {
		t.Errorf("the written stack is invalid: %v", err)
	}
	// Again: the new name is taken now.
	if code, out, errOut := runRestore(t, "db", "--stack", "dev", "--team", "payments", "--name", "ledger", "--latest", "--write", "--dir", dir); code != 2 || out != "" || !strings.Contains(errOut, `--as "ledger-restored" is already`) {
		t.Errorf("second restore: exit %d, stdout %q, stderr %s", code, out, errOut)
	}
}

func TestRestoreVolumePrintsThePlan(t *testing.T) {
	code, out, errOut := runRestore(t, "volume", "--stack", "prod", "--dir", projectDir, "--namespace", "monitoring", "--claim", "prometheus-db-0",
		"--recovery-point", "arn:aws:ec2:eu-north-1::snapshot/snap-0123456789abcdef0", "--az", "eu-north-1b", "--size", "60")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	for _, want := range []string{
		`--iam-role-arn "arn:aws:iam::${ACCOUNT}:role/platform-prod-backup-role"`,
		`--metadata '{"availabilityZone":"eu-north-1b","encrypted":"true","volumeSize":"60","volumeType":"gp3"}'`,
		"monitoring is the platform's",
		"    storage: 60Gi\n",
		"kubectl -n monitoring get pvc prometheus-db-0",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
