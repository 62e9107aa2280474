package runner

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/example/platform/internal/contract"
)

// fakeAWS answers like the APIs do: pages of at most pageSize (NextMarker / NextToken), EC2
// filters applied as AWS applies them (every filter must match; tag:K=V, vpc-id, status), and
// DescribeTags refusing more than 20 ARNs.
type fakeAWS struct {
	items    []awsItem
	pageSize int
	deleted  []string
	tagCalls int
	onTags   func()
	failOn   map[string]bool // an ID whose deletion fails
}

type awsItem struct {
	kind, id, vpc, status string
	tags                  map[string]string
}

func (f *fakeAWS) of(kind string) []awsItem {
	var out []awsItem
	for _, it := range f.items {
		if it.kind == kind {
			out = append(out, it)
		}
	}
	return out
}

// page returns items[start:start+pageSize] and the next token, "" at the end.
func page[T any](f *fakeAWS, items []T, token *string) ([]T, *string) {
	start := 0
	if token != nil {
		fmt.Sscan(*token, &start)
	}
	end := min(start+f.pageSize, len(items))
	if end < len(items) {
		return items[start:end], aws.String(fmt.Sprint(end))
	}
	return items[start:end], nil
}

func matches(it awsItem, filters []ec2types.Filter) bool {
	for _, f := range filters {
		name, want := aws.ToString(f.Name), f.Values
		var got string
		switch {
		case name == "vpc-id":
			got = it.vpc
		case name == "status":
			got = it.status
		case strings.HasPrefix(name, "tag:"):
			v, ok := it.tags[strings.TrimPrefix(name, "tag:")]
			if !ok {
				return false
			}
			got = v
		default:
			panic("filter the fake does not know: " + name)
		}
		if !slices.Contains(want, got) {
			return false
		}
	}
	return true
}

func (f *fakeAWS) DescribeLoadBalancers(_ context.Context, in *elbv2.DescribeLoadBalancersInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeLoadBalancersOutput, error) {
	var all []elbtypes.LoadBalancer
	for _, it := range f.of(KindLoadBalancer) {
		all = append(all, elbtypes.LoadBalancer{LoadBalancerArn: aws.String(it.id), VpcId: aws.String(it.vpc)})
	}
	items, next := page(f, all, in.Marker)
	return &elbv2.DescribeLoadBalancersOutput{LoadBalancers: items, NextMarker: next}, nil
}

func (f *fakeAWS) DescribeTargetGroups(_ context.Context, in *elbv2.DescribeTargetGroupsInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupsOutput, error) {
	var all []elbtypes.TargetGroup
	for _, it := range f.of(KindTargetGroup) {
		all = append(all, elbtypes.TargetGroup{TargetGroupArn: aws.String(it.id), VpcId: aws.String(it.vpc)})
	}
	items, next := page(f, all, in.Marker)
	return &elbv2.DescribeTargetGroupsOutput{TargetGroups: items, NextMarker: next}, nil
}

func (f *fakeAWS) DescribeTags(_ context.Context, in *elbv2.DescribeTagsInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeTagsOutput, error) {
	f.tagCalls++
	if f.onTags != nil {
		defer f.onTags()
	}
	if len(in.ResourceArns) > 20 {
		return nil, errors.New("ValidationError: at most 20 resource ARNs")
	}
	out := &elbv2.DescribeTagsOutput{}
	for _, arn := range in.ResourceArns {
		for _, it := range f.items {
			if it.id != arn {
				continue
			}
			d := elbtypes.TagDescription{ResourceArn: aws.String(arn)}
			for k, v := range it.tags {
				d.Tags = append(d.Tags, elbtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
			}
			out.TagDescriptions = append(out.TagDescriptions, d)
		}
	}
	return out, nil
}

func (f *fakeAWS) DescribeNetworkInterfaces(_ context.Context, in *ec2.DescribeNetworkInterfacesInput, _ ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error) {
	var all []ec2types.NetworkInterface
	for _, it := range f.of(KindENI) {
		if matches(it, in.Filters) {
			all = append(all, ec2types.NetworkInterface{NetworkInterfaceId: aws.String(it.id)})
		}
	}
	items, next := page(f, all, in.NextToken)
	return &ec2.DescribeNetworkInterfacesOutput{NetworkInterfaces: items, NextToken: next}, nil
}

func (f *fakeAWS) DescribeSecurityGroups(_ context.Context, in *ec2.DescribeSecurityGroupsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error) {
	var all []ec2types.SecurityGroup
	for _, it := range f.of(KindSG) {
		if matches(it, in.Filters) {
			all = append(all, ec2types.SecurityGroup{GroupId: aws.String(it.id)})
		}
	}
	items, next := page(f, all, in.NextToken)
	return &ec2.DescribeSecurityGroupsOutput{SecurityGroups: items, NextToken: next}, nil
}

func (f *fakeAWS) DescribeVolumes(_ context.Context, in *ec2.DescribeVolumesInput, _ ...func(*ec2.Options)) (*ec2.DescribeVolumesOutput, error) {
	var all []ec2types.Volume
	for _, it := range f.of(KindVolume) {
		if matches(it, in.Filters) {
			v := ec2types.Volume{VolumeId: aws.String(it.id)}
			for k, val := range it.tags {
				v.Tags = append(v.Tags, ec2types.Tag{Key: aws.String(k), Value: aws.String(val)})
			}
			all = append(all, v)
		}
	}
	items, next := page(f, all, in.NextToken)
	return &ec2.DescribeVolumesOutput{Volumes: items, NextToken: next}, nil
}

func (f *fakeAWS) del(id string) error {
	f.deleted = append(f.deleted, id)
	if f.failOn[id] {
		return errors.New("DependencyViolation")
	}
	return nil
}

func (f *fakeAWS) DeleteLoadBalancer(_ context.Context, in *elbv2.DeleteLoadBalancerInput, _ ...func(*elbv2.Options)) (*elbv2.DeleteLoadBalancerOutput, error) {
	return &elbv2.DeleteLoadBalancerOutput{}, f.del(*in.LoadBalancerArn)
}
func (f *fakeAWS) DeleteTargetGroup(_ context.Context, in *elbv2.DeleteTargetGroupInput, _ ...func(*elbv2.Options)) (*elbv2.DeleteTargetGroupOutput, error) {
	return &elbv2.DeleteTargetGroupOutput{}, f.del(*in.TargetGroupArn)
}
func (f *fakeAWS) DeleteSecurityGroup(_ context.Context, in *ec2.DeleteSecurityGroupInput, _ ...func(*ec2.Options)) (*ec2.DeleteSecurityGroupOutput, error) {
	return &ec2.DeleteSecurityGroupOutput{}, f.del(*in.GroupId)
}
func (f *fakeAWS) DeleteNetworkInterface(_ context.Context, in *ec2.DeleteNetworkInterfaceInput, _ ...func(*ec2.Options)) (*ec2.DeleteNetworkInterfaceOutput, error) {
	return &ec2.DeleteNetworkInterfaceOutput{}, f.del(*in.NetworkInterfaceId)
}
func (f *fakeAWS) DeleteVolume(_ context.Context, in *ec2.DeleteVolumeInput, _ ...func(*ec2.Options)) (*ec2.DeleteVolumeOutput, error) {
	return &ec2.DeleteVolumeOutput{}, f.del(*in.VolumeId)
}

var scope1 = Scope{Stack: "dev", Cluster: "c1", Region: "eu-north-1", Account: "111122223333", VPC: "vpc-1"}

// Only what the cluster owns, in its VPC: never a "shared" tag (the subnets'), another
// cluster's, another VPC's, an attached ENI or an in-use volume.
func TestSweeperFindsOnlyWhatTheClusterOwnsInItsVPC(t *testing.T) {
	k8s := TagK8sCluster + "c1"
	f := &fakeAWS{pageSize: 100, items: []awsItem{
		{kind: KindLoadBalancer, id: "lb-mine", vpc: "vpc-1", tags: map[string]string{TagLBCCluster: "c1"}},
		{kind: KindLoadBalancer, id: "lb-legacy", vpc: "vpc-1", tags: map[string]string{k8s: Owned}},
		{kind: KindLoadBalancer, id: "lb-shared", vpc: "vpc-1", tags: map[string]string{k8s: "shared"}},
		{kind: KindLoadBalancer, id: "lb-other-cluster", vpc: "vpc-1", tags: map[string]string{TagLBCCluster: "c2"}},
		{kind: KindLoadBalancer, id: "lb-other-vpc", vpc: "vpc-2", tags: map[string]string{TagLBCCluster: "c1"}},
		{kind: KindTargetGroup, id: "tg-mine", vpc: "vpc-1", tags: map[string]string{TagLBCCluster: "c1"}},
		{kind: KindTargetGroup, id: "tg-other-vpc", vpc: "vpc-2", tags: map[string]string{TagLBCCluster: "c1"}},
		{kind: KindENI, id: "eni-cni", vpc: "vpc-1", status: "available", tags: map[string]string{TagCNICluster: "c1"}},
		{kind: KindENI, id: "eni-attached", vpc: "vpc-1", status: "in-use", tags: map[string]string{TagCNICluster: "c1"}},
		{kind: KindENI, id: "eni-shared", vpc: "vpc-1", status: "available", tags: map[string]string{k8s: "shared"}},
		{kind: KindENI, id: "eni-other-vpc", vpc: "vpc-2", status: "available", tags: map[string]string{TagCNICluster: "c1"}},
		{kind: KindSG, id: "sg-lbc", vpc: "vpc-1", tags: map[string]string{TagLBCCluster: "c1"}},
		{kind: KindSG, id: "sg-k8s", vpc: "vpc-1", tags: map[string]string{k8s: Owned, TagLBCCluster: "c1"}},
		{kind: KindSG, id: "sg-shared", vpc: "vpc-1", tags: map[string]string{k8s: "shared"}},
		{kind: KindVolume, id: "vol-pvc", status: "available", tags: map[string]string{k8s: Owned}},
		{kind: KindVolume, id: "vol-in-use", status: "in-use", tags: map[string]string{k8s: Owned}},
		{kind: KindVolume, id: "vol-other", status: "available", tags: map[string]string{TagK8sCluster + "c2": Owned}},
		// A prod data volume (reclaimPolicy Retain): found, as kept.
		{kind: KindVolume, id: "vol-kept", status: "available", tags: map[string]string{k8s: Owned, contract.KeepTag: contract.KeepTagValue}},
	}}
	left, err := AWSSweeper{ELB: f, EC2: f, Scope: scope1}.Find(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, l := range left {
		if _, dup := got[l.ID]; dup {
			t.Errorf("%s found twice", l.ID)
		}
		got[l.ID] = l.Kind
	}
	want := map[string]string{"lb-mine": KindLoadBalancer, "lb-legacy": KindLoadBalancer, "tg-mine": KindTargetGroup,
		"eni-cni": KindENI, "sg-lbc": KindSG, "sg-k8s": KindSG, "vol-pvc": KindVolume, "vol-kept": KindKeptVolume}
	if !mapsEqual(got, want) {
		t.Errorf("found %v\nwant  %v", got, want)
	}
	// Without a VPC (none in the state) nothing VPC-bound is looked at.
	left, err = AWSSweeper{ELB: f, EC2: f, Scope: Scope{Cluster: "c1", Region: "eu-north-1"}}.Find(context.Background())
	if err != nil || len(left) != 2 || left[0].ID != "vol-pvc" || left[1].ID != "vol-kept" {
		t.Errorf("without a VPC: %v %v", left, err)
	}
}

// Every page of every list is read, and tags are asked for at most 20 ARNs at a time.
func TestSweeperPagesAndBatches(t *testing.T) {
	f := &fakeAWS{pageSize: 7}
	for i := 0; i < 45; i++ {
		f.items = append(f.items, awsItem{kind: KindLoadBalancer, id: fmt.Sprintf("lb-%02d", i), vpc: "vpc-1", tags: map[string]string{TagLBCCluster: "c1"}})
	}
	for i := 0; i < 23; i++ {
		f.items = append(f.items,
			awsItem{kind: KindTargetGroup, id: fmt.Sprintf("tg-%02d", i), vpc: "vpc-1", tags: map[string]string{TagLBCCluster: "c1"}},
			awsItem{kind: KindENI, id: fmt.Sprintf("eni-%02d", i), vpc: "vpc-1", status: "available", tags: map[string]string{TagCNICluster: "c1"}},
			awsItem{kind: KindSG, id: fmt.Sprintf("sg-%02d", i), vpc: "vpc-1", tags: map[string]string{TagLBCCluster: "c1"}},
			awsItem{kind: KindVolume, id: fmt.Sprintf("vol-%02d", i), status: "available", tags: map[string]string{TagK8sCluster + "c1": Owned}})
	}
	s := AWSSweeper{ELB: f, EC2: f, Scope: scope1}
	left, err := s.Find(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, l := range left {
		counts[l.Kind]++
	}
	want := map[string]int{KindLoadBalancer: 45, KindTargetGroup: 23, KindENI: 23, KindSG: 23, KindVolume: 23}
	if !mapsEqual(counts, want) {
		t.Errorf("found %v, want %v", counts, want)
	}
	// 45 load balancers in 3 batches, 23 target groups in 2.
	if f.tagCalls != 5 {
		t.Errorf("%d DescribeTags calls, want 5", f.tagCalls)
	}
	// Every leftover reaches its Delete call, in dependency order, and one failure does not
	// stop the others.
	f.failOn = map[string]bool{"lb-03": true, "eni-07": true}
	err = s.Delete(context.Background(), left)
	if err == nil || !strings.Contains(err.Error(), "lb-03") || !strings.Contains(err.Error(), "eni-07") {
		t.Errorf("errors = %v", err)
	}
	if len(f.deleted) != len(left) {
		t.Fatalf("%d deletions for %d leftovers", len(f.deleted), len(left))
	}
	order := []string{"lb-", "tg-", "eni-", "vol-", "sg-"}
	last := 0
	for _, id := range f.deleted {
		i := slices.IndexFunc(order, func(p string) bool { return strings.HasPrefix(id, p) })
		if i < last {
			t.Fatalf("%s deleted after a later kind: %v", id, f.deleted)
		}
		last = i
	}
	if err := s.Delete(context.Background(), []Leftover{{"bucket", "b"}}); err == nil {
		t.Error("an unknown kind was silently skipped")
	}
	// A kept volume reaches no Delete call, and is no error.
	f.deleted = nil
	if err := s.Delete(context.Background(), []Leftover{{KindKeptVolume, "vol-kept"}}); err != nil || len(f.deleted) != 0 {
		t.Errorf("a kept volume: %v, deleted %v", err, f.deleted)
	}
}

func TestWaitForNoLoadBalancersPolls(t *testing.T) {
	lb := awsItem{kind: KindLoadBalancer, id: "lb", vpc: "vpc-1", tags: map[string]string{TagLBCCluster: "c1"}}
	f := &fakeAWS{pageSize: 10, items: []awsItem{lb}}
	// The controller deletes the load balancer while the wait polls (the third look sees none).
	f.onTags = func() {
		if f.tagCalls == 2 {
			f.items = nil
		}
	}
	s := AWSSweeper{ELB: f, EC2: f, Scope: scope1, Every: 1}
	var progress strings.Builder
	if err := s.WaitForNoLoadBalancers(context.Background(), &progress); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(progress.String(), "waiting for the Load Balancer Controller to delete 1 load balancer(s) of c1"); n != 2 {
		t.Errorf("%d progress lines, want 2:\n%s", n, progress.String())
	}
	// Cancelled (the destroy's timeout) while one remains: an error saying so.
	f.items, f.onTags = []awsItem{lb}, nil
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.WaitForNoLoadBalancers(ctx, &progress); err == nil || !strings.Contains(err.Error(), "still exist") {
		t.Errorf("cancelled wait: %v", err)
	}
}

type fakeSTS struct{ account string }

func (f fakeSTS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return &sts.GetCallerIdentityOutput{Account: aws.String(f.account)}, nil
}

// The sweep runs with the stack's account's credentials or not at all.
func TestCheckAccount(t *testing.T) {
	ctx := context.Background()
	if err := CheckAccount(ctx, fakeSTS{"111122223333"}, "111122223333"); err != nil {
		t.Error(err)
	}
	if err := CheckAccount(ctx, fakeSTS{"999988887777"}, "111122223333"); err == nil || !strings.Contains(err.Error(), "999988887777") {
		t.Errorf("another account: %v", err)
	}
	if err := CheckAccount(ctx, fakeSTS{"111122223333"}, ""); err == nil {
		t.Error("an unknown stack account was accepted")
	}
}

func mapsEqual[V comparable](a, b map[string]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
