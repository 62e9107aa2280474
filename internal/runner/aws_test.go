package runner

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

type fakeAWS struct {
	lbs, tgs map[string]map[string]string // arn -> tags
	enis     map[string]string            // id -> filter name that matches
	sgs      map[string]string
	deleted  []string
}

func (f *fakeAWS) DescribeLoadBalancers(context.Context, *elbv2.DescribeLoadBalancersInput, ...func(*elbv2.Options)) (*elbv2.DescribeLoadBalancersOutput, error) {
	out := &elbv2.DescribeLoadBalancersOutput{}
	for arn := range f.lbs {
		out.LoadBalancers = append(out.LoadBalancers, elbtypes.LoadBalancer{LoadBalancerArn: aws.String(arn)})
	}
	return out, nil
}
func (f *fakeAWS) DescribeTargetGroups(context.Context, *elbv2.DescribeTargetGroupsInput, ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupsOutput, error) {
	out := &elbv2.DescribeTargetGroupsOutput{}
	for arn := range f.tgs {
		out.TargetGroups = append(out.TargetGroups, elbtypes.TargetGroup{TargetGroupArn: aws.String(arn)})
	}
	return out, nil
}
func (f *fakeAWS) DescribeTags(_ context.Context, in *elbv2.DescribeTagsInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeTagsOutput, error) {
	out := &elbv2.DescribeTagsOutput{}
	for _, arn := range in.ResourceArns {
		tags := f.lbs[arn]
		if tags == nil {
			tags = f.tgs[arn]
		}
		d := elbtypes.TagDescription{ResourceArn: aws.String(arn)}
		for k, v := range tags {
			d.Tags = append(d.Tags, elbtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		out.TagDescriptions = append(out.TagDescriptions, d)
	}
	return out, nil
}
func (f *fakeAWS) DeleteLoadBalancer(_ context.Context, in *elbv2.DeleteLoadBalancerInput, _ ...func(*elbv2.Options)) (*elbv2.DeleteLoadBalancerOutput, error) {
	f.deleted = append(f.deleted, *in.LoadBalancerArn)
	return &elbv2.DeleteLoadBalancerOutput{}, nil
}
func (f *fakeAWS) DeleteTargetGroup(_ context.Context, in *elbv2.DeleteTargetGroupInput, _ ...func(*elbv2.Options)) (*elbv2.DeleteTargetGroupOutput, error) {
	f.deleted = append(f.deleted, *in.TargetGroupArn)
	return &elbv2.DeleteTargetGroupOutput{}, nil
}
func filterName(fs []ec2types.Filter) string { return aws.ToString(fs[0].Name) + "=" + fs[0].Values[0] }
func (f *fakeAWS) DescribeSecurityGroups(_ context.Context, in *ec2.DescribeSecurityGroupsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error) {
	out := &ec2.DescribeSecurityGroupsOutput{}
	for id, filter := range f.sgs {
		if filter == filterName(in.Filters) {
			out.SecurityGroups = append(out.SecurityGroups, ec2types.SecurityGroup{GroupId: aws.String(id)})
		}
	}
	return out, nil
}
func (f *fakeAWS) DescribeNetworkInterfaces(_ context.Context, in *ec2.DescribeNetworkInterfacesInput, _ ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error) {
	out := &ec2.DescribeNetworkInterfacesOutput{}
	if aws.ToString(in.Filters[len(in.Filters)-1].Name) != "status" {
		panic("ENIs must be filtered to detached ones")
	}
	for id, filter := range f.enis {
		if filter == filterName(in.Filters) {
			out.NetworkInterfaces = append(out.NetworkInterfaces, ec2types.NetworkInterface{NetworkInterfaceId: aws.String(id)})
		}
	}
	return out, nil
}
func (f *fakeAWS) DeleteSecurityGroup(_ context.Context, in *ec2.DeleteSecurityGroupInput, _ ...func(*ec2.Options)) (*ec2.DeleteSecurityGroupOutput, error) {
	f.deleted = append(f.deleted, *in.GroupId)
	return &ec2.DeleteSecurityGroupOutput{}, nil
}
func (f *fakeAWS) DeleteNetworkInterface(_ context.Context, in *ec2.DeleteNetworkInterfaceInput, _ ...func(*ec2.Options)) (*ec2.DeleteNetworkInterfaceOutput, error) {
	f.deleted = append(f.deleted, *in.NetworkInterfaceId)
	return &ec2.DeleteNetworkInterfaceOutput{}, nil
}

func TestSweeperFindsOnlyTheClustersResources(t *testing.T) {
	f := &fakeAWS{
		lbs: map[string]map[string]string{
			"lb-mine":   {TagLBCCluster: "c1"},
			"lb-legacy": {TagK8sCluster + "c1": "owned"},
			"lb-other":  {TagLBCCluster: "c2"},
			"lb-none":   {"team": "x"},
		},
		tgs:  map[string]map[string]string{"tg-mine": {TagLBCCluster: "c1"}, "tg-other": {TagLBCCluster: "c2"}},
		enis: map[string]string{"eni-cni": "tag:" + TagCNICluster + "=c1", "eni-other": "tag:" + TagCNICluster + "=c2"},
		sgs:  map[string]string{"sg-lbc": "tag:" + TagLBCCluster + "=c1", "sg-k8s": "tag-key=" + TagK8sCluster + "c1"},
	}
	s := AWSSweeper{ELB: f, EC2: f}
	left, err := s.Find(context.Background(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, l := range left {
		got[l.ID] = l.Kind
	}
	want := map[string]string{"lb-mine": KindLoadBalancer, "lb-legacy": KindLoadBalancer, "tg-mine": KindTargetGroup,
		"eni-cni": KindENI, "sg-lbc": KindSG, "sg-k8s": KindSG}
	if len(got) != len(want) {
		t.Errorf("found %v, want %v", got, want)
	}
	for id, kind := range want {
		if got[id] != kind {
			t.Errorf("%s: %q, want %q", id, got[id], kind)
		}
	}
	if err := s.Delete(context.Background(), []Leftover{{KindSG, "sg-lbc"}, {KindENI, "eni-cni"}, {KindTargetGroup, "tg-mine"}, {KindLoadBalancer, "lb-mine"}}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(f.deleted, ",") != "lb-mine,tg-mine,eni-cni,sg-lbc" {
		t.Errorf("deletion order %v: load balancers, target groups, ENIs, then security groups", f.deleted)
	}
}

func TestKubectlRemovesIngressesAndLoadBalancerServices(t *testing.T) {
	var calls []string
	k := Kubectl{
		Run: func(_ context.Context, args ...string) ([]byte, error) {
			calls = append(calls, strings.Join(args[1:], " "))
			if args[1] == "get" {
				return []byte(`{"items":[{"metadata":{"name":"web","namespace":"a"},"spec":{"type":"LoadBalancer"}},
					{"metadata":{"name":"api","namespace":"a"},"spec":{"type":"ClusterIP"}}]}`), nil
			}
			return nil, nil
		},
		Wait: func(_ context.Context, cluster string, _ io.Writer) error {
			calls = append(calls, "wait "+cluster)
			return nil
		},
	}
	if err := k.Remove(context.Background(), "kubeconfig", "c1", io.Discard); err != nil {
		t.Fatal(err)
	}
	want := "delete ingress --all --all-namespaces --wait=true|get services --all-namespaces -o json|delete service -n a web --wait=true|wait c1"
	if strings.Join(calls, "|") != want {
		t.Errorf("calls =\n%s\nwant\n%s", strings.Join(calls, "|"), want)
	}
}
