// Package network is the platform's VPC: subnets over 2-3 AZs from a pure plan, NAT, routes,
// load-balancer subnet tags and flow logs.
package network

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/handle"
	"github.com/example/platform/components/network/netplan"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
	"github.com/example/platform/internal/pulumix"
)

// Args configures the network. Plain values decide which resources exist; every field is
// required (the stack's config states the defaults, once).
type Args struct {
	// Plan is the subnet layout (netplan.PlanSubnets or netplan.PlanOverride).
	Plan netplan.Plan
	// NATGateways is netplan.NATSingle, netplan.NATPerAZ or netplan.NATInstance.
	NATGateways string
	// AlarmTopicArn is the stack's alarm topic (components/alarms): the NAT instance's status
	// check alarms notify it. Required with netplan.NATInstance only.
	AlarmTopicArn pulumi.StringInput
	// ClusterName is used for the kubernetes.io/cluster/<name> subnet tags.
	ClusterName string
	// FlowLogsRetentionDays of the flow log group (a CloudWatch Logs retention value).
	FlowLogsRetentionDays int
	// KeepFlowLogs leaves the flow log group in place on destroy (prod): the record of the
	// VPC's traffic outlives the stack.
	KeepFlowLogs bool
	// Account scopes the flow-log role's trust (confused-deputy protection).
	Account contract.Account
	// PermissionsBoundary is the boundary the flow-log role carries (components/boundary).
	PermissionsBoundary pulumi.StringInput
	// DatabaseSlots are the teams with databases and their slots (platform:teams[].databaseSlot):
	// each gets its own database subnets (netplan.TeamDatabaseSubnets) and DB subnet group, so
	// that a team's network policy can admit its own databases' addresses and no other team's.
	// Nothing of them exists without a team with databases.
	DatabaseSlots map[string]int
	// Endpoints are the interface VPC endpoints (netplan.Endpoints names), in the plan's
	// endpoint subnets; S3's gateway endpoint is always created.
	Endpoints []string
	// LogsKeyArn is the stack's logs key (components/logskey): the flow-log group is encrypted
	// with it.
	LogsKeyArn pulumi.StringInput
}

// Network is the component.
type Network struct {
	pulumi.ResourceState

	VpcID            pulumi.StringOutput      `pulumi:"vpcId"`
	PublicSubnetIDs  pulumi.StringArrayOutput `pulumi:"publicSubnetIds"`
	PrivateSubnetIDs pulumi.StringArrayOutput `pulumi:"privateSubnetIds"`
	NatGatewayIDs    pulumi.StringArrayOutput `pulumi:"natGatewayIds"`
	// NatInstanceID is the NAT instance's id ("" without netplan.NATInstance).
	NatInstanceID    pulumi.StringOutput `pulumi:"natInstanceId"`
	FlowLogGroupName pulumi.StringOutput `pulumi:"flowLogGroupName"`
	// DatabaseSubnetGroups are the teams' DB subnet groups, by team.
	DatabaseSubnetGroups pulumi.StringMapOutput `pulumi:"databaseSubnetGroups"`

	databaseGroups map[string]pulumi.StringOutput
	databaseCIDRs  map[string][]string
	endpointCIDRs  []string
}

func (a *Args) validate() error {
	if a == nil {
		return errors.New("network: Args are required")
	}
	var errs []error
	if len(a.Plan.Public) < netplan.MinAZs || len(a.Plan.Public) != len(a.Plan.Private) {
		errs = append(errs, fmt.Errorf("network: Plan needs one public and one private subnet in each of %d-%d AZs", netplan.MinAZs, netplan.MaxAZs))
	}
	if !slices.Contains(netplan.NATLayouts, a.NATGateways) {
		errs = append(errs, fmt.Errorf("network: NATGateways %q must be one of %s", a.NATGateways, strings.Join(netplan.NATLayouts, ", ")))
	}
	if a.NATGateways == netplan.NATInstance && a.AlarmTopicArn == nil {
		errs = append(errs, errors.New("network: AlarmTopicArn is required with the NAT instance (its status check alarms notify it)"))
	}
	if a.ClusterName == "" {
		errs = append(errs, errors.New("network: ClusterName is required (subnet discovery tags)"))
	}
	for _, e := range a.Endpoints {
		if netplan.Endpoints[e] == "" {
			errs = append(errs, fmt.Errorf("network: endpoint %q is not one of netplan.Endpoints", e))
		}
	}
	if len(a.Endpoints) > 0 && len(a.Plan.Endpoint) != len(a.Plan.Private) {
		errs = append(errs, errors.New("network: Endpoints need the plan's endpoint subnets, one per AZ (netplan.PlanSubnets)"))
	}
	if a.LogsKeyArn == nil {
		errs = append(errs, errors.New("network: LogsKeyArn is required (the flow-log group is encrypted)"))
	}
	if a.FlowLogsRetentionDays < 1 {
		errs = append(errs, errors.New("network: FlowLogsRetentionDays is required"))
	}
	if a.Account.ID == "" || a.Account.Region == "" || a.Account.Partition == "" {
		errs = append(errs, errors.New("network: Account (ID, Partition, Region) is required (flow-log role trust)"))
	}
	if a.PermissionsBoundary == nil {
		errs = append(errs, errors.New("network: PermissionsBoundary is required (every role carries it)"))
	}
	if len(a.DatabaseSlots) > 0 && len(a.Plan.Database) != len(a.Plan.Private) {
		errs = append(errs, errors.New("network: DatabaseSlots need one database range per AZ in the Plan"))
	}
	taken := map[int]string{}
	for _, team := range slices.Sorted(maps.Keys(a.DatabaseSlots)) {
		slot := a.DatabaseSlots[team]
		if _, err := netplan.TeamDatabaseSubnets(a.Plan, slot); err != nil && len(a.Plan.Database) > 0 {
			errs = append(errs, fmt.Errorf("network: team %s: %w", team, err))
		}
		if other, dup := taken[slot]; dup {
			errs = append(errs, fmt.Errorf("network: teams %s and %s have the same database slot %d", other, team, slot))
		}
		taken[slot] = team
	}
	return errors.Join(errs...)
}

// New creates the network.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Network, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	a := *args
	n := &Network{}
	if err := ctx.RegisterComponentResource("platform:index:Network", name, n, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(n)

	vpc, err := ec2.NewVpc(ctx, name+"-vpc", &ec2.VpcArgs{
		CidrBlock:          pulumi.String(a.Plan.VPC),
		EnableDnsHostnames: pulumi.Bool(true),
		EnableDnsSupport:   pulumi.Bool(true),
		Tags:               nameTag(name),
	}, parent)
	if err != nil {
		return nil, err
	}
	// Adopting the default security group with no rules strips it, so nothing can use its
	// allow-all-within-group default by accident (CIS AWS 5.4).
	if _, err := ec2.NewDefaultSecurityGroup(ctx, name+"-default-sg", &ec2.DefaultSecurityGroupArgs{
		VpcId: vpc.ID(),
		Tags:  nameTag(name + "-default-do-not-use"),
	}, parent); err != nil {
		return nil, err
	}
	igw, err := ec2.NewInternetGateway(ctx, name+"-igw", &ec2.InternetGatewayArgs{
		VpcId: vpc.ID(),
		Tags:  nameTag(name),
	}, parent)
	if err != nil {
		return nil, err
	}

	subnets, err := newSubnets(ctx, name, vpc, igw, a, parent)
	if err != nil {
		return nil, err
	}
	flowLogGroup, err := newFlowLogs(ctx, name, vpc, a, parent)
	if err != nil {
		return nil, err
	}
	if n.endpointCIDRs, err = newEndpoints(ctx, name, vpc, a, subnets.privateRouteTables, parent); err != nil {
		return nil, err
	}

	n.VpcID = vpc.ID().ToStringOutput()
	n.PublicSubnetIDs = subnets.public
	n.PrivateSubnetIDs = subnets.private
	n.NatGatewayIDs = subnets.nats
	n.NatInstanceID = subnets.natInstance
	n.FlowLogGroupName = flowLogGroup
	if n.databaseGroups, n.databaseCIDRs, err = newDatabaseSubnets(ctx, name, vpc, a, parent); err != nil {
		return nil, err
	}
	groups := pulumi.StringMap{}
	for team, g := range n.databaseGroups {
		groups[team] = g
	}
	n.DatabaseSubnetGroups = groups.ToStringMapOutput()
	if err := ctx.RegisterResourceOutputs(n, pulumi.Map{
		"databaseSubnetGroups": n.DatabaseSubnetGroups,
		"vpcId":                n.VpcID,
		"publicSubnetIds":      n.PublicSubnetIDs,
		"privateSubnetIds":     n.PrivateSubnetIDs,
		"natGatewayIds":        n.NatGatewayIDs,
		"natInstanceId":        n.NatInstanceID,
		"flowLogGroupName":     n.FlowLogGroupName,
	}); err != nil {
		return nil, err
	}
	return n, nil
}

type subnetIDs struct {
	public, private, nats pulumi.StringArrayOutput
	natInstance           pulumi.StringOutput
	// privateRouteTables are the private subnets' route tables (S3's gateway endpoint).
	privateRouteTables pulumi.StringArray
}

// newSubnets creates the subnets, NAT gateways or the NAT instance, and routing
// (netplan.PrivateRoutes). Each private subnet routes to the NAT in its own AZ (perAz), so
// losing an AZ never cuts the others' egress.
func newSubnets(ctx *pulumi.Context, name string, vpc *ec2.Vpc, igw *ec2.InternetGateway, a Args, parent pulumi.ResourceOption) (subnetIDs, error) {
	publicRT, err := ec2.NewRouteTable(ctx, name+"-public-rt", &ec2.RouteTableArgs{
		VpcId: vpc.ID(),
		Routes: ec2.RouteTableRouteArray{ec2.RouteTableRouteArgs{
			CidrBlock: pulumi.String("0.0.0.0/0"),
			GatewayId: igw.ID(),
		}},
		Tags: nameTag(name + "-public"),
	}, parent)
	if err != nil {
		return subnetIDs{}, err
	}
	var pubIDs, privIDs, natIDs, privateRTs pulumi.StringArray
	var nats []*ec2.NatGateway
	var publicSubnets []*ec2.Subnet
	for i, s := range a.Plan.Public {
		suffix := fmt.Sprintf("-public-%d", i)
		sn, err := ec2.NewSubnet(ctx, name+suffix, &ec2.SubnetArgs{
			VpcId:            vpc.ID(),
			CidrBlock:        pulumi.String(s.CIDR),
			AvailabilityZone: pulumi.String(s.AZ),
			// Nothing but load balancers and NAT gateways lives here; neither needs
			// auto-assigned public IPs on instances.
			MapPublicIpOnLaunch: pulumi.Bool(false),
			Tags:                pulumi.ToStringMap(netplan.SubnetTags(name+suffix, a.ClusterName, true)),
		}, parent)
		if err != nil {
			return subnetIDs{}, err
		}
		pubIDs = append(pubIDs, sn.ID())
		publicSubnets = append(publicSubnets, sn)
		if _, err := ec2.NewRouteTableAssociation(ctx, name+suffix+"-rta", &ec2.RouteTableAssociationArgs{
			SubnetId: sn.ID(), RouteTableId: publicRT.ID(),
		}, parent); err != nil {
			return subnetIDs{}, err
		}
		if i >= netplan.NATGatewayCount(a.NATGateways, len(a.Plan.Public)) {
			continue
		}
		eip, err := ec2.NewEip(ctx, fmt.Sprintf("%s-nat-%d-eip", name, i), &ec2.EipArgs{
			Domain: pulumi.String("vpc"),
			Tags:   nameTag(fmt.Sprintf("%s-nat-%d", name, i)),
		}, parent)
		if err != nil {
			return subnetIDs{}, err
		}
		// A public NAT gateway fails to create until the VPC has an internet gateway; no
		// input shows that, hence the explicit edge.
		nat, err := ec2.NewNatGateway(ctx, fmt.Sprintf("%s-nat-%d", name, i), &ec2.NatGatewayArgs{
			SubnetId:     sn.ID(),
			AllocationId: eip.ID(),
			Tags:         nameTag(fmt.Sprintf("%s-nat-%d", name, i)),
		}, parent, pulumi.DependsOn([]pulumi.Resource{igw}))
		if err != nil {
			return subnetIDs{}, err
		}
		nats = append(nats, nat)
		natIDs = append(natIDs, nat.ID())
	}
	routes, err := netplan.PrivateRoutes(a.NATGateways, len(a.Plan.Private))
	if err != nil {
		return subnetIDs{}, err
	}
	natInstanceID := pulumi.String("").ToStringOutput()
	var nat natInstance
	if a.NATGateways == netplan.NATInstance {
		if nat, err = newNATInstance(ctx, name, vpc, igw, publicSubnets[0].ID(), a, parent); err != nil {
			return subnetIDs{}, err
		}
		natInstanceID = nat.instance.ID().ToStringOutput()
	}
	for i, s := range a.Plan.Private {
		suffix := fmt.Sprintf("-private-%d", i)
		sn, err := ec2.NewSubnet(ctx, name+suffix, &ec2.SubnetArgs{
			VpcId:            vpc.ID(),
			CidrBlock:        pulumi.String(s.CIDR),
			AvailabilityZone: pulumi.String(s.AZ),
			Tags:             pulumi.ToStringMap(netplan.SubnetTags(name+suffix, a.ClusterName, false)),
		}, parent)
		if err != nil {
			return subnetIDs{}, err
		}
		privIDs = append(privIDs, sn.ID())
		route := ec2.RouteTableRouteArgs{CidrBlock: pulumi.String("0.0.0.0/0")}
		switch r := routes[i]; r.Target {
		case netplan.TargetNATInstance:
			route.NetworkInterfaceId = nat.eni.ID()
		default:
			route.NatGatewayId = nats[r.NAT].ID()
		}
		rt, err := ec2.NewRouteTable(ctx, name+suffix+"-rt", &ec2.RouteTableArgs{
			VpcId:  vpc.ID(),
			Routes: ec2.RouteTableRouteArray{route},
			Tags:   nameTag(name + suffix),
		}, parent)
		if err != nil {
			return subnetIDs{}, err
		}
		if _, err := ec2.NewRouteTableAssociation(ctx, name+suffix+"-rta", &ec2.RouteTableAssociationArgs{
			SubnetId: sn.ID(), RouteTableId: rt.ID(),
		}, parent); err != nil {
			return subnetIDs{}, err
		}
		privateRTs = append(privateRTs, rt.ID())
	}
	return subnetIDs{
		privateRouteTables: privateRTs,
		public:             pubIDs.ToStringArrayOutput(),
		private:            privIDs.ToStringArrayOutput(),
		nats:               natIDs.ToStringArrayOutput(),
		natInstance:        natInstanceID,
	}, nil
}

// newFlowLogs records ALL traffic (accepted and rejected) to a CloudWatch log group with a
// retention, through a role only the flow-logs service of this account can assume.
func newFlowLogs(ctx *pulumi.Context, name string, vpc *ec2.Vpc, a Args, parent pulumi.ResourceOption) (pulumi.StringOutput, error) {
	group, err := cloudwatch.NewLogGroup(ctx, name+"-flow-logs", &cloudwatch.LogGroupArgs{
		NamePrefix:      pulumi.String(contract.FlowLogGroupPrefix(name)),
		RetentionInDays: pulumi.Int(a.FlowLogsRetentionDays),
		KmsKeyId:        a.LogsKeyArn,
	}, parent, pulumi.RetainOnDelete(a.KeepFlowLogs))
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	trust := iampolicy.New(iampolicy.Statement{
		Effect:    "Allow",
		Principal: map[string][]string{"Service": {"vpc-flow-logs.amazonaws.com"}},
		Action:    []string{"sts:AssumeRole"},
		Condition: map[string]map[string][]string{
			"StringEquals": {"aws:SourceAccount": {a.Account.ID}},
			"ArnLike":      {"aws:SourceArn": {fmt.Sprintf("arn:%s:ec2:%s:%s:vpc-flow-log/*", a.Account.Partition, a.Account.Region, a.Account.ID)}},
		},
	})
	role, err := iam.NewRole(ctx, name+"-flow-logs-role", &iam.RoleArgs{
		AssumeRolePolicy:    pulumi.String(trust.JSON()),
		Description:         pulumi.String("VPC flow logs of " + name + " to CloudWatch Logs"),
		Path:                pulumi.String(contract.PlatformRolePath(a.ClusterName)),
		PermissionsBoundary: a.PermissionsBoundary,
	}, parent)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	if _, err := iam.NewRolePolicy(ctx, name+"-flow-logs-policy", &iam.RolePolicyArgs{
		Role:   role.ID(),
		Policy: pulumix.Policy(group.Arn, netplan.FlowLogsPolicy),
	}, parent); err != nil {
		return pulumi.StringOutput{}, err
	}
	if _, err := ec2.NewFlowLog(ctx, name+"-flow-log", &ec2.FlowLogArgs{
		VpcId:                  vpc.ID(),
		TrafficType:            pulumi.String("ALL"),
		LogDestinationType:     pulumi.String("cloud-watch-logs"),
		LogDestination:         group.Arn,
		IamRoleArn:             role.Arn,
		MaxAggregationInterval: pulumi.Int(60),
		Tags:                   nameTag(name),
	}, parent); err != nil {
		return pulumi.StringOutput{}, err
	}
	return group.Name, nil
}

// Handle is what the components built on the network need of it.
func (n *Network) Handle() handle.Network {
	return handle.Network{VpcID: n.VpcID, PrivateSubnetIDs: n.PrivateSubnetIDs,
		DatabaseSubnetGroups: n.databaseGroups, DatabaseSubnetCIDRs: n.databaseCIDRs, EndpointSubnetCIDRs: n.endpointCIDRs}
}

func nameTag(name string) pulumi.StringMap { return pulumi.StringMap{"Name": pulumi.String(name)} }
