package cost_test

import (
	"math"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/network"
	"github.com/example/platform/components/network/netplan"
	"github.com/example/platform/internal/cost"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/planner/plantest"
	"github.com/example/platform/internal/pricing"
)

// networkCost prices the network component alone, with a NAT layout, in plantest.Region.
func networkCost(t *testing.T, layout string) (cost.Report, map[string]float64) {
	t.Helper()
	plan, err := netplan.PlanSubnets("10.10.0.0/16", []string{"eu-north-1a", "eu-north-1b"})
	if err != nil {
		t.Fatal(err)
	}
	p := plantest.MustRun(t, func(ctx *pulumi.Context) error {
		_, err := network.New(ctx, "network", &network.Args{Plan: plan, NATGateways: layout, ClusterName: "c1", FlowLogsRetentionDays: 14,
			Account: plantest.Account, PermissionsBoundary: pulumi.String("arn:aws:iam::123456789012:policy/b"),
			LogsKeyArn: pulumi.String("arn:aws:kms:eu-north-1:123456789012:key/k"), AlarmTopicArn: pulumi.String("arn:aws:sns:eu-north-1:123456789012:c1-alarms")})
		return err
	})
	p.Outputs = map[string]planner.Output{"region": {Value: plantest.Region}}
	r := cost.Estimate(p)
	lines := map[string]float64{}
	for _, l := range r.Lines {
		if l.Unpriced != "" {
			t.Errorf("%s: unpriced line %+v", layout, l)
		}
		lines[l.Type+" "+l.Item] += l.Monthly
	}
	return r, lines
}

func round(f float64) float64 { return math.Round(f*100) / 100 }

// The NAT instance's lines, recomputed from the price table: the instance, its root volume, its
// Elastic IP's public IPv4 address and its two alarms; no NAT gateway. And what it saves against
// the single NAT gateway.
func TestNATInstanceCost(t *testing.T) {
	prices := pricing.Prices[plantest.Region]
	h := float64(pricing.HoursPerMonth)
	instance, instanceLines := networkCost(t, netplan.NATInstance)
	single, singleLines := networkCost(t, netplan.NATSingle)
	want := map[string]float64{
		"aws:ec2/instance:Instance " + netplan.NATInstanceType + " instance":        round(h * prices.EC2Hour[netplan.NATInstanceType]),
		"aws:ec2/instance:Instance root volume 8 GiB (gp3)":                         round(netplan.NATRootVolumeGiB * prices.EBSgp3GBMonth),
		"aws:ec2/eip:Eip public IPv4 address":                                       round(h * prices.PublicIPv4Hour),
		"aws:cloudwatch/metricAlarm:MetricAlarm CloudWatch alarm":                   2 * pricing.CloudWatchAlarmMonth,
		"aws:ec2/natGateway:NatGateway NAT gateway":                                 0,
		"aws:cloudwatch/logGroup:LogGroup log ingestion (assumed)":                  singleLines["aws:cloudwatch/logGroup:LogGroup log ingestion (assumed)"],
		"aws:cloudwatch/logGroup:LogGroup KMS requests of its encryption (assumed)": singleLines["aws:cloudwatch/logGroup:LogGroup KMS requests of its encryption (assumed)"],
	}
	if prices.EC2Hour[netplan.NATInstanceType] == 0 || netplan.NATRootVolumeGiB != 8 {
		t.Fatalf("no price for %s in %s, or the root volume changed", netplan.NATInstanceType, plantest.Region)
	}
	for item, w := range want {
		if got := instanceLines[item]; math.Abs(got-w) > 0.001 {
			t.Errorf("instance layout: %s = %.2f, want %.2f", item, got, w)
		}
	}
	if len(instanceLines) != len(want)-1 { // no NAT gateway line at all
		t.Errorf("instance layout lines = %v", instanceLines)
	}
	var wantTotal float64
	for _, w := range want {
		wantTotal += w
	}
	if math.Abs(instance.Total-round(wantTotal)) > 0.011 {
		t.Errorf("instance layout total = %.2f, want %.2f", instance.Total, wantTotal)
	}
	// Against the single NAT gateway: its hours and address, less the instance's lines.
	gateway := round(h*prices.NATGatewayHour) + round(h*prices.PublicIPv4Hour)
	nat := want["aws:ec2/instance:Instance "+netplan.NATInstanceType+" instance"] + want["aws:ec2/instance:Instance root volume 8 GiB (gp3)"] +
		want["aws:ec2/eip:Eip public IPv4 address"] + want["aws:cloudwatch/metricAlarm:MetricAlarm CloudWatch alarm"]
	if saved := round(single.Total - instance.Total); math.Abs(saved-round(gateway-nat)) > 0.011 || saved < 25 {
		t.Errorf("the NAT instance saves %.2f a month against the single NAT gateway, want %.2f (gateway %.2f, instance %.2f)", saved, gateway-nat, gateway, nat)
	}
	t.Logf("eu-north-1: single NAT gateway %.2f, NAT instance %.2f a month (saves %.2f)", gateway, nat, gateway-nat)
}
