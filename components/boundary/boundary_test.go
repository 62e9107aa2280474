package boundary

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/iampolicy"
	"github.com/example/platform/internal/planner/plantest"
)

// The boundary is one named policy whose ARN is known before it exists, so trust and deploy
// policies can name it; it refuses what would let a role escape it.
func TestBoundaryPolicy(t *testing.T) {
	p := plantest.MustRun(t, func(ctx *pulumi.Context) error {
		_, err := New(ctx, "boundary", &Args{Account: plantest.Account, Cluster: "c1"})
		return err
	})
	pol := plantest.Named(t, p, "aws:iam/policy:Policy", "boundary-policy")
	if pol.GetString("name") != "c1-permissions-boundary" {
		t.Errorf("name = %s", pol.GetString("name"))
	}
	doc, err := iampolicy.Parse([]byte(pol.GetString("policy")))
	if err != nil {
		t.Fatal(err)
	}
	arn := plantest.Account.BoundaryPolicyArn("c1")
	sids := map[string]iampolicy.Statement{}
	for _, s := range doc.Statement {
		sids[s.Sid] = s
	}
	if s := sids["NoRoleWithoutABoundary"]; s.Effect != "Deny" || !slices.Equal(s.Condition["StringNotEquals"]["iam:PermissionsBoundary"], []string{arn, plantest.Account.TeamBoundaryPolicyArn("c1")}) {
		t.Errorf("roles without a boundary: %+v", s)
	}
	if s := sids["NoManagedPolicyWrites"]; s.Effect != "Deny" || s.Resource[0] != "*" || !slices.Contains(s.Action, "iam:CreatePolicyVersion") {
		t.Errorf("the boundaries can be changed: %+v", s)
	}
	if s := sids["RolesOfThisStackOnly"]; s.Effect != "Deny" || !slices.Equal(s.NotResource, []string{plantest.Account.StackRolesArn("c1")}) {
		t.Errorf("roles outside the stack: %+v", s)
	}
	team := plantest.Named(t, p, "aws:iam/policy:Policy", "boundary-team-policy")
	if team.GetString("name") != "c1-team-boundary" {
		t.Errorf("team boundary name = %s", team.GetString("name"))
	}
	tdoc, err := iampolicy.Parse([]byte(team.GetString("policy")))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range tdoc.Statement {
		if s.Effect != "Allow" || len(s.NotAction) > 0 || len(s.NotResource) > 0 {
			t.Errorf("team boundary statement %s is not a plain allow", s.Sid)
		}
		for _, a := range s.Action {
			if strings.HasPrefix(a, "iam:") || strings.HasPrefix(a, "eks:") || strings.HasPrefix(a, "ec2:") || a == "sts:AssumeRole" {
				t.Errorf("team boundary allows %s", a)
			}
		}
	}
	if s := sids["PlatformServices"]; s.Effect != "Allow" || len(s.Action) != len(Services) || !strings.HasSuffix(s.Action[0], ":*") {
		t.Errorf("allowed services: %+v", s)
	}
}

func TestRefusesBadArgs(t *testing.T) {
	p, err := plantest.Run(func(ctx *pulumi.Context) error {
		_, err := New(ctx, "boundary", &Args{Account: plantest.Account})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "Cluster are required") || len(p.Resources) != 0 {
		t.Errorf("err = %v, %d resources", err, len(p.Resources))
	}
}
