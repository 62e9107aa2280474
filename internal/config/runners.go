package config

import (
	"fmt"

	"github.com/example/platform/components/githubint/ghplan"
	"github.com/example/platform/components/runners/runnerplan"
)

// RunnersConfig is platform:runners: the CodeBuild-hosted GitHub Actions runners the program
// builds in the stack's private subnets when platform:github.runners is "codebuild"
// (components/runners). Every key has a default.
type RunnersConfig struct {
	// ComputeType is CodeBuild's compute type: BUILD_GENERAL1_SMALL, _MEDIUM (default) or
	// _LARGE. SMALL's 3 GB do not compile the program.
	ComputeType string `json:"computeType"`
	// Arch is the build's architecture: x86_64 (default) or arm64 (Graviton; cheaper per
	// minute, unpriced by `platform cost`).
	Arch string `json:"arch"`
	// TimeoutMinutes ends a job's build: at least the CI role's session (240 minutes: a first
	// `up` may take that long), at most CodeBuild's 2160. Default 240.
	TimeoutMinutes int `json:"timeoutMinutes"`
	// LogRetentionDays keeps the builds' logs (a CloudWatch Logs retention). Default 365.
	LogRetentionDays int `json:"logRetentionDays"`
}

// RunnersTokenKey is the secret GitHub token CodeBuild registers the runners and creates the
// repository's webhook with (a fine-grained token on the infrastructure repository only).
const RunnersTokenKey = Namespace + ":runnersGitHubToken"

// DefaultRunners is platform:runners when the stack does not set it.
func DefaultRunners() RunnersConfig {
	return RunnersConfig{ComputeType: runnerplan.Medium, Arch: runnerplan.X86, TimeoutMinutes: ghplan.CISessionSeconds / 60, LogRetentionDays: 365}
}

// UsesCodeBuildRunners is whether the program builds the stack's runners.
func (c *Config) UsesCodeBuildRunners() bool {
	return c.GitHub.Owner != "" && c.GitHub.Runners == ghplan.CodeBuild
}

func (c *Config) validateRunners(errs *Errors) {
	const k = Namespace + ":runners"
	r := c.Runners
	if _, err := runnerplan.EnvironmentFor(r.ComputeType, runnerplan.X86); err != nil {
		errs.add(k+".computeType", fmt.Sprintf("%q is not allowed; use one of %v (BUILD_GENERAL1_SMALL's 3 GB do not compile the program)", r.ComputeType, runnerplan.ComputeTypes))
	}
	if r.Arch != runnerplan.X86 && r.Arch != runnerplan.ARM {
		errs.add(k+".arch", fmt.Sprintf("%q is not allowed; use %q or %q", r.Arch, runnerplan.X86, runnerplan.ARM))
	}
	if minimum := ghplan.CISessionSeconds / 60; r.TimeoutMinutes < minimum || r.TimeoutMinutes > runnerplan.MaxTimeoutMinutes {
		errs.add(k+".timeoutMinutes", fmt.Sprintf("%d is not allowed; use %d to %d: a job may run as long as the CI role's session (%d minutes, a first `up`), and CodeBuild ends builds after %d",
			r.TimeoutMinutes, minimum, runnerplan.MaxTimeoutMinutes, minimum, runnerplan.MaxTimeoutMinutes))
	}
	checkRetention(errs, k+".logRetentionDays", r.LogRetentionDays)
	if c.GitHub.Runners != ghplan.CodeBuild {
		return
	}
	if c.GitHub.Owner == "" {
		errs.add(Namespace+":github.runners", fmt.Sprintf("is %q but platform:github.owner is not set: the runners serve the infrastructure repository's release workflow; set platform:github", ghplan.CodeBuild))
	}
	if !c.HasRunnersToken {
		errs.addSecret(secretOf(RunnersTokenKey), fmt.Sprintf("is not set: CodeBuild registers the runners and creates %s's webhook with it (platform:github.runners %q)", c.GitHub.InfraRepo, ghplan.CodeBuild))
	}
}
