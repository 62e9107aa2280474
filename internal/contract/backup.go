package contract

// What the backup component, the databases, the EBS CSI StorageClass, `platform restore` and the
// docs must agree on about AWS Backup.

// BackupTag selects a resource for the stack's backup plan: a volume or database carrying it
// with the value BackupTagValue (and the stack's cluster tag) is backed up. The gp3
// StorageClass tags the volumes it creates with it; gp3-no-backup is the opt-out class.
const (
	BackupTag      = "platform.example.org/backup"
	BackupTagValue = "true"
)

// NoBackupStorageClass is the StorageClass a team or the platform claims a volume from to opt it
// out of backups (the same gp3 volume, without BackupTag).
const NoBackupStorageClass = "gp3-no-backup"

// BackupVaultName is the stack's AWS Backup vault (the copy region's vault has the same name).
func BackupVaultName(cluster string) string { return cluster + "-backup" }

// BackupRoleName is the role AWS Backup assumes to back up and restore the stack's selected
// resources (`platform restore` passes it to start-restore-job).
func BackupRoleName(cluster string) string { return cluster + "-backup-role" }

// KeepTag marks an EBS volume the stack keeps when it is destroyed: the gp3 StorageClasses
// tag what they create with KeepTag=KeepTagValue when their reclaim policy is Retain (prod), so
// the runner's sweep, which deletes what a destroy left behind, lists the volume as kept and
// never deletes it, even on a later run that no longer knows the cluster's volumes.
const (
	KeepTag      = "platform.example.org/reclaim-policy"
	KeepTagValue = "Retain"
)
