package tests

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/boundary"
	"github.com/example/platform/components/cluster"
	"github.com/example/platform/components/githubint/ghplan"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/stacks"
)

// planVariants are both example stacks and variants that switch on the optional paths (prod's
// vault lock among them).
func planVariants(t *testing.T) map[string]*planner.Plan {
	t.Helper()
	out := map[string]*planner.Plan{"dev": stackPlan(t, "dev").Plan, "prod": stackPlan(t, "prod").Plan}
	opts := stackInput(t, "dev")
	opts.Config["platform:addons"] = `{"externalSecrets":{"secretsManager":true}}`
	edit("platform:github", "oidcProviderArn", "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com")(t, opts.Config)
	edit("platform:github", "ciPolicyArns", []any{"arn:aws:iam::aws:policy/ReadOnlyAccess"})(t, opts.Config)
	p, err := planner.Run(opts, stacks.Program)
	if err != nil {
		t.Fatal(err)
	}
	out["optional paths"] = p
	// prod with the optional vault lock (governance: removable, so a test plan commits to
	// nothing irreversible).
	locked := stackInput(t, "prod")
	edit("platform:backup", "vaultLock", map[string]any{"mode": "governance", "minRetentionDays": 7, "maxRetentionDays": 400})(t, locked.Config)
	if out["prod vault lock"], err = planner.Run(locked, stacks.Program); err != nil {
		t.Fatal(err)
	}
	return out
}

// The deploy policy covers every AWS resource type the program registers, and lists nothing
// the program never creates: the action list follows the plans.
func TestDeployPermissionsFollowThePlans(t *testing.T) {
	seen := map[string]bool{}
	for name, p := range planVariants(t) {
		for _, r := range p.Resources {
			if !strings.HasPrefix(r.Type, "aws:") && r.Type != typeEKS {
				continue
			}
			seen[r.Type] = true
			if _, ok := ghplan.DeployPermissions[r.Type]; !ok {
				t.Errorf("%s: %s (%s) has no entry in ghplan.DeployPermissions: the CI role could not deploy it", name, r.Name, r.Type)
			}
		}
	}
	for typ := range ghplan.DeployPermissions {
		if !seen[typ] && typ != "invokes" && typ != "tags" {
			t.Errorf("ghplan.DeployPermissions lists %s, which no plan creates", typ)
		}
	}
}

// The CI role deploys with the policy the program builds: no AdministratorAccess, roles only
// with the boundary, and neither the boundary nor the CI role itself within its reach.
func TestCIRoleDeploysWithLeastPrivilege(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		p := stackPlan(t, stack)
		role := p.named(t, "aws:iam/role:Role", "github-ci-role")
		for _, att := range p.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment") {
			if contains(att.PropertyDependencies["role"], role.URN) {
				t.Errorf("%s: the CI role has %s attached", stack, getString(att, "policyArn"))
			}
		}
		doc, err := iampolicy.Parse([]byte(getString(p.named(t, "aws:iam/rolePolicy:RolePolicy", "github-ci-deploy"), "policy")))
		if err != nil {
			t.Fatal(err)
		}
		boundaryArn := getString(p.named(t, "aws:iam/policy:Policy", "boundary-policy"), "name")
		teamBoundary := getString(p.named(t, "aws:iam/policy:Policy", "boundary-team-policy"), "name")
		var createRole, denySelf bool
		for _, s := range doc.Statement {
			for _, a := range s.Action {
				if s.Effect == "Allow" && (a == "*" || strings.HasSuffix(a, ":*")) {
					t.Errorf("%s: wildcard action %s", stack, a)
				}
				if s.Effect == "Allow" && (a == "iam:CreateRole" || a == "iam:PutRolePermissionsBoundary") {
					createRole = true
					if b := s.Condition["StringEquals"]["iam:PermissionsBoundary"]; len(b) != 2 || !strings.HasSuffix(b[0], ":policy/"+boundaryArn) || !strings.HasSuffix(b[1], ":policy/"+teamBoundary) {
						t.Errorf("%s: %s allowed without the boundary: %+v", stack, a, s)
					}
				}
			}
			// The CI role cannot change its own policies (mocks name the role after its
			// logical name).
			if s.Effect == "Deny" && slices.Contains(s.Action, "iam:PutRolePolicy") && slices.Contains(s.Action, "iam:AttachRolePolicy") {
				for _, r := range s.Resource {
					if strings.HasSuffix(r, ":role/"+role.Name) {
						denySelf = true
					}
				}
			}
			if s.Effect == "Allow" && slices.Contains(s.Resource, "*") {
				for _, a := range s.Action {
					if _, verb, _ := strings.Cut(a, ":"); strings.HasPrefix(verb, "Delete") && !strings.HasPrefix(a, "ec2:") && !strings.HasPrefix(a, "kms:") && !strings.HasPrefix(a, "acm:") &&
						// CodeBuild's source credential has no resource type: IAM authorizes it against "*".
						a != "codebuild:DeleteSourceCredentials" {
						t.Errorf("%s: %s on every resource", stack, a)
					}
				}
			}
		}
		if !createRole || !denySelf {
			t.Errorf("%s: create-role-with-boundary %v, deny-on-itself %v:\n%s", stack, createRole, denySelf, doc.JSON())
		}
	}
}

// Every IAM role the program creates carries a boundary: the teams' roles the team boundary,
// every other the platform's; pulumi-eks's own roles get it through a transform on its
// component. Every role lives under the stack's path, but the CI role (which the deploy
// policy must not reach).
func TestEveryRoleCarriesTheBoundary(t *testing.T) {
	for name, p := range planVariants(t) {
		platform, _ := (&plan{Plan: p}).Named("aws:iam/policy:Policy", "boundary-policy")
		team, _ := (&plan{Plan: p}).Named("aws:iam/policy:Policy", "boundary-team-policy")
		cluster := strings.TrimSuffix(platform.GetString("name"), "-permissions-boundary")
		for _, r := range p.OfType("aws:iam/role:Role") {
			policy, path := platform, contract.PlatformRolePath(cluster)
			// The teams' roles, and their Session Manager connect roles (components/access,
			// "connect-<team>-role").
			if strings.HasPrefix(r.Name, "teams-") || strings.HasPrefix(r.Name, "connect-") {
				policy, path = team, contract.TeamRolePath(cluster)
			}
			switch got := r.GetString("path"); {
			case r.Name == "github-ci-role" && got != "":
				t.Errorf("%s: the CI role is under %q, inside what its policy reaches", name, got)
			case r.Name != "github-ci-role" && !strings.HasPrefix(got, path):
				t.Errorf("%s: role %s is under %q, want %s", name, r.Name, got, path)
			}
			if !contains(r.PropertyDependencies["permissionsBoundary"], policy.URN) || !strings.HasSuffix(r.GetString("permissionsBoundary"), ":policy/"+policy.GetString("name")) {
				t.Errorf("%s: role %s has boundary %q", name, r.Name, r.GetString("permissionsBoundary"))
			}
		}
		for _, c := range p.OfType(typeEKS) {
			if c.Transforms != 1 {
				t.Errorf("%s: pulumi-eks's cluster has %d transforms, want the one that bounds its roles", name, c.Transforms)
			}
		}
	}
	// The transform: roles get the boundary, nothing else changes.
	bound := cluster.BoundRoles(pulumi.String("arn:aws:iam::1:policy/b"), "/c1/platform/")
	res := bound(context.Background(), &pulumi.ResourceTransformArgs{Type: "aws:iam/role:Role", Props: pulumi.Map{"description": pulumi.String("x")}})
	if res == nil || res.Props["permissionsBoundary"] == nil || res.Props["description"] == nil || res.Props["path"] != pulumi.String("/c1/platform/") {
		t.Errorf("role not bounded: %+v", res)
	}
	if bound(context.Background(), &pulumi.ResourceTransformArgs{Type: "aws:eks/cluster:Cluster", Props: pulumi.Map{}}) != nil {
		t.Error("the transform changed a cluster")
	}
}

// The boundary admits every action of every policy the plans attach (so it takes nothing the
// platform needs), and its denials hold: no role without it, no way to drop or change it.
func TestBoundaryAdmitsWhatThePlatformNeeds(t *testing.T) {
	doc := boundary.Policy(boundary.Scope{Account: contract.Account{ID: "1", Partition: "aws", Region: "eu-north-1"}, Cluster: "c1"})
	denied := map[string]bool{}
	for _, s := range doc.Statement {
		if s.Effect == "Deny" && s.Condition == nil && slices.Equal(s.Resource, []string{"*"}) {
			for _, a := range s.Action {
				denied[a] = true
			}
		}
	}
	for _, a := range []string{"iam:DeleteRolePermissionsBoundary", "iam:CreateUser", "iam:CreateAccessKey"} {
		if !denied[a] {
			t.Errorf("the boundary does not deny %s", a)
		}
	}
	if !denied["iam:CreatePolicyVersion"] {
		t.Error("the boundary can change itself")
	}
	checked := 0
	for name, p := range planVariants(t) {
		// The roles' own policies (the boundaries are caps, not grants).
		for _, r := range p.OfType("aws:iam/rolePolicy:RolePolicy") {
			pol, err := iampolicy.Parse([]byte(r.GetString("policy")))
			if err != nil {
				t.Fatalf("%s %s: %v", name, r.Name, err)
			}
			for _, s := range pol.Statement {
				if s.Effect != "Allow" {
					continue
				}
				for _, a := range s.Action {
					checked++
					svc, _, _ := strings.Cut(a, ":")
					if !slices.Contains(boundary.Services, svc) {
						t.Errorf("%s: %s allows %s, outside the boundary's services", name, r.Name, a)
					}
					if denied[a] {
						t.Errorf("%s: %s allows %s, which the boundary denies", name, r.Name, a)
					}
				}
			}
		}
	}
	if checked < 200 {
		t.Errorf("only %d actions checked", checked)
	}
}
