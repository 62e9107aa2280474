package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/example/platform/internal/contract"
)

// Tags by which AWS resources belong to a cluster: the Load Balancer Controller's, the
// Kubernetes cloud provider's and the EBS CSI driver's (kubernetes.io/cluster/<cluster>, only
// with the value "owned": "shared" marks what the cluster merely uses, such as the subnets),
// and the VPC CNI's (its ENIs).
const (
	TagLBCCluster = "elbv2.k8s.aws/cluster"
	TagK8sCluster = "kubernetes.io/cluster/"
	TagCNICluster = "cluster.k8s.amazonaws.com/name"
	Owned         = "owned"
)

// Kinds of leftovers, in deletion order.
const (
	KindLoadBalancer = "load-balancer"
	KindTargetGroup  = "target-group"
	KindENI          = "network-interface"
	KindVolume       = "volume"
	// KindKeptVolume is a detached volume the stack keeps (contract.KeepTag): listed, never
	// deleted.
	KindKeptVolume = "kept-volume"
	KindSG         = "security-group"
)

// DescribeTagsBatch is the most ARNs ELBv2's DescribeTags accepts in one call.
const DescribeTagsBatch = 20

// ELB is the part of the ELBv2 API the sweeper uses.
type ELB interface {
	DescribeLoadBalancers(context.Context, *elbv2.DescribeLoadBalancersInput, ...func(*elbv2.Options)) (*elbv2.DescribeLoadBalancersOutput, error)
	DescribeTargetGroups(context.Context, *elbv2.DescribeTargetGroupsInput, ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupsOutput, error)
	DescribeTags(context.Context, *elbv2.DescribeTagsInput, ...func(*elbv2.Options)) (*elbv2.DescribeTagsOutput, error)
	DeleteLoadBalancer(context.Context, *elbv2.DeleteLoadBalancerInput, ...func(*elbv2.Options)) (*elbv2.DeleteLoadBalancerOutput, error)
	DeleteTargetGroup(context.Context, *elbv2.DeleteTargetGroupInput, ...func(*elbv2.Options)) (*elbv2.DeleteTargetGroupOutput, error)
}

// EC2 is the part of the EC2 API the sweeper uses.
type EC2 interface {
	DescribeSecurityGroups(context.Context, *ec2.DescribeSecurityGroupsInput, ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error)
	DescribeNetworkInterfaces(context.Context, *ec2.DescribeNetworkInterfacesInput, ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error)
	DescribeVolumes(context.Context, *ec2.DescribeVolumesInput, ...func(*ec2.Options)) (*ec2.DescribeVolumesOutput, error)
	DeleteSecurityGroup(context.Context, *ec2.DeleteSecurityGroupInput, ...func(*ec2.Options)) (*ec2.DeleteSecurityGroupOutput, error)
	DeleteNetworkInterface(context.Context, *ec2.DeleteNetworkInterfaceInput, ...func(*ec2.Options)) (*ec2.DeleteNetworkInterfaceOutput, error)
	DeleteVolume(context.Context, *ec2.DeleteVolumeInput, ...func(*ec2.Options)) (*ec2.DeleteVolumeOutput, error)
}

// STS is the part of the STS API the sweeper uses to check whose credentials it has.
type STS interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// NewAWSSweeper is the sweeper of scope with the ambient AWS credentials, in the stack's
// region (not the profile's). It refuses credentials of an account other than the stack's.
func NewAWSSweeper(ctx context.Context, scope Scope) (Sweeper, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(scope.Region))
	if err != nil {
		return nil, fmt.Errorf("AWS credentials: %w", err)
	}
	if err := CheckAccount(ctx, sts.NewFromConfig(cfg), scope.Account); err != nil {
		return nil, err
	}
	return AWSSweeper{ELB: elbv2.NewFromConfig(cfg), EC2: ec2.NewFromConfig(cfg), Scope: scope, Every: 15 * time.Second}, nil
}

// CheckAccount refuses credentials of an account other than want (the stack's, read from its
// state), and a stack whose account is unknown.
func CheckAccount(ctx context.Context, client STS, want string) error {
	if want == "" {
		return errors.New("the stack's AWS account is not known from its state; refusing to look for its leftovers with whatever credentials are ambient")
	}
	id, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return fmt.Errorf("checking the AWS account: %w", err)
	}
	if got := aws.ToString(id.Account); got != want {
		return fmt.Errorf("the AWS credentials are for account %s, the stack is in %s: use the stack's account", got, want)
	}
	return nil
}

// AWSSweeper finds and deletes what Kubernetes left in AWS for a cluster, within its Scope:
// the clients' region, the scope's VPC, resources tagged as the cluster's own.
type AWSSweeper struct {
	ELB   ELB
	EC2   EC2
	Scope Scope
	// Every is the polling interval of WaitForNoLoadBalancers.
	Every time.Duration
}

// Find lists the cluster's load balancers and target groups in its VPC, its detached ENIs
// and security groups in its VPC, and its detached EBS volumes.
func (s AWSSweeper) Find(ctx context.Context) ([]Leftover, error) {
	var out []Leftover
	lbs, err := s.loadBalancers(ctx)
	if err != nil {
		return nil, err
	}
	out = append(out, lbs...)
	var tgArns []string
	for p := elbv2.NewDescribeTargetGroupsPaginator(s.ELB, &elbv2.DescribeTargetGroupsInput{}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, tg := range page.TargetGroups {
			if s.Scope.VPC != "" && aws.ToString(tg.VpcId) == s.Scope.VPC {
				tgArns = append(tgArns, aws.ToString(tg.TargetGroupArn))
			}
		}
	}
	owned, err := s.ownedELB(ctx, tgArns)
	if err != nil {
		return nil, err
	}
	for _, arn := range owned {
		out = append(out, Leftover{Kind: KindTargetGroup, ID: arn})
	}
	seen := map[string]bool{}
	add := func(kind, id string) {
		if !seen[id] {
			seen[id] = true
			out = append(out, Leftover{Kind: kind, ID: id})
		}
	}
	if s.Scope.VPC != "" {
		inVPC := ec2types.Filter{Name: aws.String("vpc-id"), Values: []string{s.Scope.VPC}}
		for _, f := range s.tagFilters(true) {
			for p := ec2.NewDescribeNetworkInterfacesPaginator(s.EC2, &ec2.DescribeNetworkInterfacesInput{Filters: []ec2types.Filter{f, inVPC,
				{Name: aws.String("status"), Values: []string{"available"}}}}); p.HasMorePages(); {
				page, err := p.NextPage(ctx)
				if err != nil {
					return nil, err
				}
				for _, n := range page.NetworkInterfaces {
					add(KindENI, aws.ToString(n.NetworkInterfaceId))
				}
			}
		}
		for _, f := range s.tagFilters(false) {
			for p := ec2.NewDescribeSecurityGroupsPaginator(s.EC2, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{f, inVPC}}); p.HasMorePages(); {
				page, err := p.NextPage(ctx)
				if err != nil {
					return nil, err
				}
				for _, g := range page.SecurityGroups {
					add(KindSG, aws.ToString(g.GroupId))
				}
			}
		}
	}
	// Volumes belong to no VPC: the driver's owned tag and the region scope them.
	for p := ec2.NewDescribeVolumesPaginator(s.EC2, &ec2.DescribeVolumesInput{Filters: []ec2types.Filter{
		{Name: aws.String("tag:" + TagK8sCluster + s.Scope.Cluster), Values: []string{Owned}},
		{Name: aws.String("status"), Values: []string{"available"}}}}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, v := range page.Volumes {
			kind := KindVolume
			for _, t := range v.Tags {
				if aws.ToString(t.Key) == contract.KeepTag && aws.ToString(t.Value) == contract.KeepTagValue {
					kind = KindKeptVolume
				}
			}
			add(kind, aws.ToString(v.VolumeId))
		}
	}
	return out, nil
}

// tagFilters are the EC2 filters of each tag that marks a resource as the cluster's own.
func (s AWSSweeper) tagFilters(withCNI bool) []ec2types.Filter {
	c := s.Scope.Cluster
	fs := []ec2types.Filter{
		{Name: aws.String("tag:" + TagLBCCluster), Values: []string{c}},
		{Name: aws.String("tag:" + TagK8sCluster + c), Values: []string{Owned}},
	}
	if withCNI {
		fs = append(fs, ec2types.Filter{Name: aws.String("tag:" + TagCNICluster), Values: []string{c}})
	}
	return fs
}

// loadBalancers are the cluster's load balancers in its VPC.
func (s AWSSweeper) loadBalancers(ctx context.Context) ([]Leftover, error) {
	if s.Scope.VPC == "" {
		return nil, nil
	}
	var arns []string
	for p := elbv2.NewDescribeLoadBalancersPaginator(s.ELB, &elbv2.DescribeLoadBalancersInput{}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, lb := range page.LoadBalancers {
			if aws.ToString(lb.VpcId) == s.Scope.VPC {
				arns = append(arns, aws.ToString(lb.LoadBalancerArn))
			}
		}
	}
	owned, err := s.ownedELB(ctx, arns)
	if err != nil {
		return nil, err
	}
	out := make([]Leftover, 0, len(owned))
	for _, arn := range owned {
		out = append(out, Leftover{Kind: KindLoadBalancer, ID: arn})
	}
	return out, nil
}

// ownedELB keeps the ARNs tagged as the cluster's own, asking for tags in batches of
// DescribeTagsBatch.
func (s AWSSweeper) ownedELB(ctx context.Context, arns []string) ([]string, error) {
	var owned []string
	for i := 0; i < len(arns); i += DescribeTagsBatch {
		batch := arns[i:min(i+DescribeTagsBatch, len(arns))]
		tags, err := s.ELB.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: batch})
		if err != nil {
			return nil, err
		}
		for _, d := range tags.TagDescriptions {
			for _, t := range d.Tags {
				k, v := aws.ToString(t.Key), aws.ToString(t.Value)
				if (k == TagLBCCluster && v == s.Scope.Cluster) || (k == TagK8sCluster+s.Scope.Cluster && v == Owned) {
					owned = append(owned, aws.ToString(d.ResourceArn))
					break
				}
			}
		}
	}
	return owned, nil
}

// Delete removes leftovers in dependency order: load balancers, target groups, ENIs, volumes,
// then security groups (which the others reference). It tries every one and reports every
// failure. A kept volume is never deleted.
func (s AWSSweeper) Delete(ctx context.Context, leftovers []Leftover) error {
	var errs []error
	for _, kind := range []string{KindLoadBalancer, KindTargetGroup, KindENI, KindVolume, KindSG} {
		for _, l := range leftovers {
			if l.Kind != kind {
				continue
			}
			var err error
			switch kind {
			case KindLoadBalancer:
				_, err = s.ELB.DeleteLoadBalancer(ctx, &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(l.ID)})
			case KindTargetGroup:
				_, err = s.ELB.DeleteTargetGroup(ctx, &elbv2.DeleteTargetGroupInput{TargetGroupArn: aws.String(l.ID)})
			case KindENI:
				_, err = s.EC2.DeleteNetworkInterface(ctx, &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: aws.String(l.ID)})
			case KindVolume:
				_, err = s.EC2.DeleteVolume(ctx, &ec2.DeleteVolumeInput{VolumeId: aws.String(l.ID)})
			case KindSG:
				_, err = s.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(l.ID)})
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("%s %s: %w", l.Kind, l.ID, err))
			}
		}
	}
	for _, l := range leftovers {
		if !slices.Contains([]string{KindLoadBalancer, KindTargetGroup, KindENI, KindVolume, KindSG, KindKeptVolume}, l.Kind) {
			errs = append(errs, fmt.Errorf("%s %s: unknown kind, not deleted", l.Kind, l.ID))
		}
	}
	return errors.Join(errs...)
}

// WaitForNoLoadBalancers polls until the cluster has no load balancers left in its VPC (the
// Load Balancer Controller deletes them asynchronously), reporting progress.
func (s AWSSweeper) WaitForNoLoadBalancers(ctx context.Context, progress io.Writer) error {
	every := s.Every
	if every == 0 {
		every = 15 * time.Second
	}
	for {
		lbs, err := s.loadBalancers(ctx)
		if err != nil {
			return err
		}
		if len(lbs) == 0 {
			return nil
		}
		fmt.Fprintf(progress, "waiting for the Load Balancer Controller to delete %d load balancer(s) of %s\n", len(lbs), s.Scope.Cluster)
		select {
		case <-ctx.Done():
			return fmt.Errorf("load balancers of %s still exist: %w", s.Scope.Cluster, ctx.Err())
		case <-time.After(every):
		}
	}
}
