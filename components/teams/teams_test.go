package teams

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/handle"
	"github.com/example/platform/components/teams/teamplan"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/helmkit"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/planner/plantest"
)

func team(name string, mutate func(*teamplan.Team)) teamplan.Team {
	t := teamplan.DefaultTeam()
	t.Name, t.Namespaces = name, []string{name}
	if mutate != nil {
		mutate(&t)
	}
	return t
}

func build(t *testing.T, teams []teamplan.Team, withProvider bool) (*planner.Plan, error) {
	t.Helper()
	return plantest.Run(func(ctx *pulumi.Context) error {
		prov, err := kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{Kubeconfig: pulumi.String("{}")})
		if err != nil {
			return err
		}
		var lbc, eso, argo pulumi.CustomResourceState
		for name, r := range map[string]*pulumi.CustomResourceState{"lbc": &lbc, "eso": &eso, "argo": &argo} {
			if err := ctx.RegisterResource(helmkit.ReleaseType, name, pulumi.Map{}, r); err != nil {
				return err
			}
		}
		a := &Args{
			Teams:             teams,
			Cluster:           handle.Cluster{Name: "c1", ClusterName: plantest.Output("c1"), SecretsKeyArn: plantest.Output("arn:aws:kms:eu-north-1:1:key/k")},
			PublicSubnetCIDRs: []string{"10.0.0.0/24", "10.0.1.0/24"},
			Certificate:       handle.Certificate{Arn: plantest.Output("arn:aws:acm:eu-north-1:1:certificate/c")},
			Zone:              handle.Zone{Domain: "dev.example.org"},
			Addons: handle.Addons{LoadBalancerController: &lbc, ExternalSecrets: &eso,
				ExternalSecretsRoleArn: plantest.Output("arn:aws:iam::1:role/eso"), MonitoringNamespace: "monitoring"},
			ArgoCD:   handle.ArgoCD{Namespace: "argocd", Release: &argo, RepoURL: "git@github.com:org/gitops.git"},
			Revision: "main", Stack: "dev", AutoSyncApps: true,
			GitHub:              handle.GitHub{Owner: "org", OIDCProviderArn: plantest.Output("arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com")},
			Account:             contract.Account{ID: "1", Partition: "aws", Region: "eu-north-1"},
			PermissionsBoundary: plantest.Output("arn:aws:iam::1:policy/b"),
		}
		var opts []pulumi.ResourceOption
		if withProvider {
			opts = append(opts, pulumi.Providers(prov))
		}
		_, err = New(ctx, "teams", a, opts...)
		return err
	})
}

// Every child is parented to the component, and every Kubernetes object reaches the cluster
// through the provider the component was given; names are keyed by team and namespace.
func TestChildren(t *testing.T) {
	p, err := build(t, []teamplan.Team{
		team("a", func(t *teamplan.Team) {
			t.Images, t.Repos, t.GitHubTeam = []string{"api"}, []string{"a-api"}, "a-devs"
			t.AccessRoleArns = []string{"arn:aws:iam::111122223333:role/a-developers"}
		}),
		team("b", func(t *teamplan.Team) {
			t.Namespaces, t.Ingress, t.ReadSecrets, t.ClusterView = []string{"b", "b-jobs"}, teamplan.DedicatedIngress, false, true
			t.Policies.ManagedPolicyArns = []string{"arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"}
		}),
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	comp := plantest.Named(t, p, "platform:index:Teams", "teams")
	prov := plantest.Named(t, p, "pulumi:providers:kubernetes", "k8s")
	for _, r := range p.Resources {
		if r.Name == "teams" || r.Name == "k8s" || r.Type == helmkit.ReleaseType {
			continue
		}
		if r.Parent != comp.URN {
			t.Errorf("%s is not a child of the component", r.Name)
		}
		if strings.HasPrefix(r.Type, "kubernetes:") && !strings.HasPrefix(r.Provider, prov.URN) {
			t.Errorf("%s does not use the component's Kubernetes provider (%s)", r.Name, r.Provider)
		}
	}
	for _, name := range []string{"teams-a-a-ns", "teams-b-b-jobs-ns", "teams-b-b-jobs-platform-default-deny", "teams-a-a-team-secrets",
		"teams-a-ecr-api", "teams-a-push-role", "teams-b-workload-role", "teams-b-b-jobs-pod-identity", "teams-b-view",
		"teams-ingress-class-teams", "teams-ingress-class-team-b", "teams-a-project", "teams-monitoring-policy", "teams-monitoring-policy-binding"} {
		if !slices.ContainsFunc(p.Resources, func(r planner.Resource) bool { return r.Name == name }) {
			t.Errorf("no %s among %d resources", name, len(p.Resources))
		}
	}
	if _, ok := p.Named("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "teams-b-b-team-secrets"); ok {
		t.Error("b chose no Secrets, yet is bound to team-secrets")
	}
	if _, ok := p.Named("aws:iam/role:Role", "teams-a-workload-role"); ok {
		t.Error("a workload role without policies")
	}
	// a's members write its secrets through a team role outside the secrets roles' path
	// (External Secrets may assume those); b has no access roles, so nobody could assume one.
	writer := plantest.Named(t, p, "aws:iam/role:Role", "teams-a-writer-role")
	if writer.GetString("path") != "/c1/teams/" || writer.GetString("tags.platform-team") != "a" ||
		writer.GetString("permissionsBoundary") != "arn:aws:iam::1:policy/b" ||
		!strings.Contains(writer.GetString("assumeRolePolicy"), "arn:aws:iam::111122223333:role/a-developers") {
		t.Errorf("a's writer role %v", writer.Inputs)
	}
	if _, ok := p.Named("aws:iam/role:Role", "teams-b-writer-role"); ok {
		t.Error("b has no access roles, yet has a writer role")
	}
	// The monitoring policy binds to the namespaces the component labels, after the policy.
	policy := plantest.Named(t, p, "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy", "teams-monitoring-policy")
	binding := plantest.Named(t, p, "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding", "teams-monitoring-policy-binding")
	if binding.GetString("spec.policyName") != policy.GetString("metadata.name") || !plantest.Contains(binding.Dependencies, policy.URN) ||
		binding.GetString("spec.matchResources.namespaceSelector.matchExpressions.0.key") != teamplan.TeamLabel {
		t.Errorf("binding %v", binding.Inputs)
	}
	store := plantest.Named(t, p, "kubernetes:external-secrets.io/v1:SecretStore", "teams-a-a-secret-store")
	role := plantest.Named(t, p, "aws:iam/role:Role", "teams-a-secrets-role")
	if store.GetString("spec.provider.aws.role") != role.Outputs["arn"] || role.GetString("path") != "/c1/teams/secrets/" || role.GetString("tags.platform-team") != "a" {
		t.Errorf("a's store %v, role %v", store.Inputs, role.Inputs)
	}
}

// Invalid arguments register nothing but what the test itself made.
func TestRefusesBadArgs(t *testing.T) {
	for name, tc := range map[string]struct {
		teams        []teamplan.Team
		withProvider bool
		want         string
	}{
		"no provider": {[]teamplan.Team{team("a", nil)}, false, "Kubernetes provider"},
		"privileged":  {[]teamplan.Team{team("a", func(t *teamplan.Team) { t.PodSecurity = "privileged" })}, true, "podSecurity"},
		"platform ns": {[]teamplan.Team{team("a", func(t *teamplan.Team) { t.Namespaces = []string{"kube-system"} })}, true, "platform namespace"},
	} {
		p, err := build(t, tc.teams, tc.withProvider)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", name, err, tc.want)
		}
		if p != nil && len(p.OfType("platform:index:Teams")) != 0 {
			t.Errorf("%s: the component was registered", name)
		}
	}
}
