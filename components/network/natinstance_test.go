package network

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/access/accessplan"
	"github.com/example/platform/components/network/netplan"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/planner/plantest"
)

const topic = "arn:aws:sns:eu-north-1:123456789012:c1-alarms"

func natInstanceArgs(t *testing.T, azs ...string) *Args {
	a := args(t, netplan.NATInstance, azs...)
	a.AlarmTopicArn = pulumi.String(topic)
	return a
}

// The NAT instance layout: no NAT gateway; one instance in the first public subnet behind a
// fixed interface every private subnet routes to.
func TestNATInstance(t *testing.T) {
	a := natInstanceArgs(t, "eu-north-1a", "eu-north-1b", "eu-north-1c")
	p := build(t, a)
	counts := p.Counts()
	for typ, n := range map[string]int{
		"aws:ec2/natGateway:NatGateway": 0, "aws:ec2/instance:Instance": 1, "aws:ec2/networkInterface:NetworkInterface": 1,
		"aws:ec2/eip:Eip": 1, "aws:cloudwatch/metricAlarm:MetricAlarm": 2, "aws:iam/instanceProfile:InstanceProfile": 1,
		"aws:iam/role:Role": 2, // the flow logs' and the NAT instance's
	} {
		if counts[typ] != n {
			t.Errorf("%s: %d, want %d", typ, counts[typ], n)
		}
	}
	eni := plantest.Named(t, p, "aws:ec2/networkInterface:NetworkInterface", "net-nat-eni")
	public0 := plantest.Named(t, p, "aws:ec2/subnet:Subnet", "net-public-0")
	if eni.Get("sourceDestCheck") != false || eni.GetString("subnetId") != public0.ID {
		t.Errorf("NAT interface: source/dest check must be off, in the first public subnet: %v", eni.Inputs)
	}
	// Every private subnet's default route targets the interface, as netplan.PrivateRoutes says.
	routes, err := netplan.PrivateRoutes(netplan.NATInstance, len(a.Plan.Private))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range routes {
		rt := plantest.Named(t, p, "aws:ec2/routeTable:RouteTable", fmt.Sprintf("net-private-%d-rt", r.Private))
		if got := rt.GetString("routes.0.networkInterfaceId"); got != eni.ID || rt.GetString("routes.0.cidrBlock") != "0.0.0.0/0" ||
			rt.GetString("routes.0.natGatewayId") != "" {
			t.Errorf("%s: route %v, want 0.0.0.0/0 to the NAT interface %s", rt.Name, rt.Get("routes"), eni.ID)
		}
	}
	// The address is the interface's, so it survives the instance's recovery.
	eip := plantest.Named(t, p, "aws:ec2/eip:Eip", "net-nat-eip")
	igw := plantest.Named(t, p, "aws:ec2/internetGateway:InternetGateway", "net-igw")
	if eip.GetString("networkInterface") != eni.ID || eip.GetString("domain") != "vpc" || !plantest.Contains(eip.Dependencies, igw.URN) {
		t.Errorf("EIP: %v (deps %v)", eip.Inputs, eip.Dependencies)
	}
	// In from the VPC only, out anywhere.
	sg := plantest.Named(t, p, "aws:ec2/securityGroup:SecurityGroup", "net-nat-sg")
	if ids, _ := eni.Get("securityGroups").([]any); len(ids) != 1 || ids[0] != sg.ID {
		t.Errorf("NAT interface's groups = %v, want %s", eni.Get("securityGroups"), sg.ID)
	}
	ingress, _ := sg.Get("ingress").([]any)
	if len(ingress) != 1 || fmt.Sprint(sg.Get("ingress.0.cidrBlocks")) != fmt.Sprint([]any{a.Plan.VPC}) || sg.GetString("ingress.0.protocol") != "-1" {
		t.Errorf("NAT group ingress = %v, want all from %s only", sg.Get("ingress"), a.Plan.VPC)
	}
	if fmt.Sprint(sg.Get("egress.0.cidrBlocks")) != "[0.0.0.0/0]" {
		t.Errorf("NAT group egress = %v", sg.Get("egress"))
	}

	inst := plantest.Named(t, p, "aws:ec2/instance:Instance", "net-nat-instance")
	tmpl := plantest.Named(t, p, "aws:ec2/launchTemplate:LaunchTemplate", "net-nat-template")
	ud, _ := netplan.NATUserData(a.Plan.VPC)
	for path, want := range map[string]any{
		"instanceType": netplan.NATInstanceType, "launchTemplate.id": tmpl.ID,
		"networkInterfaces.0.networkInterfaceId": eni.ID, "networkInterfaces.0.deviceIndex": 0.0,
		"metadataOptions.httpTokens": "required", "metadataOptions.httpPutResponseHopLimit": 1.0,
		"rootBlockDevice.encrypted": true, "rootBlockDevice.volumeSize": float64(netplan.NATRootVolumeGiB), "rootBlockDevice.volumeType": "gp3",
		"maintenanceOptions.autoRecovery": "default", "userData": ud, "userDataReplaceOnChange": true,
		"tags." + contract.NATTag: "c1",
	} {
		if got := inst.Get(path); got != want {
			t.Errorf("instance %s = %v, want %v", path, got, want)
		}
	}
	for _, absent := range []string{"keyName", "subnetId", "vpcSecurityGroupIds", "associatePublicIpAddress", "tags." + contract.AccessTag} {
		if v := inst.Get(absent); v != nil {
			t.Errorf("instance %s = %v, want none (no SSH key; network from the interface; not the access instance)", absent, v)
		}
	}
	if tmpl.GetString("imageId") != "resolve:ssm:"+accessplan.AMIParameter {
		t.Errorf("AMI = %q, want EC2 to resolve %s", tmpl.GetString("imageId"), accessplan.AMIParameter)
	}

	// Its role: the SSM agent only, under the boundary and the platform's path.
	role := plantest.Named(t, p, "aws:iam/role:Role", "net-nat-role")
	att := plantest.Named(t, p, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "net-nat-ssm")
	if role.GetString("permissionsBoundary") != plantest.Account.BoundaryPolicyArn("c1") || role.GetString("path") != contract.PlatformRolePath("c1") ||
		!strings.Contains(role.GetString("assumeRolePolicy"), "ec2.amazonaws.com") {
		t.Errorf("NAT role: %v", role.Inputs)
	}
	if att.GetString("policyArn") != "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" {
		t.Errorf("NAT role's policy = %s", att.GetString("policyArn"))
	}
	if n := len(p.OfType("aws:iam/rolePolicy:RolePolicy")); n != 1 {
		t.Errorf("%d inline policies, want the flow logs' only (the NAT role has none)", n)
	}

	// The status checks notify the alarm topic; the system check also recovers the instance.
	for name, want := range map[string]struct {
		alarm, metric string
		actions       []any
	}{
		"net-nat-alarm-system": {contract.NATAlarmName("c1"), "StatusCheckFailed_System", []any{"arn:aws:automate:eu-north-1:ec2:recover", topic}},
		"net-nat-alarm-os":     {contract.NATInstanceAlarmName("c1"), "StatusCheckFailed_Instance", []any{topic}},
	} {
		al := plantest.Named(t, p, "aws:cloudwatch/metricAlarm:MetricAlarm", name)
		if al.GetString("name") != want.alarm || al.GetString("metricName") != want.metric || al.GetString("namespace") != "AWS/EC2" ||
			al.GetString("dimensions.InstanceId") != inst.ID || fmt.Sprint(al.Get("alarmActions")) != fmt.Sprint(want.actions) ||
			fmt.Sprint(al.Get("okActions")) != fmt.Sprint([]any{topic}) {
			t.Errorf("%s: %v", name, al.Inputs)
		}
	}
}

// Without the NAT instance, none of it exists; the NAT instance needs the alarm topic.
func TestNATInstanceOnlyWhenAsked(t *testing.T) {
	for _, layout := range []string{netplan.NATSingle, netplan.NATPerAZ} {
		p := build(t, args(t, layout, "eu-north-1a", "eu-north-1b"))
		for _, typ := range []string{"aws:ec2/instance:Instance", "aws:ec2/networkInterface:NetworkInterface", "aws:cloudwatch/metricAlarm:MetricAlarm"} {
			if n := p.Counts()[typ]; n != 0 {
				t.Errorf("%s: %d %s", layout, n, typ)
			}
		}
	}
	a := args(t, netplan.NATInstance, "eu-north-1a", "eu-north-1b")
	p, err := plantest.Run(func(ctx *pulumi.Context) error {
		_, err := New(ctx, "net", a)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "AlarmTopicArn is required with the NAT instance") || len(p.Resources) != 0 {
		t.Fatalf("err = %v, %d resources", err, len(p.Resources))
	}
}
