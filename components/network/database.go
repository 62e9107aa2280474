package network

import (
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/network/netplan"
)

// newDatabaseSubnets creates, for each team with databases, one database subnet per AZ at the
// team's slot and the team's DB subnet group, which RDS places its instances and their
// Multi-AZ standbys in. Every database subnet is on one route table with no route out of the
// VPC (a database needs none, and so cannot send data anywhere). Names are keyed by team and
// AZ, never by position: a team that comes or goes moves no other team's subnets.
func newDatabaseSubnets(ctx *pulumi.Context, name string, vpc *ec2.Vpc, a Args, parent pulumi.ResourceOption) (map[string]pulumi.StringOutput, map[string][]string, error) {
	groups, cidrs := map[string]pulumi.StringOutput{}, map[string][]string{}
	if len(a.DatabaseSlots) == 0 {
		return groups, cidrs, nil
	}
	rt, err := ec2.NewRouteTable(ctx, name+"-database-rt", &ec2.RouteTableArgs{
		VpcId: vpc.ID(),
		Tags:  nameTag(name + "-database"),
	}, parent)
	if err != nil {
		return nil, nil, err
	}
	for _, team := range slices.Sorted(maps.Keys(a.DatabaseSlots)) {
		subnets, err := netplan.TeamDatabaseSubnets(a.Plan, a.DatabaseSlots[team])
		if err != nil {
			return nil, nil, err
		}
		var ids pulumi.StringArray
		for _, s := range subnets {
			suffix := fmt.Sprintf("-database-%s-%s", team, s.AZ)
			sn, err := ec2.NewSubnet(ctx, name+suffix, &ec2.SubnetArgs{
				VpcId:            vpc.ID(),
				CidrBlock:        pulumi.String(s.CIDR),
				AvailabilityZone: pulumi.String(s.AZ),
				Tags:             nameTag(name + suffix),
			}, parent)
			if err != nil {
				return nil, nil, err
			}
			if _, err := ec2.NewRouteTableAssociation(ctx, name+suffix+"-rta", &ec2.RouteTableAssociationArgs{
				SubnetId: sn.ID(), RouteTableId: rt.ID(),
			}, parent); err != nil {
				return nil, nil, err
			}
			ids = append(ids, sn.ID())
			cidrs[team] = append(cidrs[team], s.CIDR)
		}
		group, err := rds.NewSubnetGroup(ctx, name+"-database-"+team, &rds.SubnetGroupArgs{
			SubnetIds:   ids,
			Description: pulumi.String(fmt.Sprintf("Database subnets of team %s on %s", team, a.ClusterName)),
			Tags:        nameTag(name + "-database-" + team),
		}, parent)
		if err != nil {
			return nil, nil, err
		}
		groups[team] = group.Name
	}
	return groups, cidrs, nil
}
