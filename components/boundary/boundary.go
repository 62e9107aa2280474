// Package boundary is the stack's permissions boundary: one managed policy that every IAM role
// the program creates carries, capping what any of them can ever be granted. The CI role may
// create roles only with it and cannot change it, so it cannot mint a role more powerful than
// the platform's own.
package boundary

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
)

// Services are what the platform's roles use: the deploy policy's services, the addons'
// (the Load Balancer Controller's includes WAF, Shield and Cognito), and those of the AWS
// managed policies the node and EBS CSI roles attach. tests/boundary_test.go checks that every
// action of every policy in the plans is within them.
var Services = []string{
	"acm", "autoscaling", "cloudwatch", "cognito-idp", "ec2", "ec2messages", "ecr", "eks", "eks-auth", "elasticloadbalancing",
	"iam", "kms", "logs", "rds", "rds-db", "route53", "s3", "secretsmanager", "shield", "sns", "ssm", "ssmmessages", "sts", "tag",
	"waf", "waf-regional", "wafv2",
}

// Policy is the boundary: everything on the platform's services, minus the ways out. No role
// may be created or re-bounded without this boundary, none may drop it, the boundary itself
// cannot be changed from within, and no IAM user or access key can be made.
func Policy(boundaryArn string) iampolicy.Document {
	var allow []string
	for _, s := range Services {
		allow = append(allow, s+":*")
	}
	unbounded := iampolicy.Statement{Sid: "NoRoleWithoutThisBoundary", Effect: "Deny",
		Action: []string{"iam:CreateRole", "iam:PutRolePermissionsBoundary"}, Resource: []string{"*"},
		Condition: map[string]map[string][]string{"StringNotEquals": {"iam:PermissionsBoundary": {boundaryArn}}}}
	keep := iampolicy.Statement{Sid: "KeepBoundaries", Effect: "Deny",
		Action: []string{"iam:DeleteRolePermissionsBoundary"}, Resource: []string{"*"}}
	fixed := iampolicy.Statement{Sid: "BoundaryIsFixed", Effect: "Deny",
		Action:   []string{"iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"},
		Resource: []string{boundaryArn}}
	noUsers := iampolicy.Statement{Sid: "NoUsersOrKeys", Effect: "Deny",
		Action: []string{"iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
			"iam:AttachUserPolicy", "iam:PutUserPolicy", "iam:AddUserToGroup"}, Resource: []string{"*"}}
	all := iampolicy.Allow(allow, "*")
	all.Sid = "PlatformServices"
	return iampolicy.New(all, unbounded, keep, fixed, noUsers)
}

// Args configures the boundary.
type Args struct {
	Account contract.Account
	Cluster string
}

// Boundary is the component.
type Boundary struct {
	pulumi.ResourceState

	// Arn is the policy's ARN, an output: roles that carry it wait for it to exist.
	Arn pulumi.StringOutput `pulumi:"arn"`
}

// New creates the boundary policy, named after the cluster (contract.BoundaryPolicyName), so
// that its ARN is known at preview time.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Boundary, error) {
	if args == nil || args.Cluster == "" || args.Account.ID == "" || args.Account.Partition == "" {
		return nil, errors.New("boundary: Account (ID, Partition) and Cluster are required")
	}
	b := &Boundary{}
	if err := ctx.RegisterComponentResource("platform:index:PermissionsBoundary", name, b, opts...); err != nil {
		return nil, err
	}
	arn := args.Account.BoundaryPolicyArn(args.Cluster)
	policy, err := iam.NewPolicy(ctx, name+"-policy", &iam.PolicyArgs{
		Name:        pulumi.String(contract.BoundaryPolicyName(args.Cluster)),
		Description: pulumi.String(fmt.Sprintf("Permissions boundary of every IAM role of %s", args.Cluster)),
		Policy:      pulumi.String(Policy(arn).JSON()),
	}, pulumi.Parent(b))
	if err != nil {
		return nil, err
	}
	b.Arn = policy.Arn
	if err := ctx.RegisterResourceOutputs(b, pulumi.Map{"arn": b.Arn}); err != nil {
		return nil, err
	}
	return b, nil
}
