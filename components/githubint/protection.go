package githubint

import (
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-github/sdk/v6/go/github"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/githubint/ghplan"
)

// protectRepositories manages, on the GitOps and the infrastructure repositories, what
// ghplan's package comment says: CODEOWNERS, a ruleset on the default branch (reviewed pull
// requests with the code owners' approval, no force push, no deletion) and two on the release
// tags (only the admin teams create them; nobody moves or deletes them).
func protectRepositories(ctx *pulumi.Context, name string, a *Args, parent pulumi.ResourceOption) error {
	admins, err := teamIDs(ctx, a.Owner, a.AdminTeams)
	if err != nil {
		return err
	}
	owner := github.RepositoryRulesetBypassActorArgs{
		ActorId: pulumi.Int(ghplan.OrganizationAdminActorID), ActorType: pulumi.String(ghplan.OrganizationAdminActor), BypassMode: pulumi.String("always"),
	}
	releasers := github.RepositoryRulesetBypassActorArray{owner}
	for _, id := range admins {
		releasers = append(releasers, github.RepositoryRulesetBypassActorArgs{
			ActorId: pulumi.Int(id), ActorType: pulumi.String(ghplan.TeamActor), BypassMode: pulumi.String("always"),
		})
	}
	repos := []struct {
		key, repo string
		teams     []ghplan.TeamDir
	}{{"gitops", a.GitOpsRepo, a.TeamDirs}, {"infra", a.InfraRepo, nil}}
	for _, r := range repos {
		prefix := fmt.Sprintf("%s-%s-", name, r.key)
		// CODEOWNERS first: once the branch ruleset exists, only an organization owner's
		// commit (the program's token) lands on the branch without a pull request.
		codeOwners, err := github.NewRepositoryFile(ctx, prefix+"codeowners", &github.RepositoryFileArgs{
			Repository:        pulumi.String(r.repo),
			File:              pulumi.String(ghplan.CodeOwnersPath),
			Content:           pulumi.String(ghplan.CodeOwners(a.Owner, a.AdminTeams, r.teams)),
			CommitMessage:     pulumi.String("CODEOWNERS: managed by the platform program"),
			OverwriteOnCreate: pulumi.Bool(true),
		}, parent)
		if err != nil {
			return err
		}
		if _, err := github.NewRepositoryRuleset(ctx, prefix+"default-branch", &github.RepositoryRulesetArgs{
			Name:         pulumi.String("platform: reviewed changes only"),
			Repository:   pulumi.String(r.repo),
			Target:       pulumi.String("branch"),
			Enforcement:  pulumi.String("active"),
			BypassActors: github.RepositoryRulesetBypassActorArray{owner},
			Conditions:   refs("~DEFAULT_BRANCH"),
			Rules: github.RepositoryRulesetRulesArgs{
				Deletion: pulumi.Bool(true), NonFastForward: pulumi.Bool(true),
				PullRequest: github.RepositoryRulesetRulesPullRequestArgs{
					RequiredApprovingReviewCount: pulumi.Int(1), RequireCodeOwnerReview: pulumi.Bool(true),
					DismissStaleReviewsOnPush: pulumi.Bool(true), RequireLastPushApproval: pulumi.Bool(true),
				},
			},
		}, parent, pulumi.DependsOn([]pulumi.Resource{codeOwners})); err != nil {
			return err
		}
		if _, err := github.NewRepositoryRuleset(ctx, prefix+"release-tags-create", &github.RepositoryRulesetArgs{
			Name:         pulumi.String("platform: release tags by the admins"),
			Repository:   pulumi.String(r.repo),
			Target:       pulumi.String("tag"),
			Enforcement:  pulumi.String("active"),
			BypassActors: releasers,
			Conditions:   refs(ghplan.ReleaseTagPattern),
			Rules:        github.RepositoryRulesetRulesArgs{Creation: pulumi.Bool(true)},
		}, parent); err != nil {
			return err
		}
		// No bypass: a release tag, once there, is what prod ran, for everyone.
		if _, err := github.NewRepositoryRuleset(ctx, prefix+"release-tags-immutable", &github.RepositoryRulesetArgs{
			Name:        pulumi.String("platform: release tags never move"),
			Repository:  pulumi.String(r.repo),
			Target:      pulumi.String("tag"),
			Enforcement: pulumi.String("active"),
			Conditions:  refs(ghplan.ReleaseTagPattern),
			Rules:       github.RepositoryRulesetRulesArgs{Update: pulumi.Bool(true), Deletion: pulumi.Bool(true), NonFastForward: pulumi.Bool(true)},
		}, parent); err != nil {
			return err
		}
	}
	return nil
}

func refs(include string) github.RepositoryRulesetConditionsArgs {
	return github.RepositoryRulesetConditionsArgs{RefName: github.RepositoryRulesetConditionsRefNameArgs{
		Includes: pulumi.StringArray{pulumi.String(include)}, Excludes: pulumi.StringArray{},
	}}
}

// newRunnerGroup puts the stack's self-hosted runners in a group only the infrastructure
// repository's release workflow, on its default branch, may use (ghplan.ReleaseWorkflow).
func newRunnerGroup(ctx *pulumi.Context, name string, a *Args, parent pulumi.ResourceOption) error {
	repo, err := github.LookupRepository(ctx, &github.LookupRepositoryArgs{FullName: pulumi.StringRef(a.Owner + "/" + a.InfraRepo)})
	if err != nil {
		return fmt.Errorf("looking up GitHub repository %s/%s: %w", a.Owner, a.InfraRepo, err)
	}
	_, err = github.NewActionsRunnerGroup(ctx, name+"-runner-group", &github.ActionsRunnerGroupArgs{
		Name:                     pulumi.String(ghplan.RunnerGroup(a.Stack)),
		Visibility:               pulumi.String("selected"),
		SelectedRepositoryIds:    pulumi.IntArray{pulumi.Int(repo.RepoId)},
		RestrictedToWorkflows:    pulumi.Bool(true),
		SelectedWorkflows:        pulumi.StringArray{pulumi.String(ghplan.ReleaseWorkflow(a.Owner, a.InfraRepo))},
		AllowsPublicRepositories: pulumi.Bool(false),
	}, parent)
	return err
}

// teamIDs are the numeric ids of the organization's teams (slugs), as rulesets and environments
// name them.
func teamIDs(ctx *pulumi.Context, owner string, slugs []string) ([]int, error) {
	var out []int
	for _, slug := range slugs {
		team, err := github.LookupTeam(ctx, &github.LookupTeamArgs{Slug: slug, SummaryOnly: pulumi.BoolRef(true)})
		if err != nil {
			return nil, fmt.Errorf("looking up GitHub team %s/%s: %w", owner, slug, err)
		}
		id, err := strconv.Atoi(team.Id)
		if err != nil {
			return nil, fmt.Errorf("GitHub team %s has id %q: %w", slug, team.Id, err)
		}
		out = append(out, id)
	}
	return out, nil
}
