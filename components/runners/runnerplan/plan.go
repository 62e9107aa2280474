// Package runnerplan plans the stack's CodeBuild-hosted GitHub Actions runners: the build
// environment for a compute type and architecture, the webhook's filter, the network rules and
// the service role's trust and policy. Pure: components/runners builds what it returns.
//
// Why CodeBuild and not GitHub's Actions Runner Controller: ARC runs inside the cluster it
// deploys, so it cannot run the deploy that creates or rebuilds that cluster, and a node roll
// or a broken addon kills the deploy running on it. A CodeBuild build needs only the VPC's
// private subnets and their NAT: it survives everything the deploy does to the cluster.
package runnerplan

import (
	"fmt"
	"slices"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
)

// Service is CodeBuild's service principal: the only one the runner role trusts.
const Service = "codebuild.amazonaws.com"

// Compute types the runners may use (platform:runners.computeType): CodeBuild's general
// purpose on-demand sizes. SMALL has 3 GB of memory, which compiling the program (the Pulumi
// AWS SDK) exceeds; MEDIUM (7 GB, 4 vCPUs) is the default.
const (
	Small  = "BUILD_GENERAL1_SMALL"
	Medium = "BUILD_GENERAL1_MEDIUM"
	Large  = "BUILD_GENERAL1_LARGE"
)

// ComputeTypes are the allowed compute types, smallest first.
var ComputeTypes = []string{Small, Medium, Large}

// Architectures (platform:runners.arch).
const (
	X86 = "x86_64"
	ARM = "arm64"
)

// Environment is a project's build environment: CodeBuild's curated Amazon Linux 2023 image
// for the architecture, which the runner's build starts the GitHub runner on.
type Environment struct{ Type, Image, ComputeType string }

// EnvironmentFor is the environment of a compute type and architecture.
func EnvironmentFor(computeType, arch string) (Environment, error) {
	if !slices.Contains(ComputeTypes, computeType) {
		return Environment{}, fmt.Errorf("compute type %q is not one of %v", computeType, ComputeTypes)
	}
	switch arch {
	case X86:
		return Environment{Type: "LINUX_CONTAINER", Image: "aws/codebuild/amazonlinux-x86_64-standard:5.0", ComputeType: computeType}, nil
	case ARM:
		return Environment{Type: "ARM_CONTAINER", Image: "aws/codebuild/amazonlinux-aarch64-standard:3.0", ComputeType: computeType}, nil
	}
	return Environment{}, fmt.Errorf("architecture %q is not %s or %s", arch, X86, ARM)
}

// Build limits. A job may run as long as the CI role's session (a first `up`, 4 hours), so
// the build timeout is at least that; CodeBuild allows up to 36 hours. A job waits at most
// QueuedTimeoutMinutes for capacity. ConcurrentBuilds caps the runners at once: the release
// workflow deploys one at a time (its concurrency group), and a flood of queued jobs cannot
// start more than this many builds.
const (
	MaxTimeoutMinutes    = 2160
	QueuedTimeoutMinutes = 60
	ConcurrentBuilds     = 2
)

// Buildspec is the project's own buildspec. A job's runs-on may ask for buildspec-override:true,
// which makes CodeBuild run the project's buildspec around the runner: the project has this
// one, which does nothing and turns the Git credential helper off, so that no label brings in
// a buildspec from the repository or hands the job the source credential.
const Buildspec = `version: 0.2
env:
  git-credential-helper: no
phases:
  install:
    commands:
      - echo "CodeBuild-hosted GitHub Actions runner"
`

// Filter is one webhook filter.
type Filter struct{ Type, Pattern string }

// FilterGroup starts a build for a queued job of the release workflow only. GitHub's
// workflow_job event carries the workflow's name, not its file or its branch: a pull request
// that renames a workflow to workflowName passes this filter too (README "Runners in the VPC"
// says why that gains it nothing).
func FilterGroup(workflowName string) []Filter {
	return []Filter{
		{Type: "EVENT", Pattern: "WORKFLOW_JOB_QUEUED"},
		{Type: "WORKFLOW_NAME", Pattern: "^" + regexpQuote(workflowName) + "$"},
	}
}

func regexpQuote(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if slices.Contains([]byte(`\.+*?()|[]{}^$`), s[i]) {
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// SourceLocation is the infrastructure repository's HTTPS URL: a repository webhook, so the
// runners register with that repository alone.
func SourceLocation(owner, repo string) string {
	return fmt.Sprintf("https://github.com/%s/%s.git", owner, repo)
}

// HTTPSPort is the one port the runners open connections to: GitHub, AWS's APIs, the Go
// module proxy, Pulumi Cloud and the cluster's private API endpoint (whose security group
// admits the runners' on it). DNS (the VPC's resolver) is not filtered by security groups.
const HTTPSPort = 443

// Trust lets CodeBuild assume the role for the stack's project only (aws:SourceArn,
// aws:SourceAccount: no other project, in this account or another, gets it).
func Trust(a contract.Account, cluster string) iampolicy.Document {
	return iampolicy.New(iampolicy.Statement{
		Effect: "Allow", Principal: map[string][]string{"Service": {Service}}, Action: []string{"sts:AssumeRole"},
		Condition: map[string]map[string][]string{
			"StringEquals": {"aws:SourceAccount": {a.ID}},
			"ArnEquals":    {"aws:SourceArn": {a.RunnerProjectArn(cluster)}},
		},
	})
}

// Policy is what CodeBuild does with the role, and nothing more: write the build's logs to the
// project's log group, and put the build's network interface in the stack's private subnets
// (CodeBuild's VPC permissions, narrowed to those subnets and the runners' security group).
// No deploy rights, no secret, no parameter, no cluster: a job gets the CI role through
// GitHub's OIDC, as on any runner.
func Policy(a contract.Account, cluster string, subnetIDs []string, securityGroupID string) iampolicy.Document {
	ec2 := func(r string) string { return fmt.Sprintf("arn:%s:ec2:%s:%s:%s", a.Partition, a.Region, a.ID, r) }
	var subnets []string
	for _, id := range subnetIDs {
		subnets = append(subnets, ec2("subnet/"+id))
	}
	group := a.LogGroupArn(contract.RunnerLogGroup(cluster))
	region := map[string][]string{"aws:RequestedRegion": {a.Region}}
	return iampolicy.New(
		iampolicy.Statement{Sid: "BuildLogs", Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"},
			Resource: []string{group, group + ":*"}},
		iampolicy.Statement{Sid: "DescribeTheNetwork", Effect: "Allow",
			Action: []string{"ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
				"ec2:DescribeSubnets", "ec2:DescribeVpcs"},
			Resource: []string{"*"}, Condition: map[string]map[string][]string{"StringEquals": region}},
		iampolicy.Statement{Sid: "InterfacesInTheStacksSubnets", Effect: "Allow", Action: []string{"ec2:CreateNetworkInterface"},
			Resource: append(append([]string{ec2("network-interface/*")}, subnets...), ec2("security-group/"+securityGroupID))},
		iampolicy.Statement{Sid: "ItsInterfacesOnly", Effect: "Allow", Action: []string{"ec2:DeleteNetworkInterface"},
			Resource: []string{ec2("network-interface/*")}, Condition: map[string]map[string][]string{"ArnEquals": {"ec2:Subnet": subnets}}},
		iampolicy.Statement{Sid: "CodeBuildAttachesThem", Effect: "Allow", Action: []string{"ec2:CreateNetworkInterfacePermission"},
			Resource: []string{ec2("network-interface/*")}, Condition: map[string]map[string][]string{
				"StringEquals": {"ec2:AuthorizedService": {Service}},
				"ArnEquals":    {"ec2:Subnet": subnets},
			}},
	)
}
