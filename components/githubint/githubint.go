// Package githubint is the GitHubIntegration component: a read-only deploy key for Argo CD on
// the GitOps repository, and the identity CI deploys the infrastructure with (GitHub Actions
// OIDC, no long-lived AWS keys), plus the GitHub environments and variables CI uses.
package githubint

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi-github/sdk/v6/go/github"
	"github.com/pulumi/pulumi-tls/sdk/v5/go/tls"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/cluster/clusterplan"
	"github.com/example/platform/components/githubint/ghplan"
	"github.com/example/platform/components/handle"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
	"github.com/example/platform/internal/pulumix"
)

// Args configures the integration.
type Args struct {
	// Owner is the GitHub organization; GitOpsRepo and InfraRepo are repository names in it.
	Owner, GitOpsRepo, InfraRepo string
	// Stack names the GitHub environment CI deploys this stack from.
	Stack string
	// Cluster names the deploy key and its SSM parameter, and its key encrypts the parameter.
	Cluster handle.Cluster
	// CISubjects are the OIDC "sub" suffixes allowed to assume the CI role, e.g.
	// "ref:refs/heads/main" or "environment:prod"; each becomes repo:<owner>/<infra>:<suffix>.
	CISubjects []string
	// CIPolicyArns are extra policies attached to the CI role, besides the deploy policy the
	// program builds (ghplan.DeployPolicy). Optional.
	CIPolicyArns []string
	// OIDCProviderArn reuses the account's GitHub OIDC provider (there can be one per account);
	// empty creates it.
	OIDCProviderArn string
	// ReviewerTeams (slugs) must approve deployments from this stack's environment.
	ReviewerTeams []string
	// DeployBranch or DeployTag (a pattern) is the only ref whose workflows may run in the
	// stack's environment, and so obtain the OIDC subject the CI role trusts.
	DeployBranch, DeployTag string
	// Account is where CI deploys (its region becomes the AWS_REGION variable).
	Account contract.Account
	// Zone is the stack's zone and ParentZoneID its parent's (if delegated here): the only
	// zones the deploy policy may change.
	Zone         handle.Zone
	ParentZoneID string
	// PermissionsBoundary is the platform boundary, which the CI role carries; the roles it
	// creates carry it or the team boundary (components/boundary).
	PermissionsBoundary pulumi.StringInput
	// VpcID is the stack's VPC, whose default security group the CI role may adopt (optional).
	VpcID pulumi.StringInput
	// BackupCopyRegion is platform:backup.copyRegion (optional): the deploy policy allows the
	// copy vault and its key there, and nothing else outside the stack's region.
	BackupCopyRegion string
	// ProtectRepositories manages the GitOps and infrastructure repositories' CODEOWNERS and
	// rulesets (protectRepositories): AdminTeams own everything and create the release tags,
	// each of TeamDirs owns its directory of the GitOps repository. One stack of those sharing
	// the repositories sets it.
	ProtectRepositories bool
	AdminTeams          []string
	TeamDirs            []ghplan.TeamDir
	// RunnerGroup puts the stack's self-hosted runners in a group serving only the release
	// workflow on the default branch.
	RunnerGroup bool
}

// GitHubIntegration is the component.
type GitHubIntegration struct {
	pulumi.ResourceState

	DeployKeyParameter pulumi.StringOutput `pulumi:"deployKeyParameter"`
	CIRoleArn          pulumi.StringOutput `pulumi:"ciRoleArn"`
	// RepoURL is the GitOps repository's SSH URL, as Argo CD fetches it with the deploy key.
	RepoURL string

	owner           string
	oidcProviderArn pulumi.StringOutput
}

// Handle is what Argo CD needs of the integration: the repository and its deploy key.
func (g *GitHubIntegration) Handle() handle.GitHub {
	return handle.GitHub{RepoURL: g.RepoURL, DeployKeyParameter: g.DeployKeyParameter, Owner: g.owner, OIDCProviderArn: g.oidcProviderArn}
}

func (a *Args) validate() error {
	if a == nil || a.Owner == "" || a.GitOpsRepo == "" || a.InfraRepo == "" || a.Cluster.Name == "" || a.Stack == "" {
		return errors.New("githubint: Owner, GitOpsRepo, InfraRepo, Stack and Cluster are required")
	}
	if a.Account.Region == "" || a.Account.Partition == "" {
		return errors.New("githubint: Account.Region and Account.Partition are required (the AWS_REGION variable, the CI role's access policy)")
	}
	if len(a.CISubjects) == 0 {
		return errors.New("githubint: at least one CI subject is required")
	}
	if a.PermissionsBoundary == nil || a.Zone.Domain == "" {
		return errors.New("githubint: PermissionsBoundary and Zone are required (the CI role's boundary and deploy policy)")
	}
	if (a.DeployBranch == "") == (a.DeployTag == "") {
		return errors.New("githubint: exactly one of DeployBranch and DeployTag is required (who may deploy into the environment)")
	}
	if _, err := ghplan.CIPolicyNames(a.CIPolicyArns); err != nil {
		return fmt.Errorf("githubint: %w", err)
	}
	if a.ProtectRepositories && len(a.AdminTeams) == 0 {
		return errors.New("githubint: ProtectRepositories needs AdminTeams (the code owners and release taggers)")
	}
	return nil
}

// New creates the deploy key, the CI identity and the GitHub environment.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*GitHubIntegration, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	g := &GitHubIntegration{RepoURL: ghplan.RepoSSHURL(args.Owner, args.GitOpsRepo), owner: args.Owner}
	if err := ctx.RegisterComponentResource("platform:index:GitHubIntegration", name, g, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(g)

	// Rotation: `pulumi up --replace <this key's URN>` creates a new pair; the deploy key and
	// the SSM parameter follow from its outputs, and External Secrets refreshes Argo CD's copy.
	key, err := tls.NewPrivateKey(ctx, name+"-deploy-key", &tls.PrivateKeyArgs{Algorithm: pulumi.String("ED25519")}, parent)
	if err != nil {
		return nil, err
	}
	if _, err := github.NewRepositoryDeployKey(ctx, name+"-deploy-key", &github.RepositoryDeployKeyArgs{
		Repository: pulumi.String(args.GitOpsRepo),
		Title:      pulumi.Sprintf("argocd %s (%s)", args.Cluster.Name, args.Stack),
		Key:        key.PublicKeyOpenssh,
		ReadOnly:   pulumi.Bool(true),
	}, parent); err != nil {
		return nil, err
	}
	param, err := ssm.NewParameter(ctx, name+"-deploy-key", &ssm.ParameterArgs{
		Name:        pulumi.String(contract.DeployKeyParameter(args.Cluster.Name, args.Owner, args.GitOpsRepo)),
		Type:        pulumi.String("SecureString"),
		Value:       key.PrivateKeyOpenssh,
		KeyId:       args.Cluster.SecretsKeyArn,
		Description: pulumi.String("Read-only deploy key of " + args.Owner + "/" + args.GitOpsRepo + " for Argo CD on " + args.Cluster.Name),
	}, parent)
	if err != nil {
		return nil, err
	}

	roleArn, err := newCIRole(ctx, name, args, g, parent)
	if err != nil {
		return nil, err
	}
	if err := newEnvironment(ctx, name, args, roleArn, parent); err != nil {
		return nil, err
	}
	if args.ProtectRepositories {
		if err := protectRepositories(ctx, name, args, parent); err != nil {
			return nil, err
		}
	}
	if args.RunnerGroup {
		if err := newRunnerGroup(ctx, name, args, parent); err != nil {
			return nil, err
		}
	}

	g.DeployKeyParameter = param.Name
	g.CIRoleArn = roleArn
	if err := ctx.RegisterResourceOutputs(g, pulumi.Map{
		"deployKeyParameter": g.DeployKeyParameter,
		"ciRoleArn":          g.CIRoleArn,
	}); err != nil {
		return nil, err
	}
	return g, nil
}

func newCIRole(ctx *pulumi.Context, name string, a *Args, g *GitHubIntegration, parent pulumi.ResourceOption) (pulumi.StringOutput, error) {
	providerArn := pulumi.String(a.OIDCProviderArn).ToStringOutput()
	defer func() { g.oidcProviderArn = providerArn }()
	if a.OIDCProviderArn == "" {
		p, err := iam.NewOpenIdConnectProvider(ctx, name+"-github-oidc", &iam.OpenIdConnectProviderArgs{
			Url:           pulumi.String("https://" + ghplan.OIDCHost),
			ClientIdLists: pulumi.StringArray{pulumi.String(ghplan.OIDCAudience)},
			// No thumbprint: AWS validates GitHub's issuer against its trusted root CAs.
		}, parent,
			// One provider per account serves every stack and repository: destroying a stack
			// must not cut the others' CI off.
			pulumi.RetainOnDelete(true))
		if err != nil {
			return pulumi.StringOutput{}, err
		}
		providerArn = p.Arn
	}
	role, err := iam.NewRole(ctx, name+"-ci-role", &iam.RoleArgs{
		AssumeRolePolicy: pulumix.Policy(providerArn, func(arn string) iampolicy.Document {
			return ghplan.CITrust(arn, a.Owner, a.InfraRepo, a.CISubjects)
		}),
		Description:         pulumi.String("GitHub Actions of " + a.Owner + "/" + a.InfraRepo + " deploying stack " + a.Stack),
		MaxSessionDuration:  pulumi.Int(ghplan.CISessionSeconds),
		PermissionsBoundary: a.PermissionsBoundary,
	}, parent)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	// The deploy policy: what the platform's resources take, scoped to this stack.
	vpc := pulumi.StringInput(pulumi.String(""))
	if a.VpcID != nil {
		vpc = a.VpcID
	}
	deploy := pulumi.All(a.Zone.ZoneID, role.Arn, vpc).ApplyT(func(v []any) string {
		zones := []string{fmt.Sprintf("arn:%s:route53:::hostedzone/%s", a.Account.Partition, v[0])}
		if a.ParentZoneID != "" {
			zones = append(zones, fmt.Sprintf("arn:%s:route53:::hostedzone/%s", a.Account.Partition, a.ParentZoneID))
		}
		return ghplan.DeployPolicy(ghplan.Scope{
			Account: a.Account, Cluster: a.Cluster.Name, ZoneArns: zones,
			CIRoleArn: v[1].(string), VpcArn: vpcArn(a.Account, v[2].(string)), CopyRegion: a.BackupCopyRegion,
		}).JSON()
	}).(pulumi.StringOutput)
	if _, err := iam.NewRolePolicy(ctx, name+"-ci-deploy", &iam.RolePolicyArgs{Role: role.ID(), Policy: deploy}, parent); err != nil {
		return pulumi.StringOutput{}, err
	}
	if err := newClusterAccess(ctx, name, a, role, parent); err != nil {
		return pulumi.StringOutput{}, err
	}
	names, _ := ghplan.CIPolicyNames(a.CIPolicyArns) // checked in validate
	for i, arn := range a.CIPolicyArns {
		if _, err := iam.NewRolePolicyAttachment(ctx, name+"-ci-policy-"+names[arn], &iam.RolePolicyAttachmentArgs{
			Role: role.Name, PolicyArn: pulumi.String(arn),
		}, parent,
			// Until this change attachments were named by list position; the alias adopts
			// them under the new name instead of detaching and re-attaching the policy.
			pulumi.Aliases([]pulumi.Alias{{Name: pulumi.String(fmt.Sprintf("%s-ci-policy-%d", name, i))}})); err != nil {
			return pulumi.StringOutput{}, err
		}
	}
	return role.Arn, nil
}

// newClusterAccess gives the CI role cluster-admin through an EKS access entry: every
// Kubernetes step of `platform up` in CI (Helm releases, CRDs, namespaces) needs it, and the
// role is not the cluster's creator (the first `up` runs from a terminal, which creates it).
func newClusterAccess(ctx *pulumi.Context, name string, a *Args, role *iam.Role, parent pulumi.ResourceOption) error {
	entry, err := eks.NewAccessEntry(ctx, name+"-ci-access", &eks.AccessEntryArgs{
		ClusterName:  a.Cluster.ClusterName,
		PrincipalArn: role.Arn,
		Type:         pulumi.String("STANDARD"),
	}, parent)
	if err != nil {
		return err
	}
	_, err = eks.NewAccessPolicyAssociation(ctx, name+"-ci-cluster-admin", &eks.AccessPolicyAssociationArgs{
		ClusterName:  a.Cluster.ClusterName,
		PrincipalArn: entry.PrincipalArn,
		PolicyArn:    pulumi.String(clusterplan.AccessPolicyArn(a.Account.Partition, clusterplan.ClusterAdminPolicy)),
		AccessScope:  eks.AccessPolicyAssociationAccessScopeArgs{Type: pulumi.String("cluster")},
	}, parent)
	return err
}

// newEnvironment creates the stack's GitHub environment on the infrastructure repository
// (reviewers gate prod deploys) and the variables CI reads in it.
func newEnvironment(ctx *pulumi.Context, name string, a *Args, roleArn pulumi.StringOutput, parent pulumi.ResourceOption) error {
	ids, err := teamIDs(ctx, a.Owner, a.ReviewerTeams)
	if err != nil {
		return err
	}
	var reviewers pulumi.IntArray
	for _, id := range ids {
		reviewers = append(reviewers, pulumi.Int(id))
	}
	envArgs := &github.RepositoryEnvironmentArgs{
		Repository:        pulumi.String(a.InfraRepo),
		Environment:       pulumi.String(a.Stack),
		PreventSelfReview: pulumi.Bool(len(reviewers) > 0),
		// Reviewers bind everyone, administrators too.
		CanAdminsBypass: pulumi.Bool(false),
		// Only the refs below may deploy here: a branch of a pull request cannot run a job in
		// this environment, and so cannot obtain the OIDC subject the CI role trusts.
		DeploymentBranchPolicy: github.RepositoryEnvironmentDeploymentBranchPolicyArgs{
			ProtectedBranches: pulumi.Bool(false), CustomBranchPolicies: pulumi.Bool(true),
		},
	}
	if len(reviewers) > 0 {
		envArgs.Reviewers = github.RepositoryEnvironmentReviewerArray{github.RepositoryEnvironmentReviewerArgs{Teams: reviewers}}
	}
	env, err := github.NewRepositoryEnvironment(ctx, name+"-environment", envArgs, parent)
	if err != nil {
		return err
	}
	policy := &github.RepositoryEnvironmentDeploymentPolicyArgs{Repository: pulumi.String(a.InfraRepo), Environment: env.Environment}
	if a.DeployTag != "" {
		policy.TagPattern = pulumi.String(a.DeployTag)
	} else {
		policy.BranchPattern = pulumi.String(a.DeployBranch)
	}
	if _, err := github.NewRepositoryEnvironmentDeploymentPolicy(ctx, name+"-deploy-from", policy, parent); err != nil {
		return err
	}
	for varName, value := range map[string]pulumi.StringInput{
		"AWS_ROLE_ARN": roleArn,
		"AWS_REGION":   pulumi.String(a.Account.Region),
	} {
		if _, err := github.NewActionsEnvironmentVariable(ctx, name+"-var-"+varName, &github.ActionsEnvironmentVariableArgs{
			Repository:   pulumi.String(a.InfraRepo),
			Environment:  env.Environment,
			VariableName: pulumi.String(varName),
			Value:        value,
		}, parent); err != nil {
			return err
		}
	}
	return nil
}

// vpcArn is the VPC's ARN, or empty without one.
func vpcArn(a contract.Account, id string) string {
	if id == "" {
		return ""
	}
	return fmt.Sprintf("arn:%s:ec2:%s:%s:vpc/%s", a.Partition, a.Region, a.ID, id)
}
