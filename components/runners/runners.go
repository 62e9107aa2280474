// Package runners is the stack's CodeBuild-hosted GitHub Actions runners
// (platform:github.runners "codebuild"): a CodeBuild project in the private subnets whose
// webhook starts one ephemeral build, and so one runner, per queued job of the
// infrastructure repository's release workflow. Planned in runnerplan, built here.
package runners

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/codebuild"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/handle"
	"github.com/example/platform/components/runners/runnerplan"
	"github.com/example/platform/internal/contract"
)

// Args configure the runners.
type Args struct {
	// Cluster gives the name and the cluster security group, which admits the runners on 443.
	Cluster handle.Cluster
	// Network gives the VPC and the private subnets the builds run in.
	Network handle.Network
	Account contract.Account
	// Owner and InfraRepo are the repository whose release workflow the runners serve;
	// WorkflowName is that workflow's name (ghplan.ReleaseWorkflowName).
	Owner, InfraRepo, WorkflowName string
	// ComputeType and Arch choose the build environment (runnerplan.EnvironmentFor).
	ComputeType, Arch string
	// TimeoutMinutes ends a build (a job) after this long.
	TimeoutMinutes int
	// LogRetentionDays keeps the builds' logs; KeepLogs keeps the group on destroy.
	LogRetentionDays int
	KeepLogs         bool
	// GitHubToken (secret) is the GitHub token CodeBuild registers runners and creates the
	// repository's webhook with: the account's GitHub source credential in the region.
	GitHubToken pulumi.StringInput
	// PermissionsBoundary is the platform boundary, which the runner role carries; LogsKeyArn
	// the stack's logs key, which encrypts the log group.
	PermissionsBoundary pulumi.StringInput
	LogsKeyArn          pulumi.StringInput
}

// Runners is the component.
type Runners struct {
	pulumi.ResourceState

	ProjectName     pulumi.StringOutput `pulumi:"projectName"`
	RoleArn         pulumi.StringOutput `pulumi:"roleArn"`
	SecurityGroupID pulumi.StringOutput `pulumi:"securityGroupId"`
}

func (a *Args) validate() error {
	if a == nil {
		return errors.New("runners: Args are required")
	}
	var errs []error
	if a.Cluster.Name == "" || a.Account.ID == "" || a.Owner == "" || a.InfraRepo == "" || a.WorkflowName == "" {
		errs = append(errs, errors.New("runners: Cluster, Account, Owner, InfraRepo and WorkflowName are required"))
	}
	if a.GitHubToken == nil || a.PermissionsBoundary == nil || a.LogsKeyArn == nil {
		errs = append(errs, errors.New("runners: GitHubToken, PermissionsBoundary and LogsKeyArn are required"))
	}
	if _, err := runnerplan.EnvironmentFor(a.ComputeType, a.Arch); err != nil {
		errs = append(errs, fmt.Errorf("runners: %w", err))
	}
	if a.TimeoutMinutes < 5 || a.TimeoutMinutes > runnerplan.MaxTimeoutMinutes {
		errs = append(errs, fmt.Errorf("runners: TimeoutMinutes %d is not within 5..%d", a.TimeoutMinutes, runnerplan.MaxTimeoutMinutes))
	}
	if a.LogRetentionDays <= 0 {
		errs = append(errs, errors.New("runners: LogRetentionDays is required"))
	}
	return errors.Join(errs...)
}

// New creates the runners. Nothing is created when an argument is invalid.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Runners, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	c := &Runners{}
	if err := ctx.RegisterComponentResource("platform:index:Runners", name, c, opts...); err != nil {
		return nil, err
	}
	a, parent := *args, pulumi.Parent(c)
	env, _ := runnerplan.EnvironmentFor(a.ComputeType, a.Arch) // validated above
	// Egress only: nothing connects to a runner, which polls GitHub for its job.
	sg, err := ec2.NewSecurityGroup(ctx, name+"-sg", &ec2.SecurityGroupArgs{
		VpcId:       a.Network.VpcID,
		Description: pulumi.String(fmt.Sprintf("CodeBuild GitHub Actions runners of %s: no inbound rule", a.Cluster.Name)),
		Egress: ec2.SecurityGroupEgressArray{ec2.SecurityGroupEgressArgs{
			Protocol: pulumi.String("tcp"), FromPort: pulumi.Int(runnerplan.HTTPSPort), ToPort: pulumi.Int(runnerplan.HTTPSPort),
			CidrBlocks:  pulumi.StringArray{pulumi.String("0.0.0.0/0")},
			Description: pulumi.String("HTTPS: GitHub, AWS APIs, Go modules, Pulumi Cloud, the cluster's API endpoint"),
		}},
		Tags: pulumi.StringMap{"Name": pulumi.String(name + "-" + a.Cluster.Name)},
	}, parent)
	if err != nil {
		return nil, err
	}
	// The cluster security group is EKS's: a rule resource of its own admits the runners.
	if _, err := ec2.NewSecurityGroupRule(ctx, name+"-cluster-ingress", &ec2.SecurityGroupRuleArgs{
		Type: pulumi.String("ingress"), SecurityGroupId: a.Cluster.NodeSecurityGroupID, SourceSecurityGroupId: sg.ID(),
		Protocol: pulumi.String("tcp"), FromPort: pulumi.Int(runnerplan.HTTPSPort), ToPort: pulumi.Int(runnerplan.HTTPSPort),
		Description: pulumi.String("The Kubernetes API from the CodeBuild GitHub Actions runners"),
	}, parent); err != nil {
		return nil, err
	}
	logs, err := cloudwatch.NewLogGroup(ctx, name+"-logs", &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(contract.RunnerLogGroup(a.Cluster.Name)),
		RetentionInDays: pulumi.Int(a.LogRetentionDays),
		KmsKeyId:        a.LogsKeyArn,
	}, parent, pulumi.RetainOnDelete(a.KeepLogs))
	if err != nil {
		return nil, err
	}
	role, err := serviceRole(ctx, name, a, sg, parent)
	if err != nil {
		return nil, err
	}
	// One GitHub credential per account, region and server type: CodeBuild keeps the token and
	// never hands it to a build (runnerplan.Buildspec turns its credential helper off).
	credential, err := codebuild.NewSourceCredential(ctx, name+"-github", &codebuild.SourceCredentialArgs{
		AuthType: pulumi.String("PERSONAL_ACCESS_TOKEN"), ServerType: pulumi.String("GITHUB"), Token: a.GitHubToken,
	}, parent)
	if err != nil {
		return nil, err
	}
	project, err := codebuild.NewProject(ctx, name+"-project", &codebuild.ProjectArgs{
		Name:        pulumi.String(contract.RunnerProjectName(a.Cluster.Name)),
		Description: pulumi.String(fmt.Sprintf("GitHub Actions runners of %s: one build per queued job of %s/%s's %s workflow", a.Cluster.Name, a.Owner, a.InfraRepo, a.WorkflowName)),
		ServiceRole: role.Arn,
		Source: codebuild.ProjectSourceArgs{
			Type: pulumi.String("GITHUB"), Location: pulumi.String(runnerplan.SourceLocation(a.Owner, a.InfraRepo)),
			Buildspec: pulumi.String(runnerplan.Buildspec), GitCloneDepth: pulumi.Int(1),
		},
		Artifacts: codebuild.ProjectArtifactsArgs{Type: pulumi.String("NO_ARTIFACTS")},
		Environment: codebuild.ProjectEnvironmentArgs{
			Type: pulumi.String(env.Type), Image: pulumi.String(env.Image), ComputeType: pulumi.String(env.ComputeType),
			ImagePullCredentialsType: pulumi.String("CODEBUILD"), PrivilegedMode: pulumi.Bool(false),
		},
		VpcConfig: codebuild.ProjectVpcConfigArgs{
			VpcId: a.Network.VpcID, Subnets: a.Network.PrivateSubnetIDs, SecurityGroupIds: pulumi.StringArray{sg.ID()},
		},
		LogsConfig: codebuild.ProjectLogsConfigArgs{CloudwatchLogs: codebuild.ProjectLogsConfigCloudwatchLogsArgs{
			GroupName: logs.Name, Status: pulumi.String("ENABLED"),
		}},
		BuildTimeout:         pulumi.Int(a.TimeoutMinutes),
		QueuedTimeout:        pulumi.Int(runnerplan.QueuedTimeoutMinutes),
		ConcurrentBuildLimit: pulumi.Int(runnerplan.ConcurrentBuilds),
	}, parent, pulumi.DependsOn([]pulumi.Resource{credential}))
	if err != nil {
		return nil, err
	}
	var filters codebuild.WebhookFilterGroupFilterArray
	for _, f := range runnerplan.FilterGroup(a.WorkflowName) {
		filters = append(filters, codebuild.WebhookFilterGroupFilterArgs{Type: pulumi.String(f.Type), Pattern: pulumi.String(f.Pattern)})
	}
	// CodeBuild creates the repository's webhook with the source credential.
	if _, err := codebuild.NewWebhook(ctx, name+"-webhook", &codebuild.WebhookArgs{
		ProjectName:  project.Name,
		BuildType:    pulumi.String("BUILD"),
		FilterGroups: codebuild.WebhookFilterGroupArray{codebuild.WebhookFilterGroupArgs{Filters: filters}},
	}, parent, pulumi.DependsOn([]pulumi.Resource{credential})); err != nil {
		return nil, err
	}
	c.ProjectName, c.RoleArn, c.SecurityGroupID = project.Name, role.Arn, sg.ID().ToStringOutput()
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"projectName": c.ProjectName, "roleArn": c.RoleArn, "securityGroupId": c.SecurityGroupID,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// serviceRole is the project's role: CodeBuild's logs and network interfaces, nothing else,
// under the platform boundary, with a fixed name (the deploy policy passes only it to
// CodeBuild).
func serviceRole(ctx *pulumi.Context, name string, a Args, sg *ec2.SecurityGroup, parent pulumi.ResourceOption) (*iam.Role, error) {
	role, err := iam.NewRole(ctx, name+"-role", &iam.RoleArgs{
		Name:                pulumi.String(contract.RunnerRoleName(a.Cluster.Name)),
		Path:                pulumi.String(contract.PlatformRolePath(a.Cluster.Name)),
		AssumeRolePolicy:    pulumi.String(runnerplan.Trust(a.Account, a.Cluster.Name).JSON()),
		Description:         pulumi.String(fmt.Sprintf("CodeBuild GitHub Actions runners of %s: build logs and network interfaces only", a.Cluster.Name)),
		PermissionsBoundary: a.PermissionsBoundary,
	}, parent)
	if err != nil {
		return nil, err
	}
	policy := pulumi.All(a.Network.PrivateSubnetIDs, sg.ID()).ApplyT(func(v []any) string {
		subnets, _ := v[0].([]string)
		group, _ := v[1].(pulumi.ID)
		return runnerplan.Policy(a.Account, a.Cluster.Name, subnets, string(group)).JSON()
	}).(pulumi.StringOutput)
	if _, err := iam.NewRolePolicy(ctx, name+"-policy", &iam.RolePolicyArgs{Role: role.ID(), Policy: policy}, parent); err != nil {
		return nil, err
	}
	return role, nil
}
