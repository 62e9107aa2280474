package config

import (
	"github.com/example/platform/components/backup/backupplan"
	"github.com/example/platform/components/databases/dbplan"
)

// Policy is what an environment decides. It is resolved once per stack (stacks.Run) and
// handed to the components as plain values: no component knows dev from prod, and no rule
// about dev and prod lives anywhere but here and in the validation that reads it.
type Policy struct {
	// Replicas is the default replica count of the platform's HA-capable controllers (an
	// addon's replicas key overrides it); MinReplicas is the fewest config may ask for.
	Replicas, MinReplicas int
	// Protect marks what holds state or everyone's objects protected, so that `pulumi destroy`
	// refuses to delete it: the zone, the cluster and its KMS key, the log and trace buckets,
	// and the External Secrets and Argo CD releases (their CRDs hold every team's objects).
	Protect bool
	// ForceDestroy lets destroy delete a zone that still has records and buckets that still
	// hold objects.
	ForceDestroy bool
	// KeepOnDestroy keeps the audit trail and the way in when the stack is destroyed: the EKS
	// control-plane (audit) log group, the VPC flow log group and the NS delegation record in
	// the parent zone leave the state without being deleted (retainOnDelete), so the record of
	// what happened outlives the stack and a rebuilt stack answers under the same name.
	KeepOnDestroy bool
	// VolumeReclaimPolicy is the gp3 StorageClasses' default reclaim policy: Retain keeps a
	// data volume (its EBS volume) when its claim, its namespace or the stack goes.
	VolumeReclaimPolicy string
	// KeyDeletionWindowDays is how long a deleted KMS key can still be recovered.
	KeyDeletionWindowDays int
	// ExternalDNSPolicy is ExternalDNS's default record policy.
	ExternalDNSPolicy string
	// NATLayouts are the NAT gateway layouts allowed.
	NATLayouts []string
	// AllowOpenAPIEndpoint allows 0.0.0.0/0 in the cluster's publicAccessCidrs.
	AllowOpenAPIEndpoint bool
	// RequireAdmins requires cluster admin roles besides the creator; RequireReviewers
	// requires reviewers on the stack's GitHub environment; RequireReleaseTag requires the root
	// app to follow a release tag rather than a branch.
	RequireAdmins, RequireReviewers, RequireReleaseTag bool
	// RequireEnvironmentSubjects requires every CI subject to be a GitHub environment's: a
	// branch or tag subject skips the environment's reviewers and ref rules.
	RequireEnvironmentSubjects bool
	// ProtectRepositories is the default of platform:github.protectRepositories: the stack that
	// manages the shared repositories' rulesets and CODEOWNERS.
	ProtectRepositories bool
	// DeployRef is the only ref that may deploy into the stack's GitHub environment (and so
	// obtain its OIDC subject): a branch or a tag pattern.
	DeployRef DeployRef
	// Database is what every team database of the stack gets by default (class, storage) and
	// always (Multi-AZ, backups, deletion protection, final snapshot).
	Database dbplan.Settings
	// Backup is the stack's AWS Backup rules: dev keeps dailies 7 days; prod keeps dailies 35
	// days and monthlies 12 months, copies both to platform:backup.copyRegion, refuses turning
	// backups off and offers the vault lock.
	Backup backupplan.Settings
}

// DeployRef is a branch name or a tag pattern (exactly one is set).
type DeployRef struct{ Branch, Tag string }

// PolicyFor is the policy of an environment. An unknown environment (refused by Validate)
// gets prod's: the strict rules are the default.
func PolicyFor(env Environment) Policy {
	if env == EnvDev {
		return Policy{
			Replicas: 1, MinReplicas: 1,
			ForceDestroy:          true,
			VolumeReclaimPolicy:   "Delete",
			KeyDeletionWindowDays: 7,
			// A dev stack's records are disposable: sync removes what is gone.
			ExternalDNSPolicy:    "sync",
			NATLayouts:           []string{NATSingle, NATPerAZ, NATInstance},
			AllowOpenAPIEndpoint: true,
			DeployRef:            DeployRef{Branch: "main"},
			Database:             dbplan.DevSettings,
			Backup:               backupplan.DevSettings,
		}
	}
	return Policy{
		// Two replicas survive a node drain or an AZ loss.
		Replicas: 2, MinReplicas: 2,
		Protect:               true,
		KeepOnDestroy:         true,
		VolumeReclaimPolicy:   "Retain",
		KeyDeletionWindowDays: 30,
		// A bad sync must not delete prod's records.
		ExternalDNSPolicy: "upsert-only",
		// One NAT gateway makes one AZ a single point of failure for every node's egress.
		NATLayouts:        []string{NATPerAZ},
		RequireAdmins:     true,
		RequireReviewers:  true,
		RequireReleaseTag: true,
		// The CI role of prod is assumable only in prod's environment, behind its reviewers.
		RequireEnvironmentSubjects: true,
		ProtectRepositories:        true,
		// Only the default branch's release workflow deploys prod, a release tag's tree at a
		// time (dispatched with the tag; only admins create release tags): its runner group
		// serves that workflow on main and nothing else (ghplan.ReleaseWorkflow), so no
		// branch (or pull request) runs in prod's environment or on its runners.
		DeployRef: DeployRef{Branch: "main"},
		Database:  dbplan.ProdSettings,
		Backup:    backupplan.ProdSettings,
	}
}
