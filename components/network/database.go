package network

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// newDatabaseSubnets creates one database subnet per AZ on a route table of its own with no
// route out of the VPC (a database needs none, and so cannot send data anywhere), and the DB
// subnet group RDS places instances and their Multi-AZ standbys in.
func newDatabaseSubnets(ctx *pulumi.Context, name string, vpc *ec2.Vpc, a Args, parent pulumi.ResourceOption) (pulumi.StringOutput, error) {
	rt, err := ec2.NewRouteTable(ctx, name+"-database-rt", &ec2.RouteTableArgs{
		VpcId: vpc.ID(),
		Tags:  nameTag(name + "-database"),
	}, parent)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	var ids pulumi.StringArray
	for i, s := range a.Plan.Database {
		suffix := fmt.Sprintf("-database-%d", i)
		sn, err := ec2.NewSubnet(ctx, name+suffix, &ec2.SubnetArgs{
			VpcId:            vpc.ID(),
			CidrBlock:        pulumi.String(s.CIDR),
			AvailabilityZone: pulumi.String(s.AZ),
			Tags:             nameTag(name + suffix),
		}, parent)
		if err != nil {
			return pulumi.StringOutput{}, err
		}
		if _, err := ec2.NewRouteTableAssociation(ctx, name+suffix+"-rta", &ec2.RouteTableAssociationArgs{
			SubnetId: sn.ID(), RouteTableId: rt.ID(),
		}, parent); err != nil {
			return pulumi.StringOutput{}, err
		}
		ids = append(ids, sn.ID())
	}
	group, err := rds.NewSubnetGroup(ctx, name+"-database", &rds.SubnetGroupArgs{
		SubnetIds:   ids,
		Description: pulumi.String(fmt.Sprintf("Database subnets of %s", a.ClusterName)),
		Tags:        nameTag(name + "-database"),
	}, parent)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return group.Name, nil
}
