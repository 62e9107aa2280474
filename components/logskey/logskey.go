// Package logskey is the stack's key for its CloudWatch Logs: the VPC flow logs, the EKS
// control-plane (audit) logs and the databases' logs are encrypted with one customer managed
// key, whose policy lets CloudWatch Logs use it for those log groups only.
//
// It is its own component, created before the network, because every component that logs
// needs it and the network, which logs first, comes before the cluster.
package logskey

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/contract"
)

// Args configures the key.
type Args struct {
	// Account is where the key and the log groups live.
	Account contract.Account
	// Cluster names the stack: the key's tag and alias.
	Cluster string
	// LogGroups are the name patterns ("*" allowed) of the log groups CloudWatch Logs may
	// encrypt with the key (contract.ControlPlaneLogGroup and the like).
	LogGroups []string
	// DeletionWindowDays is KMS's waiting period before a deleted key is gone (7-30).
	DeletionWindowDays int
	// Protect keeps the key from `pulumi destroy`: without it every encrypted log is unreadable.
	Protect bool
}

// LogsKey is the component.
type LogsKey struct {
	pulumi.ResourceState

	Arn pulumi.StringOutput `pulumi:"arn"`
}

func (a *Args) validate() error {
	if a == nil {
		return errors.New("logskey: Args are required")
	}
	var errs []error
	if a.Account.ID == "" || a.Account.Partition == "" || a.Account.Region == "" {
		errs = append(errs, errors.New("logskey: Account (ID, Partition, Region) is required"))
	}
	if a.Cluster == "" {
		errs = append(errs, errors.New("logskey: Cluster is required"))
	}
	if len(a.LogGroups) == 0 {
		errs = append(errs, errors.New("logskey: LogGroups is required (a key no log group may use is a cost with no use)"))
	}
	if a.DeletionWindowDays < 7 || a.DeletionWindowDays > 30 {
		errs = append(errs, fmt.Errorf("logskey: DeletionWindowDays %d must be 7 to 30 (KMS limits)", a.DeletionWindowDays))
	}
	return errors.Join(errs...)
}

// Policy is the key's policy.
func (a Args) Policy() string {
	return a.Account.KeyPolicy(a.Account.LogsKeyStatement(a.LogGroups...)).JSON()
}

// New creates the key and its alias.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*LogsKey, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	a := *args
	k := &LogsKey{}
	if err := ctx.RegisterComponentResource("platform:index:LogsKey", name, k, opts...); err != nil {
		return nil, err
	}
	key, err := kms.NewKey(ctx, name+"-key", &kms.KeyArgs{
		Description:          pulumi.String("CloudWatch Logs of " + a.Cluster + ": flow, control-plane and database logs"),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(a.DeletionWindowDays),
		Policy:               pulumi.String(a.Policy()),
		// Explicit as well as in aws:defaultTags: the CI role may create a key only with the
		// stack's tag, and this keeps the tag if the provider's default tags are overridden.
		Tags: pulumi.StringMap{contract.StackTag: pulumi.String(a.Cluster)},
	}, pulumi.Parent(k), pulumi.Protect(a.Protect))
	if err != nil {
		return nil, err
	}
	if _, err := kms.NewAlias(ctx, name+"-key-alias", &kms.AliasArgs{
		Name: pulumi.String(contract.LogsKeyAlias(a.Cluster)), TargetKeyId: key.KeyId,
	}, pulumi.Parent(k)); err != nil {
		return nil, err
	}
	k.Arn = key.Arn
	if err := ctx.RegisterResourceOutputs(k, pulumi.Map{"arn": k.Arn}); err != nil {
		return nil, err
	}
	return k, nil
}
