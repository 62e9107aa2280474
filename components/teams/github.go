package teams

import (
	"github.com/pulumi/pulumi-github/sdk/v6/go/github"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/teams/teamplan"
)

// pushEnvironments give each of the team's repositories the GitHub environment the team's push
// role trusts (teamplan.PushSubjects): named after the stack, usable from the default branch
// and release tags only (teamplan.PushRefs). A workflow on another branch cannot run a job in
// it, and so cannot push the team's images. The environment holds the push role's ARN as
// AWS_ROLE_ARN, which the app workflow `platform app ci` writes reads: a team's first
// pipeline run needs nothing from the platform team.
func (b *builder) pushEnvironments(t teamplan.Team, pushRole pulumi.StringOutput) error {
	for _, r := range t.Repos {
		repo := teamplan.RepoName(r)
		prefix := b.name + "-" + t.Name + "-" + repo
		env, err := github.NewRepositoryEnvironment(b.ctx, prefix+"-environment", &github.RepositoryEnvironmentArgs{
			Repository:  pulumi.String(repo),
			Environment: pulumi.String(b.args.Stack),
			DeploymentBranchPolicy: github.RepositoryEnvironmentDeploymentBranchPolicyArgs{
				ProtectedBranches: pulumi.Bool(false), CustomBranchPolicies: pulumi.Bool(true),
			},
		}, b.parent)
		if err != nil {
			return err
		}
		for key, ref := range map[string]*github.RepositoryEnvironmentDeploymentPolicyArgs{
			"-push-from-branch": {Repository: pulumi.String(repo), Environment: env.Environment, BranchPattern: pulumi.String(teamplan.PushRefs.Branch)},
			"-push-from-tags":   {Repository: pulumi.String(repo), Environment: env.Environment, TagPattern: pulumi.String(teamplan.PushRefs.Tag)},
		} {
			if _, err := github.NewRepositoryEnvironmentDeploymentPolicy(b.ctx, prefix+key, ref, b.parent); err != nil {
				return err
			}
		}
		if _, err := github.NewActionsEnvironmentVariable(b.ctx, prefix+"-var-AWS_ROLE_ARN", &github.ActionsEnvironmentVariableArgs{
			Repository: pulumi.String(repo), Environment: env.Environment,
			VariableName: pulumi.String(teamplan.PushRoleVariable), Value: pushRole,
		}, b.parent); err != nil {
			return err
		}
	}
	return nil
}
