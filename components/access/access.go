// Package access is private access for people through AWS Systems Manager Session Manager: a
// small instance in a private subnet with no inbound rule and no SSH key, which the SSM agent
// registers, and Session documents that forward a local port to one fixed host each: the
// cluster's private API endpoint (Access) and each team database (DatabaseAccess). Roles
// start sessions with those documents only. Planned in accessplan, built here.
//
// Two components, because the databases' security groups admit the instance's (Access comes
// before the databases) and their documents name the databases' addresses (DatabaseAccess
// comes after).
package access

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/access/accessplan"
	"github.com/example/platform/components/handle"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
	"github.com/example/platform/internal/pulumix"
)

// Args configure the access instance and the cluster's session.
type Args struct {
	// Cluster gives the name and the cluster security group (the API endpoint's and the
	// nodes'), which admits the instance on 443.
	Cluster handle.Cluster
	// Endpoint is the cluster's API endpoint URL: the kube document forwards to its host.
	Endpoint pulumi.StringInput
	// Network gives the VPC, the private subnets (the instance goes into the first) and the
	// database subnets (the instance's PostgreSQL egress).
	Network handle.Network
	Account contract.Account
	// InstanceType must be arm64 (accessplan.CheckInstanceType).
	InstanceType string
	// PermissionsBoundary is the platform boundary: the instance's role and the kube role carry it.
	PermissionsBoundary pulumi.StringInput
	// KubeRoleArns may assume the kube role (cluster admins and the teams' members). Without
	// any, there is no kube role.
	KubeRoleArns []string
}

// Access is the component.
type Access struct {
	pulumi.ResourceState

	InstanceID      pulumi.StringOutput `pulumi:"instanceId"`
	SecurityGroupID pulumi.StringOutput `pulumi:"securityGroupId"`
	KubeDocument    pulumi.StringOutput `pulumi:"kubeDocument"`
	// KubeRoleArn is empty without KubeRoleArns.
	KubeRoleArn pulumi.StringOutput `pulumi:"kubeRoleArn"`
}

// Host is what later components need of the instance.
type Host struct {
	InstanceID      pulumi.StringOutput
	SecurityGroupID pulumi.StringOutput
}

// Handle is the instance, for the databases (their security groups) and DatabaseAccess.
func (a *Access) Handle() Host {
	return Host{InstanceID: a.InstanceID, SecurityGroupID: a.SecurityGroupID}
}

func (a *Args) validate() error {
	if a == nil {
		return errors.New("access: Args are required")
	}
	var errs []error
	if a.Cluster.Name == "" || a.Account.ID == "" || a.Endpoint == nil || a.PermissionsBoundary == nil {
		errs = append(errs, errors.New("access: Cluster, Account, Endpoint and PermissionsBoundary are required"))
	}
	if err := accessplan.CheckInstanceType(a.InstanceType); err != nil {
		errs = append(errs, fmt.Errorf("access: InstanceType %w", err))
	}
	if err := accessplan.CheckDocumentName(contract.KubeDocumentName(a.Cluster.Name)); err != nil {
		errs = append(errs, fmt.Errorf("access: %w", err))
	}
	return errors.Join(errs...)
}

// New creates the access instance and the kube session. Nothing is created when an argument is
// invalid.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Access, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	c := &Access{}
	if err := ctx.RegisterComponentResource("platform:index:Access", name, c, opts...); err != nil {
		return nil, err
	}
	a, parent := *args, pulumi.Parent(c)
	var egress ec2.SecurityGroupEgressArray
	for _, r := range accessplan.Egress(a.Network.DatabaseSubnetCIDRs) {
		egress = append(egress, ec2.SecurityGroupEgressArgs{
			Protocol: pulumi.String("tcp"), FromPort: pulumi.Int(r.Port), ToPort: pulumi.Int(r.Port),
			CidrBlocks: pulumi.ToStringArray(r.CIDRs), Description: pulumi.String(r.Description),
		})
	}
	// No ingress rule: Session Manager's agent connects out, nothing connects in.
	sg, err := ec2.NewSecurityGroup(ctx, name+"-sg", &ec2.SecurityGroupArgs{
		VpcId:       a.Network.VpcID,
		Description: pulumi.String(fmt.Sprintf("Session Manager access instance of %s: no inbound rule", a.Cluster.Name)),
		Egress:      egress,
		Tags:        pulumi.StringMap{"Name": pulumi.String(name + "-" + a.Cluster.Name)},
	}, parent)
	if err != nil {
		return nil, err
	}
	profile, err := instanceProfile(ctx, name, a, parent)
	if err != nil {
		return nil, err
	}
	// The AMI is resolved by EC2 at launch from the public parameter: the plan names no AMI id,
	// so a new AMI never shows up as a replacement in a preview.
	template, err := ec2.NewLaunchTemplate(ctx, name+"-template", &ec2.LaunchTemplateArgs{
		Description:          pulumi.String("The access instance's AMI: the latest Amazon Linux 2023 for arm64, resolved at launch"),
		ImageId:              pulumi.String("resolve:ssm:" + accessplan.AMIParameter),
		UpdateDefaultVersion: pulumi.Bool(true),
	}, parent)
	if err != nil {
		return nil, err
	}
	instance, err := ec2.NewInstance(ctx, name+"-instance", &ec2.InstanceArgs{
		LaunchTemplate: &ec2.InstanceLaunchTemplateArgs{Id: template.ID(),
			Version: template.LatestVersion.ApplyT(func(v int) string { return strconv.Itoa(v) }).(pulumi.StringOutput)},
		InstanceType:        pulumi.String(a.InstanceType),
		SubnetId:            a.Network.PrivateSubnetIDs.Index(pulumi.Int(0)),
		VpcSecurityGroupIds: pulumi.StringArray{sg.ID()},
		IamInstanceProfile:  profile.Name,
		// No key pair: there is no SSH, and no port to reach it on.
		MetadataOptions: &ec2.InstanceMetadataOptionsArgs{
			HttpEndpoint: pulumi.String("enabled"), HttpTokens: pulumi.String("required"), HttpPutResponseHopLimit: pulumi.Int(1),
		},
		RootBlockDevice: &ec2.InstanceRootBlockDeviceArgs{
			Encrypted: pulumi.Bool(true), VolumeType: pulumi.String("gp3"), VolumeSize: pulumi.Int(accessplan.RootVolumeGiB),
			DeleteOnTermination: pulumi.Bool(true),
		},
		Monitoring: pulumi.Bool(false),
		Tags: pulumi.StringMap{"Name": pulumi.String(name + "-" + a.Cluster.Name),
			contract.AccessTag: pulumi.String(a.Cluster.Name)},
	}, parent)
	if err != nil {
		return nil, err
	}
	// The cluster security group is EKS's (its rules are not inline in this program): a rule
	// resource of its own adds the instance.
	if _, err := ec2.NewSecurityGroupRule(ctx, name+"-cluster-ingress", &ec2.SecurityGroupRuleArgs{
		Type: pulumi.String("ingress"), SecurityGroupId: a.Cluster.NodeSecurityGroupID, SourceSecurityGroupId: sg.ID(),
		Protocol: pulumi.String("tcp"), FromPort: pulumi.Int(accessplan.HTTPSPort), ToPort: pulumi.Int(accessplan.HTTPSPort),
		Description: pulumi.String("The Kubernetes API from the Session Manager access instance"),
	}, parent); err != nil {
		return nil, err
	}
	kubeDoc := contract.KubeDocumentName(a.Cluster.Name)
	content := a.Endpoint.ToStringOutput().ApplyT(func(endpoint string) (string, error) {
		host, err := accessplan.EndpointHost(endpoint)
		if err != nil {
			return "", err
		}
		return accessplan.PortForwardDocument("The Kubernetes API of "+a.Cluster.Name+" (its private endpoint)", host, accessplan.HTTPSPort), nil
	}).(pulumi.StringOutput)
	doc, err := ssm.NewDocument(ctx, name+"-kube-document", &ssm.DocumentArgs{
		Name: pulumi.String(kubeDoc), DocumentType: pulumi.String("Session"), DocumentFormat: pulumi.String("JSON"), Content: content,
	}, parent)
	if err != nil {
		return nil, err
	}
	c.InstanceID, c.SecurityGroupID, c.KubeDocument = instance.ID().ToStringOutput(), sg.ID().ToStringOutput(), doc.Name
	c.KubeRoleArn = pulumi.String("").ToStringOutput()
	if len(a.KubeRoleArns) > 0 {
		role, err := sessionRole(ctx, name+"-kube", sessionRoleArgs{
			path: contract.PlatformRolePath(a.Cluster.Name), members: a.KubeRoleArns, boundary: a.PermissionsBoundary,
			description: fmt.Sprintf("Session Manager tunnels to the Kubernetes API of %s (platform connect kube)", a.Cluster.Name),
			policy: pulumix.Policy(c.InstanceID, func(id string) iampolicy.Document {
				return accessplan.SessionPolicy(a.Account, id, []string{kubeDoc})
			}),
		}, parent)
		if err != nil {
			return nil, err
		}
		c.KubeRoleArn = role.Arn
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"instanceId": c.InstanceID, "securityGroupId": c.SecurityGroupID, "kubeDocument": c.KubeDocument, "kubeRoleArn": c.KubeRoleArn,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// instanceProfile is the instance's role: the SSM agent's managed policy, under the platform
// boundary and path.
func instanceProfile(ctx *pulumi.Context, name string, a Args, parent pulumi.ResourceOption) (*iam.InstanceProfile, error) {
	role, err := iam.NewRole(ctx, name+"-instance-role", &iam.RoleArgs{
		Path:                pulumi.String(contract.PlatformRolePath(a.Cluster.Name)),
		AssumeRolePolicy:    pulumi.String(accessplan.InstanceTrust().JSON()),
		Description:         pulumi.String(fmt.Sprintf("The Session Manager access instance of %s: the SSM agent only", a.Cluster.Name)),
		PermissionsBoundary: a.PermissionsBoundary,
	}, parent)
	if err != nil {
		return nil, err
	}
	if _, err := iam.NewRolePolicyAttachment(ctx, name+"-instance-ssm", &iam.RolePolicyAttachmentArgs{
		Role: role.Name, PolicyArn: pulumi.String(a.Account.ManagedPolicyArn(accessplan.ManagedInstancePolicy)),
	}, parent); err != nil {
		return nil, err
	}
	return iam.NewInstanceProfile(ctx, name+"-instance-profile", &iam.InstanceProfileArgs{
		Path: pulumi.String(contract.PlatformRolePath(a.Cluster.Name)), Role: role.Name,
	}, parent)
}

type sessionRoleArgs struct {
	path, description string
	members           []string
	boundary          pulumi.StringInput
	policy            pulumi.StringOutput
	tags              pulumi.StringMap
}

// sessionRole is a role people assume to start sessions: trusted by members, one inline policy.
func sessionRole(ctx *pulumi.Context, name string, s sessionRoleArgs, parent pulumi.ResourceOption) (*iam.Role, error) {
	role, err := iam.NewRole(ctx, name+"-role", &iam.RoleArgs{
		Path:                pulumi.String(s.path),
		AssumeRolePolicy:    pulumi.String(accessplan.MembersTrust(s.members).JSON()),
		Description:         pulumi.String(s.description),
		MaxSessionDuration:  pulumi.Int(accessplan.MaxSessionSeconds),
		PermissionsBoundary: s.boundary,
		Tags:                s.tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	if _, err := iam.NewRolePolicy(ctx, name+"-policy", &iam.RolePolicyArgs{Role: role.ID(), Policy: s.policy}, parent); err != nil {
		return nil, err
	}
	return role, nil
}
