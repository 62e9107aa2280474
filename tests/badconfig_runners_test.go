package tests

// Bad configurations of the CodeBuild runners (platform:runners, platform:github.runners
// "codebuild", platform:runnersGitHubToken). Run by TestBadConfigFailsNamingTheKeyAndRegistersNothing.
func init() {
	const k = "platform:runners"
	runners := func(raw string) []mutation { return []mutation{set(k, str(raw))} }
	badConfigs = append(badConfigs, []badConfig{
		{"a compute type CodeBuild has but the runners do not take", "prod", runners(`{"computeType":"BUILD_GENERAL1_2XLARGE"}`), k + ".computeType", `"BUILD_GENERAL1_2XLARGE" is not allowed`},
		{"the small compute type, which cannot compile the program", "prod", runners(`{"computeType":"BUILD_LAMBDA_1GB"}`), k + ".computeType", "3 GB do not compile the program"},
		{"an unknown architecture", "prod", runners(`{"arch":"ppc64le"}`), k + ".arch", `"ppc64le" is not allowed; use "x86_64" or "arm64"`},
		{"a timeout shorter than the CI role's session", "prod", runners(`{"timeoutMinutes":60}`), k + ".timeoutMinutes", "as long as the CI role's session"},
		{"a timeout CodeBuild refuses", "prod", runners(`{"timeoutMinutes":3000}`), k + ".timeoutMinutes", "CodeBuild ends builds after 2160"},
		{"a log retention CloudWatch does not have", "prod", runners(`{"logRetentionDays":10}`), k + ".logRetentionDays", "is not a CloudWatch Logs retention"},
		{"a misspelled runners key", "prod", runners(`{"computetype":"BUILD_GENERAL1_LARGE"}`), k + ".computetype", "is not a known key"},
		{"a misspelled runners value", "prod", []mutation{edit("platform:github", "runners", "code-build")}, "platform:github.runners", `"codebuild" (CodeBuild runners the program builds in the VPC)`},
	}...)
}
