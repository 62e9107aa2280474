package network

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/network/netplan"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/planner/plantest"
)

func args(t *testing.T, nat string, azs ...string) *Args {
	t.Helper()
	plan, err := netplan.PlanSubnets("10.0.0.0/16", azs)
	if err != nil {
		t.Fatal(err)
	}
	return &Args{Plan: plan, NATGateways: nat, ClusterName: "c1", FlowLogsRetentionDays: 14, Account: plantest.Account,
		PermissionsBoundary: pulumi.String(plantest.Account.BoundaryPolicyArn("c1")), LogsKeyArn: pulumi.String(logsKey)}
}

const logsKey = "arn:aws:kms:eu-north-1:123456789012:key/logs"

func build(t *testing.T, a *Args) *planner.Plan {
	t.Helper()
	return plantest.MustRun(t, func(ctx *pulumi.Context) error {
		_, err := New(ctx, "net", a)
		return err
	})
}

// The component's children, by name: every one parented to the component and named after it.
func TestChildren(t *testing.T) {
	p := build(t, args(t, netplan.NATPerAZ, "eu-north-1a", "eu-north-1b"))
	comp := plantest.Named(t, p, "platform:index:Network", "net")
	want := map[string]int{
		"aws:ec2/vpc:Vpc": 1, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": 1, "aws:ec2/internetGateway:InternetGateway": 1,
		"aws:ec2/subnet:Subnet": 4, "aws:ec2/routeTable:RouteTable": 3, "aws:ec2/routeTableAssociation:RouteTableAssociation": 4,
		"aws:ec2/eip:Eip": 2, "aws:ec2/natGateway:NatGateway": 2,
		"aws:cloudwatch/logGroup:LogGroup": 1, "aws:iam/role:Role": 1, "aws:iam/rolePolicy:RolePolicy": 1, "aws:ec2/flowLog:FlowLog": 1, "aws:ec2/vpcEndpoint:VpcEndpoint": 1,
		"platform:index:Network": 1,
	}
	got := p.Counts()
	for typ, n := range want {
		if got[typ] != n {
			t.Errorf("%s: %d, want %d", typ, got[typ], n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("types = %v, want %v", got, want)
	}
	for _, r := range p.Resources {
		if r.URN == comp.URN {
			continue
		}
		if r.Parent != comp.URN || !strings.HasPrefix(r.Name, "net-") {
			t.Errorf("%s (%s): parent %s", r.Name, r.Type, r.Parent)
		}
	}
	for _, name := range []string{"net-public-0", "net-public-1", "net-private-0", "net-private-1"} {
		sn := plantest.Named(t, p, "aws:ec2/subnet:Subnet", name)
		if tags, _ := sn.Get("tags").(map[string]any); tags["kubernetes.io/cluster/c1"] != "shared" {
			t.Errorf("%s: no cluster discovery tag: %v", name, sn.Get("tags"))
		}
	}
	// perAz: each private subnet routes through the NAT gateway of its own AZ.
	for i, az := range []string{"eu-north-1a", "eu-north-1b"} {
		rt := plantest.Named(t, p, "aws:ec2/routeTable:RouteTable", "net-private-"+string(rune('0'+i))+"-rt")
		nat, ok := p.ByID("aws:ec2/natGateway:NatGateway", rt.GetString("routes.0.natGatewayId"))
		if !ok {
			t.Fatalf("private route table %d routes to no NAT gateway: %v", i, rt.Get("routes"))
		}
		sn, _ := p.ByID("aws:ec2/subnet:Subnet", nat.GetString("subnetId"))
		if sn.GetString("availabilityZone") != az {
			t.Errorf("private subnet in %s routes through a NAT in %s", az, sn.GetString("availabilityZone"))
		}
	}
}

func TestSingleNAT(t *testing.T) {
	p := build(t, args(t, netplan.NATSingle, "eu-north-1a", "eu-north-1b", "eu-north-1c"))
	if n := len(p.OfType("aws:ec2/natGateway:NatGateway")); n != 1 {
		t.Errorf("%d NAT gateways, want 1", n)
	}
	nat := plantest.Named(t, p, "aws:ec2/natGateway:NatGateway", "net-nat-0")
	for _, rt := range []string{"net-private-0-rt", "net-private-1-rt", "net-private-2-rt"} {
		if got := plantest.Named(t, p, "aws:ec2/routeTable:RouteTable", rt).GetString("routes.0.natGatewayId"); got != nat.ID {
			t.Errorf("%s routes via %s, want the one NAT %s", rt, got, nat.ID)
		}
	}
}

// The flow-log role trusts only this account's flow-log service, and may write only to its
// own log group.
func TestFlowLogs(t *testing.T) {
	p := build(t, args(t, netplan.NATSingle, "eu-north-1a", "eu-north-1b"))
	role := plantest.Named(t, p, "aws:iam/role:Role", "net-flow-logs-role")
	trust := role.GetString("assumeRolePolicy")
	if !strings.Contains(trust, `"aws:SourceAccount":["`+planner.MockAccountID+`"]`) ||
		!strings.Contains(trust, "arn:aws:ec2:eu-north-1:"+planner.MockAccountID+":vpc-flow-log/*") {
		t.Errorf("trust = %s", trust)
	}
	group := plantest.Named(t, p, "aws:cloudwatch/logGroup:LogGroup", "net-flow-logs")
	policy := plantest.Named(t, p, "aws:iam/rolePolicy:RolePolicy", "net-flow-logs-policy")
	if group.GetString("kmsKeyId") != logsKey || !strings.HasPrefix(group.GetString("namePrefix"), "/platform/net/flow-logs-") {
		t.Errorf("flow-log group not encrypted with the logs key, or misnamed: %v", group.Inputs)
	}
	if group.Get("retentionInDays") != 14.0 || !plantest.Contains(policy.PropertyDependencies["policy"], group.URN) {
		t.Errorf("log group %v, policy deps %v", group.Inputs, policy.PropertyDependencies)
	}
}

// Bad Args are refused before anything is registered.
func TestRefusesBadArgs(t *testing.T) {
	good := func() *Args { return args(t, netplan.NATPerAZ, "eu-north-1a", "eu-north-1b") }
	tests := map[string]struct {
		mutate func(*Args)
		want   string
	}{
		"nil args":         {nil, "Args are required"},
		"unknown NAT":      {func(a *Args) { a.NATGateways = "none" }, `NATGateways "none"`},
		"no cluster":       {func(a *Args) { a.ClusterName = "" }, "ClusterName is required"},
		"one AZ":           {func(a *Args) { a.Plan.Public, a.Plan.Private = a.Plan.Public[:1], a.Plan.Private[:1] }, "Plan needs one public and one private subnet"},
		"no account":       {func(a *Args) { a.Account.ID = "" }, "Account (ID, Partition, Region) is required"},
		"no retention":     {func(a *Args) { a.FlowLogsRetentionDays = 0 }, "FlowLogsRetentionDays is required"},
		"no logs key":      {func(a *Args) { a.LogsKeyArn = nil }, "LogsKeyArn is required"},
		"unknown endpoint": {func(a *Args) { a.Endpoints = []string{"sqs"} }, `endpoint "sqs" is not one of netplan.Endpoints`},
		"uneven subnet":    {func(a *Args) { a.Plan.Private = a.Plan.Private[:1] }, "Plan needs one public and one private subnet"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var a *Args
			if tt.mutate != nil {
				a = good()
				tt.mutate(a)
			}
			p, err := plantest.Run(func(ctx *pulumi.Context) error {
				_, err := New(ctx, "net", a)
				return err
			})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if len(p.Resources) != 0 {
				t.Errorf("%d resources registered", len(p.Resources))
			}
		})
	}
}

// S3's gateway endpoint is on every private route table; interface endpoints, when asked for,
// sit in their own subnets (the plan's, one per AZ) behind a group that admits HTTPS from the
// VPC, with private DNS, so that pods resolve the services' usual names to them.
func TestEndpoints(t *testing.T) {
	a := args(t, netplan.NATPerAZ, "eu-north-1a", "eu-north-1b")
	a.Endpoints = []string{"sts", "ssm"}
	p := build(t, a)
	s3 := plantest.Named(t, p, "aws:ec2/vpcEndpoint:VpcEndpoint", "net-s3")
	if s3.GetString("vpcEndpointType") != "Gateway" || s3.GetString("serviceName") != "com.amazonaws.eu-north-1.s3" {
		t.Errorf("S3 endpoint: %v", s3.Inputs)
	}
	if rts, _ := s3.Get("routeTableIds").([]any); len(rts) != 2 {
		t.Errorf("S3's gateway endpoint is on %d route tables, want the 2 private ones", len(rts))
	}
	var subnets []string
	for _, s := range a.Plan.Endpoint {
		sn := plantest.Named(t, p, "aws:ec2/subnet:Subnet", "net-endpoints-"+s.AZ)
		if sn.GetString("cidrBlock") != s.CIDR {
			t.Errorf("endpoint subnet %s: %s, want %s", s.AZ, sn.GetString("cidrBlock"), s.CIDR)
		}
		subnets = append(subnets, sn.ID)
	}
	sg := plantest.Named(t, p, "aws:ec2/securityGroup:SecurityGroup", "net-endpoints-sg")
	if in := sg.Get("ingress.0"); fmt.Sprint(in) != fmt.Sprint(map[string]any{"cidrBlocks": []any{a.Plan.VPC}, "description": "HTTPS from the VPC", "fromPort": 443.0, "protocol": "tcp", "toPort": 443.0}) {
		t.Errorf("endpoints' group ingress: %v", in)
	}
	for _, e := range a.Endpoints {
		ep := plantest.Named(t, p, "aws:ec2/vpcEndpoint:VpcEndpoint", "net-endpoint-"+e)
		ids, _ := ep.Get("subnetIds").([]any)
		if ep.GetString("vpcEndpointType") != "Interface" || ep.Get("privateDnsEnabled") != true || len(ids) != len(subnets) ||
			ep.GetString("serviceName") != "com.amazonaws.eu-north-1."+e {
			t.Errorf("endpoint %s: %v", e, ep.Inputs)
		}
	}
	// Without endpoints: the gateway only.
	none := build(t, args(t, netplan.NATPerAZ, "eu-north-1a", "eu-north-1b"))
	if n := none.Counts()["aws:ec2/vpcEndpoint:VpcEndpoint"]; n != 1 {
		t.Errorf("%d endpoints without any asked for, want S3's gateway only", n)
	}
}
