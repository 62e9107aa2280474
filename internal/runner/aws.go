package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
)

// Tags by which AWS resources belong to a cluster: the Load Balancer Controller's, the
// Kubernetes cloud provider's, and the VPC CNI's (its ENIs).
const (
	TagLBCCluster = "elbv2.k8s.aws/cluster"
	TagK8sCluster = "kubernetes.io/cluster/"
	TagCNICluster = "cluster.k8s.amazonaws.com/name"
)

// Kinds of leftovers, in deletion order.
const (
	KindLoadBalancer = "load-balancer"
	KindTargetGroup  = "target-group"
	KindENI          = "network-interface"
	KindSG           = "security-group"
)

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
	DeleteSecurityGroup(context.Context, *ec2.DeleteSecurityGroupInput, ...func(*ec2.Options)) (*ec2.DeleteSecurityGroupOutput, error)
	DeleteNetworkInterface(context.Context, *ec2.DeleteNetworkInterfaceInput, ...func(*ec2.Options)) (*ec2.DeleteNetworkInterfaceOutput, error)
}

// AWSSweeper finds and deletes what Kubernetes left in AWS for a cluster.
type AWSSweeper struct {
	ELB ELB
	EC2 EC2
}

// Find lists the cluster's tagged load balancers, target groups, detached ENIs and security
// groups.
func (s AWSSweeper) Find(ctx context.Context, cluster string) ([]Leftover, error) {
	var out []Leftover
	var lbArns, tgArns []string
	for p := elbv2.NewDescribeLoadBalancersPaginator(s.ELB, &elbv2.DescribeLoadBalancersInput{}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, lb := range page.LoadBalancers {
			lbArns = append(lbArns, aws.ToString(lb.LoadBalancerArn))
		}
	}
	for p := elbv2.NewDescribeTargetGroupsPaginator(s.ELB, &elbv2.DescribeTargetGroupsInput{}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, tg := range page.TargetGroups {
			tgArns = append(tgArns, aws.ToString(tg.TargetGroupArn))
		}
	}
	for _, group := range []struct {
		kind string
		arns []string
	}{{KindLoadBalancer, lbArns}, {KindTargetGroup, tgArns}} {
		owned, err := s.ownedELB(ctx, group.arns, cluster)
		if err != nil {
			return nil, err
		}
		for _, arn := range owned {
			out = append(out, Leftover{Kind: group.kind, ID: arn})
		}
	}
	filters := [][]ec2types.Filter{
		{{Name: aws.String("tag:" + TagLBCCluster), Values: []string{cluster}}},
		{{Name: aws.String("tag-key"), Values: []string{TagK8sCluster + cluster}}},
		{{Name: aws.String("tag:" + TagCNICluster), Values: []string{cluster}}},
	}
	seen := map[string]bool{}
	for _, f := range filters {
		enis, err := s.EC2.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{Filters: append(f,
			ec2types.Filter{Name: aws.String("status"), Values: []string{"available"}})})
		if err != nil {
			return nil, err
		}
		for _, n := range enis.NetworkInterfaces {
			if id := aws.ToString(n.NetworkInterfaceId); !seen[id] {
				seen[id] = true
				out = append(out, Leftover{Kind: KindENI, ID: id})
			}
		}
		sgs, err := s.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: f})
		if err != nil {
			return nil, err
		}
		for _, g := range sgs.SecurityGroups {
			if id := aws.ToString(g.GroupId); !seen[id] {
				seen[id] = true
				out = append(out, Leftover{Kind: KindSG, ID: id})
			}
		}
	}
	return out, nil
}

func (s AWSSweeper) ownedELB(ctx context.Context, arns []string, cluster string) ([]string, error) {
	var owned []string
	for i := 0; i < len(arns); i += 20 { // DescribeTags takes at most 20 ARNs
		batch := arns[i:min(i+20, len(arns))]
		tags, err := s.ELB.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: batch})
		if err != nil {
			return nil, err
		}
		for _, d := range tags.TagDescriptions {
			for _, t := range d.Tags {
				k, v := aws.ToString(t.Key), aws.ToString(t.Value)
				if (k == TagLBCCluster && v == cluster) || k == TagK8sCluster+cluster {
					owned = append(owned, aws.ToString(d.ResourceArn))
					break
				}
			}
		}
	}
	return owned, nil
}

// Delete removes leftovers in dependency order: load balancers, target groups, ENIs, then
// security groups (which the others reference).
func (s AWSSweeper) Delete(ctx context.Context, leftovers []Leftover) error {
	var errs []error
	for _, kind := range []string{KindLoadBalancer, KindTargetGroup, KindENI, KindSG} {
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
			case KindSG:
				_, err = s.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(l.ID)})
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("%s %s: %w", l.Kind, l.ID, err))
			}
		}
	}
	return errors.Join(errs...)
}

// WaitForNoLoadBalancers polls until the cluster has no tagged load balancers left (the Load
// Balancer Controller deletes them asynchronously), reporting progress.
func (s AWSSweeper) WaitForNoLoadBalancers(ctx context.Context, cluster string, every time.Duration, progress io.Writer) error {
	for {
		left, err := s.Find(ctx, cluster)
		if err != nil {
			return err
		}
		n := 0
		for _, l := range left {
			if l.Kind == KindLoadBalancer {
				n++
			}
		}
		if n == 0 {
			return nil
		}
		fmt.Fprintf(progress, "waiting for the Load Balancer Controller to delete %d load balancer(s) of %s\n", n, cluster)
		select {
		case <-ctx.Done():
			return fmt.Errorf("load balancers of %s still exist: %w", cluster, ctx.Err())
		case <-time.After(every):
		}
	}
}
