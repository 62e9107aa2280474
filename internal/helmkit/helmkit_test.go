package helmkit

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/planner/plantest"
)

func TestPodIdentityTrust(t *testing.T) {
	doc := PodIdentityTrust(contract.Account{ID: "111122223333", Partition: "aws", Region: "eu-north-1"}, "platform-dev")
	if len(doc.Statement) != 1 {
		t.Fatalf("%d statements", len(doc.Statement))
	}
	s := doc.Statement[0]
	if !reflect.DeepEqual(s.Principal, map[string][]string{"Service": {"pods.eks.amazonaws.com"}}) ||
		!reflect.DeepEqual(s.Action, []string{"sts:AssumeRole", "sts:TagSession"}) ||
		!reflect.DeepEqual(s.Condition["StringEquals"]["aws:SourceAccount"], []string{"111122223333"}) ||
		!reflect.DeepEqual(s.Condition["ArnEquals"]["aws:SourceArn"], []string{"arn:aws:eks:eu-north-1:111122223333:cluster/platform-dev"}) {
		t.Errorf("trust = %s", doc.JSON())
	}
}

func TestMergeValues(t *testing.T) {
	base := map[string]any{"a": 1, "nested": map[string]any{"keep": true, "change": "old"}, "list": []any{1}}
	extra := map[string]any{"nested": map[string]any{"change": "new", "add": 2}, "list": []any{2, 3}, "b": "x"}
	got := MergeValues(base, extra)
	want := map[string]any{"a": 1, "b": "x", "list": []any{2, 3},
		"nested": map[string]any{"keep": true, "change": "new", "add": 2}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("MergeValues = %v, want %v", got, want)
	}
	if base["nested"].(map[string]any)["change"] != "old" {
		t.Error("MergeValues changed its input")
	}
}

// Install: the identity's role, policy and association are named after the release, and the
// release (fixed name, pinned chart, atomic, values merged) waits for the association.
func TestInstall(t *testing.T) {
	p := plantest.MustRun(t, func(ctx *pulumi.Context) error {
		ns, err := Namespace(ctx, "kit-ns", "team", Restricted, map[string]string{"team": "a"})
		if err != nil {
			return err
		}
		_, err = Install(ctx, Release{
			ResourceName: "kit-app", ReleaseName: "app", Chart: Charts.ExternalDNS, Namespace: ns.Metadata.Name().Elem(),
			Values:      map[string]any{"a": map[string]any{"b": 1, "c": 2}},
			ExtraValues: map[string]any{"a": map[string]any{"c": 3}},
			Identity: &PodIdentity{Account: plantest.Account, Cluster: "c1", ClusterName: plantest.Output("c1"),
				Namespace: "team", ServiceAccount: "app", Policy: pulumi.String(`{"Version":"2012-10-17","Statement":[]}`),
				Managed: []string{"service-role/Example"}, PermissionsBoundary: pulumi.String("arn:aws:iam::1:policy/b")},
			Protect: true,
		})
		return err
	})
	ns := plantest.Named(t, p, "kubernetes:core/v1:Namespace", "kit-ns")
	labels, _ := ns.Get("metadata.labels").(map[string]any)
	if labels["pod-security.kubernetes.io/enforce"] != Restricted || labels["team"] != "a" {
		t.Errorf("namespace labels = %v", labels)
	}
	role := plantest.Named(t, p, "aws:iam/role:Role", "kit-app-role")
	plantest.Named(t, p, "aws:iam/rolePolicy:RolePolicy", "kit-app-policy")
	att := plantest.Named(t, p, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "kit-app-Example")
	if att.GetString("policyArn") != "arn:aws:iam::aws:policy/service-role/Example" {
		t.Errorf("managed policy ARN = %s", att.GetString("policyArn"))
	}
	assoc := plantest.Named(t, p, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "kit-app-pod-identity")
	if assoc.GetString("namespace") != "team" || assoc.GetString("serviceAccount") != "app" || !plantest.Contains(assoc.PropertyDependencies["roleArn"], role.URN) {
		t.Errorf("association = %v", assoc.Inputs)
	}
	rel := plantest.Named(t, p, ReleaseType, "kit-app")
	if rel.GetString("name") != "app" || rel.GetString("chart") != Charts.ExternalDNS.Name || rel.GetString("version") != Charts.ExternalDNS.Version ||
		rel.GetString("repositoryOpts.repo") != Charts.ExternalDNS.Repo || rel.Get("atomic") != true || rel.Get("cleanupOnFail") != true ||
		rel.Get("timeout") != float64(ReleaseTimeoutSeconds) || rel.GetString("compat") != "true" || !rel.Protect {
		t.Errorf("release = %v (protect %v)", rel.Inputs, rel.Protect)
	}
	if rel.Get("values.a.b") != 1.0 || rel.Get("values.a.c") != 3.0 {
		t.Errorf("values = %v, want extraValues merged over the computed ones", rel.Get("values"))
	}
	if !plantest.Contains(rel.Dependencies, assoc.URN) || !plantest.Contains(rel.PropertyDependencies["namespace"], ns.URN) {
		t.Errorf("release deps = %v", rel.Dependencies)
	}
}

func TestRefusesIncompleteReleases(t *testing.T) {
	for name, tc := range map[string]struct {
		run  func(ctx *pulumi.Context) error
		want string
	}{
		"no namespace": {func(ctx *pulumi.Context) error {
			_, err := Install(ctx, Release{ResourceName: "r", ReleaseName: "r", Chart: Charts.Alloy})
			return err
		}, "needs ResourceName, ReleaseName, Namespace and a pinned Chart"},
		"unpinned chart": {func(ctx *pulumi.Context) error {
			_, err := Install(ctx, Release{ResourceName: "r", ReleaseName: "r", Namespace: pulumi.String("x"), Chart: Chart{Name: "x"}})
			return err
		}, "pinned Chart"},
		"identity without a policy": {func(ctx *pulumi.Context) error {
			_, err := Install(ctx, Release{ResourceName: "r", ReleaseName: "r", Namespace: pulumi.String("x"), Chart: Charts.Alloy,
				Identity: &PodIdentity{Account: plantest.Account, Cluster: "c", ClusterName: plantest.Output("c"), Namespace: "x", ServiceAccount: "x",
					PermissionsBoundary: pulumi.String("arn:aws:iam::1:policy/b")}})
			return err
		}, "PodIdentity without a policy grants nothing"},
		"unknown pod security": {func(ctx *pulumi.Context) error {
			_, err := Namespace(ctx, "ns", "x", "open", nil)
			return err
		}, "must be privileged, baseline or restricted"},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := plantest.Run(tc.run)
			if err == nil || !strings.Contains(err.Error(), tc.want) || len(p.Resources) != 0 {
				t.Errorf("err = %v (want %q), %d resources", err, tc.want, len(p.Resources))
			}
		})
	}
}

// The test-only switch installs without waiting (and so without atomic, which waits); unset,
// every release is awaited and atomic.
func TestSkipAwaitIsATestSwitch(t *testing.T) {
	args := ReleaseArgs("r", Charts.Tempo, pulumi.String("ns"), nil)
	if _, set := args["skipAwait"]; set || args["atomic"] != pulumi.Bool(true) {
		t.Errorf("without %s: %v", SkipAwaitEnv, args)
	}
	t.Setenv(SkipAwaitEnv, "1")
	args = ReleaseArgs("r", Charts.Tempo, pulumi.String("ns"), nil)
	if args["skipAwait"] != pulumi.Bool(true) || args["atomic"] != pulumi.Bool(false) {
		t.Errorf("with %s: %v", SkipAwaitEnv, args)
	}
}
