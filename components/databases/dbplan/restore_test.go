package dbplan

import (
	"strings"
	"testing"
	"time"
)

var restoreNow = time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)

func restoreRules() RestoreRules {
	return RestoreRules{Cluster: "platform-dev", Team: "payments", Region: "eu-north-1", Partition: "aws", Now: restoreNow, Settings: DevSettings}
}

func pitr(db, at string, latest bool) *RestoreFrom {
	return &RestoreFrom{PointInTime: &PointInTime{Database: db, Time: at, Latest: latest}}
}

func TestValidateRestores(t *testing.T) {
	ledger := Database{Name: "ledger", StorageGiB: 50, Version: "16"}
	restored := func(rf *RestoreFrom) Database {
		return Database{Name: "ledger-restored", StorageGiB: 50, Version: "16", RestoreFrom: rf}
	}
	snap := func(s string) Database {
		d := restored(&RestoreFrom{Snapshot: s})
		d.DatabaseName = "ledger"
		return d
	}
	for _, tt := range []struct {
		name     string
		dbs      []Database
		path     string // "" when valid
		contains string
		n        int // problems, when not 1 (two databases naming each other are both wrong)
	}{
		{"point in time", []Database{ledger, restored(pitr("ledger", "2026-05-10T09:30:00Z", false))}, "", "", 0},
		{"latest", []Database{ledger, restored(pitr("ledger", "", true))}, "", "", 0},
		{"time with an offset", []Database{ledger, restored(pitr("ledger", "2026-05-10T11:30:00+02:00", false))}, "", "", 0},
		{"manual snapshot", []Database{snap("ledger-before-migration")}, "", "", 0},
		{"automated snapshot", []Database{snap("rds:platform-dev-payments-ledger-2026-05-09-01-10")}, "", "", 0},
		{"AWS Backup snapshot", []Database{snap("awsbackup:job-1b2c3d4e-aaaa-bbbb-cccc-0123456789ab")}, "", "", 0},
		{"recovery point ARN", []Database{snap("arn:aws:rds:eu-north-1:111122223333:snapshot:awsbackup:job-1b2c3d4e-aaaa-bbbb-cccc-0123456789ab")}, "", "", 0},
		{"a restore of a restore", []Database{ledger, restored(pitr("ledger", "", true)), {Name: "ledger-3", StorageGiB: 50, Version: "16", RestoreFrom: pitr("ledger-restored", "", true)}}, "", "", 0},

		{"both", []Database{ledger, restored(&RestoreFrom{Snapshot: "x", PointInTime: &PointInTime{Database: "ledger", Latest: true}})}, ".databases[1].restoreFrom", "sets both snapshot and pointInTime", 0},
		{"neither", []Database{ledger, restored(&RestoreFrom{})}, ".databases[1].restoreFrom", "sets neither snapshot nor pointInTime", 0},
		{"future", []Database{ledger, restored(pitr("ledger", "2026-05-11T00:00:00Z", false))}, ".databases[1].restoreFrom.pointInTime.time", "is in the future (now 2026-05-10T12:00:00Z)", 0},
		{"now", []Database{ledger, restored(pitr("ledger", "2026-05-10T12:00:00Z", false))}, ".databases[1].restoreFrom.pointInTime.time", "is in the future", 0},
		{"not RFC 3339", []Database{ledger, restored(pitr("ledger", "2026-05-10 09:30", false))}, ".databases[1].restoreFrom.pointInTime.time", "is not an RFC 3339 time", 0},
		{"latest and time", []Database{ledger, restored(pitr("ledger", "2026-05-10T09:30:00Z", true))}, ".databases[1].restoreFrom.pointInTime", "sets both time and latest", 0},
		{"no time", []Database{ledger, restored(pitr("ledger", "", false))}, ".databases[1].restoreFrom.pointInTime", "sets neither time nor latest; give time: <RFC 3339, e.g. 2026-05-10T11:00:00Z>", 0},
		{"unknown source", []Database{ledger, restored(pitr("orders", "", true))}, ".databases[1].restoreFrom.pointInTime.database", `"orders" is not one of the team's databases (ledger, ledger-restored)`, 0},
		{"no source", []Database{ledger, restored(pitr("", "", true))}, ".databases[1].restoreFrom.pointInTime.database", "is required", 0},
		{"itself", []Database{ledger, restored(pitr("ledger-restored", "", true))}, ".databases[1].restoreFrom.pointInTime.database", "is this database itself", 0},
		{"each other's source", []Database{{Name: "a", RestoreFrom: pitr("b", "", true)}, {Name: "b", RestoreFrom: pitr("a", "", true)}}, ".databases[0].restoreFrom.pointInTime.database", "cannot be each other's source", 2},
		{"other version", []Database{ledger, {Name: "ledger-restored", StorageGiB: 50, RestoreFrom: pitr("ledger", "", true)}}, ".databases[1].version", `PostgreSQL 17 differs from source ledger's 16`, 0},
		{"less storage", []Database{ledger, {Name: "ledger-restored", Version: "16", RestoreFrom: pitr("ledger", "", true)}}, ".databases[1].storageGiB", "20 GiB is less than source ledger's 50 GiB", 0},
		{"snapshot without dbName", []Database{restored(&RestoreFrom{Snapshot: "ledger-final"})}, ".databases[0].dbName", `is required with restoreFrom.snapshot`, 0},
		{"snapshot of another region", []Database{snap("arn:aws:rds:eu-west-1:111122223333:snapshot:ledger-final")}, ".databases[0].restoreFrom.snapshot", "is in eu-west-1; RDS restores only snapshots in the stack's region eu-north-1: copy it here first", 0},
		{"snapshot of another partition", []Database{snap("arn:aws-cn:rds:cn-north-1:111122223333:snapshot:ledger-final")}, ".databases[0].restoreFrom.snapshot", "is in partition aws-cn", 0},
		{"cluster snapshot", []Database{snap("arn:aws:rds:eu-north-1:111122223333:cluster-snapshot:x")}, ".databases[0].restoreFrom.snapshot", "cluster snapshot", 0},
		{"EBS recovery point", []Database{snap("arn:aws:ec2:eu-north-1::snapshot/snap-0123456789abcdef0")}, ".databases[0].restoreFrom.snapshot", "is not an RDS DB snapshot ARN", 0},
		{"bad identifier", []Database{snap("ledger--final")}, ".databases[0].restoreFrom.snapshot", "is not an RDS snapshot identifier", 0},
		{"bad dbName", []Database{{Name: "ledger", DatabaseName: "Ledger-DB"}}, ".databases[0].dbName", "is not a PostgreSQL database name", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			problems := ValidateRestores(tt.dbs, restoreRules())
			if tt.path == "" {
				if len(problems) != 0 {
					t.Fatalf("problems = %v, want none", problems)
				}
				return
			}
			if len(problems) != max(tt.n, 1) || problems[0].Path != tt.path || !strings.Contains(problems[0].Msg, tt.contains) {
				t.Fatalf("problems = %+v, want one on %s containing %q", problems, tt.path, tt.contains)
			}
		})
	}
}

func TestResolveTeamFollowsRestores(t *testing.T) {
	dbs := []Database{
		{Name: "ledger"},
		{Name: "ledger-2", RestoreFrom: pitr("ledger", "", true)},
		{Name: "ledger-3", RestoreFrom: pitr("ledger-2", "2026-05-10T09:30:00+02:00", false)},
		{Name: "orders-copy", DatabaseName: "orders", RestoreFrom: &RestoreFrom{Snapshot: "platform-dev-payments-orders-final"}},
		{Name: "own", DatabaseName: "own_db", RestoreFrom: pitr("ledger", "", true)},
	}
	got := ResolveTeam("platform-dev", "payments", []string{"payments"}, dbs, DevSettings)
	for _, tt := range []struct {
		i              int
		source, dbName string
	}{
		{0, "", "ledger"},
		{1, "platform-dev-payments-ledger", "ledger"},
		{2, "platform-dev-payments-ledger-2", "ledger"},
		{3, "", "orders"},
		{4, "platform-dev-payments-ledger", "own_db"},
	} {
		if i := got[tt.i]; i.SourceIdentifier != tt.source || i.DBName() != tt.dbName || i.StorageGiB != DevSettings.StorageGiB || i.Namespace != "payments" {
			t.Errorf("%s: source %q, database %q, storage %d, namespace %q; want %q, %q", i.Name, i.SourceIdentifier, i.DBName(), i.StorageGiB, i.Namespace, tt.source, tt.dbName)
		}
	}
	if at := got[2].RestoreFrom.PointInTime.RestoreTime(); at != "2026-05-10T07:30:00Z" {
		t.Errorf("restore time = %q, want it in UTC", at)
	}
	if at := got[1].RestoreFrom.PointInTime.RestoreTime(); at != "" {
		t.Errorf("latest: restore time = %q, want none", at)
	}
	// The connection Secret names the database the restore brought.
	spec := ConnectionSecretSpec(got[2], "arn:secret", "host")
	if !strings.Contains(spec2String(spec), "/ledger?sslmode=require") {
		t.Errorf("connection Secret of a restore = %v, want database ledger", spec)
	}
}

func spec2String(v any) string {
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		case string:
			b.WriteString(x + "\n")
		}
	}
	walk(v)
	return b.String()
}
