package config

import (
	"slices"

	"github.com/example/platform/components/githubint/ghplan"
)

// GitHubConfig is platform:github: the GitHubIntegration component exists when owner is set.
// The GitHub provider itself is configured the Pulumi way: github:owner and github:token
// (secret) in the stack file.
type GitHubConfig struct {
	// Owner is the GitHub organization.
	Owner string `json:"owner"`
	// GitOpsRepo is the repository Argo CD deploys from (name within Owner).
	GitOpsRepo string `json:"gitopsRepo"`
	// InfraRepo is the repository whose workflows deploy this program.
	InfraRepo string `json:"infraRepo"`
	// CISubjects are the OIDC sub suffixes that may assume the CI role. Default
	// ["environment:<stack>"]: the workflows in .github/workflows run in the stack's GitHub
	// environment (whose protection rules then decide who deploys).
	CISubjects []string `json:"ciSubjects,omitempty"`
	// CIPolicyArns are extra IAM policies of the CI role, besides the deploy policy the program
	// builds from what it creates. Optional; the broad ones are refused in prod unless
	// AllowBroadCIPolicies accepts them.
	CIPolicyArns []string `json:"ciPolicyArns,omitempty"`
	// AllowBroadCIPolicies accepts AdministratorAccess, PowerUserAccess or IAMFullAccess in
	// ciPolicyArns where the environment refuses them (prod).
	AllowBroadCIPolicies bool `json:"allowBroadCIPolicies,omitempty"`
	// OIDCProviderArn reuses the account's existing GitHub OIDC provider.
	OIDCProviderArn string `json:"oidcProviderArn,omitempty"`
	// ReviewerTeams (slugs) must approve deployments of this stack. Required in prod.
	ReviewerTeams []string `json:"reviewerTeams,omitempty"`
	// Runners are where the workflows deploying this stack run: "self-hosted" (default;
	// runners that reach the private API endpoint, labelled platform-<stack>) or
	// "github-hosted" (needs the public endpoint open to 0.0.0.0/0).
	Runners string `json:"runners"`
	// RunnerGroup puts self-hosted runners in a runner group that serves only the release
	// workflow on the default branch (ghplan.ReleaseWorkflow). Default true; GitHub offers
	// workflow-restricted runner groups on GitHub Enterprise Cloud only: false accepts that any
	// workflow of the infrastructure repository, from any branch, runs on the runners (prod
	// previews warn).
	RunnerGroup *bool `json:"runnerGroup,omitempty"`
	// ProtectRepositories manages the GitOps and infrastructure repositories' rulesets and
	// CODEOWNERS (ghplan.CodeOwners). Default true in prod, false in dev: exactly one stack of
	// those sharing the repositories manages them.
	ProtectRepositories *bool `json:"protectRepositories,omitempty"`
}

// UsesRunnerGroup is whether the stack's workflows run in its runner group.
func (c *Config) UsesRunnerGroup() bool {
	return c.GitHub.Runners == ghplan.SelfHosted && (c.GitHub.RunnerGroup == nil || *c.GitHub.RunnerGroup)
}

// ProtectsRepositories is whether this stack manages the repositories' protection.
func (c *Config) ProtectsRepositories() bool {
	if p := c.GitHub.ProtectRepositories; p != nil {
		return *p
	}
	return c.Policy().ProtectRepositories
}

// AdminTeams are the platform's admins, who own the repositories' code and create the release
// tags: the GitHub teams with role:admin in Argo CD, or without Argo CD the teams that approve
// the stack's deployments (platform:github.reviewerTeams).
func (c *Config) AdminTeams() []string {
	var out []string
	if c.ArgoCD.Enabled {
		for _, t := range c.ArgoCD.Teams {
			if c.ArgoCDRoles()[t] == "role:admin" {
				out = append(out, t)
			}
		}
	}
	if len(out) == 0 {
		out = append(out, c.GitHub.ReviewerTeams...)
	}
	return out
}

// ArgoCDConfig is platform:argocd.
type ArgoCDConfig struct {
	AddonBase
	// ClientID of the GitHub OAuth app; its secret is platform:argocdClientSecret (secret).
	ClientID string `json:"clientId"`
	// Teams of platform:github.owner allowed to log in.
	Teams []string `json:"teams"`
	// Roles maps a team to its Argo CD role. Default: every team is role:admin.
	Roles map[string]string `json:"roles,omitempty"`
	// Path in the GitOps repository of this stack's app-of-apps. Default clusters/<stack>.
	Path string `json:"path"`
	// Revision the root app follows: a branch in dev (default main), a release tag in prod
	// (changing it is the promotion).
	Revision string `json:"revision"`
	// TeamsRevision is what the teams' ApplicationSet follows in every stack: default main,
	// the GitOps repository's protected default branch. Each stack deploys its own overlay
	// there (teams/<team>/apps/<app>/overlays/<stack>), so a team promotes one app to prod by a
	// reviewed commit to that app's prod overlay (`platform app promote`), without a platform
	// release. A release tag here instead brings back the release-tag model for the teams.
	TeamsRevision string `json:"teamsRevision"`
	// DestinationNamespaces the platform's AppProject may deploy into. Default ["apps-*"].
	DestinationNamespaces []string `json:"destinationNamespaces"`
	// AutoSyncApps lets the teams' Applications (the ApplicationSet's) sync by themselves,
	// with prune and self-heal. Default true; false makes every sync a person's click.
	AutoSyncApps bool `json:"autoSyncApps"`
}

// ArgoCDSecretKey is the secret config key holding the GitHub OAuth app's client secret.
const ArgoCDSecretKey = Namespace + ":argocdClientSecret"

// DefaultArgoCD is Argo CD on, following main at clusters/<stack>.
func DefaultArgoCD(stack string) ArgoCDConfig {
	return ArgoCDConfig{
		AddonBase:             AddonBase{Enabled: true},
		Path:                  "clusters/" + stack,
		Revision:              "main",
		TeamsRevision:         "main",
		DestinationNamespaces: []string{"apps-*"},
		AutoSyncApps:          true,
	}
}

// ArgoCDRoles is the effective team → role map.
func (c *Config) ArgoCDRoles() map[string]string {
	if len(c.ArgoCD.Roles) > 0 {
		return c.ArgoCD.Roles
	}
	out := map[string]string{}
	for _, t := range c.ArgoCD.Teams {
		out[t] = "role:admin"
	}
	return out
}

// ArgoCDLoginTeams are the GitHub teams Dex admits: platform:argocd.teams, then each product
// team's githubTeam. Product teams get no global role (ArgoCDRoles names only the platform's):
// their project's role is all they have.
func (c *Config) ArgoCDLoginTeams() []string {
	out := append([]string(nil), c.ArgoCD.Teams...)
	for _, t := range c.Teams {
		if t.GitHubTeam != "" && !slices.Contains(out, t.GitHubTeam) {
			out = append(out, t.GitHubTeam)
		}
	}
	return out
}

// CISubjects is the effective list of OIDC subject suffixes.
func (c *Config) CISubjects() []string {
	if len(c.GitHub.CISubjects) > 0 {
		return c.GitHub.CISubjects
	}
	return []string{"environment:" + c.Stack}
}
