package githubint

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/githubint/ghplan"
	"github.com/example/platform/components/handle"
	"github.com/example/platform/internal/iampolicy"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/planner/plantest"
)

func args() *Args {
	return &Args{
		Owner: "org", GitOpsRepo: "gitops", InfraRepo: "infra", Stack: "prod",
		CISubjects:    []string{"environment:prod"},
		CIPolicyArns:  []string{"arn:aws:iam::111122223333:policy/deploy", "arn:aws:iam::aws:policy/ReadOnlyAccess"},
		ReviewerTeams: []string{"leads"},
		Account:       plantest.Account,
		DeployTag:     "v*",
	}
}

func build(t *testing.T, a *Args) (*planner.Plan, error) {
	t.Helper()
	return plantest.Run(func(ctx *pulumi.Context) error {
		a.Cluster = handle.Cluster{Name: "c1", ClusterName: plantest.Output("c1"), SecretsKeyArn: plantest.Output("arn:aws:kms:eu-north-1:1:key/k")}
		a.Zone = handle.Zone{Domain: "prod.example.org", ZoneID: plantest.Output("ZSTACK")}
		a.PermissionsBoundary = pulumi.String(plantest.Account.BoundaryPolicyArn("c1"))
		_, err := New(ctx, "gh", a)
		return err
	})
}

func TestDeployKeyAndCIRole(t *testing.T) {
	p, err := build(t, args())
	if err != nil {
		t.Fatal(err)
	}
	key := plantest.Named(t, p, "tls:index/privateKey:PrivateKey", "gh-deploy-key")
	dk := plantest.Named(t, p, "github:index/repositoryDeployKey:RepositoryDeployKey", "gh-deploy-key")
	param := plantest.Named(t, p, "aws:ssm/parameter:Parameter", "gh-deploy-key")
	if dk.Get("readOnly") != true || dk.GetString("repository") != "gitops" || !plantest.Contains(dk.PropertyDependencies["key"], key.URN) {
		t.Errorf("deploy key = %v", dk.Inputs)
	}
	if param.GetString("name") != "/c1/platform/github/deploykeys/org/gitops" || param.GetString("keyId") != "arn:aws:kms:eu-north-1:1:key/k" ||
		!plantest.Contains(param.SecretInputs, "value") {
		t.Errorf("parameter = %v (secret %v)", param.Inputs, param.SecretInputs)
	}
	role := plantest.Named(t, p, "aws:iam/role:Role", "gh-ci-role")
	trust, err := iampolicy.Parse([]byte(role.GetString("assumeRolePolicy")))
	if err != nil || strings.Join(trust.Statement[0].Condition["StringEquals"]["token.actions.githubusercontent.com:sub"], ",") != "repo:org/infra:environment:prod" {
		t.Errorf("trust = %s (%v)", role.GetString("assumeRolePolicy"), err)
	}
	// Attachments are keyed by the policy's name, and adopt their old position-based names.
	for i, name := range []string{"deploy", "ReadOnlyAccess"} {
		att := plantest.Named(t, p, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "gh-ci-policy-"+name)
		old := strings.Replace(att.URN, "::"+att.Name, "::gh-ci-policy-"+string(rune('0'+i)), 1)
		if att.GetString("policyArn") != args().CIPolicyArns[i] || !plantest.Contains(att.Aliases, old) {
			t.Errorf("%s = %v, aliases %v", att.Name, att.Inputs, att.Aliases)
		}
	}
	env := plantest.Named(t, p, "github:index/repositoryEnvironment:RepositoryEnvironment", "gh-environment")
	if env.GetString("environment") != "prod" || env.Get("preventSelfReview") != true || env.Get("reviewers.0.teams") == nil ||
		env.Get("canAdminsBypass") != false || env.Get("deploymentBranchPolicy.customBranchPolicies") != true {
		t.Errorf("environment = %v", env.Inputs)
	}
	// Only v* tags may deploy into prod's environment: no branch can obtain its OIDC subject.
	from := plantest.Named(t, p, "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy", "gh-deploy-from")
	if from.GetString("tagPattern") != "v*" || from.Get("branchPattern") != nil || !plantest.Contains(from.PropertyDependencies["environment"], env.URN) {
		t.Errorf("deployment policy = %v", from.Inputs)
	}
	oidc := plantest.Named(t, p, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "gh-github-oidc")
	if !plantest.Contains(role.Dependencies, oidc.URN) {
		t.Errorf("the role does not trust the provider it creates")
	}
	// The role lasts as long as a first `up`, and may act in the cluster (it did not create it).
	if role.Get("maxSessionDuration") != float64(ghplan.CISessionSeconds) || ghplan.CISessionSeconds < 3*3600 {
		t.Errorf("max session %v", role.Get("maxSessionDuration"))
	}
	entry := plantest.Named(t, p, "aws:eks/accessEntry:AccessEntry", "gh-ci-access")
	admin := plantest.Named(t, p, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "gh-ci-cluster-admin")
	if entry.GetString("clusterName") != "c1" || entry.GetString("type") != "STANDARD" || !plantest.Contains(entry.PropertyDependencies["principalArn"], role.URN) {
		t.Errorf("access entry = %v (deps %v)", entry.Inputs, entry.PropertyDependencies)
	}
	if admin.GetString("policyArn") != "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy" ||
		admin.GetString("accessScope.type") != "cluster" || !plantest.Contains(admin.PropertyDependencies["principalArn"], entry.URN) {
		t.Errorf("access policy = %v (deps %v)", admin.Inputs, admin.PropertyDependencies)
	}
}

func TestExistingOIDCProviderIsReused(t *testing.T) {
	a := args()
	a.OIDCProviderArn = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
	p, err := build(t, a)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(p.OfType("aws:iam/openIdConnectProvider:OpenIdConnectProvider")); n != 0 {
		t.Errorf("%d providers created", n)
	}
}

func TestRefusesBadArgs(t *testing.T) {
	tests := map[string]struct {
		mutate func(*Args)
		want   string
	}{
		"no owner":          {func(a *Args) { a.Owner = "" }, "Owner, GitOpsRepo, InfraRepo, Stack and Cluster are required"},
		"no subjects":       {func(a *Args) { a.CISubjects = nil }, "at least one CI subject"},
		"no region":         {func(a *Args) { a.Account.Region = "" }, "Account.Region and Account.Partition are required"},
		"no deploy ref":     {func(a *Args) { a.DeployTag = "" }, "exactly one of DeployBranch and DeployTag"},
		"two deploy refs":   {func(a *Args) { a.DeployBranch = "main" }, "exactly one of DeployBranch and DeployTag"},
		"same policy names": {func(a *Args) { a.CIPolicyArns = []string{"arn:aws:iam::1:policy/a/x", "arn:aws:iam::1:policy/b/x"} }, `same name "x"`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			a := args()
			tt.mutate(a)
			p, err := build(t, a)
			if err == nil || !strings.Contains(err.Error(), tt.want) || len(p.Resources) != 0 {
				t.Errorf("err = %v (want %q), %d resources", err, tt.want, len(p.Resources))
			}
		})
	}
}
