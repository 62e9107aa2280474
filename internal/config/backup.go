package config

import (
	"fmt"

	"github.com/example/platform/components/backup/backupplan"
	"github.com/example/platform/internal/contract"
)

// BackupConfig is platform:backup: AWS Backup of the stack's tagged volumes and databases. The
// rules (schedules, retention, copies) are the environment's (Policy.Backup); config says
// where the copies go and whether the vaults are locked.
type BackupConfig struct {
	// Enabled backs up the stack. Default true; prod refuses false.
	Enabled bool `json:"enabled"`
	// CopyRegion is the second region the recovery points are copied to. Required in prod
	// (whose rules copy); refused where no rule copies, equal to aws:region or in another
	// partition.
	CopyRegion string `json:"copyRegion,omitempty"`
	// VaultLock locks both vaults (prod only). Compliance mode is IRREVERSIBLE once its
	// changeableForDays have passed: nobody, AWS included, can then remove the lock, shorten a
	// recovery point's retention or delete the vaults.
	VaultLock *backupplan.VaultLock `json:"vaultLock,omitempty"`
}

// DefaultBackup is platform:backup when the stack does not set it.
func DefaultBackup() BackupConfig { return BackupConfig{Enabled: true} }

func (c *Config) validateBackup(errs *Errors) {
	const k = Namespace + ":backup"
	b, rules := c.Backup, c.Policy().Backup
	if !b.Enabled {
		if rules.Required {
			errs.add(k+".enabled", "is false, which "+c.env()+" does not allow: its volumes and databases must be backed up (AWS Backup, README \"Backups\"); remove the key")
		}
		if b.CopyRegion != "" || b.VaultLock != nil {
			errs.add(k, "sets copyRegion or vaultLock, but enabled is false: nothing would use them; remove them or enable backups")
		}
		return
	}
	switch {
	case b.CopyRegion == "" && rules.Copies():
		errs.add(k+".copyRegion", "is required in "+c.env()+": its recovery points are copied to a second AWS region; set one, e.g. eu-west-1")
	case b.CopyRegion == "":
	case !rules.Copies():
		errs.add(k+".copyRegion", fmt.Sprintf("is set, but no backup rule of %s copies to another region; remove it", c.env()))
	case !regionPattern.MatchString(b.CopyRegion):
		errs.add(k+".copyRegion", fmt.Sprintf("%q is not an AWS region name; use a second region such as eu-west-1", b.CopyRegion))
	case b.CopyRegion == c.Region:
		errs.add(k+".copyRegion", fmt.Sprintf("%q is the stack's own region (aws:region): a copy there does not survive the region; use another region", b.CopyRegion))
	case c.Region != "" && contract.PartitionOfRegion(b.CopyRegion) != contract.PartitionOfRegion(c.Region):
		errs.add(k+".copyRegion", fmt.Sprintf("%q is in another AWS partition than %s (aws:region): AWS Backup copies within a partition; use a region of %s", b.CopyRegion, c.Region, contract.PartitionOfRegion(c.Region)))
	}
	if b.VaultLock == nil {
		return
	}
	if !rules.VaultLock {
		errs.add(k+".vaultLock", "is not available in "+c.env()+": a locked vault keeps every recovery point until its retention ends, which a disposable stack cannot be destroyed around; remove it")
		return
	}
	for _, p := range backupplan.CheckLock(*b.VaultLock, rules) {
		errs.add(k+".vaultLock."+p.Field, p.Msg)
	}
}

// backupWarnings: a compliance lock is irreversible after its grace time; say so on every
// preview.
func (c *Config) backupWarnings() []string {
	l := c.Backup.VaultLock
	if !c.Backup.Enabled || l == nil || l.Mode != backupplan.LockCompliance {
		return nil
	}
	return []string{fmt.Sprintf("%s:backup.vaultLock.mode is compliance: %d days after the lock is first applied it becomes IRREVERSIBLE: nobody, AWS included, can remove it, shorten a recovery point's retention (%d to %d days) or delete the vaults until their last recovery point expires (README, \"Backups\")",
		Namespace, l.ChangeableForDays, l.MinRetentionDays, l.MaxRetentionDays)}
}
