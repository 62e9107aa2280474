package argocd

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/handle"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/helmkit"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/planner/plantest"
)

// testMonitoring and testMonitoringCRDs are the stand-in kube-prometheus-stack release and its
// CRDs' release of the plan being built.
var testMonitoring, testMonitoringCRDs pulumi.Resource

func build(t *testing.T, mutate func(*Args), withProvider bool) (*planner.Plan, error) {
	t.Helper()
	return plantest.Run(func(ctx *pulumi.Context) error {
		prov, err := kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{Kubeconfig: pulumi.String("{}")})
		if err != nil {
			return err
		}
		var lbc, store pulumi.CustomResourceState
		if err := ctx.RegisterResource(helmkit.ReleaseType, "lbc", pulumi.Map{}, &lbc); err != nil {
			return err
		}
		if err := ctx.RegisterResource("kubernetes:external-secrets.io/v1:ClusterSecretStore", "store", pulumi.Map{}, &store); err != nil {
			return err
		}
		// A stand-in kube-prometheus-stack release, for the tests that set Addons.Monitoring.
		var kps pulumi.CustomResourceState
		if err := ctx.RegisterResource(helmkit.ReleaseType, "kps", pulumi.Map{}, &kps); err != nil {
			return err
		}
		testMonitoring = &kps
		var crds pulumi.CustomResourceState
		if err := ctx.RegisterResource(helmkit.ReleaseType, "kps-crds", pulumi.Map{}, &crds); err != nil {
			return err
		}
		testMonitoringCRDs = &crds
		a := &Args{
			Cluster:     handle.Cluster{Name: "c1", SecretsKeyArn: plantest.Output("arn:aws:kms:eu-north-1:1:key/k")},
			Zone:        handle.Zone{Domain: "dev.example.org", ZoneID: plantest.Output("Z1")},
			Certificate: handle.Certificate{Arn: plantest.Output("arn:aws:acm:eu-north-1:1:certificate/c")},
			GitHub:      handle.GitHub{RepoURL: "git@github.com:org/gitops.git", DeployKeyParameter: plantest.Output("/c1/github/deploykeys/org/gitops")},
			Addons:      handle.Addons{LoadBalancerController: &lbc, ParameterStore: &store},
			Replicas:    1, ClientID: "Ov23liX", ClientSecret: pulumi.ToSecret(pulumi.String("s3cr3t")).(pulumi.StringOutput),
			Org: "org", Teams: []string{"platform"}, Roles: map[string]string{"platform": "role:admin"},
			Path: "clusters/dev", Revision: "main", DestinationNamespaces: []string{"apps-*"},
		}
		if mutate != nil {
			mutate(a)
		}
		var opts []pulumi.ResourceOption
		if withProvider {
			opts = append(opts, pulumi.Providers(prov))
		}
		_, err = New(ctx, "argocd", a, opts...)
		return err
	})
}

func TestChildren(t *testing.T) {
	p, err := build(t, func(a *Args) { a.Protect = true }, true)
	if err != nil {
		t.Fatal(err)
	}
	comp := plantest.Named(t, p, "platform:index:ArgoCD", "argocd")
	prov := plantest.Named(t, p, "pulumi:providers:kubernetes", "k8s")
	for _, r := range p.Resources {
		if r.Parent != comp.URN {
			continue
		}
		if strings.HasPrefix(r.Type, "kubernetes:") && !strings.HasPrefix(r.Provider, prov.URN+"::") {
			t.Errorf("%s deploys through %q, not the cluster's provider", r.Name, r.Provider)
		}
	}
	ns := plantest.Named(t, p, "kubernetes:core/v1:Namespace", "argocd-ns")
	labels, _ := ns.Get("metadata.labels").(map[string]any)
	if labels["pod-security.kubernetes.io/enforce"] != helmkit.Baseline || len(labels) != 1 {
		t.Errorf("namespace labels = %v", labels)
	}
	param := plantest.Named(t, p, "aws:ssm/parameter:Parameter", "argocd-dex-client-secret")
	if param.GetString("name") != contract.DexClientSecretParameter("c1") || !plantest.Contains(param.SecretInputs, "value") {
		t.Errorf("client secret parameter = %v (secret %v)", param.Inputs, param.SecretInputs)
	}
	store := plantest.Named(t, p, "kubernetes:external-secrets.io/v1:ClusterSecretStore", "store")
	lbc := plantest.Named(t, p, helmkit.ReleaseType, "lbc")
	dex := plantest.Named(t, p, "kubernetes:external-secrets.io/v1:ExternalSecret", "argocd-dex-secret")
	repo := plantest.Named(t, p, "kubernetes:external-secrets.io/v1:ExternalSecret", "argocd-repo-secret")
	for _, es := range []planner.Resource{dex, repo} {
		if !plantest.Contains(es.Dependencies, store.URN) || es.GetString("spec.secretStoreRef.name") != contract.ParameterStore {
			t.Errorf("%s does not read through the parameter store: %v", es.Name, es.Dependencies)
		}
	}
	rel := plantest.Named(t, p, helmkit.ReleaseType, "argocd-release")
	if !rel.Protect || !plantest.Contains(rel.Dependencies, lbc.URN) || !plantest.Contains(rel.Dependencies, dex.URN) ||
		rel.GetString("chart") != helmkit.Charts.ArgoCD.Name || len(rel.SecretInputs) != 0 {
		t.Errorf("release = %v (protect %v, deps %v, secret %v)", rel.Inputs, rel.Protect, rel.Dependencies, rel.SecretInputs)
	}
	for _, name := range []string{"argocd-project", "argocd-root-app"} {
		for _, typ := range []string{"kubernetes:argoproj.io/v1alpha1:AppProject", "kubernetes:argoproj.io/v1alpha1:Application"} {
			if r, ok := p.Named(typ, name); ok && !plantest.Contains(r.Dependencies, rel.URN) {
				t.Errorf("%s is created before Argo CD's CRDs", name)
			}
		}
	}
}

// With monitoring, the four controllers' ServiceMonitors render once their CRD is there (the
// release waits for kube-prometheus-stack), and the applications' alerts are created; without
// it, neither.
func TestMonitored(t *testing.T) {
	for _, monitored := range []bool{true, false} {
		p, err := build(t, func(a *Args) {
			if monitored {
				a.Addons.Monitoring, a.Addons.MonitoringCRDs = testMonitoring, testMonitoringCRDs
			}
		}, true)
		if err != nil {
			t.Fatal(err)
		}
		rel := plantest.Named(t, p, helmkit.ReleaseType, "argocd-release")
		values := planner.Resource{Inputs: rel.Get("values").(map[string]any)}
		_, rules := p.Named("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "argocd-alert-rules")
		for _, c := range []string{"controller", "server", "repoServer", "applicationSet"} {
			if (values.Get(c+".metrics.serviceMonitor.enabled") == true) != monitored || (values.Get(c+".metrics.enabled") == true) != monitored {
				t.Errorf("monitored %v: %s metrics %v", monitored, c, values.Get(c+".metrics"))
			}
		}
		if rules != monitored {
			t.Errorf("monitored %v: alert rules %v", monitored, rules)
		}
		if monitored {
			// The release's ServiceMonitors need only the CRDs (waiting for the whole
			// kube-prometheus-stack put it on the first up's critical path); the rules wait for
			// the release, whose operator's webhook validates them.
			kps := plantest.Named(t, p, helmkit.ReleaseType, "kps")
			crds := plantest.Named(t, p, helmkit.ReleaseType, "kps-crds")
			r := plantest.Named(t, p, "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "argocd-alert-rules")
			if !plantest.Contains(rel.Dependencies, crds.URN) || plantest.Contains(rel.Dependencies, kps.URN) ||
				!plantest.Contains(r.Dependencies, kps.URN) || r.GetString("metadata.namespace") == "" {
				t.Errorf("release deps %v, rules deps %v", rel.Dependencies, r.Dependencies)
			}
		}
	}
}

func TestRefusesBadArgs(t *testing.T) {
	for name, tc := range map[string]struct {
		mutate       func(*Args)
		withProvider bool
		want         string
	}{
		"no provider":  {nil, false, "pass the cluster's provider with pulumi.Providers"},
		"no store":     {func(a *Args) { a.Addons.ParameterStore = nil }, true, "needs the External Secrets parameter store"},
		"no teams":     {func(a *Args) { a.Teams = nil }, true, "Org, Teams, ClientID, Path, Revision and Replicas are required"},
		"no cert":      {func(a *Args) { a.Certificate = handle.Certificate{} }, true, "Certificate"},
		"zero replica": {func(a *Args) { a.Replicas = 0 }, true, "Replicas are required"},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := build(t, tc.mutate, tc.withProvider)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			for _, r := range p.Resources {
				if strings.HasPrefix(r.Name, "argocd") {
					t.Errorf("%s registered for invalid args", r.Name)
				}
			}
		})
	}
}
