package network

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/network/netplan"
)

// newEndpoints creates S3's gateway endpoint on the private route tables (free: S3 traffic of
// nodes and pods, Loki's and Tempo's above all, skips the NAT's data processing), and, when
// the stack has any, the interface endpoints in subnets of their own, one per AZ, whose
// addresses the teams' network policy admits on 443. Private DNS makes every pod and node
// resolve the service's usual name to the endpoint. It returns those subnets' CIDRs.
func newEndpoints(ctx *pulumi.Context, name string, vpc *ec2.Vpc, a Args, privateRouteTables pulumi.StringArray, parent pulumi.ResourceOption) ([]string, error) {
	region := a.Account.Region
	if _, err := ec2.NewVpcEndpoint(ctx, name+"-s3", &ec2.VpcEndpointArgs{
		VpcId:           vpc.ID(),
		ServiceName:     pulumi.String(netplan.EndpointService(region, "s3")),
		VpcEndpointType: pulumi.String("Gateway"),
		RouteTableIds:   privateRouteTables,
		Tags:            nameTag(name + "-s3"),
	}, parent); err != nil {
		return nil, err
	}
	if len(a.Endpoints) == 0 {
		return nil, nil
	}
	var ids pulumi.StringArray
	var cidrs []string
	for _, s := range a.Plan.Endpoint {
		sn, err := ec2.NewSubnet(ctx, name+"-endpoints-"+s.AZ, &ec2.SubnetArgs{
			VpcId: vpc.ID(), CidrBlock: pulumi.String(s.CIDR), AvailabilityZone: pulumi.String(s.AZ),
			Tags: nameTag(name + "-endpoints-" + s.AZ),
		}, parent)
		if err != nil {
			return nil, err
		}
		ids = append(ids, sn.ID())
		cidrs = append(cidrs, s.CIDR)
	}
	sg, err := ec2.NewSecurityGroup(ctx, name+"-endpoints-sg", &ec2.SecurityGroupArgs{
		VpcId:       vpc.ID(),
		Description: pulumi.String("Interface VPC endpoints of " + name + ": HTTPS from the VPC"),
		Ingress: ec2.SecurityGroupIngressArray{ec2.SecurityGroupIngressArgs{
			Protocol: pulumi.String("tcp"), FromPort: pulumi.Int(443), ToPort: pulumi.Int(443),
			CidrBlocks: pulumi.StringArray{pulumi.String(a.Plan.VPC)}, Description: pulumi.String("HTTPS from the VPC"),
		}},
		Tags: nameTag(name + "-endpoints"),
	}, parent)
	if err != nil {
		return nil, err
	}
	for _, e := range a.Endpoints {
		if _, err := ec2.NewVpcEndpoint(ctx, name+"-endpoint-"+e, &ec2.VpcEndpointArgs{
			VpcId:             vpc.ID(),
			ServiceName:       pulumi.String(netplan.EndpointService(region, e)),
			VpcEndpointType:   pulumi.String("Interface"),
			SubnetIds:         ids,
			SecurityGroupIds:  pulumi.StringArray{sg.ID()},
			PrivateDnsEnabled: pulumi.Bool(true),
			Tags:              nameTag(name + "-" + e),
		}, parent); err != nil {
			return nil, err
		}
	}
	return cidrs, nil
}
