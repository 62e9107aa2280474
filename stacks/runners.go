package stacks

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumiconfig "github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/example/platform/components/githubint/ghplan"
	"github.com/example/platform/components/runners"
	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/contract"
)

// newRunners adds the CodeBuild-hosted GitHub Actions runners (nil unless
// platform:github.runners is "codebuild"). They need only the network and the cluster's
// security group, not the cluster itself: a deploy that replaces the cluster runs on them.
func newRunners(ctx *pulumi.Context, cfg *config.Config, account contract.Account, p *Platform) (*runners.Runners, error) {
	if !cfg.UsesCodeBuildRunners() {
		return nil, nil
	}
	r := cfg.Runners
	return runners.New(ctx, "runners", &runners.Args{
		Cluster: p.Cluster.Handle(), Network: p.Network.Handle(), Account: account,
		Owner: cfg.GitHub.Owner, InfraRepo: cfg.GitHub.InfraRepo, WorkflowName: ghplan.ReleaseWorkflowName,
		ComputeType: r.ComputeType, Arch: r.Arch, TimeoutMinutes: r.TimeoutMinutes,
		LogRetentionDays: r.LogRetentionDays, KeepLogs: cfg.Policy().KeepOnDestroy,
		GitHubToken:         pulumiconfig.GetSecret(ctx, config.RunnersTokenKey),
		PermissionsBoundary: p.Boundary.Arn, LogsKeyArn: p.LogsKey.Arn,
	})
}

// runnerLogGroups are the log groups of the runners the logs key encrypts (none without them).
func runnerLogGroups(cfg *config.Config) []string {
	if !cfg.UsesCodeBuildRunners() {
		return nil
	}
	return []string{contract.RunnerLogGroup(cfg.Cluster.Name)}
}
