// Package cluster is the EKS cluster (pulumi-eks) plus what pulumi-eks does not do for us:
// the secrets-encryption KMS key, the control-plane log group with a retention, and managed
// node groups with a hardened launch template.
package cluster

import (
	"context"
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-eks/sdk/v3/go/eks"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/cluster/clusterplan"
	"github.com/example/platform/components/handle"
	"github.com/example/platform/internal/contract"
)

// Args configures the cluster. Every field is required unless it says otherwise: the stack's
// config states the defaults, once.
type Args struct {
	// Name is the EKS cluster's name.
	Name string
	// KubernetesVersion, e.g. "1.33": pinned, since an unpinned cluster upgrades when
	// pulumi-eks changes its default.
	KubernetesVersion string
	// Network holds the VPC; its private subnets hold the control-plane ENIs and every node.
	Network handle.Network
	// PublicAccessCIDRs, when not empty, open the public API endpoint to these CIDRs only.
	PublicAccessCIDRs []string
	// AdminRoleARNs get AmazonEKSClusterAdminPolicy through access entries (may be empty).
	AdminRoleARNs []string
	// LogRetentionDays of the control-plane log group.
	LogRetentionDays int
	// KeepLogs leaves the control-plane (audit) log group in place on destroy (prod). Its name
	// is the one EKS writes to, so a stack rebuilt with the same cluster name must import it
	// first (README "Kept on destroy").
	KeepLogs bool
	// KeyDeletionWindowDays of the KMS key once scheduled for deletion (7 to 30).
	KeyDeletionWindowDays int
	NodeGroups            []clusterplan.NodeGroup
	// Account gives the partition of managed policy ARNs.
	Account contract.Account
	// Protect makes `pulumi destroy` refuse to delete the cluster and its key (prod).
	Protect bool
	// PermissionsBoundary is the boundary every role carries: the node role, and the roles
	// pulumi-eks creates inside its component (through a transform).
	PermissionsBoundary pulumi.StringInput
	// LogsKeyArn is the stack's logs key (components/logskey): the control-plane log group is
	// encrypted with it.
	LogsKeyArn pulumi.StringInput
}

// Cluster is the component.
type Cluster struct {
	pulumi.ResourceState

	ClusterName     pulumi.StringOutput `pulumi:"clusterName"`
	Endpoint        pulumi.StringOutput `pulumi:"endpoint"`
	OidcProviderArn pulumi.StringOutput `pulumi:"oidcProviderArn"`
	OidcProviderURL pulumi.StringOutput `pulumi:"oidcProviderUrl"`
	// Kubeconfig is secret: it names the cluster's endpoint and CA and is all a user with AWS
	// credentials needs to reach the API.
	Kubeconfig              pulumi.StringOutput `pulumi:"kubeconfig"`
	NodeRoleArn             pulumi.StringOutput `pulumi:"nodeRoleArn"`
	NodeRoleName            pulumi.StringOutput `pulumi:"nodeRoleName"`
	NodeSecurityGroupID     pulumi.StringOutput `pulumi:"nodeSecurityGroupId"`
	SecretsKeyArn           pulumi.StringOutput `pulumi:"secretsKeyArn"`
	ControlPlaneLogGroupArn pulumi.StringOutput `pulumi:"controlPlaneLogGroupArn"`

	// Provider deploys Kubernetes objects into this cluster: later components receive it with
	// pulumi.Providers, so that all their children inherit it.
	Provider *kubernetes.Provider
	// NodeGroups are the managed node groups, for what needs nodes to run.
	NodeGroups []pulumi.Resource

	name, version string
}

// Handle is what the components built on the cluster need of it.
func (c *Cluster) Handle() handle.Cluster {
	return handle.Cluster{
		Name: c.name, KubernetesVersion: c.version, ClusterName: c.ClusterName,
		NodeSecurityGroupID: c.NodeSecurityGroupID,
		SecretsKeyArn:       c.SecretsKeyArn, NodeGroups: c.NodeGroups,
	}
}

func (a *Args) validate() error {
	if a == nil {
		return errors.New("cluster: Args are required")
	}
	var errs []error
	if a.Name == "" || a.KubernetesVersion == "" {
		errs = append(errs, errors.New("cluster: Name and KubernetesVersion are required"))
	}
	if a.Network.VpcID == (pulumi.StringOutput{}) {
		errs = append(errs, errors.New("cluster: Network is required (VPC and private subnets)"))
	}
	if a.Account.Partition == "" {
		errs = append(errs, errors.New("cluster: Account.Partition is required (managed policy ARNs)"))
	}
	if a.LogRetentionDays < 1 {
		errs = append(errs, errors.New("cluster: LogRetentionDays is required"))
	}
	if a.PermissionsBoundary == nil {
		errs = append(errs, errors.New("cluster: PermissionsBoundary is required (every role carries it)"))
	}
	if a.LogsKeyArn == nil {
		errs = append(errs, errors.New("cluster: LogsKeyArn is required (the control-plane log group is encrypted)"))
	}
	if len(a.NodeGroups) == 0 {
		errs = append(errs, errors.New("cluster: at least one node group is required"))
	}
	for _, ng := range a.NodeGroups {
		if _, err := clusterplan.AMIType(ng.InstanceTypes); err != nil {
			errs = append(errs, fmt.Errorf("cluster: node group %s: %w", ng.Name, err))
		}
		if ng.MinSize > ng.DesiredSize || ng.DesiredSize > ng.MaxSize || ng.MaxSize < 1 {
			errs = append(errs, fmt.Errorf("cluster: node group %s: need min <= desired <= max and max >= 1", ng.Name))
		}
	}
	if _, err := clusterplan.AdminEntryNames(a.AdminRoleARNs); err != nil {
		errs = append(errs, fmt.Errorf("cluster: %w", err))
	}
	if a.KeyDeletionWindowDays < 7 || a.KeyDeletionWindowDays > 30 {
		errs = append(errs, errors.New("cluster: KeyDeletionWindowDays must be 7 to 30 (KMS limits)"))
	}
	return errors.Join(errs...)
}

// New creates the cluster, its key, log group, node groups and Kubernetes provider.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Cluster, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	a := *args
	c := &Cluster{name: a.Name, version: a.KubernetesVersion}
	if err := ctx.RegisterComponentResource("platform:index:Cluster", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)

	key, err := kms.NewKey(ctx, name+"-secrets-key", &kms.KeyArgs{
		Description:          pulumi.String("EKS secrets envelope encryption for " + a.Name),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(a.KeyDeletionWindowDays),
		// EKS uses the key through a grant made with the creator's IAM permissions: the
		// account's statement is all it needs.
		Policy: pulumi.String(a.Account.KeyPolicy().JSON()),
		Tags:   pulumi.StringMap{contract.StackTag: pulumi.String(a.Name)},
	}, parent, pulumi.Protect(a.Protect))
	if err != nil {
		return nil, err
	}
	if _, err := kms.NewAlias(ctx, name+"-secrets-key-alias", &kms.AliasArgs{
		Name:        pulumi.String("alias/" + a.Name + "-eks-secrets"),
		TargetKeyId: key.KeyId,
	}, parent); err != nil {
		return nil, err
	}
	// EKS writes to this exact group name; creating it first gives it a retention instead of
	// the "never expire" group EKS would create itself.
	logGroup, err := cloudwatch.NewLogGroup(ctx, name+"-control-plane-logs", &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(contract.ControlPlaneLogGroup(a.Name)),
		RetentionInDays: pulumi.Int(a.LogRetentionDays),
		KmsKeyId:        a.LogsKeyArn,
	}, parent, pulumi.RetainOnDelete(a.KeepLogs))
	if err != nil {
		return nil, err
	}

	cluster, err := eks.NewCluster(ctx, name+"-eks", clusterArgs(a, key.Arn),
		parent, pulumi.Protect(a.Protect),
		// pulumi-eks creates the cluster's service role itself: the transform gives it (and
		// any other role the component creates) the boundary and the platform's path too.
		pulumi.Transforms([]pulumi.ResourceTransform{BoundRoles(a.PermissionsBoundary, contract.PlatformRolePath(a.Name))}),
		// The log group must exist before EKS starts logging; no input shows that.
		pulumi.DependsOn([]pulumi.Resource{logGroup}))
	if err != nil {
		return nil, err
	}
	// pulumi-eks exposes the cluster's name only inside resource references; the configured
	// name, released once the endpoint is known, carries the dependency on the cluster.
	clusterName := cluster.Core.Endpoint().ApplyT(func(string) string { return a.Name }).(pulumi.StringOutput)

	nodes, err := newNodeGroups(ctx, name, clusterName, a, parent)
	if err != nil {
		return nil, err
	}

	kubeconfig := pulumi.ToSecret(cluster.KubeconfigJson).(pulumi.StringOutput)
	provider, err := kubernetes.NewProvider(ctx, name+"-k8s", &kubernetes.ProviderArgs{
		Kubeconfig: kubeconfig,
		// Without it the provider replaces a ConfigMap whose data changes (delete, then
		// create: the name is fixed): adding a team would delete Grafana's tenants ConfigMap
		// under its running reconciler. Updated in place, the mounted file follows.
		EnableConfigMapMutable: pulumi.Bool(true),
	}, parent)
	if err != nil {
		return nil, err
	}

	c.ClusterName = clusterName
	c.Endpoint = cluster.Core.Endpoint()
	c.OidcProviderArn = cluster.OidcProviderArn
	c.OidcProviderURL = cluster.OidcProviderUrl
	c.Kubeconfig = kubeconfig
	c.NodeRoleArn = nodes.roleArn
	c.NodeRoleName = nodes.roleName
	// With skipDefaultSecurityGroups, managed nodes get the security group EKS creates.
	c.NodeSecurityGroupID = cluster.ClusterSecurityGroupId
	c.SecretsKeyArn = key.Arn
	c.ControlPlaneLogGroupArn = logGroup.Arn
	c.Provider = provider
	c.NodeGroups = nodes.groups
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"clusterName":             c.ClusterName,
		"endpoint":                c.Endpoint,
		"oidcProviderArn":         c.OidcProviderArn,
		"oidcProviderUrl":         c.OidcProviderURL,
		"kubeconfig":              c.Kubeconfig,
		"nodeRoleArn":             c.NodeRoleArn,
		"nodeRoleName":            c.NodeRoleName,
		"nodeSecurityGroupId":     c.NodeSecurityGroupID,
		"secretsKeyArn":           c.SecretsKeyArn,
		"controlPlaneLogGroupArn": c.ControlPlaneLogGroupArn,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// BoundRoles is a transform that sets the permissions boundary and the path on every IAM role
// it sees.
func BoundRoles(boundary pulumi.StringInput, path string) pulumi.ResourceTransform {
	return func(_ context.Context, args *pulumi.ResourceTransformArgs) *pulumi.ResourceTransformResult {
		if args.Type != "aws:iam/role:Role" {
			return nil
		}
		props := pulumi.Map{}
		for k, v := range args.Props {
			props[k] = v
		}
		props["permissionsBoundary"] = boundary
		props["path"] = pulumi.String(path)
		return &pulumi.ResourceTransformResult{Props: props, Opts: args.Opts}
	}
}

// clusterArgs are the inputs of the pulumi-eks cluster. pulumi-eks v3 always sets
// bootstrapClusterCreatorAdminPermissions (it deploys into the cluster as the creator); the
// admins this program intends are the access entries below, and the README says so.
func clusterArgs(a Args, keyArn pulumi.StringInput) *eks.ClusterArgs {
	authMode := eks.AuthenticationModeApi
	entries := map[string]eks.AccessEntryArgs{}
	names, _ := clusterplan.AdminEntryNames(a.AdminRoleARNs) // checked in validate
	for arn, n := range names {
		entries[n] = eks.AccessEntryArgs{
			PrincipalArn: pulumi.String(arn),
			Type:         eks.AccessEntryTypeStandard,
			AccessPolicies: map[string]eks.AccessPolicyAssociationInput{
				"cluster-admin": eks.AccessPolicyAssociationArgs{
					PolicyArn:   pulumi.String(clusterplan.AccessPolicyArn(a.Account.Partition, clusterplan.ClusterAdminPolicy)),
					AccessScope: awseks.AccessPolicyAssociationAccessScopeArgs{Type: pulumi.String("cluster")},
				},
			},
		}
	}
	public := len(a.PublicAccessCIDRs) > 0
	args := &eks.ClusterArgs{
		Name:                         pulumi.String(a.Name),
		Version:                      pulumi.String(a.KubernetesVersion),
		VpcId:                        a.Network.VpcID,
		PrivateSubnetIds:             a.Network.PrivateSubnetIDs,
		AuthenticationMode:           &authMode,
		AccessEntries:                entries,
		EncryptionConfigKeyArn:       keyArn,
		EnabledClusterLogTypes:       pulumi.ToStringArray(clusterplan.LogTypes),
		CreateOidcProvider:           pulumi.Bool(true),
		EndpointPrivateAccess:        pulumi.Bool(true),
		EndpointPublicAccess:         pulumi.Bool(public),
		SkipDefaultNodeGroup:         ptr(true),
		SkipDefaultSecurityGroups:    ptr(true),
		NodeAssociatePublicIpAddress: ptr(false),
		// Kubernetes NetworkPolicies are enforced (the VPC CNI's network policy agent): without
		// it every team's default-deny policy would be a silent no-op.
		VpcCniOptions: &eks.VpcCniOptionsArgs{EnableNetworkPolicy: pulumi.Bool(true)},
		Tags:          pulumi.StringMap{"platform/cluster": pulumi.String(a.Name)},
	}
	if public {
		args.PublicAccessCidrs = pulumi.ToStringArray(a.PublicAccessCIDRs)
	}
	return args
}

func ptr[T any](v T) *T { return &v }
