package cluster

import (
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/cluster/clusterplan"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
)

type nodeOutputs struct {
	roleArn, roleName pulumi.StringOutput
	groups            []pulumi.Resource
}

// newNodeGroups creates the node role and one launch template + managed node group per
// configured group, in the private subnets only.
func newNodeGroups(ctx *pulumi.Context, name string, clusterName pulumi.StringOutput, a Args, parent pulumi.ResourceOption) (nodeOutputs, error) {
	trust := iampolicy.New(iampolicy.Statement{
		Effect:    "Allow",
		Principal: map[string][]string{"Service": {"ec2.amazonaws.com"}},
		Action:    []string{"sts:AssumeRole"},
	})
	role, err := iam.NewRole(ctx, name+"-node-role", &iam.RoleArgs{
		AssumeRolePolicy:    pulumi.String(trust.JSON()),
		Description:         pulumi.String("EKS managed nodes of " + a.Name),
		Path:                pulumi.String(contract.PlatformRolePath(a.Name)),
		PermissionsBoundary: a.PermissionsBoundary,
	}, parent)
	if err != nil {
		return nodeOutputs{}, err
	}
	var attachments []pulumi.Resource
	for _, p := range clusterplan.NodePolicies {
		att, err := iam.NewRolePolicyAttachment(ctx, name+"-node-"+p, &iam.RolePolicyAttachmentArgs{
			Role:      role.Name,
			PolicyArn: pulumi.String(a.Account.ManagedPolicyArn(p)),
		}, parent)
		if err != nil {
			return nodeOutputs{}, err
		}
		attachments = append(attachments, att)
	}

	var groups []pulumi.Resource
	for _, ng := range a.NodeGroups {
		amiType, _ := clusterplan.AMIType(ng.InstanceTypes) // checked in validate
		lt, err := ec2.NewLaunchTemplate(ctx, fmt.Sprintf("%s-%s-lt", name, ng.Name), &ec2.LaunchTemplateArgs{
			Description: pulumi.String("EKS managed node group " + ng.Name + " of " + a.Name),
			// IMDSv2 only, and a hop limit of 1 so that pods cannot reach the node's
			// credentials; addons get theirs from EKS Pod Identity instead.
			MetadataOptions: ec2.LaunchTemplateMetadataOptionsArgs{
				HttpEndpoint:            pulumi.String("enabled"),
				HttpTokens:              pulumi.String("required"),
				HttpPutResponseHopLimit: pulumi.Int(1),
			},
			BlockDeviceMappings: ec2.LaunchTemplateBlockDeviceMappingArray{ec2.LaunchTemplateBlockDeviceMappingArgs{
				DeviceName: pulumi.String(clusterplan.RootDevice),
				Ebs: ec2.LaunchTemplateBlockDeviceMappingEbsArgs{
					VolumeSize:          pulumi.Int(ng.DiskSizeGiB),
					VolumeType:          pulumi.String("gp3"),
					Encrypted:           pulumi.String("true"),
					DeleteOnTermination: pulumi.String("true"),
				},
			}},
			TagSpecifications: ec2.LaunchTemplateTagSpecificationArray{
				ec2.LaunchTemplateTagSpecificationArgs{
					ResourceType: pulumi.String("instance"),
					Tags:         pulumi.StringMap{"Name": pulumi.Sprintf("%s-%s", a.Name, ng.Name)},
				},
				ec2.LaunchTemplateTagSpecificationArgs{
					ResourceType: pulumi.String("volume"),
					Tags:         pulumi.StringMap{"Name": pulumi.Sprintf("%s-%s", a.Name, ng.Name)},
				},
			},
			UpdateDefaultVersion: pulumi.Bool(true),
		}, parent)
		if err != nil {
			return nodeOutputs{}, err
		}
		tags := clusterplan.AutoscalerTags(a.Name, ng.Labels)
		tags["Name"] = a.Name + "-" + ng.Name
		group, err := awseks.NewNodeGroup(ctx, fmt.Sprintf("%s-%s-ng", name, ng.Name), &awseks.NodeGroupArgs{
			ClusterName:   clusterName,
			Version:       pulumi.String(a.KubernetesVersion),
			NodeRoleArn:   role.Arn,
			SubnetIds:     a.Network.PrivateSubnetIDs,
			AmiType:       pulumi.String(amiType),
			InstanceTypes: pulumi.ToStringArray(ng.InstanceTypes),
			CapacityType:  pulumi.String(ng.CapacityType),
			Labels:        pulumi.ToStringMap(ng.Labels),
			ScalingConfig: awseks.NodeGroupScalingConfigArgs{
				MinSize:     pulumi.Int(ng.MinSize),
				DesiredSize: pulumi.Int(ng.DesiredSize),
				MaxSize:     pulumi.Int(ng.MaxSize),
			},
			LaunchTemplate: awseks.NodeGroupLaunchTemplateArgs{
				Id:      lt.ID(),
				Version: lt.LatestVersion.ApplyT(strconv.Itoa).(pulumi.StringOutput),
			},
			UpdateConfig: awseks.NodeGroupUpdateConfigArgs{MaxUnavailable: pulumi.Int(1)},
			Tags:         pulumi.ToStringMap(tags),
		}, parent,
			// Nodes cannot join before their role has the worker policies; no input shows that.
			pulumi.DependsOn(attachments),
			// The Cluster Autoscaler owns the desired size once the group exists.
			pulumi.IgnoreChanges([]string{"scalingConfig.desiredSize"}),
		)
		if err != nil {
			return nodeOutputs{}, err
		}
		groups = append(groups, group)
	}
	return nodeOutputs{roleArn: role.Arn, roleName: role.Name, groups: groups}, nil
}
