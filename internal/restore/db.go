// Package restore plans restores without running them: `platform restore db` turns a request
// into a new entry of a team's databases (with restoreFrom) and the commands that apply it;
// `platform restore volume` into the AWS Backup restore job of an EBS recovery point and the
// PersistentVolume and claim that give it back to its namespace. It is pure: no AWS, no cluster.
package restore

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/example/platform/components/databases/dbplan"
	"github.com/example/platform/components/teams/teamplan"
	"github.com/example/platform/internal/config"
)

// FlagError is a request refused because of one flag.
type FlagError struct{ Flag, Msg string }

func (e *FlagError) Error() string { return e.Flag + " " + e.Msg }

func flagErr(flag, format string, a ...any) error {
	return &FlagError{Flag: flag, Msg: fmt.Sprintf(format, a...)}
}

// DBRequest is `platform restore db`: restore team Team's database Name as a new database As
// (default "<Name>-restored") from a snapshot, a time or the latest restorable time.
type DBRequest struct {
	Stack, Team, Name, As string
	Snapshot, Time        string
	Latest                bool
	// Now is when the restore is planned: a time must be before it and within the source's
	// backup retention.
	Now time.Time
}

// Entry is the new database as it goes into the stack file: the source's settings, pinned
// (version and storage stated, so that a later change of the environment's defaults cannot
// move them), the database inside named (dbName), and where its data comes from. The YAML
// names are dbplan.Database's JSON names (a test keeps them in step).
type Entry struct {
	Name              string      `yaml:"name"`
	InstanceClass     string      `yaml:"instanceClass,omitempty"`
	StorageGiB        int         `yaml:"storageGiB"`
	Version           string      `yaml:"version"`
	IAMAuthentication bool        `yaml:"iamAuthentication,omitempty"`
	Namespace         string      `yaml:"namespace"`
	DBName            string      `yaml:"dbName"`
	RestoreFrom       EntrySource `yaml:"restoreFrom"`
}

// EntrySource is dbplan.RestoreFrom in YAML.
type EntrySource struct {
	Snapshot    string     `yaml:"snapshot,omitempty"`
	PointInTime *EntryTime `yaml:"pointInTime,omitempty"`
}

// EntryTime is dbplan.PointInTime in YAML.
type EntryTime struct {
	Database string `yaml:"database"`
	Time     string `yaml:"time,omitempty"`
	Latest   bool   `yaml:"latest,omitempty"`
}

// DBPlan is a planned database restore.
type DBPlan struct {
	Request DBRequest
	// TeamIndex is the team's place in platform:teams; Entry goes at the end of its databases.
	TeamIndex int
	Entry     Entry
	// Identifier is the new RDS instance; Source the one restored (its entry, when it has one).
	Identifier, SourceIdentifier string
	// SourceInConfig is false for a snapshot of a database no longer in config: the entry then
	// has the environment's defaults, which the snapshot's size and version must not exceed.
	SourceInConfig bool
	Protected      bool
}

// PlanDB judges req against the stack's config and makes the new entry. The edited config is
// judged by the caller, as `platform plan` judges it.
func PlanDB(cfg *config.Config, req DBRequest) (DBPlan, error) {
	n := 0
	for _, set := range []bool{req.Snapshot != "", req.Time != "", req.Latest} {
		if set {
			n++
		}
	}
	if n != 1 {
		return DBPlan{}, flagErr("--snapshot, --time, --latest", "give exactly one: --snapshot ID|ARN (a snapshot), --time RFC3339 (a point in time) or --latest (the latest restorable time)")
	}
	team := slices.IndexFunc(cfg.Teams, func(t teamplan.Team) bool { return t.Name == req.Team })
	if team < 0 {
		var names []string
		for _, t := range cfg.Teams {
			names = append(names, t.Name)
		}
		return DBPlan{}, flagErr("--team", "%q is not a team of stack %s; its teams are: %s", req.Team, req.Stack, strings.Join(names, ", "))
	}
	t := cfg.Teams[team]
	var names []string
	for _, db := range t.Databases {
		names = append(names, db.Name)
	}
	source := slices.IndexFunc(t.Databases, func(d dbplan.Database) bool { return d.Name == req.Name })
	if source < 0 && req.Snapshot == "" {
		return DBPlan{}, flagErr("--name", "%q is not a database of team %s (%s): a point-in-time restore reads from a database that exists; for a deleted one, restore its final snapshot (--snapshot %s-%s-%s-final)",
			req.Name, req.Team, strings.Join(names, ", "), cfg.Cluster.Name, req.Team, req.Name)
	}
	as := req.As
	if as == "" {
		as = req.Name + "-restored"
	}
	if slices.Contains(names, as) {
		return DBPlan{}, flagErr("--as", "%q is already a database of team %s: a restore makes a new instance; give it a new name with --as", as, req.Team)
	}
	p := DBPlan{Request: req, TeamIndex: team, SourceInConfig: source >= 0, Protected: cfg.Policy().Protect}
	p.SourceIdentifier = dbplan.Instance{Cluster: cfg.Cluster.Name, Team: req.Team, Database: dbplan.Database{Name: req.Name}}.Identifier()
	p.Identifier = dbplan.Instance{Cluster: cfg.Cluster.Name, Team: req.Team, Database: dbplan.Database{Name: as}}.Identifier()
	e := Entry{Name: as}
	if source >= 0 {
		src := dbplan.ResolveTeam(cfg.Cluster.Name, t.Name, t.Namespaces, t.Databases, cfg.Policy().Database)[source]
		e.InstanceClass, e.StorageGiB, e.Version = t.Databases[source].InstanceClass, src.StorageGiB, src.Version
		e.IAMAuthentication, e.Namespace, e.DBName = src.IAMAuthentication, src.Namespace, src.DBName()
	} else {
		src := dbplan.Resolve(cfg.Cluster.Name, t.Name, t.Namespaces, dbplan.Database{Name: req.Name}, cfg.Policy().Database)
		e.StorageGiB, e.Version, e.Namespace, e.DBName = src.StorageGiB, src.Version, src.Namespace, src.DBName()
	}
	switch {
	case req.Snapshot != "":
		e.RestoreFrom.Snapshot = req.Snapshot
	case req.Latest:
		e.RestoreFrom.PointInTime = &EntryTime{Database: req.Name, Latest: true}
	default:
		at, err := time.Parse(time.RFC3339, req.Time)
		if err != nil {
			return DBPlan{}, flagErr("--time", "%q is not an RFC 3339 time; use e.g. %s", req.Time, req.Now.UTC().Add(-time.Hour).Truncate(time.Minute).Format(time.RFC3339))
		}
		days := cfg.Policy().Database.BackupRetentionDays
		earliest := req.Now.Add(-time.Duration(days) * 24 * time.Hour)
		switch {
		case !at.Before(req.Now):
			return DBPlan{}, flagErr("--time", "%s is in the future (now %s); --latest restores the latest restorable time, about five minutes ago", req.Time, req.Now.UTC().Format(time.RFC3339))
		case at.Before(earliest):
			return DBPlan{}, flagErr("--time", "%s is before %s: stack %s keeps %d day(s) of point-in-time recovery; restore an older snapshot instead (aws rds describe-db-snapshots --db-instance-identifier %s; AWS Backup's are in vault %s-backup)",
				req.Time, earliest.UTC().Format(time.RFC3339), req.Stack, days, p.SourceIdentifier, cfg.Cluster.Name)
		}
		e.RestoreFrom.PointInTime = &EntryTime{Database: req.Name, Time: at.UTC().Format(time.RFC3339)}
	}
	p.Entry = e
	return p, nil
}

// FlagOf names the flag a config problem of the new entry comes from ("" when none does).
func FlagOf(rest string) string {
	for _, f := range []struct{ key, flag string }{
		{".restoreFrom.snapshot", "--snapshot"}, {".restoreFrom.pointInTime.time", "--time"},
		{".restoreFrom.pointInTime.database", "--name"}, {".restoreFrom", "--snapshot, --time, --latest"},
		{".name", "--as"}, {".dbName", "--name"},
	} {
		if rest == f.key || strings.HasPrefix(rest, f.key+".") {
			return f.flag
		}
	}
	return ""
}
