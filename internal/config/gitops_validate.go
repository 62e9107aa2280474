package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/example/platform/internal/contract"

	"github.com/example/platform/components/githubint/ghplan"
)

var (
	ghOwnerPattern   = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,37}[A-Za-z0-9])?$`)
	ghRepoPattern    = regexp.MustCompile(`^[A-Za-z0-9._-]{1,100}$`)
	ghTeamPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,99}$`)
	ciSubjectPattern = regexp.MustCompile(`^(ref:refs/(heads|tags)/[A-Za-z0-9._/-]+|environment:[A-Za-z0-9._-]+)$`)
	policyArnPattern = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::(aws|[0-9]{12}):policy/[A-Za-z0-9+=,.@_/-]+$`)
	oidcArnPattern   = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:oidc-provider/token\.actions\.githubusercontent\.com$`)
	// A destination namespace: a DNS label, or a prefix ending in "-" and "*" ("apps-*").
	nsPattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]*[a-z0-9])?|[a-z0-9][a-z0-9-]*-\*)$`)
)

// validTeamsRevision: main or a release tag where prod's rules hold (the two refs the
// repository's rulesets protect), else any branch or tag name.
func validTeamsRevision(rev string, protectedOnly bool) bool {
	if !gitRef.MatchString(rev) || strings.Contains(rev, "..") {
		return false
	}
	return !protectedOnly || rev == "main" || IsReleaseTag(rev)
}

// IsReleaseTag says whether rev has the release tags' form (v1, v1.4, v1.4.0, v1.4.0-rc.1).
func IsReleaseTag(rev string) bool { return releaseTag.MatchString(rev) }

var (
	gitRef     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$`)
	releaseTag = regexp.MustCompile(`^v[0-9]+(\.[0-9]+){0,2}([-+][0-9A-Za-z.-]+)?$`)
)

// branchRevisions are what a prod root app must not follow: prod follows a release tag.
var branchRevisions = []string{"", "main", "master", "HEAD", "develop", "trunk"}

// BroadCIPolicies are AWS managed policies too broad for the CI role of a production stack.
var BroadCIPolicies = []string{"AdministratorAccess", "PowerUserAccess", "IAMFullAccess"}

func (c *Config) validateGitOps(errs *Errors) {
	const ak = Namespace + ":argocd"
	g, a := c.GitHub, c.ArgoCD
	if g.Owner != "" || a.Enabled {
		c.validateGitHub(errs)
		c.validateGitHubProvider(errs)
	}
	if !a.Enabled {
		return
	}
	if a.ClientID == "" {
		errs.add(ak+".clientId", "is required: the client ID of the GitHub OAuth app Argo CD logs in with (see README, \"Argo CD\")")
	}
	if !c.HasArgoCDSecret {
		errs.addSecret(secretOf(ArgoCDSecretKey), "is required when Argo CD is enabled: the client secret of the GitHub OAuth app Argo CD logs in with")
	}
	if len(a.Teams) == 0 {
		errs.add(ak+".teams", "is required: the GitHub teams (slugs) of platform:github.owner that may log in")
	}
	for i, t := range a.Teams {
		if !ghTeamPattern.MatchString(t) {
			errs.add(fmt.Sprintf("%s.teams[%d]", ak, i), fmt.Sprintf("%q is not a GitHub team slug; use e.g. platform-admins (lowercase, as in the team's URL)", t))
		}
	}
	if len(a.Roles) > 0 {
		for _, t := range a.Teams {
			// A team that is not a slug already has its error; its role would only repeat it.
			if _, ok := a.Roles[t]; !ok && ghTeamPattern.MatchString(t) {
				errs.add(ak+".roles", fmt.Sprintf("has no role for team %q: give every team in platform:argocd.teams a role, or leave roles unset (every team role:admin); a team without a role could log in and see nothing", t))
			}
		}
	}
	// Sorted: the same config gives the same errors in the same order.
	for _, t := range slices.Sorted(maps.Keys(a.Roles)) {
		role := a.Roles[t]
		if !slices.Contains(a.Teams, t) {
			errs.add(ak+".roles."+t, "is not one of platform:argocd.teams; only teams that can log in can have a role")
		}
		if !strings.HasPrefix(role, "role:") {
			errs.add(ak+".roles."+t, fmt.Sprintf("%q is not an Argo CD role; use role:admin, role:readonly or role:<custom>", role))
		}
	}
	if strings.HasPrefix(a.Path, "/") || a.Path == "" || strings.Contains(a.Path, "..") {
		errs.add(ak+".path", fmt.Sprintf("%q is not a path in the repository; use e.g. clusters/%s", a.Path, c.Stack))
	}
	if c.Policy().RequireReleaseTag && slices.Contains(branchRevisions, a.Revision) {
		errs.add(ak+".revision", fmt.Sprintf("%q is not allowed in %s: prod follows a release tag (e.g. v1.4.0); changing the tag is the promotion", a.Revision, c.env()))
	}
	if !validTeamsRevision(a.TeamsRevision, c.Policy().RequireReleaseTag) {
		errs.add(ak+".teamsRevision", fmt.Sprintf("%q is not allowed in %s: use main (the GitOps repository's protected default branch, where each app's prod overlay is promoted by a reviewed commit) or a release tag such as v1.4.0; another branch is not protected by the repository's rulesets, and a push to it would deploy to prod unreviewed", a.TeamsRevision, c.env()))
	}
	for i, n := range a.DestinationNamespaces {
		key := fmt.Sprintf("%s.destinationNamespaces[%d]", ak, i)
		switch reached := platformNamespaceReached(n); {
		case !nsPattern.MatchString(n):
			errs.add(key, fmt.Sprintf("%q is not allowed; list namespaces (DNS labels) or prefixes ending in \"-*\" such as apps-* (never a bare * or a pattern like p*, which would reach teams' namespaces)", n))
		case reached == contract.ArgoCDNamespace:
			errs.add(key, fmt.Sprintf("%q reaches %s: Argo CD's own configuration is not deployed from Git", n, contract.ArgoCDNamespace))
		case reached != "":
			errs.add(key, fmt.Sprintf("%q reaches the platform namespace %s, which the program manages; Git deploys the platform's applications into namespaces of their own, e.g. apps-*", n, reached))
		}
	}
	if len(a.DestinationNamespaces) == 0 {
		errs.add(ak+".destinationNamespaces", "is empty; list the namespaces the GitOps apps may deploy into, e.g. [apps-*]")
	}
	if a.Replicas != nil {
		r := *a.Replicas
		if r < 1 || r < c.Policy().MinReplicas {
			errs.add(ak+".replicas", fmt.Sprintf("%d is not allowed; use 1 or more, 2 or more in prod", r))
		}
	}
	if !c.Addons.ExternalSecrets.Enabled || !c.Addons.LoadBalancerController.Enabled {
		errs.add(ak+".enabled", "needs platform:addons.externalSecrets.enabled and platform:addons.loadBalancerController.enabled: its secrets come from SSM and it is served through the shared ALB")
	}
	// redis-ha keeps its three pods on separate nodes.
	if a.ReplicasOr(c.Policy()) > 1 && c.minNodes() < 3 {
		errs.add(ak+".replicas", fmt.Sprintf("%d replicas (HA Argo CD with redis-ha; %d is the default in %s) need at least 3 nodes, but the node groups' minSize (platform:cluster.nodeGroups[].minSize) adds up to %d; set replicas: 1 or raise minSize",
			a.ReplicasOr(c.Policy()), c.Policy().Replicas, c.env(), c.minNodes()))
	}
}

func (c *Config) minNodes() int {
	n := 0
	for _, ng := range c.Cluster.NodeGroups {
		n += ng.MinSize
	}
	return n
}

func (c *Config) validateGitHub(errs *Errors) {
	const k = Namespace + ":github"
	g := c.GitHub
	if g.Owner == "" {
		errs.add(k+".owner", "is required: the GitHub organization of the GitOps and infrastructure repositories")
	} else if !ghOwnerPattern.MatchString(g.Owner) {
		errs.add(k+".owner", fmt.Sprintf("%q is not a GitHub organization name", g.Owner))
	}
	for _, r := range []struct{ key, repo, example string }{
		{"gitopsRepo", g.GitOpsRepo, "gitops"}, {"infraRepo", g.InfraRepo, "platform-infra"},
	} {
		key, repo := r.key, r.repo
		switch {
		case repo == "":
			errs.add(k+"."+key, "is required: a repository name in platform:github.owner, e.g. "+r.example)
		case !ghRepoPattern.MatchString(repo) || repo == "." || repo == "..":
			errs.add(k+"."+key, fmt.Sprintf("%q is not a GitHub repository name (letters, digits, '.', '-', '_'; without the owner)", repo))
		}
	}
	for i, s := range g.CISubjects {
		switch {
		case !ciSubjectPattern.MatchString(s):
			errs.add(fmt.Sprintf("%s.ciSubjects[%d]", k, i), fmt.Sprintf("%q is not allowed; use ref:refs/heads/<branch>, ref:refs/tags/<tag> or environment:<name> (no wildcards: the CI role must never trust repo:*)", s))
		case c.Policy().RequireEnvironmentSubjects && !strings.HasPrefix(s, "environment:"):
			errs.add(fmt.Sprintf("%s.ciSubjects[%d]", k, i), fmt.Sprintf("%q is not allowed in %s: a branch or tag subject skips the GitHub environment's reviewers and ref rules; use environment:%s", s, c.env(), c.Stack))
		}
	}
	for i, arn := range g.CIPolicyArns {
		key := fmt.Sprintf("%s.ciPolicyArns[%d]", k, i)
		switch name := arn[strings.LastIndex(arn, "/")+1:]; {
		case !policyArnPattern.MatchString(arn):
			errs.add(key, fmt.Sprintf("%q is not an IAM policy ARN", arn))
		case slices.Contains(BroadCIPolicies, name) && strings.Contains(arn, ":iam::aws:policy/") && c.Policy().Protect && !g.AllowBroadCIPolicies:
			errs.add(key, fmt.Sprintf("%s is not allowed in %s: the CI role already gets the deploy policy the program builds from what it creates, and %s would let anything that assumes it (a workflow run) do anything in the account, the permissions boundary excepted; set platform:github.allowBroadCIPolicies: true to accept it knowingly", name, c.env(), name))
		}
	}
	if _, err := ghplan.CIPolicyNames(g.CIPolicyArns); err != nil {
		errs.add(k+".ciPolicyArns", err.Error()+"; each policy's attachment is named after it")
	}
	if g.OIDCProviderArn != "" && !oidcArnPattern.MatchString(g.OIDCProviderArn) {
		errs.add(k+".oidcProviderArn", fmt.Sprintf("%q is not the ARN of a token.actions.githubusercontent.com OIDC provider", g.OIDCProviderArn))
	}
	switch g.Runners {
	case ghplan.SelfHosted, ghplan.CodeBuild:
	case ghplan.GitHubHosted:
		if !c.OpenToInternet() {
			errs.add(k+".runners", fmt.Sprintf("%q needs the cluster's public endpoint open to them, and GitHub-hosted runners have no fixed addresses: add 0.0.0.0/0 to platform:cluster.publicAccessCidrs (in prod also platform:cluster.allowOpenEndpoint: true), or run self-hosted runners that reach the private endpoint (runners: %s)", g.Runners, ghplan.SelfHosted))
		}
	default:
		errs.add(k+".runners", fmt.Sprintf("%q is not allowed; use %q (your own runners that reach the private API endpoint, labelled platform-%s), %q (CodeBuild runners the program builds in the VPC) or %q", g.Runners, ghplan.SelfHosted, c.Stack, ghplan.CodeBuild, ghplan.GitHubHosted))
	}
	if c.ProtectsRepositories() && len(c.AdminTeams()) == 0 && g.Owner != "" {
		errs.add(k+".protectRepositories", "needs the platform's admin teams, the repositories' code owners and release taggers: a team of platform:argocd.teams with role:admin, or platform:github.reviewerTeams (or set protectRepositories: false in the stacks that do not manage the repositories)")
	}
	if c.Policy().RequireReviewers && len(g.ReviewerTeams) == 0 {
		errs.add(k+".reviewerTeams", "is required in "+c.env()+": the GitHub teams that approve production deployments")
	}
	for i, t := range g.ReviewerTeams {
		if !ghTeamPattern.MatchString(t) {
			errs.add(fmt.Sprintf("%s.reviewerTeams[%d]", k, i), fmt.Sprintf("%q is not a GitHub team slug", t))
		}
	}
}

// platformNamespaceReached is the platform namespace a destination pattern reaches ("kube-*"
// for any of Kubernetes' own), or "".
func platformNamespaceReached(pattern string) string {
	for _, ns := range contract.PlatformNamespaces {
		if contract.MatchesNamespace(pattern, ns) {
			return ns
		}
	}
	const kube = "kube-"
	if prefix, ok := strings.CutSuffix(pattern, "*"); (ok && (strings.HasPrefix(prefix, kube) || strings.HasPrefix(kube, prefix))) || strings.HasPrefix(pattern, kube) {
		return kube + "*"
	}
	return ""
}
