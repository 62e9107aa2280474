package network

import (
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/access/accessplan"
	"github.com/example/platform/components/network/netplan"
	"github.com/example/platform/internal/contract"
)

// natInstance is the NAT instance (netplan.NATInstance): what the private route tables point
// at, and the instance for the outputs.
type natInstance struct {
	eni      *ec2.NetworkInterface
	instance *ec2.Instance
}

// newNATInstance creates the NAT instance in the first public subnet.
//
// A plain instance, not an Auto Scaling group of one: the private routes target a fixed
// network interface created here, which the instance boots with as its primary interface, and
// the Elastic IP is associated with that interface. An Auto Scaling group cannot launch an
// instance onto an existing interface, so its instance would have to attach the interface (or
// rewrite the routes) itself at boot, which takes EC2 write permissions on its own role and a
// script that must work when everything else is failing. A plain instance keeps its role at
// AmazonSSMManagedInstanceCore, and EC2's recovery (the system status check alarm's recover
// action, and simplified automatic recovery) brings it back on new hardware with the same
// instance id, interface, private address and Elastic IP: nothing to re-point. What recovery
// does not cover (the instance's own OS failing, an AZ outage) is alarmed, and dev accepts it.
func newNATInstance(ctx *pulumi.Context, name string, vpc *ec2.Vpc, igw *ec2.InternetGateway, subnet pulumi.IDOutput, a Args, parent pulumi.ResourceOption) (natInstance, error) {
	userData, err := netplan.NATUserData(a.Plan.VPC)
	if err != nil {
		return natInstance{}, err
	}
	// In: anything from the VPC (the private subnets' traffic to forward). Nothing from the
	// internet: replies to forwarded connections are matched by conntrack, not a rule, and
	// there is no SSH (Session Manager connects out). Out: anywhere.
	sg, err := ec2.NewSecurityGroup(ctx, name+"-nat-sg", &ec2.SecurityGroupArgs{
		VpcId:       vpc.ID(),
		Description: pulumi.String("NAT instance of " + a.ClusterName + ": in from the VPC only, out anywhere"),
		Ingress: ec2.SecurityGroupIngressArray{ec2.SecurityGroupIngressArgs{
			Protocol: pulumi.String("-1"), FromPort: pulumi.Int(0), ToPort: pulumi.Int(0),
			CidrBlocks: pulumi.StringArray{pulumi.String(a.Plan.VPC)}, Description: pulumi.String("Traffic the VPC sends out through the NAT"),
		}},
		Egress: ec2.SecurityGroupEgressArray{ec2.SecurityGroupEgressArgs{
			Protocol: pulumi.String("-1"), FromPort: pulumi.Int(0), ToPort: pulumi.Int(0),
			CidrBlocks: pulumi.StringArray{pulumi.String("0.0.0.0/0")}, Description: pulumi.String("The forwarded traffic, and the instance's own (SSM, packages)"),
		}},
		Tags: nameTag(name + "-nat-" + a.ClusterName),
	}, parent)
	if err != nil {
		return natInstance{}, err
	}
	// The route target: it outlives the instance's recoveries. Source/destination checking is
	// off, or EC2 drops every packet not addressed to the instance itself.
	eni, err := ec2.NewNetworkInterface(ctx, name+"-nat-eni", &ec2.NetworkInterfaceArgs{
		SubnetId:        subnet,
		SecurityGroups:  pulumi.StringArray{sg.ID()},
		SourceDestCheck: pulumi.Bool(false),
		Description:     pulumi.String("NAT instance of " + a.ClusterName + ": the private subnets' default route"),
		Tags:            nameTag(name + "-nat"),
	}, parent)
	if err != nil {
		return natInstance{}, err
	}
	// An address can be associated only in a VPC with an internet gateway; no input shows that.
	if _, err := ec2.NewEip(ctx, name+"-nat-eip", &ec2.EipArgs{
		Domain:           pulumi.String("vpc"),
		NetworkInterface: eni.ID(),
		Tags:             nameTag(name + "-nat"),
	}, parent, pulumi.DependsOn([]pulumi.Resource{igw})); err != nil {
		return natInstance{}, err
	}
	profile, err := natInstanceProfile(ctx, name, a, parent)
	if err != nil {
		return natInstance{}, err
	}
	// As the access instance's: EC2 resolves the AMI at launch, so no plan names an AMI id and
	// a new AMI never shows up as a replacement in a preview.
	template, err := ec2.NewLaunchTemplate(ctx, name+"-nat-template", &ec2.LaunchTemplateArgs{
		Description:          pulumi.String("The NAT instance's AMI: the latest Amazon Linux 2023 for arm64, resolved at launch"),
		ImageId:              pulumi.String("resolve:ssm:" + accessplan.AMIParameter),
		UpdateDefaultVersion: pulumi.Bool(true),
	}, parent)
	if err != nil {
		return natInstance{}, err
	}
	instance, err := ec2.NewInstance(ctx, name+"-nat-instance", &ec2.InstanceArgs{
		LaunchTemplate: &ec2.InstanceLaunchTemplateArgs{Id: template.ID(),
			Version: template.LatestVersion.ApplyT(func(v int) string { return strconv.Itoa(v) }).(pulumi.StringOutput)},
		InstanceType: pulumi.String(netplan.NATInstanceType),
		NetworkInterfaces: ec2.InstanceNetworkInterfaceArray{ec2.InstanceNetworkInterfaceArgs{
			DeviceIndex: pulumi.Int(0), NetworkInterfaceId: eni.ID(),
		}},
		IamInstanceProfile: profile.Name,
		// cloud-init runs user data at the first boot only: a changed script takes a new
		// instance (the interface, and so the routes and the address, stay).
		UserData:                pulumi.String(userData),
		UserDataReplaceOnChange: pulumi.Bool(true),
		// No key pair: there is no SSH, and no port to reach it on.
		MetadataOptions: &ec2.InstanceMetadataOptionsArgs{
			HttpEndpoint: pulumi.String("enabled"), HttpTokens: pulumi.String("required"), HttpPutResponseHopLimit: pulumi.Int(1),
		},
		RootBlockDevice: &ec2.InstanceRootBlockDeviceArgs{
			Encrypted: pulumi.Bool(true), VolumeType: pulumi.String("gp3"), VolumeSize: pulumi.Int(netplan.NATRootVolumeGiB),
			DeleteOnTermination: pulumi.Bool(true),
		},
		// Simplified automatic recovery (EC2's own, no alarm needed) on top of the alarm's.
		MaintenanceOptions: &ec2.InstanceMaintenanceOptionsArgs{AutoRecovery: pulumi.String("default")},
		Monitoring:         pulumi.Bool(false),
		Tags: pulumi.StringMap{"Name": pulumi.String(name + "-nat-" + a.ClusterName),
			contract.NATTag: pulumi.String(a.ClusterName)},
	}, parent)
	if err != nil {
		return natInstance{}, err
	}
	if err := natAlarms(ctx, name, instance, a, parent); err != nil {
		return natInstance{}, err
	}
	return natInstance{eni: eni, instance: instance}, nil
}

// natAlarms notify the stack's alarm topic when a status check of the NAT instance fails:
// the system check (the host) also recovers the instance onto new hardware; the instance
// check (its OS) takes a person (README: reboot it).
func natAlarms(ctx *pulumi.Context, name string, instance *ec2.Instance, a Args, parent pulumi.ResourceOption) error {
	recoverAction := fmt.Sprintf("arn:%s:automate:%s:ec2:recover", a.Account.Partition, a.Account.Region)
	for _, al := range []struct {
		suffix, name, metric, description string
		actions                           pulumi.Array
	}{
		{"system", contract.NATAlarmName(a.ClusterName), "StatusCheckFailed_System",
			"The NAT instance of " + a.ClusterName + " failed its system status check (its host): EC2 recovers it onto new hardware; the private subnets have no internet egress until it is back",
			pulumi.Array{pulumi.String(recoverAction), a.AlarmTopicArn}},
		{"os", contract.NATInstanceAlarmName(a.ClusterName), "StatusCheckFailed_Instance",
			"The NAT instance of " + a.ClusterName + " failed its instance status check (its OS): reboot it (README \"NAT instance\"); the private subnets have no internet egress until then",
			pulumi.Array{a.AlarmTopicArn}},
	} {
		if _, err := cloudwatch.NewMetricAlarm(ctx, name+"-nat-alarm-"+al.suffix, &cloudwatch.MetricAlarmArgs{
			Name:               pulumi.String(al.name),
			AlarmDescription:   pulumi.String(al.description),
			Namespace:          pulumi.String("AWS/EC2"),
			MetricName:         pulumi.String(al.metric),
			Dimensions:         pulumi.StringMap{"InstanceId": instance.ID()},
			Statistic:          pulumi.String("Maximum"),
			Period:             pulumi.Int(60),
			EvaluationPeriods:  pulumi.Int(2),
			DatapointsToAlarm:  pulumi.Int(2),
			ComparisonOperator: pulumi.String("GreaterThanOrEqualToThreshold"),
			Threshold:          pulumi.Float64(1),
			AlarmActions:       al.actions,
			OkActions:          pulumi.Array{a.AlarmTopicArn},
		}, parent); err != nil {
			return err
		}
	}
	return nil
}

// natInstanceProfile is the NAT instance's role: the SSM agent's managed policy only (Session
// Manager for debugging), under the platform boundary and path, like the access instance's.
func natInstanceProfile(ctx *pulumi.Context, name string, a Args, parent pulumi.ResourceOption) (*iam.InstanceProfile, error) {
	role, err := iam.NewRole(ctx, name+"-nat-role", &iam.RoleArgs{
		Path:                pulumi.String(contract.PlatformRolePath(a.ClusterName)),
		AssumeRolePolicy:    pulumi.String(accessplan.InstanceTrust().JSON()),
		Description:         pulumi.String("The NAT instance of " + a.ClusterName + ": the SSM agent only"),
		PermissionsBoundary: a.PermissionsBoundary,
	}, parent)
	if err != nil {
		return nil, err
	}
	if _, err := iam.NewRolePolicyAttachment(ctx, name+"-nat-ssm", &iam.RolePolicyAttachmentArgs{
		Role: role.Name, PolicyArn: pulumi.String(a.Account.ManagedPolicyArn(accessplan.ManagedInstancePolicy)),
	}, parent); err != nil {
		return nil, err
	}
	return iam.NewInstanceProfile(ctx, name+"-nat-profile", &iam.InstanceProfileArgs{
		Path: pulumi.String(contract.PlatformRolePath(a.ClusterName)), Role: role.Name,
	}, parent)
}
