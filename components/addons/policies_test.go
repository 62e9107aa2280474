package addons

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
)

// fixture reads an upstream policy from ../shared/fixtures/iam (beside the repository).
func fixture(t *testing.T, name string, replace ...string) iampolicy.Document {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "fixtures", "iam", name)
	if dir := os.Getenv("PLATFORM_SHARED"); dir != "" {
		path = filepath.Join(dir, "fixtures", "iam", name)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") != "" || os.Getenv("PLATFORM_REQUIRE_KUBEAPI") == "1" {
			t.Fatalf("upstream fixture missing: %v", err)
		}
		t.Skipf("upstream IAM fixtures not found (%v): check out ../shared beside the repository", err)
	}
	s := string(raw)
	for i := 0; i+1 < len(replace); i += 2 {
		s = strings.ReplaceAll(s, replace[i], replace[i+1])
	}
	doc, err := iampolicy.Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

var testAccount = contract.Account{ID: "111122223333", Partition: "aws", Region: "eu-north-1"}

func TestLoadBalancerControllerPolicyEqualsUpstream(t *testing.T) {
	ours, err := LoadBalancerControllerPolicy()
	if err != nil {
		t.Fatal(err)
	}
	// Parsed and compared order-free: the embedded document may be reformatted, not changed.
	if upstream := fixture(t, "aws-load-balancer-controller_iam_policy.json"); !iampolicy.Equal(ours, upstream) {
		t.Errorf("the embedded policy is not upstream's:\n%s", ours.JSON())
	}
	// The controller may change only what carries its own tag (elbv2.k8s.aws/cluster); the
	// v2.0-era policy keyed on ingress.k8s.aws/cluster, which the controller no longer sets.
	if text := ours.JSON(); !strings.Contains(text, "aws:ResourceTag/elbv2.k8s.aws/cluster") || strings.Contains(text, "ingress.k8s.aws/cluster") {
		t.Error("the embedded policy does not scope changes by the controller's own tag")
	}
}

// ExternalDNS keeps upstream's actions, narrowed from every hosted zone to the stack's.
func TestExternalDNSPolicyNarrowsUpstream(t *testing.T) {
	upstream := fixture(t, "external-dns_route53_policy.json")
	ours := ExternalDNSPolicy("aws", "Z0123456789ABC")
	if len(ours.Statement) != len(upstream.Statement) {
		t.Fatalf("statements: %d vs upstream %d", len(ours.Statement), len(upstream.Statement))
	}
	for i, u := range upstream.Statement {
		o := ours.Statement[i]
		if !reflect.DeepEqual(sorted(o.Action), sorted(u.Action)) {
			t.Errorf("statement %d actions %v, upstream %v", i, o.Action, u.Action)
		}
	}
	if got := ours.Statement[0].Resource; !reflect.DeepEqual(got, []string{"arn:aws:route53:::hostedzone/Z0123456789ABC"}) {
		t.Errorf("record changes allowed on %v, want only the stack's zone", got)
	}
	if upstream.Statement[0].Resource[0] != "arn:aws:route53:::hostedzone/*" {
		t.Errorf("fixture changed: %v", upstream.Statement[0].Resource)
	}
}

// The Cluster Autoscaler policy is upstream's with this cluster's tag condition.
func TestClusterAutoscalerPolicyEqualsUpstream(t *testing.T) {
	upstream := fixture(t, "cluster-autoscaler_least_privilege_eks-bpg.json", "<my-cluster>", "platform-prod")
	ours := ClusterAutoscalerPolicy("platform-prod")
	if !iampolicy.Equal(ours, upstream) {
		t.Errorf("ours:\n%s\nupstream:\n%s", ours.JSON(), upstream.JSON())
	}
	// The older README's policy names an action that does not exist: ours must not copy it.
	older := fixture(t, "cluster-autoscaler_minimal_upstream-readme-older.json")
	for _, s := range older.Statement {
		for _, a := range s.Action {
			if a == "ec2:GetInstanceTypesFromInstanceRequirementsPages" && containsAction(ours, a) {
				t.Errorf("policy contains the non-existent action %s", a)
			}
		}
	}
}

// External Secrets reads only the cluster's parameters, with actions upstream's
// ssm:GetParameter* covers, and decrypts only through SSM.
func TestExternalSecretsPolicyWithinUpstream(t *testing.T) {
	upstream := fixture(t, "external-secrets_ssm_parameter_store_policy.json")
	ours := ExternalSecretsPolicy(testAccount, "platform-dev", "arn:aws:kms:eu-north-1:111122223333:key/k", false, false)
	read := ours.Statement[0]
	for _, a := range read.Action {
		if !matchesAny(a, upstream.Statement[0].Action) {
			t.Errorf("%s is not covered by upstream's %v", a, upstream.Statement[0].Action)
		}
	}
	if want := []string{"arn:aws:ssm:eu-north-1:111122223333:parameter/platform-dev/platform/*"}; !reflect.DeepEqual(read.Resource, want) {
		t.Errorf("parameters = %v, want %v", read.Resource, want)
	}
	decrypt := ours.Statement[len(ours.Statement)-1]
	if !reflect.DeepEqual(decrypt.Action, []string{"kms:Decrypt"}) || decrypt.Resource[0] != "arn:aws:kms:eu-north-1:111122223333:key/k" ||
		!reflect.DeepEqual(decrypt.Condition["StringEquals"]["kms:ViaService"], []string{"ssm.eu-north-1.amazonaws.com"}) {
		t.Errorf("decrypt statement = %+v", decrypt)
	}
	if len(ours.Statement) != 2 {
		t.Errorf("%d statements without Secrets Manager, want 2", len(ours.Statement))
	}
	withSM := ExternalSecretsPolicy(testAccount, "platform-dev", "k", true, false)
	if len(withSM.Statement) != 3 || withSM.Statement[1].Resource[0] != "arn:aws:secretsmanager:eu-north-1:111122223333:secret:platform-dev/platform/*" {
		t.Errorf("with Secrets Manager = %s", withSM.JSON())
	}
	// With teams, it may assume the teams' roles (their SecretStores name them), no other.
	withTeams := ExternalSecretsPolicy(testAccount, "platform-dev", "k", false, true)
	last := withTeams.Statement[len(withTeams.Statement)-1]
	if len(withTeams.Statement) != 3 || !reflect.DeepEqual(last.Action, []string{"sts:AssumeRole", "sts:TagSession"}) ||
		!reflect.DeepEqual(last.Resource, []string{"arn:aws:iam::111122223333:role/platform-dev/teams/secrets/*"}) {
		t.Errorf("with teams = %s", withTeams.JSON())
	}
}

// No policy of ours grants a wildcard action.
func TestNoWildcardActions(t *testing.T) {
	lbc, _ := LoadBalancerControllerPolicy()
	docs := map[string]iampolicy.Document{
		"lbc":         lbc,
		"externalDns": ExternalDNSPolicy("aws", "Z1"),
		"autoscaler":  ClusterAutoscalerPolicy("c"),
		"eso":         ExternalSecretsPolicy(testAccount, "c", "k", true, true),
		"loki":        BucketPolicy("arn:aws:s3:::b", false),
		"tempo":       BucketPolicy("arn:aws:s3:::b", true),
	}
	for name, d := range docs {
		for _, s := range d.Statement {
			if s.Effect != "Allow" {
				continue
			}
			for _, a := range s.Action {
				if strings.Contains(a, "*") {
					t.Errorf("%s: wildcard action %s", name, a)
				}
			}
		}
	}
}

func TestBucketPolicyIsLimitedToItsBucket(t *testing.T) {
	d := BucketPolicy("arn:aws:s3:::loki-b", false)
	for _, s := range d.Statement {
		for _, r := range s.Resource {
			if r != "arn:aws:s3:::loki-b" && r != "arn:aws:s3:::loki-b/*" {
				t.Errorf("resource %s outside the bucket", r)
			}
		}
	}
	if containsAction(d, "s3:PutObjectTagging") || !containsAction(BucketPolicy("b", true), "s3:PutObjectTagging") {
		t.Error("tagging actions are Tempo's only")
	}
}

func containsAction(d iampolicy.Document, action string) bool {
	for _, s := range d.Statement {
		for _, a := range s.Action {
			if a == action {
				return true
			}
		}
	}
	return false
}

// matchesAny reports whether action is one of patterns, IAM wildcards allowed.
func matchesAny(action string, patterns []string) bool {
	for _, p := range patterns {
		if ok, _ := filepath.Match(p, action); ok {
			return true
		}
	}
	return false
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
