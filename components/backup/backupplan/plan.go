// Package backupplan plans the stack's AWS Backup: the rules an environment decides (when, how
// long, copied or not), the vault lock, the selection by tag, and the IAM documents of the
// backup role, its trust and the vaults' access policy. It is pure (no cloud SDK): config
// validation, the Backup component, the cost estimate and the IAM engine tests all read it.
package backupplan

import (
	"fmt"
	"regexp"
	"slices"
)

// Rule is one schedule of the stack's backup plan.
type Rule struct {
	// Name is the rule's name in the plan ("daily", "monthly").
	Name string
	// Schedule is an AWS Backup cron expression (UTC).
	Schedule string
	// DeleteAfterDays is how long a recovery point of the rule is kept.
	DeleteAfterDays int
	// Copy copies each recovery point to the copy region's vault, kept as long.
	Copy bool
}

// Settings are what an environment decides about backups (config.Policy.Backup).
type Settings struct {
	Rules []Rule
	// Required refuses turning backups off; VaultLock offers the vault lock.
	Required, VaultLock bool
}

// The schedules start at 04:00 UTC: after the databases' automated backup window (01:00-02:00)
// and their Sunday maintenance window (02:30-03:30), which AWS Backup must not overlap. The
// monthly rule starts at the same time as the daily one on purpose: when two rules of a plan
// fall in the same window, AWS Backup runs one job and keeps the longest retention, so the 1st
// of a month makes one recovery point, not two.
const (
	DailySchedule   = "cron(0 4 * * ? *)"
	MonthlySchedule = "cron(0 4 1 * ? *)"
	// StartWindowMinutes is how long a job may wait to start (AWS's minimum is 60);
	// CompletionWindowMinutes how long it may run before AWS Backup cancels it: a day, when the
	// next daily job starts.
	StartWindowMinutes      = 60
	CompletionWindowMinutes = 24 * 60
)

// DevSettings and ProdSettings are the environments' rules: dev keeps a week of dailies; prod
// keeps 35 days of dailies and 12 months of monthlies, each copied to the copy region (a
// region's loss then costs at most a day of data).
var (
	DevSettings  = Settings{Rules: []Rule{{Name: "daily", Schedule: DailySchedule, DeleteAfterDays: 7}}}
	ProdSettings = Settings{Rules: []Rule{
		{Name: "daily", Schedule: DailySchedule, DeleteAfterDays: 35, Copy: true},
		{Name: "monthly", Schedule: MonthlySchedule, DeleteAfterDays: 365, Copy: true},
	}, Required: true, VaultLock: true}
)

// Copies says whether any rule copies to the copy region.
func (s Settings) Copies() bool {
	return slices.ContainsFunc(s.Rules, func(r Rule) bool { return r.Copy })
}

// RetentionRange is the shortest and the longest retention of the rules.
func (s Settings) RetentionRange() (lo, hi int) {
	for i, r := range s.Rules {
		if i == 0 || r.DeleteAfterDays < lo {
			lo = r.DeleteAfterDays
		}
		if r.DeleteAfterDays > hi {
			hi = r.DeleteAfterDays
		}
	}
	return lo, hi
}

// Vault lock modes. Governance can be removed by an identity with
// backup:DeleteBackupVaultLockConfiguration; compliance, once its grace time
// (ChangeableForDays) has passed, can be removed by nobody, AWS included: the vault and every
// recovery point in it then live until their retention ends, and the account pays for them.
const (
	LockGovernance = "governance"
	LockCompliance = "compliance"
)

// AWS's limits of a vault lock.
const (
	MinChangeableForDays = 3
	MaxLockDays          = 36500
)

// VaultLock is an optional vault lock (platform:backup.vaultLock).
type VaultLock struct {
	Mode             string `json:"mode"`
	MinRetentionDays int    `json:"minRetentionDays"`
	MaxRetentionDays int    `json:"maxRetentionDays"`
	// ChangeableForDays is compliance mode's grace time: the lock can be removed only before it
	// ends, and never after.
	ChangeableForDays int `json:"changeableForDays,omitempty"`
}

// LockProblem is one problem of a vault lock: the field it is about (its config key's last
// part) and what is wrong.
type LockProblem struct{ Field, Msg string }

// CheckLock checks a lock against the rules it must admit: a lock refuses every backup or copy
// job whose retention is outside [min, max], so a lock narrower than the rules makes every
// such job fail.
func CheckLock(l VaultLock, s Settings) []LockProblem {
	var out []LockProblem
	add := func(field, format string, args ...any) {
		out = append(out, LockProblem{field, fmt.Sprintf(format, args...)})
	}
	lo, hi := s.RetentionRange()
	switch l.Mode {
	case LockGovernance:
		if l.ChangeableForDays != 0 {
			add("changeableForDays", "is set, but only compliance mode has a grace time; remove it (governance locks can be removed by an identity allowed backup:DeleteBackupVaultLockConfiguration)")
		}
	case LockCompliance:
		if l.ChangeableForDays < MinChangeableForDays || l.ChangeableForDays > MaxLockDays {
			add("changeableForDays", "%d is not allowed; use %d to %d days (AWS's minimum grace time is %d): after it, the compliance lock is IRREVERSIBLE: nobody, AWS included, can remove it, shorten retention or delete the vault", l.ChangeableForDays, MinChangeableForDays, MaxLockDays, MinChangeableForDays)
		}
	default:
		add("mode", "%q is not allowed; use %q (removable by an authorized identity) or %q (IRREVERSIBLE after changeableForDays)", l.Mode, LockGovernance, LockCompliance)
	}
	switch {
	case l.MinRetentionDays < 1 || l.MinRetentionDays > MaxLockDays:
		add("minRetentionDays", "%d is not allowed; use 1 to %d days", l.MinRetentionDays, MaxLockDays)
	case l.MinRetentionDays > lo:
		add("minRetentionDays", "%d is longer than the plan's shortest retention (%d days): the lock would make those backup jobs fail; use at most %d", l.MinRetentionDays, lo, lo)
	}
	switch {
	case l.MaxRetentionDays < 1 || l.MaxRetentionDays > MaxLockDays:
		add("maxRetentionDays", "%d is not allowed; use 1 to %d days", l.MaxRetentionDays, MaxLockDays)
	case l.MaxRetentionDays < hi:
		add("maxRetentionDays", "%d is shorter than the plan's longest retention (%d days): the lock would make those backup jobs fail; use at least %d", l.MaxRetentionDays, hi, hi)
	case l.MaxRetentionDays < l.MinRetentionDays:
		add("maxRetentionDays", "%d is less than minRetentionDays %d", l.MaxRetentionDays, l.MinRetentionDays)
	}
	return out
}

// vaultName is AWS Backup's rule for vault names.
var vaultName = regexp.MustCompile(`^[a-zA-Z0-9\-_]{2,50}$`)

// CheckNames checks the fixed physical names against AWS's limits: vault names are 2-50
// letters, digits, '-' or '_'; role names at most 64 characters.
func CheckNames(vault, role string) error {
	if !vaultName.MatchString(vault) {
		return fmt.Errorf("vault name %q is not 2-50 letters, digits, '-' or '_'", vault)
	}
	if len(role) > 64 {
		return fmt.Errorf("role name %q is longer than IAM's 64 characters", role)
	}
	return nil
}
