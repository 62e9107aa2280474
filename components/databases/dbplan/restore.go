package dbplan

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// RestoreFrom is where a restored database's data comes from: one of a snapshot or a point in
// time of another database of the team. A restore always makes a NEW instance (a new entry,
// a new name): RDS restores into a new identifier, and the old database stays until its entry
// is removed, so nothing is lost if the restore is the wrong one.
type RestoreFrom struct {
	// Snapshot is an RDS DB snapshot: an identifier of the stack's account and region (manual
	// "ledger-before-migration", automated "rds:<identifier>-2026-05-01-01-10", AWS Backup's
	// "awsbackup:job-<id>", a final snapshot "<identifier>-final") or an ARN (required for a
	// snapshot shared from another account, including an AWS Backup recovery point of RDS).
	Snapshot string `json:"snapshot,omitempty"`
	// PointInTime restores another database of the same team as it was at a time.
	PointInTime *PointInTime `json:"pointInTime,omitempty"`
}

// PointInTime is a point-in-time restore's source and time.
type PointInTime struct {
	// Database is the source: the name of one of the team's databases (its instance exists).
	Database string `json:"database"`
	// Time is RFC 3339 ("2026-05-01T09:30:00Z"), in the past and within the source's backup
	// retention (the retention only `platform restore` can judge: the config outlives it).
	Time string `json:"time,omitempty"`
	// Latest restores the latest restorable time (about five minutes ago) instead of Time.
	Latest bool `json:"latest,omitempty"`
}

// RestoreIgnoredInputs are the rds.Instance inputs every team database ignores after creation
// (pulumi.IgnoreChanges), restored or not, because they only say how the instance was made:
//   - snapshotIdentifier and restoreToPointInTime are read once, at creation; the provider
//     replaces the instance when they change, so removing restoreFrom (the source retired, or
//     the entry tidied) would otherwise restore the database again, and lose what was written
//     since. Ignored for every instance: the list is evaluated from the current config, so it
//     must still hold once restoreFrom is gone.
//   - dbName, username, kmsKeyId and storageEncrypted come from the source in a restore (RDS
//     takes no database name or master user for PostgreSQL and keeps the snapshot's key and
//     encryption), and each forces a replacement in the provider. A platform database never
//     changes them (its name is fixed, its key protected), so ignoring them hides nothing.
var RestoreIgnoredInputs = []string{"snapshotIdentifier", "restoreToPointInTime", "dbName", "username", "kmsKeyId", "storageEncrypted"}

// RestoreTime is a point-in-time restore's time as RDS takes it (UTC, RFC 3339), or "" for
// the latest restorable time or an invalid time (Validate refuses it).
func (p PointInTime) RestoreTime() string {
	t, err := time.Parse(time.RFC3339, p.Time)
	if p.Latest || err != nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// ResolveTeam resolves a team's databases (Resolve) and gives each point-in-time restore its
// source's instance identifier and database name, following chains (a restore of a restore).
func ResolveTeam(cluster, team string, namespaces []string, dbs []Database, s Settings) []Instance {
	out := make([]Instance, len(dbs))
	byName := map[string]int{}
	for j, db := range dbs {
		out[j] = Resolve(cluster, team, namespaces, db, s)
		byName[db.Name] = j
	}
	var dbName func(j, depth int) string
	dbName = func(j, depth int) string {
		i := out[j]
		if i.DatabaseName != "" || i.RestoreFrom == nil || i.RestoreFrom.PointInTime == nil || depth > len(dbs) {
			return i.DBName()
		}
		if src, ok := byName[i.RestoreFrom.PointInTime.Database]; ok && src != j {
			return dbName(src, depth+1)
		}
		return i.DBName()
	}
	for j := range out {
		if r := out[j].RestoreFrom; r != nil && r.PointInTime != nil {
			if src, ok := byName[r.PointInTime.Database]; ok && src != j {
				out[j].SourceIdentifier = out[src].Identifier()
				out[j].SourceDBName = dbName(src, 1)
			}
		}
	}
	return out
}

// RestoreRules are what a restore is judged against.
type RestoreRules struct {
	Cluster, Team string
	// Region and Partition are the stack's: RDS restores only snapshots of its own region.
	Region, Partition string
	// Now is when the config is judged: a point in time must be before it.
	Now time.Time
	// Settings are the environment's (the sources' default storage).
	Settings Settings
}

var (
	// snapshotIDPattern: RDS's snapshot identifiers (a letter first, letters, digits, single
	// hyphens), with the prefixes of automated ("rds:") and AWS Backup's ("awsbackup:") ones.
	snapshotIDPattern = regexp.MustCompile(`^(rds:|awsbackup:)?[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*$`)
	snapshotARN       = regexp.MustCompile(`^arn:([a-z-]+):rds:([a-z0-9-]+):([0-9]{12}):([a-z-]+):(.+)$`)
	pgIdentifier      = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)
)

// MaxSnapshotIdentifierLength is RDS's limit.
const MaxSnapshotIdentifierLength = 255

// ValidateRestores judges the restores among one team's databases (Validate judges the rest).
// Paths are relative to the team's entry.
func ValidateRestores(dbs []Database, r RestoreRules) []Problem {
	var out []Problem
	add := func(path, format string, a ...any) { out = append(out, Problem{path, fmt.Sprintf(format, a...)}) }
	byName := map[string]int{}
	var names []string
	for j, db := range dbs {
		byName[db.Name] = j
		names = append(names, db.Name)
	}
	for j, db := range dbs {
		p := fmt.Sprintf(".databases[%d]", j)
		if db.DatabaseName != "" && !pgIdentifier.MatchString(db.DatabaseName) {
			add(p+".dbName", "%q is not a PostgreSQL database name the platform uses: lowercase letters, digits and '_', a letter or '_' first, at most 63 (a database named NAME holds NAME with '_' for '-')", db.DatabaseName)
		}
		rf := db.RestoreFrom
		if rf == nil {
			continue
		}
		p += ".restoreFrom"
		switch {
		case rf.Snapshot != "" && rf.PointInTime != nil:
			add(p, "sets both snapshot and pointInTime; a restore reads from one: snapshot (an RDS snapshot identifier or ARN) or pointInTime (database and time, or latest: true)")
		case rf.Snapshot == "" && rf.PointInTime == nil:
			add(p, "sets neither snapshot nor pointInTime; give one: snapshot: <an RDS snapshot identifier or ARN>, or pointInTime: {database: <one of the team's databases>, time: <RFC 3339> | latest: true}")
		case rf.Snapshot != "":
			if problem := checkSnapshot(rf.Snapshot, r); problem != "" {
				add(p+".snapshot", "%s", problem)
			}
			if db.DatabaseName == "" {
				add(fmt.Sprintf(".databases[%d].dbName", j), "is required with restoreFrom.snapshot: the PostgreSQL database inside the snapshot, which the connection Secret names (its source database's name with '_' for '-', e.g. %q)", strings.ReplaceAll(db.Name, "-", "_"))
			}
		default:
			out = append(out, checkPointInTime(dbs, j, byName, names, r)...)
		}
	}
	return out
}

func checkSnapshot(s string, r RestoreRules) string {
	if m := snapshotARN.FindStringSubmatch(s); m != nil {
		partition, region, kind, id := m[1], m[2], m[4], m[5]
		switch {
		case kind == "cluster-snapshot":
			return fmt.Sprintf("%q is an Aurora or Multi-AZ cluster snapshot; a team's database restores from a DB instance snapshot (arn:%s:rds:<region>:<account>:snapshot:<id>)", s, r.Partition)
		case kind != "snapshot":
			return fmt.Sprintf("%q is an RDS %s, not a DB snapshot (arn:%s:rds:<region>:<account>:snapshot:<id>)", s, kind, r.Partition)
		case partition != r.Partition:
			return fmt.Sprintf("%q is in partition %s; the stack is in %s", s, partition, r.Partition)
		case region != r.Region:
			return fmt.Sprintf("%q is in %s; RDS restores only snapshots in the stack's region %s: copy it here first (aws rds copy-db-snapshot --region %s --source-db-snapshot-identifier %s --target-db-snapshot-identifier <name> --kms-key-id alias/%s-databases), then restore the copy",
				s, region, r.Region, r.Region, s, r.Cluster)
		case !snapshotIDPattern.MatchString(id):
			return fmt.Sprintf("%q ends in %q, which is no RDS snapshot identifier", s, id)
		}
		return ""
	}
	if strings.HasPrefix(s, "arn:") {
		return fmt.Sprintf("%q is not an RDS DB snapshot ARN (arn:%s:rds:%s:<account>:snapshot:<id>)", s, r.Partition, r.Region)
	}
	if len(s) > MaxSnapshotIdentifierLength || !snapshotIDPattern.MatchString(s) {
		return fmt.Sprintf("%q is not an RDS snapshot identifier (a letter first, then letters, digits and single hyphens; automated ones start with rds:, AWS Backup's with awsbackup:) nor a snapshot ARN", s)
	}
	return ""
}

func checkPointInTime(dbs []Database, j int, byName map[string]int, names []string, r RestoreRules) []Problem {
	var out []Problem
	p := fmt.Sprintf(".databases[%d].restoreFrom.pointInTime", j)
	add := func(path, format string, a ...any) { out = append(out, Problem{path, fmt.Sprintf(format, a...)}) }
	db, pit := dbs[j], dbs[j].RestoreFrom.PointInTime
	src, known := byName[pit.Database]
	switch {
	case pit.Database == "":
		add(p+".database", "is required: the name of the team's database to restore, one of %s", strings.Join(names, ", "))
	case pit.Database == db.Name:
		add(p+".database", "%q is this database itself; a restore makes a new instance: give this entry a new name (e.g. %s-restored) and name the source here", pit.Database, db.Name)
	case !known:
		add(p+".database", "%q is not one of the team's databases (%s): a point-in-time restore reads from an instance that exists. A deleted database's data is in its final snapshot (restoreFrom.snapshot: <identifier>-final); once a restore is done and its source retired, remove restoreFrom and keep dbName (the instance stays)",
			pit.Database, strings.Join(names, ", "))
	case restoresFrom(dbs, byName, src, db.Name):
		add(p+".database", "%q restores from %q in turn; two databases cannot be each other's source", pit.Database, db.Name)
	}
	switch {
	case pit.Latest && pit.Time != "":
		add(p, "sets both time and latest; give one: time (RFC 3339) or latest: true (the latest restorable time)")
	case !pit.Latest && pit.Time == "":
		add(p, "sets neither time nor latest; give time: <RFC 3339, e.g. %s> or latest: true", r.Now.UTC().Add(-time.Hour).Truncate(time.Minute).Format(time.RFC3339))
	case pit.Time != "":
		t, err := time.Parse(time.RFC3339, pit.Time)
		switch {
		case err != nil:
			add(p+".time", "%q is not an RFC 3339 time; use e.g. 2026-05-01T09:30:00Z (UTC) or 2026-05-01T11:30:00+02:00", pit.Time)
		case !t.Before(r.Now):
			add(p+".time", "%s is in the future (now %s): RDS restores up to the source's latest restorable time, about five minutes ago; use latest: true for that", pit.Time, r.Now.UTC().Format(time.RFC3339))
		}
	}
	if !known || src == j {
		return out
	}
	// A point-in-time restore keeps the source's engine version and needs at least its storage
	// (RDS cannot shrink a volume): the restored entry states both, so they are judged here.
	source := Resolve(r.Cluster, r.Team, nil, dbs[src], r.Settings)
	self := Resolve(r.Cluster, r.Team, nil, db, r.Settings)
	if self.Version != source.Version {
		add(fmt.Sprintf(".databases[%d].version", j), "PostgreSQL %s differs from source %s's %s: a point-in-time restore keeps the source's version; restore with version %q, then upgrade by changing it",
			self.Version, pit.Database, source.Version, source.Version)
	}
	if self.StorageGiB < source.StorageGiB {
		add(fmt.Sprintf(".databases[%d].storageGiB", j), "%d GiB is less than source %s's %d GiB: a restore needs at least the source's storage (RDS cannot shrink it); use %d or more",
			self.StorageGiB, pit.Database, source.StorageGiB, source.StorageGiB)
	}
	return out
}

// restoresFrom says whether database from (by index) restores, directly or through a chain,
// from the database named target.
func restoresFrom(dbs []Database, byName map[string]int, from int, target string) bool {
	for steps := 0; steps <= len(dbs); steps++ {
		rf := dbs[from].RestoreFrom
		if rf == nil || rf.PointInTime == nil {
			return false
		}
		if rf.PointInTime.Database == target {
			return true
		}
		next, ok := byName[rf.PointInTime.Database]
		if !ok {
			return false
		}
		from = next
	}
	return false
}
