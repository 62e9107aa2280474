// Package ghplan is the GitHub integration's pure planning: the CI role's trust, the
// repository URL, and the stable names of the CI policy attachments. No cloud SDK: config
// validation and the component both use it.
package ghplan

import (
	"fmt"
	"strings"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
)

// GitHub Actions' OIDC issuer and the audience AWS's credential action requests.
const (
	OIDCHost     = "token.actions.githubusercontent.com"
	OIDCAudience = "sts.amazonaws.com"
)

// CISessionSeconds is how long the CI role's credentials last: a first `up` can take the
// cluster (about 15 minutes), its node groups, Helm releases waiting up to 15 minutes each and
// up to 75 minutes of certificate validation. The workflows request exactly this
// (role-duration-seconds); the role allows it (MaxSessionDuration, at most 12 hours).
const CISessionSeconds = 4 * 3600

// Where the workflows that deploy a stack run (platform:github.runners).
const (
	// SelfHosted runners run inside the stack's VPC (or a network that reaches its private API
	// endpoint), labelled RunnerLabel(stack).
	SelfHosted = "self-hosted"
	// GitHubHosted runners have no fixed addresses: the cluster's public endpoint must be open
	// to 0.0.0.0/0 for them.
	GitHubHosted = "github-hosted"
	// CodeBuild runners are the program's own (components/runners): AWS CodeBuild starts one
	// ephemeral runner per queued job of the release workflow, in the stack's private subnets.
	CodeBuild = "codebuild"
)

// RunsOn is the runs-on of the jobs that deploy a stack: GitHub's ubuntu-latest, the stack's
// CodeBuild project (CodeBuildLabel), or the self-hosted runners labelled for the stack, in its
// runner group (RunnerGroup) when it has one.
func RunsOn(runners, stack, cluster string, group bool) (runnerGroup string, labels []string) {
	switch runners {
	case GitHubHosted:
		return "", []string{"ubuntu-latest"}
	case CodeBuild:
		return "", []string{CodeBuildLabel(cluster)}
	}
	if group {
		runnerGroup = RunnerGroup(stack)
	}
	return runnerGroup, []string{"self-hosted", "linux", "platform-" + stack}
}

// RepoSSHURL is the GitOps repository's SSH URL, as Argo CD fetches it with the deploy key.
func RepoSSHURL(owner, repo string) string {
	return fmt.Sprintf("git@github.com:%s/%s.git", owner, repo)
}

// CISubjects expands the configured subject suffixes for the infrastructure repository.
func CISubjects(owner, repo string, suffixes []string) []string {
	out := make([]string, len(suffixes))
	for i, s := range suffixes {
		out[i] = fmt.Sprintf("repo:%s/%s:%s", owner, repo, s)
	}
	return out
}

// CITrust lets only the configured workflows of the infrastructure repository assume the CI
// role: audience pinned, subjects matched exactly (StringEquals, so no wildcard slips in).
func CITrust(providerArn, owner, repo string, suffixes []string) iampolicy.Document {
	return iampolicy.New(iampolicy.Statement{
		Effect:    "Allow",
		Principal: map[string][]string{"Federated": {providerArn}},
		Action:    []string{"sts:AssumeRoleWithWebIdentity"},
		Condition: map[string]map[string][]string{"StringEquals": {
			OIDCHost + ":aud": {OIDCAudience},
			OIDCHost + ":sub": CISubjects(owner, repo, suffixes),
		}},
	})
}

// CIPolicyNames keys each CI policy attachment by the policy's name (the ARN's last segment),
// which does not change when another policy is added before it; two policies with the same
// name are refused.
func CIPolicyNames(arns []string) (map[string]string, error) {
	out := map[string]string{}
	seen := map[string]string{}
	for _, arn := range arns {
		n := arn[strings.LastIndex(arn, "/")+1:]
		if prev, ok := seen[n]; ok {
			return nil, fmt.Errorf("CI policies %s and %s have the same name %q", prev, arn, n)
		}
		seen[n] = arn
		out[arn] = n
	}
	return out, nil
}

// CodeBuildLabel is the runs-on label CodeBuild answers for the stack's project: its name, and
// the run's id and attempt, which make each job's runner its own (CodeBuild's "label
// overrides": codebuild-<project>-${{ github.run_id }}-${{ github.run_attempt }}).
func CodeBuildLabel(cluster string) string {
	return "codebuild-" + contract.RunnerProjectName(cluster) + "-${{ github.run_id }}-${{ github.run_attempt }}"
}
