// Package backup is the stack's AWS Backup: a vault encrypted with a key of its own, a plan of
// the environment's rules, a selection of the stack's volumes and databases by tag, the role
// AWS Backup assumes to back them up (least privilege, scoped by the same tags), a copy vault in
// a second region when the rules copy, an alarm on failed jobs, and in prod the vaults' access
// policy and optional lock (backupplan holds the decisions; this file creates them).
package backup

import (
	"errors"
	"fmt"
	"sort"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	awsbackup "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/backup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/backup/backupplan"
	"github.com/example/platform/internal/contract"
)

// Args configure the backups.
type Args struct {
	// Account is where the vault, the role and the selected resources live.
	Account contract.Account
	// Cluster names the vault, the role, the plan and the selection.
	Cluster string
	// Settings are the environment's rules.
	Settings backupplan.Settings
	// CopyRegion is where the copy vault is; required when a rule copies, refused otherwise.
	CopyRegion string
	// DefaultTags are the stack's aws:defaultTags, which the copy region's provider applies
	// too (an explicit provider does not read the stack's aws: config).
	DefaultTags map[string]string
	// VaultLock locks both vaults (nil: no lock).
	VaultLock *backupplan.VaultLock
	// ProtectRecoveryPoints sets the vaults' access policy refusing deletion of a recovery point
	// (backupplan.VaultPolicy).
	ProtectRecoveryPoints bool
	// KeyDeletionWindowDays is the keys' KMS waiting period (7-30).
	KeyDeletionWindowDays int
	// Protect keeps the keys and vaults from `pulumi destroy`; ForceDestroy lets destroy delete
	// a vault that still holds recovery points.
	Protect, ForceDestroy bool
	// PermissionsBoundary is the platform boundary every platform role carries.
	PermissionsBoundary pulumi.StringInput
	// AlarmTopicArn is what a failed job notifies.
	AlarmTopicArn pulumi.StringInput
}

// Backup is the component.
type Backup struct {
	pulumi.ResourceState

	VaultName    pulumi.StringOutput `pulumi:"vaultName"`
	VaultArn     pulumi.StringOutput `pulumi:"vaultArn"`
	RoleArn      pulumi.StringOutput `pulumi:"roleArn"`
	CopyVaultArn pulumi.StringOutput `pulumi:"copyVaultArn"` // "" without a copy region
}

func (a *Args) validate() error {
	if a == nil {
		return errors.New("backup: Args are required")
	}
	var errs []error
	if a.Account.ID == "" || a.Account.Partition == "" || a.Account.Region == "" {
		errs = append(errs, errors.New("backup: Account (ID, Partition, Region) is required"))
	}
	if a.Cluster == "" {
		errs = append(errs, errors.New("backup: Cluster is required"))
	} else if err := backupplan.CheckNames(contract.BackupVaultName(a.Cluster), contract.BackupRoleName(a.Cluster)); err != nil {
		errs = append(errs, fmt.Errorf("backup: %w", err))
	}
	if len(a.Settings.Rules) == 0 {
		errs = append(errs, errors.New("backup: Settings has no rule (a vault nothing fills is a cost with no use)"))
	}
	switch {
	case a.Settings.Copies() && a.CopyRegion == "":
		errs = append(errs, errors.New("backup: a rule copies, but CopyRegion is empty"))
	case !a.Settings.Copies() && a.CopyRegion != "":
		errs = append(errs, errors.New("backup: CopyRegion is set, but no rule copies"))
	case a.CopyRegion != "" && a.CopyRegion == a.Account.Region:
		errs = append(errs, errors.New("backup: CopyRegion is the stack's own region"))
	}
	if a.VaultLock != nil {
		for _, p := range backupplan.CheckLock(*a.VaultLock, a.Settings) {
			errs = append(errs, fmt.Errorf("backup: VaultLock.%s %s", p.Field, p.Msg))
		}
	}
	if a.KeyDeletionWindowDays < 7 || a.KeyDeletionWindowDays > 30 {
		errs = append(errs, fmt.Errorf("backup: KeyDeletionWindowDays %d must be 7 to 30 (KMS limits)", a.KeyDeletionWindowDays))
	}
	if a.Protect && a.ForceDestroy {
		errs = append(errs, errors.New("backup: Protect and ForceDestroy exclude each other"))
	}
	if a.PermissionsBoundary == nil || a.AlarmTopicArn == nil {
		errs = append(errs, errors.New("backup: PermissionsBoundary and AlarmTopicArn are required"))
	}
	return errors.Join(errs...)
}

// Scope is the plan's scope of these args.
func (a Args) Scope() backupplan.Scope {
	return backupplan.Scope{Account: a.Account, Cluster: a.Cluster, CopyRegion: a.CopyRegion}
}

// New creates the backups.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Backup, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	a := *args
	b := &Backup{}
	if err := ctx.RegisterComponentResource("platform:index:Backup", name, b, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(b)
	vault, err := b.vault(ctx, name, a, a.Account.Region, parent)
	if err != nil {
		return nil, err
	}
	b.VaultName, b.VaultArn, b.CopyVaultArn = vault.Name, vault.Arn, pulumi.String("").ToStringOutput()
	var copyVault *awsbackup.Vault
	if a.CopyRegion != "" {
		tags := pulumi.StringMap{}
		for k, v := range a.DefaultTags {
			tags[k] = pulumi.String(v)
		}
		provider, err := aws.NewProvider(ctx, name+"-copy-region", &aws.ProviderArgs{
			Region: pulumi.String(a.CopyRegion), DefaultTags: aws.ProviderDefaultTagsArgs{Tags: tags},
		}, parent)
		if err != nil {
			return nil, err
		}
		if copyVault, err = b.vault(ctx, name+"-copy", a, a.CopyRegion, parent, pulumi.Provider(provider)); err != nil {
			return nil, err
		}
		b.CopyVaultArn = copyVault.Arn
	}
	role, rolePolicy, err := b.role(ctx, name, a, parent)
	if err != nil {
		return nil, err
	}
	b.RoleArn = role.Arn
	var rules awsbackup.PlanRuleArray
	for _, r := range a.Settings.Rules {
		rule := awsbackup.PlanRuleArgs{
			RuleName: pulumi.String(r.Name), TargetVaultName: vault.Name, Schedule: pulumi.String(r.Schedule),
			StartWindow: pulumi.Int(backupplan.StartWindowMinutes), CompletionWindow: pulumi.Int(backupplan.CompletionWindowMinutes),
			Lifecycle: awsbackup.PlanRuleLifecycleArgs{DeleteAfter: pulumi.Int(r.DeleteAfterDays)},
			// On the recovery points too (an EBS snapshot is one): the role reaches a recovery
			// point only through this tag.
			RecoveryPointTags: pulumi.StringMap{contract.StackTag: pulumi.String(a.Cluster)},
		}
		if r.Copy {
			rule.CopyActions = awsbackup.PlanRuleCopyActionArray{awsbackup.PlanRuleCopyActionArgs{
				DestinationVaultArn: copyVault.Arn,
				Lifecycle:           awsbackup.PlanRuleCopyActionLifecycleArgs{DeleteAfter: pulumi.Int(r.DeleteAfterDays)},
			}}
		}
		rules = append(rules, rule)
	}
	plan, err := awsbackup.NewPlan(ctx, name+"-plan", &awsbackup.PlanArgs{
		Name: pulumi.String(contract.BackupVaultName(a.Cluster)), Rules: rules,
	}, parent)
	if err != nil {
		return nil, err
	}
	s := a.Scope()
	conditions := s.SelectionConditions()
	keys := make([]string, 0, len(conditions))
	for k := range conditions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var equals awsbackup.SelectionConditionStringEqualArray
	for _, k := range keys {
		equals = append(equals, awsbackup.SelectionConditionStringEqualArgs{Key: pulumi.String("aws:ResourceTag/" + k), Value: pulumi.String(conditions[k])})
	}
	if _, err := awsbackup.NewSelection(ctx, name+"-selection", &awsbackup.SelectionArgs{
		Name: pulumi.String(a.Cluster + "-tagged"), PlanId: plan.ID(), IamRoleArn: role.Arn,
		Resources:  pulumi.ToStringArray(s.SelectionResources()),
		Conditions: awsbackup.SelectionConditionArray{awsbackup.SelectionConditionArgs{StringEquals: equals}},
	}, parent, pulumi.DependsOn([]pulumi.Resource{rolePolicy})); err != nil {
		return nil, err
	}
	if err := b.alarms(ctx, name, a, vault, parent); err != nil {
		return nil, err
	}
	if err := ctx.RegisterResourceOutputs(b, pulumi.Map{
		"vaultName": b.VaultName, "vaultArn": b.VaultArn, "roleArn": b.RoleArn, "copyVaultArn": b.CopyVaultArn,
	}); err != nil {
		return nil, err
	}
	return b, nil
}
