package addons

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/grafana/alloy/syntax/ast"
	"github.com/grafana/alloy/syntax/parser"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/handle"
	"github.com/example/platform/internal/helmkit"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/planner/plantest"
)

// everything enables every addon with prod-like settings.
func everything() Config {
	on := Helm{Enabled: true, Replicas: 2}
	return Config{
		LoadBalancerController: on,
		ExternalDNS:            ExternalDNS{Helm: Helm{Enabled: true, Replicas: 1}, Policy: "upsert-only"},
		ExternalSecrets:        ExternalSecrets{Helm: on, SecretsManager: true, Protect: true},
		ClusterAutoscaler:      on,
		EBSCSI:                 EBSCSI{Enabled: true},
		Monitoring:             Monitoring{Helm: on, RetentionDays: 15, StorageGiB: 50},
		Loki:                   Store{Helm: on, RetentionDays: 30, Protect: true},
		Tempo:                  Store{Helm: Helm{Enabled: true, Replicas: 1}, RetentionDays: 14, ForceDestroy: true},
	}
}

// build plans the addons on a stand-in cluster; withProvider passes the cluster's Kubernetes
// provider the way the stack does.
func build(t *testing.T, cfg Config, withProvider bool) (*planner.Plan, error) {
	t.Helper()
	return plantest.Run(func(ctx *pulumi.Context) error {
		prov, err := kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{Kubeconfig: pulumi.String("{}")})
		if err != nil {
			return err
		}
		var nodes pulumi.CustomResourceState
		if err := ctx.RegisterResource("aws:eks/nodeGroup:NodeGroup", "nodes", pulumi.Map{}, &nodes); err != nil {
			return err
		}
		var opts []pulumi.ResourceOption
		if withProvider {
			opts = append(opts, pulumi.Providers(prov))
		}
		_, err = New(ctx, "addons", &Args{
			Cluster: handle.Cluster{Name: "c1", KubernetesVersion: "1.33", ClusterName: plantest.Output("c1"),
				SecretsKeyArn: plantest.Output("arn:aws:kms:eu-north-1:123456789012:key/k"), NodeGroups: []pulumi.Resource{&nodes}},
			Network:             handle.Network{VpcID: plantest.Output("vpc-1")},
			Zone:                handle.Zone{Domain: "dev.example.org", ZoneID: plantest.Output("ZONE1")},
			Certificate:         handle.Certificate{Arn: plantest.Output("arn:aws:acm:eu-north-1:123456789012:certificate/c")},
			Account:             plantest.Account,
			Config:              cfg,
			PermissionsBoundary: pulumi.String(plantest.Account.BoundaryPolicyArn("c1")),
		}, opts...)
		return err
	})
}

// Every child is the component's, named after it, and every Kubernetes object deploys through
// the cluster's provider, inherited from the component: none falls back to the ambient
// kubeconfig.
func TestChildrenAndInheritedProvider(t *testing.T) {
	p, err := build(t, everything(), true)
	if err != nil {
		t.Fatal(err)
	}
	comp := plantest.Named(t, p, "platform:index:Addons", "addons")
	prov := plantest.Named(t, p, "pulumi:providers:kubernetes", "k8s")
	counts := map[string]int{}
	for _, r := range p.Resources {
		if r.Parent != comp.URN {
			continue
		}
		counts[r.Type]++
		if !strings.HasPrefix(r.Name, "addons-") {
			t.Errorf("%s is not named after its component", r.Name)
		}
		if strings.HasPrefix(r.Type, "kubernetes:") && !strings.HasPrefix(r.Provider, prov.URN+"::") {
			t.Errorf("%s (%s) deploys through %q, not the cluster's provider", r.Name, r.Type, r.Provider)
		}
	}
	want := map[string]int{
		// The eight addons' releases, and the monitoring CRDs' own.
		helmkit.ReleaseType: 9, "kubernetes:core/v1:Namespace": 5, "kubernetes:core/v1:Secret": 1,
		// gp3 (backed up) and gp3-no-backup
		"kubernetes:storage.k8s.io/v1:StorageClass": 2, "kubernetes:external-secrets.io/v1:ClusterSecretStore": 2,
		"aws:iam/role:Role": 7, "aws:iam/rolePolicy:RolePolicy": 6, "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 1,
		"aws:eks/podIdentityAssociation:PodIdentityAssociation": 6, "aws:eks/addon:Addon": 3, // the Pod Identity agent, CoreDNS, EBS CSI
		"aws:s3/bucketV2:BucketV2": 2, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 2,
		"aws:s3/bucketOwnershipControls:BucketOwnershipControls": 2, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": 2,
		"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": 2,
		"random:index/randomPassword:RandomPassword":                                                 1, "aws:ssm/parameter:Parameter": 1,
		// gp3's generation, renewed with the fields Kubernetes cannot update (ebscsi.go)
		"random:index/randomId:RandomId": 1,
		// The platform's IngressClass with its params, and Loki's clients-only policy.
		"kubernetes:networking.k8s.io/v1:IngressClass": 1, "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams": 1,
		"kubernetes:networking.k8s.io/v1:NetworkPolicy": 1,
		// Alertmanager's receiver URL, from SSM
		"kubernetes:external-secrets.io/v1:ExternalSecret": 1,
		// The Load Balancer Controller's and External Secrets' PodMonitors, the addons' alerts.
		"kubernetes:monitoring.coreos.com/v1:PodMonitor": 2, "kubernetes:monitoring.coreos.com/v1:PrometheusRule": 1,
	}
	for typ, n := range want {
		if counts[typ] != n {
			t.Errorf("%s: %d, want %d", typ, counts[typ], n)
		}
	}
	if len(counts) != len(want) {
		t.Errorf("children by type = %v", counts)
	}
	// What each block decides reaches its resources.
	if eso := plantest.Named(t, p, helmkit.ReleaseType, "addons-external-secrets"); !eso.Protect {
		t.Error("ExternalSecrets.Protect does not protect the release")
	}
	loki := plantest.Named(t, p, "aws:s3/bucketV2:BucketV2", "addons-loki-bucket")
	tempo := plantest.Named(t, p, "aws:s3/bucketV2:BucketV2", "addons-tempo-bucket")
	if !loki.Protect || loki.Get("forceDestroy") != false || tempo.Protect || tempo.Get("forceDestroy") != true {
		t.Errorf("buckets: loki protect %v forceDestroy %v, tempo protect %v forceDestroy %v",
			loki.Protect, loki.Get("forceDestroy"), tempo.Protect, tempo.Get("forceDestroy"))
	}
	ebs := plantest.Named(t, p, "aws:eks/addon:Addon", "addons-ebs-csi")
	if ebs.GetString("configurationValues") != `{"controller":{"extraVolumeTags":{"kubernetes.io/cluster/c1":"owned","platform:cluster":"c1"}}}` {
		t.Errorf("EBS CSI configuration = %s: volumes must be tagged as the cluster's for the sweep, and as the stack's for the backups", ebs.GetString("configurationValues"))
	}
	edns := plantest.Named(t, p, helmkit.ReleaseType, "addons-external-dns")
	if edns.GetString("values.policy") != "upsert-only" || edns.GetString("values.domainFilters.0") != "dev.example.org" {
		t.Errorf("ExternalDNS values = %v", edns.Get("values"))
	}
	nodes := plantest.Named(t, p, "aws:eks/nodeGroup:NodeGroup", "nodes")
	for _, rel := range p.OfType(helmkit.ReleaseType) {
		// The CRDs' release has no pod: it must not wait for nodes (that put the CRDs, and
		// every chart that needs them, after the node group on the first up's critical path).
		if waits := plantest.Contains(rel.Dependencies, nodes.URN); waits != (rel.Name != "addons-monitoring-crds") {
			t.Errorf("%s waits for the cluster's nodes: %v", rel.Name, waits)
		}
	}
}

func TestDisabledAddonsLeaveOnlyTheClusterAddOns(t *testing.T) {
	p, err := build(t, Config{}, true)
	if err != nil {
		t.Fatal(err)
	}
	comp := plantest.Named(t, p, "platform:index:Addons", "addons")
	var children []string
	for _, r := range p.Resources {
		if r.Parent == comp.URN {
			children = append(children, r.Name)
		}
	}
	if strings.Join(children, ",") != "addons-coredns,addons-pod-identity-agent" {
		t.Errorf("children = %v", children)
	}
}

func TestRefusesBadArgs(t *testing.T) {
	zero := everything()
	zero.Monitoring.Replicas = 0
	for name, tc := range map[string]struct {
		cfg          Config
		withProvider bool
		want         string
	}{
		"no provider":  {everything(), false, "pass the cluster's provider with pulumi.Providers"},
		"zero replica": {zero, true, "Monitoring.Replicas must be at least 1"},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := build(t, tc.cfg, tc.withProvider)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			for _, r := range p.Resources {
				if strings.HasPrefix(r.Name, "addons") {
					t.Errorf("%s registered for invalid args", r.Name)
				}
			}
		})
	}
}

// Loki and Tempo link to each other only when both run; the trace-id pattern finds the ids
// OpenTelemetry writes in logfmt and JSON lines, and nothing in a line without one.
func TestDataSourcesLinkTracesAndLogs(t *testing.T) {
	both := DataSources(true, true, nil)
	if len(both) != 2 {
		t.Fatalf("data sources = %v", both)
	}
	loki, tempo := both[0].(map[string]any), both[1].(map[string]any)
	derived := loki["jsonData"].(map[string]any)["derivedFields"].([]any)[0].(map[string]any)
	if derived["datasourceUid"] != tempo["uid"] || derived["url"] != "$${__value.raw}" {
		t.Errorf("Loki's trace link = %v", derived)
	}
	if got := tempo["jsonData"].(map[string]any)["tracesToLogsV2"].(map[string]any)["datasourceUid"]; got != loki["uid"] {
		t.Errorf("Tempo's logs link = %v", got)
	}
	if _, linked := DataSources(true, false, nil)[0].(map[string]any)["jsonData"].(map[string]any)["derivedFields"]; linked {
		t.Error("Loki links to a Tempo that does not run")
	}
	if _, linked := DataSources(false, true, nil)[0].(map[string]any)["jsonData"].(map[string]any)["tracesToLogsV2"]; linked {
		t.Error("Tempo links to a Loki that does not run")
	}
	re := regexp.MustCompile(TraceIDPattern)
	for line, want := range map[string]string{
		`level=info msg="paid" traceID=4bf92f3577b34da6a3ce929d0e0e4736 spanID=00f067aa0ba902b7`: "4bf92f3577b34da6a3ce929d0e0e4736",
		`{"level":"info","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}`:                         "4bf92f3577b34da6a3ce929d0e0e4736",
		`{"traceId": "00f067aa0ba902b7"}`:                                                        "00f067aa0ba902b7",
		`level=info msg="no trace here" user=trace_id_missing`:                                   "",
	} {
		got := ""
		if m := re.FindStringSubmatch(line); m != nil {
			got = m[1]
		}
		if got != want {
			t.Errorf("%s: trace id %q, want %q", line, got, want)
		}
	}
}

// The platform reads every tenant: its own, the one Loki and Tempo used before tenancy, each
// team's; a team's organization reads its own tenant, and its metrics through its own proxy
// limited to its namespaces.
func TestTenancy(t *testing.T) {
	tenants := []Tenant{{Name: "a", Namespaces: []string{"a", "a-jobs"}, GitHubTeam: "a-devs"}, {Name: "b", Namespaces: []string{"b"}}}
	header := func(ds any) string {
		d := ds.(map[string]any)
		if d["jsonData"].(map[string]any)["httpHeaderName1"] != "X-Scope-OrgID" {
			t.Errorf("%s sends no tenant: %v", d["uid"], d)
		}
		return d["secureJsonData"].(map[string]any)["httpHeaderValue1"].(string)
	}
	platform := DataSources(true, true, tenants)
	if got := header(platform[0]); got != "platform|fake|a|b" {
		t.Errorf("the platform's Loki tenants = %s", got)
	}
	if got := header(platform[1]); got != "platform|single-tenant|a|b" {
		t.Errorf("the platform's Tempo tenants = %s", got)
	}
	orgs := GrafanaTenants(tenants, true, true)["orgs"].([]any)
	if len(orgs) != 2 {
		t.Fatalf("organizations %v", orgs)
	}
	a := orgs[0].(map[string]any)
	sources := a["datasources"].([]any)
	prom := sources[0].(map[string]any)
	if a["name"] != "a" || len(sources) != 3 || prom["url"] != "http://prom-label-proxy-a.monitoring.svc.cluster.local:8080" ||
		header(sources[1]) != "a" || header(sources[2]) != "a" {
		t.Errorf("team a's organization = %v", a)
	}
	if got := strings.Join(MetricsProxyArgs(tenants[0]), " "); !strings.Contains(got, "-label=namespace -label-value=a -label-value=a-jobs") ||
		!strings.Contains(got, "-error-on-replace") || strings.Contains(got, "label-value=b") {
		t.Errorf("team a's proxy args = %s", got)
	}
	sso := GrafanaSSO{Org: "org", Admins: []string{"platform"}, Viewers: []string{"ops"}, Teams: tenants, TeamRole: "Editor"}
	if got := sso.grafanaOrgMapping(); got != "@org/platform:*:Admin @org/ops:1:Viewer @org/a-devs:a:Editor" {
		t.Errorf("org_mapping = %s", got)
	}
	if got := sso.RoleAttributePath(); got != "contains(groups[*], '@org/platform') && 'Admin'" {
		t.Errorf("role_attribute_path = %s", got)
	}
}

// The log shipper's configuration is Alloy syntax, as Alloy's own parser reads it (the module
// github.com/grafana/alloy/syntax), and names the components it means; a control shows the
// parser refuses a broken one.
func TestAlloyConfigParses(t *testing.T) {
	cfg := AlloyConfig(LokiPushURL())
	file, err := parser.ParseFile("config.alloy", []byte(cfg))
	if err != nil {
		t.Fatalf("Alloy cannot read its config: %v\n%s", err, cfg)
	}
	var blocks []string
	for _, s := range file.Body {
		if b, ok := s.(*ast.BlockStmt); ok {
			blocks = append(blocks, strings.Join(b.Name, ".")+" "+b.Label)
		}
	}
	want := []string{"discovery.kubernetes pods", "discovery.relabel pods", "loki.source.kubernetes pods", "loki.process tenant", "loki.write default"}
	if !slices.Equal(blocks, want) {
		t.Errorf("components %v, want %v", blocks, want)
	}
	if _, err := parser.ParseFile("bad.alloy", []byte(strings.Replace(cfg, "}\n", "\n", 1))); err == nil {
		t.Error("the parser accepted a block without its closing brace")
	}
}
