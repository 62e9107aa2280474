package boundary

import (
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
	if s := sids["NoRoleWithoutThisBoundary"]; s.Effect != "Deny" || s.Condition["StringNotEquals"]["iam:PermissionsBoundary"][0] != arn {
		t.Errorf("roles without the boundary: %+v", s)
	}
	if s := sids["BoundaryIsFixed"]; s.Effect != "Deny" || s.Resource[0] != arn {
		t.Errorf("the boundary can change itself: %+v", s)
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
