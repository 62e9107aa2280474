package logskey

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
	"github.com/example/platform/internal/planner/plantest"
)

func args() *Args {
	return &Args{Account: plantest.Account, Cluster: "c1", DeletionWindowDays: 30,
		LogGroups: []string{contract.ControlPlaneLogGroup("c1"), contract.DatabaseLogGroups("c1")}}
}

// The key carries its policy, its stack tag and its alias; the policy names CloudWatch Logs of
// the stack's region for the stack's log groups. (What that policy allows and denies is the IAM
// engine's call: tests/iam_keys_test.go.)
func TestKey(t *testing.T) {
	p := plantest.MustRun(t, func(ctx *pulumi.Context) error {
		_, err := New(ctx, "logs", args())
		return err
	})
	key := plantest.Named(t, p, "aws:kms/key:Key", "logs-key")
	if key.GetString("tags."+contract.StackTag) != "c1" || key.Get("enableKeyRotation") != true {
		t.Errorf("key inputs: %v", key.Inputs)
	}
	doc, err := iampolicy.Parse([]byte(key.GetString("policy")))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Statement) != 2 {
		t.Fatalf("statements: %+v", doc.Statement)
	}
	logs := doc.Statement[1]
	if !slices.Equal(logs.Principal["Service"], []string{"logs." + plantest.Region + ".amazonaws.com"}) {
		t.Errorf("principal: %v", logs.Principal)
	}
	want := []string{plantest.Account.LogGroupArn("/aws/eks/c1/cluster"), plantest.Account.LogGroupArn("/aws/rds/instance/c1-*")}
	if got := logs.Condition["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]; !slices.Equal(got, want) {
		t.Errorf("log groups = %v, want %v", got, want)
	}
	if a := plantest.Named(t, p, "aws:kms/alias:Alias", "logs-key-alias"); a.GetString("name") != "alias/c1-logs" {
		t.Errorf("alias = %s", a.GetString("name"))
	}
}

func TestRefusesBadArgs(t *testing.T) {
	for name, mutate := range map[string]func(*Args){
		"no log groups": func(a *Args) { a.LogGroups = nil },
		"short window":  func(a *Args) { a.DeletionWindowDays = 3 },
		"no cluster":    func(a *Args) { a.Cluster = "" },
		"no account":    func(a *Args) { a.Account = contract.Account{} },
	} {
		t.Run(name, func(t *testing.T) {
			a := args()
			mutate(a)
			p, err := plantest.Run(func(ctx *pulumi.Context) error {
				_, err := New(ctx, "logs", a)
				return err
			})
			if err == nil || !strings.Contains(err.Error(), "logskey: ") || len(p.Resources) != 0 {
				t.Errorf("err = %v, %d resources", err, len(p.Resources))
			}
		})
	}
}
