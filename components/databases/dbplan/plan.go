// Package dbplan plans the PostgreSQL databases the platform gives product teams: the config
// of a team's databases, the environment's defaults, names, validation, and the Kubernetes
// objects and IAM policy that deliver a database to its team. It is pure (no cloud SDK):
// config validation, the Databases component, the cost estimate and tests all read it.
package dbplan

import "strings"

// Database is one entry of a team's databases (platform:teams[i].databases). Zero values take
// the environment's defaults (Settings).
type Database struct {
	// Name names the database: a DNS label, unique within the team. Required. The database
	// inside PostgreSQL is the same name with '_' for '-'.
	Name string `json:"name"`
	// InstanceClass is the RDS instance class, one of Classes. Default: the environment's.
	InstanceClass string `json:"instanceClass,omitempty"`
	// StorageGiB is the allocated gp3 storage (MinStorageGiB-MaxStorageGiB). Default: the
	// environment's. RDS may grow it up to twice this on its own when it runs low.
	StorageGiB int `json:"storageGiB,omitempty"`
	// Version is the PostgreSQL major version ("17"). Default DefaultVersion.
	Version string `json:"version,omitempty"`
	// IAMAuthentication also lets the team's workload role log in with IAM (as the database
	// user named after the team).
	IAMAuthentication bool `json:"iamAuthentication,omitempty"`
	// Namespace receives the connection Secret: one of the team's namespaces. Default its first.
	Namespace string `json:"namespace,omitempty"`
	// DatabaseName is the PostgreSQL database inside the instance, which the connection Secret
	// names. Default: Name with '_' for '-' or, for a point-in-time restore, its source's. A
	// restored instance holds its source's databases (RDS creates none), so a snapshot restore
	// needs it, and `platform restore db` writes it, so the entry keeps it when restoreFrom goes.
	// RDS cannot rename a database: on an existing instance a change moves only the Secret.
	DatabaseName string `json:"dbName,omitempty"`
	// RestoreFrom makes this database a new instance restored from a snapshot or from another
	// database's point in time (restore.go). It is read once, when the instance is created.
	RestoreFrom *RestoreFrom `json:"restoreFrom,omitempty"`
}

// Settings are what an environment decides for every database of its stack.
type Settings struct {
	InstanceClass string
	StorageGiB    int
	// MultiAZ keeps a synchronous standby in another AZ (twice the instance and storage price).
	MultiAZ bool
	// BackupRetentionDays of automated backups (point-in-time recovery).
	BackupRetentionDays int
	// DeletionProtection makes AWS refuse to delete the instance; FinalSnapshot takes a
	// snapshot when it is deleted anyway.
	DeletionProtection, FinalSnapshot bool
	// ApplyImmediately applies changes now rather than in the maintenance window.
	ApplyImmediately bool
}

// DevSettings and ProdSettings are the environments' defaults: dev is cheap and disposable,
// prod survives an AZ, keeps two weeks of point-in-time recovery and cannot be deleted by a
// careless destroy.
var (
	DevSettings  = Settings{InstanceClass: "db.t4g.micro", StorageGiB: 20, BackupRetentionDays: 1, ApplyImmediately: true}
	ProdSettings = Settings{InstanceClass: "db.t4g.medium", StorageGiB: 50, MultiAZ: true, BackupRetentionDays: 14,
		DeletionProtection: true, FinalSnapshot: true}
)

// DefaultVersion is the PostgreSQL major version a database gets when it names none.
const DefaultVersion = "17"

// Port is PostgreSQL's: the security group and the teams' network policies open only it.
const Port = 5432

// Storage limits of gp3 for RDS PostgreSQL.
const (
	MinStorageGiB = 20
	MaxStorageGiB = 65536
)

// PerformanceInsightsRetentionDays is the free retention.
const PerformanceInsightsRetentionDays = 7

// LogExports are the PostgreSQL logs RDS sends to CloudWatch Logs, each to LogGroup.
var LogExports = []string{"postgresql", "upgrade"}

// LogRetentionDays of the databases' log groups: created by the program before RDS would
// create them itself, with no retention.
const LogRetentionDays = 30

// MasterUsername is the master user RDS creates (its password RDS manages in Secrets Manager).
const MasterUsername = "platform_admin"

// Windows of backups and maintenance (UTC, backup first, not overlapping).
const (
	BackupWindow      = "01:00-02:00"
	MaintenanceWindow = "sun:02:30-sun:03:30"
)

// Instance is one database with every default applied: what the component builds.
type Instance struct {
	Team string
	Database
	// Env holds the environment's settings (its class and storage defaults are applied to
	// Database already).
	Env Settings
	// Cluster is the stack's cluster name, which every physical name starts with.
	Cluster string
	// SourceIdentifier is the RDS instance a point-in-time restore reads from, and
	// SourceDBName the PostgreSQL database it holds (ResolveTeam sets both; "" otherwise).
	SourceIdentifier, SourceDBName string
}

// Resolve applies the environment's settings and the team's defaults to db.
func Resolve(cluster, team string, namespaces []string, db Database, s Settings) Instance {
	if db.InstanceClass == "" {
		db.InstanceClass = s.InstanceClass
	}
	if db.StorageGiB == 0 {
		db.StorageGiB = s.StorageGiB
	}
	if db.Version == "" {
		db.Version = DefaultVersion
	}
	if db.Namespace == "" && len(namespaces) > 0 {
		db.Namespace = namespaces[0]
	}
	return Instance{Team: team, Database: db, Env: s, Cluster: cluster}
}

// Key is the database's logical-name stem, "<team>-<name>": names never depend on list
// position.
func (i Instance) Key() string { return i.Team + "-" + i.Name }

// Identifier is the RDS instance identifier, "<cluster>-<team>-<name>": fixed, so a snapshot
// and its logs are found by a name people know.
func (i Instance) Identifier() string { return i.Cluster + "-" + i.Key() }

// FinalSnapshotIdentifier is the snapshot RDS takes when a prod database is deleted.
func (i Instance) FinalSnapshotIdentifier() string { return i.Identifier() + "-final" }

// DBName is the database inside the instance: the one PostgreSQL creates, or the one a
// restore brings from its source.
func (i Instance) DBName() string {
	switch {
	case i.DatabaseName != "":
		return i.DatabaseName
	case i.SourceDBName != "":
		return i.SourceDBName
	}
	return strings.ReplaceAll(i.Name, "-", "_")
}

// LogGroup is the CloudWatch log group RDS exports log to.
func (i Instance) LogGroup(log string) string {
	return "/aws/rds/instance/" + i.Identifier() + "/" + log
}

// Family is the parameter group family of the version.
func (i Instance) Family() string { return "postgres" + i.Version }

// SecretName is the connection Secret in the team's namespace.
func (i Instance) SecretName() string { return i.Name + "-postgres" }

// MaxAllocatedStorageGiB is how far RDS's storage autoscaling may grow the volume.
func (i Instance) MaxAllocatedStorageGiB() int { return min(2*i.StorageGiB, MaxStorageGiB) }

// Parameters are the instance's parameter group: TLS required, slow statements and lock
// waits logged (they reach CloudWatch through LogExports).
func (i Instance) Parameters() map[string]string {
	return map[string]string{
		"rds.force_ssl":              "1",
		"log_min_duration_statement": "1000",
		"log_lock_waits":             "1",
	}
}
