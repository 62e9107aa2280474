package restore

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/example/platform/components/databases/dbplan"
	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/planner"
)

var now = time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)

// stack decodes the project's stack file as the CLI does; prod gets payments' database ledger
// (100 GiB), which dev has already.
func stack(t *testing.T, name string) *config.Config {
	t.Helper()
	in, err := planner.LoadStack("../..", name)
	if err != nil {
		t.Fatal(err)
	}
	if name == "prod" {
		var teams []map[string]any
		if err := json.Unmarshal([]byte(in.Config["platform:teams"]), &teams); err != nil {
			t.Fatal(err)
		}
		teams[0]["databases"] = []any{map[string]any{"name": "ledger", "storageGiB": 100, "instanceClass": "db.t4g.large"}}
		teams[0]["databaseSlot"] = 0
		b, _ := json.Marshal(teams)
		in.Config["platform:teams"] = string(b)
	}
	for _, s := range config.Secrets {
		planner.Substitute(&in, s.Key)
	}
	secret := map[string]bool{}
	for _, k := range in.SecretKeys {
		secret[k] = true
	}
	cfg, err := config.DecodeOn(in.Project, in.Stack, in.Config, secret, now)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestPlanDB(t *testing.T) {
	dev, prod := stack(t, "dev"), stack(t, "prod")
	req := func(stack string, mod func(*DBRequest)) DBRequest {
		r := DBRequest{Stack: stack, Team: "payments", Name: "ledger", Now: now}
		mod(&r)
		return r
	}
	for _, tt := range []struct {
		name    string
		cfg     *config.Config
		req     DBRequest
		want    Entry
		wantErr string // the flag and message
	}{
		{"dev, point in time", dev, req("dev", func(r *DBRequest) { r.Time = "2026-05-10T11:30:00+02:00" }),
			Entry{Name: "ledger-restored", StorageGiB: 20, Version: "17", IAMAuthentication: true, Namespace: "payments", DBName: "ledger",
				RestoreFrom: EntrySource{PointInTime: &EntryTime{Database: "ledger", Time: "2026-05-10T09:30:00Z"}}}, ""},
		{"prod, latest, class kept", prod, req("prod", func(r *DBRequest) { r.Latest = true; r.As = "ledger-2" }),
			Entry{Name: "ledger-2", InstanceClass: "db.t4g.large", StorageGiB: 100, Version: "17", Namespace: "payments", DBName: "ledger",
				RestoreFrom: EntrySource{PointInTime: &EntryTime{Database: "ledger", Latest: true}}}, ""},
		{"prod, snapshot", prod, req("prod", func(r *DBRequest) { r.Snapshot = "platform-prod-payments-ledger-final" }),
			Entry{Name: "ledger-restored", InstanceClass: "db.t4g.large", StorageGiB: 100, Version: "17", Namespace: "payments", DBName: "ledger",
				RestoreFrom: EntrySource{Snapshot: "platform-prod-payments-ledger-final"}}, ""},
		{"snapshot of a database no longer in config", dev, req("dev", func(r *DBRequest) {
			r.Name = "orders"
			r.Snapshot = "rds:platform-dev-payments-orders-2026-05-09-01-10"
		}),
			Entry{Name: "orders-restored", StorageGiB: 20, Version: "17", Namespace: "payments", DBName: "orders",
				RestoreFrom: EntrySource{Snapshot: "rds:platform-dev-payments-orders-2026-05-09-01-10"}}, ""},

		{"no source flag", dev, req("dev", func(r *DBRequest) {}), Entry{}, "--snapshot, --time, --latest give exactly one"},
		{"two source flags", dev, req("dev", func(r *DBRequest) { r.Latest = true; r.Snapshot = "x" }), Entry{}, "--snapshot, --time, --latest give exactly one"},
		{"unknown team", dev, req("dev", func(r *DBRequest) { r.Team = "billing"; r.Latest = true }), Entry{}, `--team "billing" is not a team of stack dev; its teams are: payments, search`},
		{"unknown database", dev, req("dev", func(r *DBRequest) { r.Name = "orders"; r.Latest = true }), Entry{}, `--name "orders" is not a database of team payments (ledger)`},
		{"new name taken", dev, req("dev", func(r *DBRequest) { r.As = "ledger"; r.Latest = true }), Entry{}, `--as "ledger" is already a database of team payments`},
		{"time not RFC 3339", dev, req("dev", func(r *DBRequest) { r.Time = "yesterday" }), Entry{}, `--time "yesterday" is not an RFC 3339 time`},
		{"time in the future", dev, req("dev", func(r *DBRequest) { r.Time = "2026-05-10T12:00:01Z" }), Entry{}, "--time 2026-05-10T12:00:01Z is in the future"},
		{"dev keeps one day", dev, req("dev", func(r *DBRequest) { r.Time = "2026-05-09T11:59:00Z" }), Entry{}, "is before 2026-05-09T12:00:00Z: stack dev keeps 1 day(s) of point-in-time recovery"},
		{"prod keeps fourteen days", prod, req("prod", func(r *DBRequest) { r.Time = "2026-04-25T12:00:00Z" }), Entry{}, "keeps 14 day(s)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := PlanDB(tt.cfg, tt.req)
			if tt.wantErr != "" {
				var fe *FlagError
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want a flag error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p.Entry, tt.want) {
				t.Errorf("entry = %+v\nwant    %+v", p.Entry, tt.want)
			}
		})
	}
}

// The entry's YAML decodes into dbplan.Database as the config decodes it: the names match.
func TestEntryIsADatabase(t *testing.T) {
	e := Entry{Name: "a", InstanceClass: "db.t4g.small", StorageGiB: 30, Version: "16", IAMAuthentication: true, Namespace: "ns", DBName: "b",
		RestoreFrom: EntrySource{PointInTime: &EntryTime{Database: "c", Time: "2026-05-10T09:30:00Z", Latest: true}}}
	raw, err := yaml.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var generic any
	if err := yaml.Unmarshal(raw, &generic); err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(generic)
	dec := json.NewDecoder(strings.NewReader(string(js)))
	dec.DisallowUnknownFields()
	var db dbplan.Database
	if err := dec.Decode(&db); err != nil {
		t.Fatal(err)
	}
	want := dbplan.Database{Name: "a", InstanceClass: "db.t4g.small", StorageGiB: 30, Version: "16", IAMAuthentication: true, Namespace: "ns", DatabaseName: "b",
		RestoreFrom: &dbplan.RestoreFrom{PointInTime: &dbplan.PointInTime{Database: "c", Time: "2026-05-10T09:30:00Z", Latest: true}}}
	if !reflect.DeepEqual(db, want) {
		t.Errorf("decoded %+v, want %+v", db, want)
	}
}

func TestInsertDatabaseKeepsEveryOtherByte(t *testing.T) {
	src, err := os.ReadFile("../../Pulumi.dev.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e := Entry{Name: "ledger-restored", StorageGiB: 20, Version: "17", Namespace: "payments", DBName: "ledger",
		RestoreFrom: EntrySource{PointInTime: &EntryTime{Database: "ledger", Latest: true}}}
	out, err := InsertDatabase(src, "platform:teams", 0, e)
	if err != nil {
		t.Fatal(err)
	}
	item, _ := Item(e, 8)
	anchor := "          iamAuthentication: true\n"
	i := strings.Index(string(src), anchor) + len(anchor)
	if want := string(src[:i]) + item + string(src[i:]); string(out) != want {
		t.Errorf("edited file:\n%s\nwant the entry right after ledger's lines", out)
	}
	// A team without a block list of databases is left to a hand edit.
	if _, err := InsertDatabase(src, "platform:teams", 1, e); !errors.Is(err, ErrNotSpliceable) {
		t.Errorf("search has no databases: err = %v, want ErrNotSpliceable", err)
	}
	// The node edit means the same as the line edit, and adds a list where there is none.
	for team, want := range map[int]int{0: 2, 1: 1} {
		b, err := AppendDatabase(src, "platform:teams", team, e)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Config map[string]any `yaml:"config"`
		}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		dbs := doc.Config["platform:teams"].([]any)[team].(map[string]any)["databases"].([]any)
		if len(dbs) != want || dbs[len(dbs)-1].(map[string]any)["name"] != "ledger-restored" {
			t.Errorf("team %d: databases %v", team, dbs)
		}
		if team == 0 && !meansPlusEntry(src, b, "platform:teams", 0, e) {
			t.Error("the node edit differs from the file plus the entry")
		}
	}
	flow := strings.Replace(string(src), "      databases:\n        - name: ledger\n          iamAuthentication: true\n", "      databases: [{name: ledger, iamAuthentication: true}]\n", 1)
	if _, err := InsertDatabase([]byte(flow), "platform:teams", 0, e); !errors.Is(err, ErrNotSpliceable) {
		t.Errorf("a flow list: err = %v, want ErrNotSpliceable", err)
	}
}

func TestDBText(t *testing.T) {
	prod := stack(t, "prod")
	p, err := PlanDB(prod, DBRequest{Stack: "prod", Team: "payments", Name: "ledger", Time: "2026-05-10T09:30:00Z", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	item, _ := Item(p.Entry, 0)
	text := p.DBText(item, "Pulumi.prod.yaml", false)
	for _, want := range []string{
		"Restore of team payments's database ledger into a NEW database ledger-restored (RDS instance platform-prod-payments-ledger-restored) from platform-prod-payments-ledger as of 2026-05-10T09:30:00Z.",
		"1. Add to platform:teams[0].databases (team payments) in Pulumi.prod.yaml (or run again with --write):",
		"- name: ledger-restored\n  instanceClass: db.t4g.large\n  storageGiB: 100\n  version: \"17\"\n  namespace: payments\n  dbName: ledger\n  restoreFrom:\n    pointInTime:\n      database: ledger\n      time: \"2026-05-10T09:30:00Z\"\n",
		"platform diff --base-ref HEAD --stack prod",
		"pulumi preview --stack prod --diff",
		"pulumi up --stack prod",
		"Secret ledger-restored-postgres in namespace payments (PGDATABASE=ledger)",
		"grep -rl 'ledger-postgres' teams/payments/apps/",
		"remove restoreFrom from ledger-restored",
		"pulumi state unprotect --stack prod",
		"aws rds modify-db-instance --db-instance-identifier platform-prod-payments-ledger --no-deletion-protection",
		"RDS keeps its final snapshot platform-prod-payments-ledger-final",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("plan lacks %q:\n%s", want, text)
		}
	}
}

func TestPlanVolume(t *testing.T) {
	dev := stack(t, "dev")
	const rp = "arn:aws:ec2:eu-north-1::snapshot/snap-0123456789abcdef0"
	ok := VolumeRequest{Stack: "dev", Namespace: "search", Claim: "index-data", RecoveryPoint: rp, AZ: "eu-north-1b", SizeGiB: 50}
	for _, tt := range []struct {
		name    string
		mod     func(*VolumeRequest)
		wantErr string
	}{
		{"a team's namespace", func(*VolumeRequest) {}, ""},
		{"the platform's", func(r *VolumeRequest) { r.Namespace = "monitoring"; r.SizeGiB = 0 }, ""},
		{"another namespace", func(r *VolumeRequest) { r.Namespace = "billing" }, `--namespace "billing" is not a namespace of stack dev: a team's (payments, search, search-jobs) or the platform's (argocd`},
		{"Kubernetes' own", func(r *VolumeRequest) { r.Namespace = "kube-system" }, `--namespace "kube-system" is not a namespace of stack dev`},
		{"a claim name Kubernetes refuses", func(r *VolumeRequest) { r.Claim = "Data_1" }, `--claim "Data_1" is not a PersistentVolumeClaim name`},
		{"a database's recovery point", func(r *VolumeRequest) {
			r.RecoveryPoint = "arn:aws:rds:eu-north-1:111122223333:snapshot:awsbackup:job-1"
		}, "is not a database's recovery point: restore it with `platform restore db --snapshot"},
		{"not an ARN", func(r *VolumeRequest) { r.RecoveryPoint = "snap-0123456789abcdef0" }, `--recovery-point "snap-0123456789abcdef0" is not an EBS recovery point's ARN`},
		{"the copy region's", func(r *VolumeRequest) { r.RecoveryPoint = "arn:aws:ec2:eu-west-1::snapshot/snap-0123456789abcdef0" }, "is in eu-west-1; the stack's volumes are restored in eu-north-1: copy it back to vault platform-dev-backup"},
		{"a zone without nodes", func(r *VolumeRequest) { r.AZ = "eu-north-1c" }, `--az "eu-north-1c" is not a zone of stack dev (eu-north-1a, eu-north-1b)`},
		{"a size gp3 cannot have", func(r *VolumeRequest) { r.SizeGiB = 70000 }, "--size 70000 is not a gp3 size"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			tt.mod(&r)
			_, err := PlanVolume(dev, r)
			if tt.wantErr == "" && err != nil {
				t.Fatal(err)
			}
			var fe *FlagError
			if tt.wantErr != "" && (!errors.As(err, &fe) || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want a flag error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestVolumeText(t *testing.T) {
	p, err := PlanVolume(stack(t, "prod"), VolumeRequest{Stack: "prod", Namespace: "payments", Claim: "data-payments-0",
		RecoveryPoint: "arn:aws:ec2:eu-north-1::snapshot/snap-0123456789abcdef0", AZ: "eu-north-1c"})
	if err != nil {
		t.Fatal(err)
	}
	text := p.VolumeText()
	for _, want := range []string{
		"aws backup start-restore-job --region eu-north-1",
		"--recovery-point-arn arn:aws:ec2:eu-north-1::snapshot/snap-0123456789abcdef0",
		`--iam-role-arn "arn:aws:iam::${ACCOUNT}:role/platform-prod-backup-role"`,
		"--resource-type EBS --copy-source-tags-to-restored-resource",
		`--metadata '{"availabilityZone":"eu-north-1c","encrypted":"true","volumeType":"gp3"}'`,
		"aws backup describe-restore-job --region eu-north-1 --restore-job-id \"$JOB\"",
		"aws ec2 wait volume-available",
		"--tags Key=ebs.csi.aws.com/cluster,Value=true Key=kubernetes.io/cluster/platform-prod,Value=owned Key=platform.example.org/backup,Value=true",
		"\nkubectl apply -f - <<EOF\napiVersion: v1\nkind: PersistentVolume\n",
		"    volumeHandle: ${VOLUME_ID}\n",
		"    storage: ${SIZE_GIB}Gi\n",
		"            - key: topology.kubernetes.io/zone\n              operator: In\n              values: [eu-north-1c]\n",
		"  claimRef:\n    namespace: payments\n    name: data-payments-0\n",
		"  volumeName: restored-payments-data-payments-0\n",
		"\nEOF\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("plan lacks %q:\n%s", want, text)
		}
	}
	sized := p
	sized.Request.SizeGiB = 80
	if m := sized.Metadata(); m != `{"availabilityZone":"eu-north-1c","encrypted":"true","volumeSize":"80","volumeType":"gp3"}` {
		t.Errorf("metadata with --size = %s", m)
	}
}
