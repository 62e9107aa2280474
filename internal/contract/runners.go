package contract

// The CodeBuild-hosted GitHub Actions runners of a stack (components/runners, platform:github.runners
// "codebuild"). The names are fixed, not Pulumi's: a workflow's runs-on names the project
// (ghplan.RunsOn), the deploy policy scopes the CI role to it, and the runner role's trust
// names its ARN.

// RunnerProjectName is the CodeBuild project that runs the stack's workflow jobs.
func RunnerProjectName(cluster string) string { return cluster + "-runners" }

// RunnerLogGroup is the project's CloudWatch log group (under /platform/, which the deploy
// policy already reaches; encrypted with the stack's logs key).
func RunnerLogGroup(cluster string) string { return "/platform/" + cluster + "/runners" }

// RunnerRoleName is the runner's service role (under PlatformRolePath), named so that the
// deploy policy passes this role, and no other of the stack's, to CodeBuild. At most 30+8
// characters: IAM allows 64.
func RunnerRoleName(cluster string) string { return cluster + "-runners" }

// RunnerRoleArn is that role's ARN.
func (a Account) RunnerRoleArn(cluster string) string {
	return "arn:" + a.Partition + ":iam::" + a.ID + ":role" + PlatformRolePath(cluster) + RunnerRoleName(cluster)
}

// RunnerProjectArn is the project's ARN, which the runner role's trust names (aws:SourceArn).
func (a Account) RunnerProjectArn(cluster string) string {
	return "arn:" + a.Partition + ":codebuild:" + a.Region + ":" + a.ID + ":project/" + RunnerProjectName(cluster)
}
