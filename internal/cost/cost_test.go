package cost

import (
	"strings"
	"testing"

	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/pricing"
)

func plan(region string, res ...planner.Resource) *planner.Plan {
	return &planner.Plan{Stack: "t", Resources: res, Outputs: map[string]planner.Output{"region": {Value: region}}}
}

func res(typ, name string, inputs map[string]any) planner.Resource {
	if inputs == nil {
		inputs = map[string]any{}
	}
	return planner.Resource{Type: typ, Name: name, Inputs: inputs}
}

func TestPricesPerResourceType(t *testing.T) {
	lt := res("aws:ec2/launchTemplate:LaunchTemplate", "lt", map[string]any{
		"blockDeviceMappings": []any{map[string]any{"ebs": map[string]any{"volumeSize": 50.0}}}})
	lt.ID = "lt-1"
	kps := res("kubernetes:helm.sh/v3:Release", "kps", map[string]any{"chart": "kube-prometheus-stack", "values": map[string]any{
		"prometheus":   map[string]any{"prometheusSpec": map[string]any{"replicas": 2.0, "storageSpec": map[string]any{"volumeClaimTemplate": map[string]any{"spec": map[string]any{"resources": map[string]any{"requests": map[string]any{"storage": "100Gi"}}}}}}},
		"grafana":      map[string]any{"persistence": map[string]any{"enabled": true, "size": "10Gi"}, "ingress": map[string]any{"annotations": map[string]any{"alb.ingress.kubernetes.io/group.name": "platform"}}},
		"alertmanager": map[string]any{},
	}})
	tests := []struct {
		name  string
		r     []planner.Resource
		items map[string]float64 // item -> monthly
	}{
		{"EKS control plane", []planner.Resource{res("eks:index:Cluster", "c", map[string]any{"version": "1.35"})},
			map[string]float64{"EKS control plane (1.35)": 73}},
		// On the price table's date 1.33 is in extended support: six times the price.
		{"EKS control plane in extended support", []planner.Resource{res("eks:index:Cluster", "c", map[string]any{"version": "1.33"})},
			map[string]float64{"EKS control plane (1.33, extended support)": 438}},
		{"NAT gateway and its address", []planner.Resource{res("aws:ec2/natGateway:NatGateway", "n", nil), res("aws:ec2/eip:Eip", "e", nil)},
			map[string]float64{"NAT gateway": 32.85, "public IPv4 address": 3.65}},
		{"node group with root volumes", []planner.Resource{lt, res("aws:eks/nodeGroup:NodeGroup", "ng", map[string]any{
			"instanceTypes": []any{"m6i.large", "m6a.large"}, "scalingConfig": map[string]any{"desiredSize": 3.0},
			"launchTemplate": map[string]any{"id": "lt-1"}})},
			map[string]float64{"m6i.large x 3 nodes": 210.24, "root volumes 50 GiB x 3 (gp3)": 12}},
		// A Spot group at its dearest type's assumed Spot price: m6g.large 0.077 at 60-10 = 50% off
		// (0.0385) is dearer than m7g.large 0.0816 at 64-10 = 54% off (0.0375).
		{"Spot node group", []planner.Resource{res("aws:eks/nodeGroup:NodeGroup", "ng", map[string]any{
			"instanceTypes": []any{"m6g.large", "m7g.large"}, "capacityType": "SPOT", "scalingConfig": map[string]any{"desiredSize": 2.0}})},
			map[string]float64{"m6g.large Spot x 2 nodes (-50%, 2 types)": 56.21}},
		// Two public subnets: each ALB bills 2 addresses at $0.005 an hour.
		{"ALB public addresses", []planner.Resource{kps,
			res("aws:ec2/subnet:Subnet", "a", map[string]any{"tags": map[string]any{"kubernetes.io/role/elb": "1"}}),
			res("aws:ec2/subnet:Subnet", "b", map[string]any{"tags": map[string]any{"kubernetes.io/role/elb": "1"}}),
			res("aws:ec2/subnet:Subnet", "p", map[string]any{"tags": map[string]any{"kubernetes.io/role/internal-elb": "1"}})},
			map[string]float64{"prometheus 100 GiB x 2 volume (gp3)": 16, "grafana 10 GiB x 1 volume (gp3)": 0.8,
				"Application Load Balancer": 16.43, "ALB capacity (assumed)": 5.84, "ALB public IPv4 addresses (2 AZs)": 7.3}},
		{"zone, key, logs, bucket", []planner.Resource{res("aws:route53/zone:Zone", "z", map[string]any{"name": "x.org"}),
			res("aws:kms/key:Key", "k", nil), res("aws:cloudwatch/logGroup:LogGroup", "l", nil), res("aws:s3/bucketV2:BucketV2", "b", nil)},
			map[string]float64{"hosted zone x.org": 0.5, "KMS key": 1, "log ingestion (assumed)": 2.5, "S3 Standard storage (assumed)": 1.15}},
		// An interface endpoint in 3 AZs: 3 x 730 h at $0.01; S3's gateway endpoint is free.
		{"VPC endpoints", []planner.Resource{
			res("aws:ec2/vpcEndpoint:VpcEndpoint", "sts", map[string]any{"vpcEndpointType": "Interface", "serviceName": "com.amazonaws.us-east-1.sts", "subnetIds": []any{"a", "b", "c"}}),
			res("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", map[string]any{"vpcEndpointType": "Gateway", "serviceName": "com.amazonaws.us-east-1.s3"})},
			map[string]float64{"interface endpoint com.amazonaws.us-east-1.sts (3 AZs)": 21.9}},
		// 20,000 assumed requests at $0.03 per 10,000.
		{"encrypted log group", []planner.Resource{res("aws:cloudwatch/logGroup:LogGroup", "l", map[string]any{"kmsKeyId": "arn:aws:kms:us-east-1:1:key/k"})},
			map[string]float64{"log ingestion (assumed)": 2.5, "KMS requests of its encryption (assumed)": 0.06}},
		{"chart volumes and the shared ALB", []planner.Resource{kps},
			map[string]float64{"prometheus 100 GiB x 2 volume (gp3)": 16, "grafana 10 GiB x 1 volume (gp3)": 0.8,
				"Application Load Balancer": 16.43, "ALB capacity (assumed)": 5.84}},
		{"free resources add nothing", []planner.Resource{res("aws:ec2/vpc:Vpc", "v", nil), res("kubernetes:core/v1:Namespace", "ns", nil),
			res("aws:acm/certificate:Certificate", "c", nil)}, map[string]float64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Estimate(plan("us-east-1", tt.r...))
			got := map[string]float64{}
			for _, l := range r.Lines {
				if l.Unpriced != "" {
					t.Errorf("unpriced: %+v", l)
				}
				got[l.Item] = l.Monthly
			}
			if len(got) != len(tt.items) {
				t.Errorf("lines = %v, want %v", got, tt.items)
			}
			for item, want := range tt.items {
				if got[item] != want {
					t.Errorf("%s = %v, want %v (all: %v)", item, got[item], want, got)
				}
			}
		})
	}
}

// Unknown region, instance type or resource type: an explicit unpriced line, never zero.
func TestUnpricedIsExplicit(t *testing.T) {
	r := Estimate(plan("ap-south-2", res("eks:index:Cluster", "c", map[string]any{"version": "1.35"})))
	if r.Unpriced != 1 || !strings.Contains(r.Lines[0].Unpriced, `"ap-south-2"`) {
		t.Errorf("unknown region: %+v", r)
	}
	// A version past its end of extended support (or not in the calendar) has no price: AWS
	// would have upgraded it.
	r = EstimateOn(plan("us-east-1", res("eks:index:Cluster", "c", map[string]any{"version": "1.33"})), pricing.MustParseDate("2027-08-01"))
	if r.Unpriced != 1 || !strings.Contains(r.Lines[0].Unpriced, `"1.33" is end of support on 2027-08-01`) {
		t.Errorf("ended version: %+v", r.Lines)
	}
	r = Estimate(plan("us-east-1", res("aws:eks/nodeGroup:NodeGroup", "ng", map[string]any{
		"instanceTypes": []any{"p5.48xlarge"}, "scalingConfig": map[string]any{"desiredSize": 1.0}})))
	if r.Unpriced != 1 || !strings.Contains(r.Lines[0].Unpriced, "p5.48xlarge") {
		t.Errorf("unknown instance type: %+v", r)
	}
	r = Estimate(plan("us-east-1", res("aws:elasticache/cluster:Cluster", "cache", nil)))
	if r.Unpriced != 1 || !strings.Contains(r.Lines[0].Unpriced, "no price rule for aws:elasticache/cluster:Cluster") {
		t.Errorf("unknown type: %+v", r)
	}
	var b strings.Builder
	r.Text(&b)
	if !strings.Contains(b.String(), "unpriced") || !strings.Contains(b.String(), "plus 1 unpriced line") {
		t.Errorf("text report hides the unpriced line:\n%s", b.String())
	}
}
