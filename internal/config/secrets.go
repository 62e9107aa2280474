package config

import (
	"fmt"
	"os"
)

// Provider config the program reads outside its own namespace, to check it against its own:
// the GitHub provider acts on github:owner with github:token (or GITHUB_OWNER and GITHUB_TOKEN).
const (
	GitHubOwnerKey = "github:owner"
	GitHubTokenKey = "github:token"
)

// ProviderKeys are the other namespaces' keys Load reads.
var ProviderKeys = []string{GitHubOwnerKey, GitHubTokenKey, DefaultTagsKey}

// Secret is one secret a stack needs and the command that sets it. The example stack files
// hold none: `pulumi config set --secret` encrypts each for its stack.
type Secret struct{ Key, Set string }

// Secrets are every secret the program reads, in the order a user sets them.
var Secrets = []Secret{
	{GitHubTokenKey, "pulumi config set --secret github:token <a GitHub token: see Pulumi.yaml for its permissions>"},
	{ArgoCDSecretKey, "pulumi config set --secret platform:argocdClientSecret <the GitHub OAuth app's client secret>"},
	{RunnersTokenKey, "pulumi config set --secret platform:runnersGitHubToken <a fine-grained GitHub token on the infrastructure repository: see Pulumi.yaml>"},
}

func secretOf(key string) Secret {
	for _, s := range Secrets {
		if s.Key == key {
			return s
		}
	}
	return Secret{Key: key}
}

// decodeProviderConfig records what the GitHub provider will use, and refuses a secret given in
// plain text.
func (c *Config) decodeProviderConfig(values map[string]string, secretKeys map[string]bool, errs *Errors) {
	c.HasArgoCDSecret = values[ArgoCDSecretKey] != ""
	c.HasRunnersToken = values[RunnersTokenKey] != ""
	c.HasGitHubToken = values[GitHubTokenKey] != "" || os.Getenv("GITHUB_TOKEN") != ""
	c.GitHubProviderOwner = values[GitHubOwnerKey]
	if c.GitHubProviderOwner == "" {
		c.GitHubProviderOwner = os.Getenv("GITHUB_OWNER")
	}
	for _, s := range Secrets {
		if values[s.Key] != "" && !secretKeys[s.Key] {
			errs.addSecret(s, fmt.Sprintf("must be a secret: a plain value sits unencrypted in the stack file; set it with `%s`", s.Set))
		}
	}
}

// validateGitHubProvider checks that the GitHub provider acts where platform:github says: the
// deploy key, environment and variables land in github:owner's repositories.
func (c *Config) validateGitHubProvider(errs *Errors) {
	owner := c.GitHub.Owner
	if !c.HasGitHubToken {
		errs.addSecret(secretOf(GitHubTokenKey), "is not set (nor GITHUB_TOKEN): the GitHub provider needs a token to create the deploy key, environment and variables")
	}
	switch p := c.GitHubProviderOwner; {
	case owner == "":
	case p == "":
		errs.add(GitHubOwnerKey, fmt.Sprintf("is not set (nor GITHUB_OWNER): the GitHub provider would act on the token's own account, not %s; `pulumi config set github:owner %s`", owner, owner))
	case p != owner:
		errs.add(GitHubOwnerKey, fmt.Sprintf("is %q but platform:github.owner is %q: the deploy key and environment would land in %s's repositories; set both to the same organization", p, owner, p))
	}
}
