package tests

import (
	"os"
	"strings"
	"testing"

	"github.com/example/platform/components/access/accessplan"
	"github.com/example/platform/components/addons"
	"github.com/example/platform/components/backup/backupplan"
	"github.com/example/platform/components/databases/dbplan"
	"github.com/example/platform/components/runners/runnerplan"
	"github.com/example/platform/components/teams/teamplan"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
	"github.com/example/platform/internal/kubeapi"
	"github.com/example/platform/internal/planner"
)

// upstreamPolicy reads a policy from ../shared/fixtures/iam, with placeholders replaced.
func upstreamPolicy(t *testing.T, name string, replace ...string) iampolicy.Document {
	t.Helper()
	raw, err := os.ReadFile(kubeapi.SharedPath(t, "fixtures/iam/"+name))
	if err != nil {
		t.Fatal(err)
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

// attached is the inline policy the plan attaches to an addon's role.
func attached(t *testing.T, p *plan, key string) iampolicy.Document {
	t.Helper()
	doc, err := iampolicy.Parse([]byte(getString(p.named(t, "aws:iam/rolePolicy:RolePolicy", "addons-"+key+"-policy"), "policy")))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Statement) == 0 {
		t.Fatalf("%s: the attached policy has no statement", key)
	}
	for _, s := range doc.Statement {
		if len(s.Action)+len(s.NotAction) == 0 || len(s.Resource)+len(s.NotResource) == 0 {
			t.Errorf("%s: empty statement %+v", key, s)
		}
	}
	return doc
}

// The policies the plans attach to the Load Balancer Controller and the Cluster Autoscaler are
// upstream's least-privilege policies: the same statements, in any order.
func TestAttachedPoliciesMatchUpstream(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		p := stackPlan(t, stack)
		lbc := attached(t, p, "aws-load-balancer-controller")
		if !iampolicy.Equal(lbc, upstreamPolicy(t, "aws-load-balancer-controller_iam_policy.json")) {
			t.Errorf("%s: the Load Balancer Controller's policy is not upstream's:\n%s", stack, lbc.JSON())
		}
		// The controller tags what it creates with elbv2.k8s.aws/cluster and may change only
		// resources carrying that tag; the v2.0-era policy keyed on ingress.k8s.aws/cluster.
		if text := lbc.JSON(); !strings.Contains(text, "aws:ResourceTag/elbv2.k8s.aws/cluster") || strings.Contains(text, "ingress.k8s.aws/cluster") {
			t.Errorf("%s: the Load Balancer Controller's policy does not scope changes by the controller's own tag", stack)
		}
		if iampolicy.Equal(lbc, upstreamPolicy(t, "aws-load-balancer-controller_iam_policy_legacy-ingress-tag.json")) {
			t.Errorf("%s: the Load Balancer Controller's policy is the legacy one", stack)
		}
		ca := attached(t, p, "cluster-autoscaler")
		if !iampolicy.Equal(ca, upstreamPolicy(t, "cluster-autoscaler_least_privilege_eks-bpg.json", "<my-cluster>", "platform-"+stack)) {
			t.Errorf("%s: the Cluster Autoscaler's policy is not upstream's for this cluster:\n%s", stack, ca.JSON())
		}
	}
}

// Every policy the plans attach is, in full, what its builder makes from the stack's values:
// nothing dropped or added between the function the unit tests check and the resource.
func TestAttachedPoliciesAreWhatBuildsThem(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		p := stackPlan(t, stack)
		cluster := "platform-" + stack
		account := contract.Account{ID: planner.MockAccountID, Partition: "aws", Region: "eu-north-1"}
		zone := p.named(t, typeZone, "dns-zone")
		key := p.named(t, typeKey, "cluster-secrets-key")
		bucketArn := func(store string) string {
			return "arn:aws:s3:::" + getString(p.named(t, "aws:s3/bucketV2:BucketV2", "addons-"+store+"-bucket"), "bucketPrefix") + "20261123000000000000000001"
		}
		lbcDoc, err := addons.LoadBalancerControllerPolicy()
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]iampolicy.Document{
			"aws-load-balancer-controller": lbcDoc,
			"external-dns":                 addons.ExternalDNSPolicy("aws", zone.ID),
			"external-secrets": addons.ExternalSecretsPolicy(account, cluster, "arn:aws:kms:eu-north-1:"+planner.MockAccountID+":key/"+key.ID,
				stack == "prod", len(stackInput(t, stack).Config[kTeams]) > 0),
			"cluster-autoscaler": addons.ClusterAutoscalerPolicy(cluster),
			"loki":               addons.BucketPolicy(bucketArn("loki"), false),
			"tempo":              addons.BucketPolicy(bucketArn("tempo"), true),
		}
		for key, w := range want {
			if got := attached(t, p, key); !iampolicy.Equal(got, w) {
				t.Errorf("%s %s: attached\n%s\nwant\n%s", stack, key, got.JSON(), w.JSON())
			}
		}
		// The teams' policies: secrets (their paths only), image pushes (their repositories
		// only), and the workload document the config gives, unchanged.
		keyArn := "arn:aws:kms:eu-north-1:" + planner.MockAccountID + ":key/" + key.ID
		teamDocs := map[string]iampolicy.Document{
			"teams-payments-secrets-policy": teamplan.SecretsPolicy(account, cluster, "payments", keyArn),
			"teams-search-secrets-policy":   teamplan.SecretsPolicy(account, cluster, "search", keyArn),
			"teams-payments-push-policy": teamplan.PushPolicy([]string{
				"arn:aws:ecr:eu-north-1:" + planner.MockAccountID + ":repository/" + cluster + "/payments/payments-api"}),
			"teams-search-workload-policy": iampolicy.New(iampolicy.Allow([]string{"s3:GetObject"}, "arn:aws:s3:::platform-"+stack+"-search-index/*")),
			// payments' members write its secrets (it has access roles; search has none)
			"teams-payments-writer-policy": teamplan.SecretsWriterPolicy(account, cluster, "payments", keyArn),
		}
		// dev's payments team has a database with IAM login: its secrets role reads exactly
		// that database's RDS-managed secret, its workload role logs in as "payments" there.
		if stack == "dev" {
			db := p.named(t, "aws:rds/instance:Instance", "databases-payments-ledger")
			dbKey := p.named(t, typeKey, "databases-key")
			teamDocs["databases-payments-secrets-policy"] = dbplan.SecretAccessPolicy("eu-north-1",
				[]string{"arn:aws:secretsmanager:eu-north-1:" + planner.MockAccountID + ":secret:rds!db-" + db.ID + "-AbCdEf"},
				"arn:aws:kms:eu-north-1:"+planner.MockAccountID+":key/"+dbKey.ID)
			teamDocs["databases-payments-connect-policy"] = dbplan.ConnectPolicy([]string{
				dbplan.ConnectArn("aws", "eu-north-1", planner.MockAccountID, "db-"+strings.ToUpper(db.ID), "payments")})
		}
		// The backup role's (the stack's region and prod's copy region), and the Session
		// Manager roles': the kube document for admins and members, dev's payments database's
		// document for payments' members, each on the access instance only.
		copyRegion := ""
		if stack == "prod" {
			copyRegion = "eu-west-1"
		}
		teamDocs["backup-role-policy"] = backupplan.RolePolicy(backupplan.Scope{Account: account, Cluster: cluster, CopyRegion: copyRegion})
		instance := p.named(t, "aws:ec2/instance:Instance", "access-instance").ID
		teamDocs["access-kube-policy"] = accessplan.SessionPolicy(account, instance, []string{cluster + ".kube"})
		if stack == "dev" {
			teamDocs["connect-payments-policy"] = accessplan.SessionPolicy(account, instance, []string{cluster + ".payments.ledger"})
		}
		// prod's CodeBuild runners: their logs and interfaces in the private subnets only.
		if stack == "prod" {
			project := p.named(t, "aws:codebuild/project:Project", "runners-project")
			teamDocs["runners-policy"] = runnerplan.Policy(account, cluster, getStrings(project, "vpcConfig.subnets"),
				p.named(t, "aws:ec2/securityGroup:SecurityGroup", "runners-sg").ID)
		}
		for name, w := range teamDocs {
			got, err := iampolicy.Parse([]byte(getString(p.named(t, "aws:iam/rolePolicy:RolePolicy", name), "policy")))
			if err != nil || !iampolicy.Equal(got, w) {
				t.Errorf("%s %s: attached\n%s\nwant\n%s (%v)", stack, name, got.JSON(), w.JSON(), err)
			}
		}
		// + flow logs and the CI deploy policy
		if n := len(p.ofType("aws:iam/rolePolicy:RolePolicy")); n != len(want)+len(teamDocs)+2 {
			t.Errorf("%s: %d inline policies, %d checked here", stack, n, len(want)+len(teamDocs)+2)
		}
	}
}
