package addons

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/iampolicy"
)

// PodIdentityPrincipal is the service EKS Pod Identity assumes roles as.
const PodIdentityPrincipal = "pods.eks.amazonaws.com"

// Account is where the cluster runs, for ARNs and trust conditions.
type Account struct {
	ID, Partition, Region string
}

// ClusterArn is the EKS cluster's ARN, built from plain values so trust policies are known at
// preview time.
func (a Account) ClusterArn(cluster string) string {
	return fmt.Sprintf("arn:%s:eks:%s:%s:cluster/%s", a.Partition, a.Region, a.ID, cluster)
}

// PodIdentityTrust lets only EKS Pod Identity, acting for this account's cluster, assume the
// role (the confused-deputy conditions AWS documents for Pod Identity).
func PodIdentityTrust(a Account, cluster string) iampolicy.Document {
	return iampolicy.New(iampolicy.Statement{
		Effect:    "Allow",
		Principal: map[string][]string{"Service": {PodIdentityPrincipal}},
		Action:    []string{"sts:AssumeRole", "sts:TagSession"},
		Condition: map[string]map[string][]string{
			"StringEquals": {"aws:SourceAccount": {a.ID}},
			"ArnEquals":    {"aws:SourceArn": {a.ClusterArn(cluster)}},
		},
	})
}

// Identity is one addon's AWS role and, for Helm addons, the association binding it to the
// addon's service account.
type Identity struct {
	Role *iam.Role
}

// identityArgs describe an addon's role: an inline policy (built once its outputs are known)
// and/or AWS managed policies.
type identityArgs struct {
	name           string // resource name prefix, e.g. "addons-external-dns"
	cluster        string
	clusterName    pulumi.StringInput // the output, so associations wait for the cluster
	namespace      string
	serviceAccount string
	policy         pulumi.StringInput // JSON; nil for none
	managed        []string           // managed policy names, e.g. "service-role/AmazonEBSCSIDriverPolicy"
	associate      bool               // false when the EKS managed addon binds the role itself
}

// newIdentity returns the role and what pods must wait for before they start: the
// association (EKS Pod Identity injects credentials only into pods created after it exists),
// or the role when the managed addon associates it itself.
func newIdentity(ctx *pulumi.Context, a Account, args identityArgs, parent pulumi.ResourceOption) (*iam.Role, pulumi.Resource, error) {
	role, err := iam.NewRole(ctx, args.name+"-role", &iam.RoleArgs{
		AssumeRolePolicy: pulumi.String(PodIdentityTrust(a, args.cluster).JSON()),
		Description:      pulumi.String(fmt.Sprintf("EKS Pod Identity: %s/%s on %s", args.namespace, args.serviceAccount, args.cluster)),
	}, parent)
	if err != nil {
		return nil, nil, err
	}
	if args.policy != nil {
		if _, err := iam.NewRolePolicy(ctx, args.name+"-policy", &iam.RolePolicyArgs{
			Role:   role.ID(),
			Policy: args.policy,
		}, parent); err != nil {
			return nil, nil, err
		}
	}
	for _, m := range args.managed {
		if _, err := iam.NewRolePolicyAttachment(ctx, args.name+"-"+lastSegment(m), &iam.RolePolicyAttachmentArgs{
			Role:      role.Name,
			PolicyArn: pulumi.Sprintf("arn:%s:iam::aws:policy/%s", a.Partition, m),
		}, parent); err != nil {
			return nil, nil, err
		}
	}
	if !args.associate {
		return role, role, nil
	}
	assoc, err := eks.NewPodIdentityAssociation(ctx, args.name+"-pod-identity", &eks.PodIdentityAssociationArgs{
		ClusterName:    args.clusterName,
		Namespace:      pulumi.String(args.namespace),
		ServiceAccount: pulumi.String(args.serviceAccount),
		RoleArn:        role.Arn,
	}, parent)
	if err != nil {
		return nil, nil, err
	}
	return role, assoc, nil
}

func lastSegment(s string) string {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return s[i+1:]
		}
	}
	return s
}
