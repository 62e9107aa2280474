package databases

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/databases/dbplan"
	"github.com/example/platform/components/handle"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/helmkit"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/planner/plantest"
)

func build(t *testing.T, dbs []dbplan.Database, mutate func(*Args), withProvider bool) (*planner.Plan, error) {
	t.Helper()
	return plantest.Run(func(ctx *pulumi.Context) error {
		prov, err := kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{Kubeconfig: pulumi.String("{}")})
		if err != nil {
			return err
		}
		var eso, ns pulumi.CustomResourceState
		if err := ctx.RegisterResource(helmkit.ReleaseType, "eso", pulumi.Map{}, &eso); err != nil {
			return err
		}
		if err := ctx.RegisterResource("kubernetes:core/v1:Namespace", "payments", pulumi.Map{}, &ns); err != nil {
			return err
		}
		var instances []dbplan.Instance
		for _, db := range dbs {
			instances = append(instances, dbplan.Resolve("c1", "payments", []string{"payments"}, db, dbplan.ProdSettings))
		}
		a := &Args{
			Instances: instances,
			Network: handle.Network{VpcID: plantest.Output("vpc-1"), DatabaseSubnetGroups: map[string]pulumi.StringOutput{"payments": plantest.Output("db-group")},
				DatabaseSubnetCIDRs: map[string][]string{"payments": {"10.0.224.0/28", "10.0.232.0/28"}}},
			Cluster: handle.Cluster{Name: "c1", ClusterName: plantest.Output("c1"), NodeSecurityGroupID: plantest.Output("sg-nodes")},
			Teams: handle.Teams{ByName: map[string]handle.Team{"payments": {
				SecretsRoleArn: plantest.Output("arn:aws:iam::1:role/s"), SecretsRoleName: plantest.Output("s"),
				Namespaces: map[string]pulumi.Resource{"payments": &ns},
			}}},
			Addons:  handle.Addons{ExternalSecrets: &eso},
			Account: contract.Account{ID: "1", Partition: "aws", Region: "eu-north-1"},
			Protect: true, KeyDeletionWindowDays: 30, AlarmTopicArn: plantest.Output("arn:aws:sns:eu-north-1:1:c1-alarms"),
			LogsKeyArn: plantest.Output("arn:aws:kms:eu-north-1:1:key/logs"),
		}
		if mutate != nil {
			mutate(a)
		}
		var opts []pulumi.ResourceOption
		if withProvider {
			opts = append(opts, pulumi.Providers(prov))
		}
		_, err = New(ctx, "databases", a, opts...)
		return err
	})
}

func TestDatabases(t *testing.T) {
	p, err := build(t, []dbplan.Database{{Name: "ledger"}, {Name: "audit", Version: "16"}}, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	counts := p.Counts()
	for typ, n := range map[string]int{"aws:rds/instance:Instance": 2, "aws:rds/parameterGroup:ParameterGroup": 2,
		"aws:ec2/securityGroup:SecurityGroup": 2, "aws:cloudwatch/metricAlarm:MetricAlarm": 4, "aws:kms/key:Key": 1,
		"aws:iam/rolePolicy:RolePolicy":                 1,
		"kubernetes:external-secrets.io/v1:SecretStore": 1, "kubernetes:external-secrets.io/v1:ExternalSecret": 2} {
		if counts[typ] != n {
			t.Errorf("%s: %d, want %d", typ, counts[typ], n)
		}
	}
	// One policy per team names every one of its databases' secrets.
	policy, _ := p.Named("aws:iam/rolePolicy:RolePolicy", "databases-payments-secrets-policy")
	if doc := policy.GetString("policy"); strings.Count(doc, "secret:rds!db-") != 2 {
		t.Errorf("secrets policy = %s", doc)
	}
	audit, _ := p.Named("aws:rds/parameterGroup:ParameterGroup", "databases-payments-audit-params")
	if audit.GetString("family") != "postgres16" {
		t.Errorf("audit's family = %s", audit.GetString("family"))
	}
	for _, r := range p.Resources {
		if r.Type == "aws:rds/instance:Instance" && !r.Protect {
			t.Errorf("%s is not protected", r.Name)
		}
		if r.Type == "aws:cloudwatch/logGroup:LogGroup" && r.GetString("kmsKeyId") != "arn:aws:kms:eu-north-1:1:key/logs" {
			t.Errorf("%s is not encrypted with the stack's logs key: %v", r.Name, r.Inputs)
		}
		if r.Type == "aws:kms/key:Key" && (r.GetString("tags.platform:cluster") != "c1" || r.GetString("policy") != (contract.Account{ID: "1", Partition: "aws", Region: "eu-north-1"}).KeyPolicy().JSON()) {
			t.Errorf("%s without its stack tag or explicit policy: %v", r.Name, r.Inputs)
		}
	}
	if counts["aws:cloudwatch/logGroup:LogGroup"] == 0 {
		t.Error("no database log groups")
	}
}

// Invalid arguments fail before anything is registered.
func TestDatabasesRefuseBadArgs(t *testing.T) {
	for _, tt := range []struct {
		name         string
		mutate       func(*Args)
		withProvider bool
		want         string
	}{
		{"no provider", nil, false, "Kubernetes provider"},
		{"no database subnets of the team", func(a *Args) { a.Network.DatabaseSubnetGroups = nil }, true, "no database subnets of team payments"},
		{"unknown team", func(a *Args) { a.Teams.ByName = map[string]handle.Team{} }, true, `no team "payments"`},
		{"iam login without a workload role", func(a *Args) { a.Instances[0].IAMAuthentication = true }, true, "needs the team's workload role"},
		{"unresolved", func(a *Args) { a.Instances[0].InstanceClass = "" }, true, "not resolved"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := build(t, []dbplan.Database{{Name: "ledger"}}, tt.mutate, tt.withProvider)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if n := p.Counts()["platform:index:Databases"]; n != 0 {
				t.Errorf("registered the component despite: %v", err)
			}
		})
	}
}
