package tests

import (
	"fmt"
	"strings"
	"testing"

	"github.com/example/platform/components/network/netplan"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/cost"
	"github.com/example/platform/internal/pricing"
)

const (
	typeInstance = "aws:ec2/instance:Instance"
	typeENI      = "aws:ec2/networkInterface:NetworkInterface"
	typeAlarm    = "aws:cloudwatch/metricAlarm:MetricAlarm"
)

// dev's egress goes through the NAT instance (Pulumi.dev.yaml: natGateways: instance): no NAT
// gateway, every private subnet's default route to the instance's fixed interface in the first
// public subnet, the instance locked down and alarmed to the stack's topic. prod keeps a NAT
// gateway per AZ and has none of it (TestNATGateways).
func TestDevNATInstance(t *testing.T) {
	p := stackPlan(t, "dev")
	if n := len(p.ofType(typeNAT)); n != 0 {
		t.Errorf("dev has %d NAT gateways, want none (the NAT instance replaces them)", n)
	}
	eni := p.named(t, typeENI, "network-nat-eni")
	public0 := p.named(t, typeSubnet, "network-public-0")
	if get(eni, "sourceDestCheck") != false || getString(eni, "subnetId") != public0.ID {
		t.Errorf("NAT interface: %v", eni.Inputs)
	}
	private := 0
	for ; ; private++ {
		rt, ok := findNamed(p, typeRouteTable, fmt.Sprintf("network-private-%d-rt", private))
		if !ok {
			break
		}
		if getString(rt, "routes.0.cidrBlock") != "0.0.0.0/0" || getString(rt, "routes.0.networkInterfaceId") != eni.ID {
			t.Errorf("%s: default route %v, want to the NAT interface %s", rt.Name, get(rt, "routes"), eni.ID)
		}
	}
	if private != 2 {
		t.Errorf("dev has %d private route tables, want 2 (azCount)", private)
	}
	// The security group admits the VPC only.
	vpc := p.named(t, "aws:ec2/vpc:Vpc", "network-vpc")
	sg := p.named(t, "aws:ec2/securityGroup:SecurityGroup", "network-nat-sg")
	if ingress, _ := get(sg, "ingress").([]any); len(ingress) != 1 || !equalStrings(getStrings(sg, "ingress.0.cidrBlocks"), []string{getString(vpc, "cidrBlock")}) {
		t.Errorf("NAT group ingress = %v, want the VPC %s only", get(sg, "ingress"), getString(vpc, "cidrBlock"))
	}
	eip := p.named(t, "aws:ec2/eip:Eip", "network-nat-eip")
	if getString(eip, "networkInterface") != eni.ID {
		t.Errorf("NAT EIP is not the interface's: %v", eip.Inputs)
	}

	inst := p.named(t, typeInstance, "network-nat-instance")
	for path, want := range map[string]any{
		"instanceType": netplan.NATInstanceType, "networkInterfaces.0.networkInterfaceId": eni.ID,
		"metadataOptions.httpTokens": "required", "rootBlockDevice.encrypted": true, "tags." + contract.NATTag: "platform-dev",
	} {
		if got := get(inst, path); got != want {
			t.Errorf("NAT instance %s = %v, want %v", path, got, want)
		}
	}
	if get(inst, "keyName") != nil || get(inst, "tags."+contract.AccessTag) != nil {
		t.Errorf("NAT instance has an SSH key or the access tag: %v", inst.Inputs)
	}
	ud := getString(inst, "userData")
	if !strings.Contains(ud, "ip saddr 10.10.0.0/16 ip daddr != 10.10.0.0/16 oifname \"$iface\" masquerade") || !strings.Contains(ud, "net.ipv4.ip_forward = 1") {
		t.Errorf("dev's NAT user data does not masquerade dev's VPC (10.10.0.0/16):\n%s", ud)
	}

	// Its role: the SSM agent's managed policy, the platform boundary, a name IAM accepts once
	// Pulumi appends its 8-character suffix.
	role := p.named(t, "aws:iam/role:Role", "network-nat-role")
	boundary := p.named(t, "aws:iam/policy:Policy", "boundary-policy")
	if getString(role, "permissionsBoundary") != boundary.Outputs["arn"] || getString(role, "path") != contract.PlatformRolePath("platform-dev") {
		t.Errorf("NAT role: %v", role.Inputs)
	}
	att := p.named(t, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "network-nat-ssm")
	if getString(att, "policyArn") != "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" {
		t.Errorf("NAT role policy = %s", getString(att, "policyArn"))
	}
	for _, n := range []struct {
		name string
		max  int
	}{{role.Name, 64}, {"network-nat-profile", 128}, {sg.Name, 255}} {
		if len(n.name)+8 > n.max {
			t.Errorf("%s with Pulumi's suffix is %d characters, AWS takes %d", n.name, len(n.name)+8, n.max)
		}
	}

	// The alarms notify the stack's topic; the system check's also recovers the instance.
	topic := p.named(t, "aws:sns/topic:Topic", "alarms-topic").Outputs["arn"]
	for name, wantActions := range map[string][]string{
		"network-nat-alarm-system": {"arn:aws:automate:eu-north-1:ec2:recover", fmt.Sprint(topic)},
		"network-nat-alarm-os":     {fmt.Sprint(topic)},
	} {
		al := p.named(t, typeAlarm, name)
		if getString(al, "dimensions.InstanceId") != inst.ID || strings.Join(getStrings(al, "alarmActions"), " ") != strings.Join(wantActions, " ") ||
			!strings.HasPrefix(getString(al, "name"), "platform-dev-") || len(getString(al, "name")) > 255 {
			t.Errorf("%s: %v (topic %v)", name, al.Inputs, topic)
		}
	}

	// prod: none of it.
	prod := stackPlan(t, "prod")
	for _, typ := range []string{typeENI} {
		if n := len(prod.ofType(typ)); n != 0 {
			t.Errorf("prod has %d %s", n, typ)
		}
	}
	if _, ok := prod.Named(typeInstance, "network-nat-instance"); ok {
		t.Error("prod has a NAT instance")
	}
}

// dev's cost carries the NAT instance's lines at the price table's prices, and no NAT gateway.
func TestDevNATInstanceCost(t *testing.T) {
	r := cost.Estimate(stackPlan(t, "dev").Plan)
	prices := pricing.Prices[r.Region]
	h := float64(pricing.HoursPerMonth)
	want := map[string]float64{
		"network-nat-instance " + netplan.NATInstanceType + " instance": h * prices.EC2Hour[netplan.NATInstanceType],
		"network-nat-instance root volume 8 GiB (gp3)":                  netplan.NATRootVolumeGiB * prices.EBSgp3GBMonth,
		"network-nat-eip public IPv4 address":                           h * prices.PublicIPv4Hour,
		"network-nat-alarm-system CloudWatch alarm":                     pricing.CloudWatchAlarmMonth,
		"network-nat-alarm-os CloudWatch alarm":                         pricing.CloudWatchAlarmMonth,
	}
	got := map[string]float64{}
	for _, l := range r.Lines {
		got[l.Resource+" "+l.Item] = l.Monthly
		if l.Type == typeNAT {
			t.Errorf("dev still pays for a NAT gateway: %+v", l)
		}
	}
	var sum float64
	for k, w := range want {
		if g, ok := got[k]; !ok || g != float64(int(w*100+0.5))/100 {
			t.Errorf("%s = %v (present %v), want %.2f", k, g, ok, w)
		}
		sum += w
	}
	t.Logf("dev total %.2f a month; the NAT instance's lines %.2f", r.Total, sum)
}
