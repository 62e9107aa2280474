package ghplan

import (
	"fmt"
	"strings"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
)

// CopyKeyAlias is the alias of the copy vault's key (components/backup.KeyAlias, the same in
// each region): the only alias the deploy policy reaches in the copy region.
func CopyKeyAlias(cluster string) string { return "alias/" + cluster + "-backup" }

// copyRegionKMSStatements are the KMS statements of the copy region (platform:backup.copyRegion):
// what kmsStatements allows in the stack's region, for the copy vault's key. Every other
// regional statement stays confined to the stack's region, so the CI role creates nothing else
// there, and nothing at all in a third region.
func copyRegionKMSStatements(s Scope, actions []string) []iampolicy.Statement {
	if s.CopyRegion == "" || s.CopyRegion == s.Account.Region {
		return nil
	}
	return kmsIn(s, actions, s.CopyRegion, "KMSCopyRegion", CopyKeyAlias(s.Cluster))
}

// backupRegions are where the stack has a vault: its region, and its copy region if it has one.
func backupRegions(s Scope) []string {
	if s.CopyRegion == "" || s.CopyRegion == s.Account.Region {
		return []string{s.Account.Region}
	}
	return []string{s.Account.Region, s.CopyRegion}
}

// backupStatements: AWS Backup (svc "backup") and its storage ("backup-storage"). Vaults by
// the stack's vault name (contract.BackupVaultName), in its region and its copy region; plans,
// whose ARNs carry only an id and which live in the stack's region only, created only with the
// stack's tag and otherwise reached only when they carry it (a selection is authorized against
// its plan); backup-storage:MountCapsule, which AWS Backup authorizes against "*" when a vault is
// created, confined to those regions. Recovery points are out of reach: no action on them.
func backupStatements(s Scope, svc string, actions []string) []iampolicy.Statement {
	a, regions := s.Account, backupRegions(s)
	if svc == "backup-storage" {
		return nonEmpty([]iampolicy.Statement{withRegions(iampolicy.Statement{Sid: "BackupStorage", Effect: "Allow",
			Action: actions, Resource: []string{"*"}}, regions...)})
	}
	var vaults, vaultActions, planActions, creates []string
	for _, r := range regions {
		vaults = append(vaults, fmt.Sprintf("arn:%s:backup:%s:%s:backup-vault:%s", a.Partition, r, a.ID, contract.BackupVaultName(s.Cluster)))
	}
	plans := fmt.Sprintf("arn:%s:backup:%s:%s:backup-plan:*", a.Partition, a.Region, a.ID)
	for _, action := range actions {
		_, verb, _ := strings.Cut(action, ":")
		switch {
		case action == "backup:CreateBackupPlan":
			creates = append(creates, action)
		case strings.Contains(verb, "Vault"):
			vaultActions = append(vaultActions, action)
		case strings.Contains(verb, "Plan") || strings.Contains(verb, "Selection"):
			planActions = append(planActions, action)
		default: // ListTags, TagResource, UntagResource: vaults and plans
			vaultActions = append(vaultActions, action)
			planActions = append(planActions, action)
		}
	}
	return nonEmpty([]iampolicy.Statement{
		withRegions(iampolicy.Statement{Sid: "BackupStackVaults", Effect: "Allow", Action: vaultActions, Resource: vaults}, regions...),
		withRegions(iampolicy.Statement{Sid: "BackupCreateTaggedPlans", Effect: "Allow", Action: creates, Resource: []string{plans},
			Condition: condition("StringEquals", "aws:RequestTag/"+contract.StackTag, s.Cluster)}, a.Region),
		withRegions(iampolicy.Statement{Sid: "BackupStackPlans", Effect: "Allow", Action: planActions, Resource: []string{plans},
			Condition: stackTagIs(s.Cluster)}, a.Region),
	})
}

// withRegions limits a statement to regions (aws:RequestedRegion), adding to its conditions.
func withRegions(st iampolicy.Statement, regions ...string) iampolicy.Statement {
	if st.Condition == nil {
		st.Condition = map[string]map[string][]string{}
	}
	if st.Condition["StringEquals"] == nil {
		st.Condition["StringEquals"] = map[string][]string{}
	}
	st.Condition["StringEquals"]["aws:RequestedRegion"] = regions
	return st
}
