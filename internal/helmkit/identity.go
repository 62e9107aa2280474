package helmkit

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
)

// PodIdentityPrincipal is the service EKS Pod Identity assumes roles as.
const PodIdentityPrincipal = "pods.eks.amazonaws.com"

// PodIdentityTrust lets only EKS Pod Identity, acting for this account's cluster, assume the
// role (the confused-deputy conditions AWS documents for Pod Identity).
func PodIdentityTrust(a contract.Account, cluster string) iampolicy.Document {
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

// PodIdentity is one workload's AWS role: an inline policy (built once its outputs are known)
// and/or AWS managed policies, bound to exactly one service account.
type PodIdentity struct {
	Account contract.Account
	// Cluster is the plain name (trust policy); ClusterName the same name as an output of the
	// cluster, so that the association waits for it.
	Cluster     string
	ClusterName pulumi.StringInput
	// Namespace and ServiceAccount are what the chart runs as.
	Namespace, ServiceAccount string
	// Policy is the inline policy (JSON); nil for none.
	Policy pulumi.StringInput
	// Managed are AWS managed policy names, e.g. "AmazonEKS_CNI_Policy".
	Managed []string
	// SkipAssociation is set when an EKS managed addon binds the role itself.
	SkipAssociation bool
	// PermissionsBoundary is the boundary the role carries (components/boundary).
	PermissionsBoundary pulumi.StringInput
}

func (p PodIdentity) validate() error {
	if p.Account.ID == "" || p.Account.Partition == "" || p.Account.Region == "" {
		return errors.New("helmkit: PodIdentity.Account (ID, Partition, Region) is required")
	}
	if p.Cluster == "" || p.ClusterName == nil || p.Namespace == "" || p.ServiceAccount == "" {
		return errors.New("helmkit: PodIdentity needs Cluster, ClusterName, Namespace and ServiceAccount")
	}
	if p.PermissionsBoundary == nil {
		return errors.New("helmkit: PodIdentity.PermissionsBoundary is required (every role carries it)")
	}
	if p.Policy == nil && len(p.Managed) == 0 {
		return errors.New("helmkit: PodIdentity without a policy grants nothing; give Policy or Managed")
	}
	return nil
}

// NewPodIdentity creates the role "<name>-role" (with "<name>-policy" and one attachment per
// managed policy) and, unless skipped, the association "<name>-pod-identity". It returns the
// role and what pods must wait for before they start: the association (EKS Pod Identity
// injects credentials only into pods created after it exists), or the role when a managed
// addon associates it itself.
func NewPodIdentity(ctx *pulumi.Context, name string, p PodIdentity, opts ...pulumi.ResourceOption) (*iam.Role, pulumi.Resource, error) {
	if err := p.validate(); err != nil {
		return nil, nil, err
	}
	role, err := iam.NewRole(ctx, name+"-role", &iam.RoleArgs{
		AssumeRolePolicy:    pulumi.String(PodIdentityTrust(p.Account, p.Cluster).JSON()),
		Description:         pulumi.String(fmt.Sprintf("EKS Pod Identity: %s/%s on %s", p.Namespace, p.ServiceAccount, p.Cluster)),
		Path:                pulumi.String(contract.PlatformRolePath(p.Cluster)),
		PermissionsBoundary: p.PermissionsBoundary,
	}, opts...)
	if err != nil {
		return nil, nil, err
	}
	if p.Policy != nil {
		if _, err := iam.NewRolePolicy(ctx, name+"-policy", &iam.RolePolicyArgs{
			Role:   role.ID(),
			Policy: p.Policy,
		}, opts...); err != nil {
			return nil, nil, err
		}
	}
	for _, m := range p.Managed {
		if _, err := iam.NewRolePolicyAttachment(ctx, name+"-"+m[strings.LastIndex(m, "/")+1:], &iam.RolePolicyAttachmentArgs{
			Role:      role.Name,
			PolicyArn: pulumi.String(p.Account.ManagedPolicyArn(m)),
		}, opts...); err != nil {
			return nil, nil, err
		}
	}
	if p.SkipAssociation {
		return role, role, nil
	}
	assoc, err := eks.NewPodIdentityAssociation(ctx, name+"-pod-identity", &eks.PodIdentityAssociationArgs{
		ClusterName:    p.ClusterName,
		Namespace:      pulumi.String(p.Namespace),
		ServiceAccount: pulumi.String(p.ServiceAccount),
		RoleArn:        role.Arn,
	}, opts...)
	if err != nil {
		return nil, nil, err
	}
	return role, assoc, nil
}
