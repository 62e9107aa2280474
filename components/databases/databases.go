// Package databases is the Databases component: the teams' PostgreSQL databases on RDS, in
// the network's database subnets, admitted only from the cluster's nodes, encrypted with a
// key of their own, their master password managed by RDS in Secrets Manager and delivered to
// the team's namespace as a connection Secret by External Secrets; alarms on storage and
// connections. Planned in dbplan, built here.
package databases

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/databases/dbplan"
	"github.com/example/platform/components/handle"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/helmkit"
	"github.com/example/platform/internal/iampolicy"
	"github.com/example/platform/internal/pulumix"
)

// Args configure the Databases component.
type Args struct {
	// Instances are the databases, resolved and validated (config.Databases does both).
	Instances []dbplan.Instance
	// Network gives the VPC, the DB subnet group and the database subnets.
	Network handle.Network
	// Cluster gives the nodes' security group (the only one admitted) and the name.
	Cluster handle.Cluster
	// Teams give each team's secrets role (it reads the master secrets) and namespaces.
	Teams handle.Teams
	// Addons give the External Secrets release (its CRDs).
	Addons  handle.Addons
	Account contract.Account
	// Protect protects the key and the instances (prod): a destroy stops at them.
	Protect bool
	// KeyDeletionWindowDays of the databases' KMS key.
	KeyDeletionWindowDays int
	// AlarmTopicArn is the stack's alarm topic (components/alarms): the alarms notify it.
	AlarmTopicArn pulumi.StringInput
	// LogsKeyArn is the stack's logs key (components/logskey): the databases' log groups are
	// encrypted with it.
	LogsKeyArn pulumi.StringInput
	// AccessSecurityGroupID, when set, is the Session Manager access instance's security group
	// (components/access): PostgreSQL admits it besides the nodes, for `platform connect db`.
	AccessSecurityGroupID pulumi.StringInput
}

// Databases is the component.
type Databases struct {
	pulumi.ResourceState

	// Databases are per database ("<team>-<name>"): identifier, address, port, namespace and
	// connection Secret.
	Databases pulumi.MapOutput `pulumi:"databases"`
	// KeyArn is the KMS key of the databases' storage, Performance Insights and master secrets.
	KeyArn pulumi.StringOutput `pulumi:"keyArn"`
}

func (a *Args) validate(opts []pulumi.ResourceOption) error {
	if a == nil {
		return errors.New("databases: Args are required")
	}
	var errs []error
	if len(a.Instances) == 0 {
		errs = append(errs, errors.New("databases: no Instances: create the component only when a team has a database"))
	}
	if a.Cluster.Name == "" || a.Account.ID == "" || a.KeyDeletionWindowDays < 7 || a.AlarmTopicArn == nil || a.LogsKeyArn == nil {
		errs = append(errs, errors.New("databases: Cluster, Account, AlarmTopicArn, LogsKeyArn and KeyDeletionWindowDays (7-30) are required"))
	}
	if a.Addons.ExternalSecrets == nil {
		errs = append(errs, errors.New("databases: the External Secrets addon is required (connection Secrets)"))
	}
	if !helmkit.HasKubernetesProvider(opts) {
		errs = append(errs, errors.New("databases: pass the cluster's Kubernetes provider (pulumi.Providers)"))
	}
	for _, i := range a.Instances {
		t, ok := a.Teams.ByName[i.Team]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("databases: %s: no team %q", i.Key(), i.Team))
		case a.Network.DatabaseSubnetGroups[i.Team] == (pulumi.StringOutput{}):
			errs = append(errs, fmt.Errorf("databases: %s: the Network has no database subnets of team %s (network.Args.DatabaseSlots)", i.Key(), i.Team))
		case t.Namespaces[i.Namespace] == nil:
			errs = append(errs, fmt.Errorf("databases: %s: team %s has no namespace %q", i.Key(), i.Team, i.Namespace))
		case i.IAMAuthentication && t.WorkloadRoleName == (pulumi.StringOutput{}):
			errs = append(errs, fmt.Errorf("databases: %s: IAM authentication needs the team's workload role", i.Key()))
		}
		if i.InstanceClass == "" || i.Version == "" || i.StorageGiB == 0 {
			errs = append(errs, fmt.Errorf("databases: %s: not resolved (dbplan.Resolve)", i.Key()))
		}
	}
	return errors.Join(errs...)
}

// New creates the databases. Nothing is created when an argument is invalid.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Databases, error) {
	if err := args.validate(opts); err != nil {
		return nil, err
	}
	d := &Databases{}
	if err := ctx.RegisterComponentResource("platform:index:Databases", name, d, opts...); err != nil {
		return nil, err
	}
	b := &builder{ctx: ctx, name: name, args: *args, parent: pulumi.Parent(d), stores: map[string]pulumi.Resource{}}
	if err := b.shared(); err != nil {
		return nil, err
	}
	outputs := pulumi.Map{}
	secrets := map[string]pulumi.StringArray{}
	connect := map[string]pulumi.StringArray{}
	var built []instanceOut
	for _, i := range args.Instances {
		out, err := b.instance(i)
		if err != nil {
			return nil, fmt.Errorf("database %s: %w", i.Key(), err)
		}
		built = append(built, out)
		outputs[i.Key()] = out.outputs
		secrets[i.Team] = append(secrets[i.Team], out.secretArn)
		if i.IAMAuthentication {
			connect[i.Team] = append(connect[i.Team], out.connectArn)
		}
	}
	if err := b.teamPolicies(secrets, connect); err != nil {
		return nil, err
	}
	for n, i := range args.Instances {
		if err := b.connection(i, built[n]); err != nil {
			return nil, fmt.Errorf("database %s: %w", i.Key(), err)
		}
	}
	d.Databases = outputs.ToMapOutput()
	d.KeyArn = b.key.Arn
	if err := ctx.RegisterResourceOutputs(d, pulumi.Map{"databases": d.Databases, "keyArn": d.KeyArn}); err != nil {
		return nil, err
	}
	return d, nil
}

type builder struct {
	ctx    *pulumi.Context
	name   string
	args   Args
	parent pulumi.ResourceOption
	key    *kms.Key
	// stores are the Secrets Manager SecretStores, by namespace; policies the teams' policies
	// on their secrets roles, which the ExternalSecrets need before they can read.
	stores   map[string]pulumi.Resource
	policies []pulumi.Resource
}

// shared creates the key every database uses.
func (b *builder) shared() error {
	a := b.args
	var err error
	if b.key, err = kms.NewKey(b.ctx, b.name+"-key", &kms.KeyArgs{
		Description:          pulumi.String(fmt.Sprintf("Team databases of %s: storage, Performance Insights, master secrets", a.Cluster.Name)),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(a.KeyDeletionWindowDays),
		// RDS and Secrets Manager use the key for their callers, through the callers' IAM
		// permissions (kms:ViaService): the account's statement is all they need.
		Policy: pulumi.String(a.Account.KeyPolicy().JSON()),
		Tags:   pulumi.StringMap{contract.StackTag: pulumi.String(a.Cluster.Name)},
	}, b.parent, pulumi.Protect(a.Protect)); err != nil {
		return err
	}
	if _, err := kms.NewAlias(b.ctx, b.name+"-key-alias", &kms.AliasArgs{
		Name: pulumi.String("alias/" + a.Cluster.Name + "-databases"), TargetKeyId: b.key.KeyId,
	}, b.parent); err != nil {
		return err
	}
	return nil
}

// teamPolicies let each team's secrets role read its databases' master secrets, and its
// workload role log in to those with IAM authentication.
func (b *builder) teamPolicies(secrets, connect map[string]pulumi.StringArray) error {
	for _, team := range sortedKeys(secrets) {
		t := b.args.Teams.ByName[team]
		policy, err := iam.NewRolePolicy(b.ctx, b.name+"-"+team+"-secrets-policy", &iam.RolePolicyArgs{
			Role: t.SecretsRoleName,
			Policy: pulumi.All(secrets[team].ToStringArrayOutput(), b.key.Arn).ApplyT(func(v []any) string {
				return dbplan.SecretAccessPolicy(b.args.Account.Region, v[0].([]string), v[1].(string)).JSON()
			}).(pulumi.StringOutput),
		}, b.parent)
		if err != nil {
			return err
		}
		b.policies = append(b.policies, policy)
	}
	for _, team := range sortedKeys(connect) {
		if _, err := iam.NewRolePolicy(b.ctx, b.name+"-"+team+"-connect-policy", &iam.RolePolicyArgs{
			Role: b.args.Teams.ByName[team].WorkloadRoleName,
			Policy: pulumix.Policy(connect[team].ToStringArrayOutput(), func(arns []string) iampolicy.Document {
				return dbplan.ConnectPolicy(arns)
			}),
		}, b.parent); err != nil {
			return err
		}
	}
	return nil
}

// store is the namespace's Secrets Manager SecretStore, created once.
func (b *builder) store(team, ns string) (pulumi.Resource, error) {
	if s, ok := b.stores[ns]; ok {
		return s, nil
	}
	t := b.args.Teams.ByName[team]
	s, err := apiextensions.NewCustomResource(b.ctx, b.name+"-"+team+"-"+ns+"-secret-store", &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String("external-secrets.io/v1"),
		Kind:        pulumi.String("SecretStore"),
		Metadata:    metav1.ObjectMetaArgs{Name: pulumi.String(dbplan.SecretsManagerStoreName), Namespace: pulumi.String(ns)},
		OtherFields: map[string]any{"spec": dbplan.SecretsManagerStoreSpec(b.args.Account.Region, t.SecretsRoleArn)},
	}, b.parent, pulumi.DependsOn([]pulumi.Resource{t.Namespaces[ns], b.args.Addons.ExternalSecrets}))
	if err != nil {
		return nil, err
	}
	b.stores[ns] = s
	return s, nil
}
