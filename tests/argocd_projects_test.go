package tests

import (
	"fmt"
	"strings"
	"testing"

	"github.com/example/platform/components/argocd"
	"github.com/example/platform/internal/contract"
)

// argoResource is one object an Application's source renders, as Argo CD's engine takes it.
type argoResource struct {
	Group      string `json:"group"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Namespace  string `json:"namespace"`
	Namespaced bool   `json:"namespaced"`
}

func namespaced(group, kind, ns, name string) argoResource {
	return argoResource{Group: group, Kind: kind, Name: name, Namespace: ns, Namespaced: true}
}

func clusterScoped(group, kind, name string) argoResource {
	return argoResource{Group: group, Kind: kind, Name: name}
}

type argoCase struct {
	Name        string         `json:"name"`
	Application map[string]any `json:"application"`
	Resources   []argoResource `json:"resources"`
	allowed     bool
	reason      string // part of Argo CD's refusal
}

// application is an Application in namespace ns, in project, from repo into dest.
func application(ns, project, repo, dest string) map[string]any {
	return map[string]any{
		"metadata": map[string]any{"name": "probe", "namespace": ns},
		"spec": map[string]any{
			"project":     project,
			"source":      map[string]any{"repoURL": repo, "path": "x", "targetRevision": "main"},
			"destination": map[string]any{"server": "https://kubernetes.default.svc", "namespace": dest},
		},
	}
}

// planProjects are the plan's AppProjects (and the patched default project) as Argo CD
// reads them.
func planProjects(p *plan) []map[string]any {
	var projects []map[string]any
	for _, typ := range []string{"kubernetes:argoproj.io/v1alpha1:AppProject", "kubernetes:argoproj.io/v1alpha1:AppProjectPatch"} {
		for _, r := range p.ofType(typ) {
			projects = append(projects, map[string]any{"metadata": r.Shaped["metadata"], "spec": r.Shaped["spec"]})
		}
	}
	return projects
}

// Git's reach, decided by Argo CD's own project code (tests/engines/argocd: Argo CD v3.3.19's
// AppProject checks, in the order its controller applies them) with the plan's AppProjects:
// each Application an attacker with write access to a part of the GitOps repository would
// write is refused, and each the platform and a team legitimately write is admitted.
func TestArgoCDProjectsWithArgoCDsOwnCode(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			projects := planProjects(stackPlan(t, stack))
			if len(projects) != 5 {
				t.Fatalf("%d projects in the plan, want platform, platform-root, default and the two teams'", len(projects))
			}
			gitops := "git@github.com:example-org/gitops.git"
			apps, ctl := contract.ArgoCDAppsNamespace, contract.ArgoCDNamespace
			teamApp := func(team, repo, dest string, rs ...argoResource) argoCase {
				return argoCase{Application: application(ctl, "team-"+team, repo, dest), Resources: rs}
			}
			ok := func(name string, c argoCase) argoCase { c.Name, c.allowed = name, true; return c }
			no := func(name, reason string, c argoCase) argoCase { c.Name, c.reason = name, reason; return c }
			deploy := func(ns string) argoResource { return namespaced("apps", "Deployment", ns, "web") }
			cases := []argoCase{
				// What the platform and the teams write.
				ok("a platform app creates its namespace", argoCase{Application: application(apps, "platform", gitops, "apps-web"),
					Resources: []argoResource{clusterScoped("", "Namespace", "apps-web"), deploy("apps-web")}}),
				ok("the root app writes a platform Application", argoCase{Application: application(ctl, argocd.RootProject, gitops, apps),
					Resources: []argoResource{namespaced("argoproj.io", "Application", apps, "web")}}),
				ok("a team's app (the ApplicationSet's)", teamApp("payments", gitops, "payments", deploy("payments"),
					namespaced("", "Service", "payments", "web"), namespaced("networking.k8s.io", "Ingress", "payments", "web"),
					namespaced("external-secrets.io", "ExternalSecret", "payments", "web"), namespaced("monitoring.coreos.com", "ServiceMonitor", "payments", "web"),
					namespaced("autoscaling", "HorizontalPodAutoscaler", "payments", "web"), namespaced("policy", "PodDisruptionBudget", "payments", "web"),
					namespaced("", "ConfigMap", "payments", "web"), namespaced("batch", "CronJob", "payments", "web"))),
				ok("a team's app from its own repository", teamApp("payments", "https://github.com/example-org/payments-api.git", "payments", deploy("payments"))),
				ok("a team's second namespace", teamApp("search", gitops, "search-jobs", namespaced("batch", "Job", "search-jobs", "reindex"))),
				// Git -> another project, or Argo CD's own configuration.
				no("clusters/ names a team's project", "is not allowed in project team-payments",
					argoCase{Application: application(apps, "team-payments", gitops, "payments"), Resources: []argoResource{deploy("payments")}}),
				no("clusters/ names the root's project", "is not allowed in project "+argocd.RootProject,
					argoCase{Application: application(apps, argocd.RootProject, gitops, apps), Resources: []argoResource{namespaced("argoproj.io", "Application", ctl, "x")}}),
				no("clusters/ names the default project", "is not allowed in project default",
					argoCase{Application: application(apps, "default", gitops, "apps-x"), Resources: []argoResource{deploy("apps-x")}}),
				no("an Application where Argo CD reads none", "does not read Applications in namespace payments",
					argoCase{Application: application("payments", "team-payments", gitops, "payments"), Resources: []argoResource{deploy("payments")}}),
				no("the root app writes into Argo CD's namespace", "namespace argocd is not permitted",
					argoCase{Application: application(ctl, argocd.RootProject, gitops, apps), Resources: []argoResource{namespaced("argoproj.io", "Application", ctl, "any-project")}}),
				no("the root app writes a project", "AppProject",
					argoCase{Application: application(ctl, argocd.RootProject, gitops, apps), Resources: []argoResource{namespaced("argoproj.io", "AppProject", apps, "wide")}}),
				no("the root app writes Argo CD's config", "ConfigMap",
					argoCase{Application: application(ctl, argocd.RootProject, gitops, apps), Resources: []argoResource{namespaced("", "ConfigMap", apps, "argocd-cm")}}),
				no("the root app from another repository", "is not permitted in project "+argocd.RootProject,
					argoCase{Application: application(ctl, argocd.RootProject, "https://github.com/attacker/apps.git", apps)}),
				// The platform project -> namespaces that are not its own.
				no("a platform app creates a team's namespace", "Namespace payments is not permitted",
					argoCase{Application: application(apps, "platform", gitops, "apps-web"), Resources: []argoResource{clusterScoped("", "Namespace", "payments")}}),
				no("a platform app takes kube-system", "Namespace kube-system is not permitted",
					argoCase{Application: application(apps, "platform", gitops, "apps-web"), Resources: []argoResource{clusterScoped("", "Namespace", "kube-system")}}),
				no("a platform app deploys into a team's namespace", "namespace payments is not permitted",
					argoCase{Application: application(apps, "platform", gitops, "apps-web"), Resources: []argoResource{deploy("payments")}}),
				no("a platform app deploys into Argo CD", "destination namespace argocd is not permitted",
					argoCase{Application: application(apps, "platform", gitops, "argocd"), Resources: []argoResource{deploy("argocd")}}),
				no("a platform app binds cluster-admin", "ClusterRoleBinding",
					argoCase{Application: application(apps, "platform", gitops, "apps-web"), Resources: []argoResource{clusterScoped("rbac.authorization.k8s.io", "ClusterRoleBinding", "root")}}),
				// A team -> beyond its namespaces and kinds.
				no("a team deploys into another team's namespace", "namespace search is not permitted", teamApp("payments", gitops, "payments", deploy("search"))),
				no("a team targets another team's namespace", "destination namespace search is not permitted", teamApp("payments", gitops, "search", deploy("search"))),
				no("a team deploys into a platform namespace", "namespace monitoring is not permitted", teamApp("payments", gitops, "payments", deploy("monitoring"))),
				no("a team creates a namespace", "Namespace", teamApp("payments", gitops, "payments", clusterScoped("", "Namespace", "payments-x"))),
				no("a team binds a cluster role", "ClusterRoleBinding", teamApp("payments", gitops, "payments", clusterScoped("rbac.authorization.k8s.io", "ClusterRoleBinding", "x"))),
				no("a team rewrites its network policy", "NetworkPolicy", teamApp("payments", gitops, "payments", namespaced("networking.k8s.io", "NetworkPolicy", "payments", "platform-default-deny"))),
				no("a team grants itself a role", "RoleBinding", teamApp("payments", gitops, "payments", namespaced("rbac.authorization.k8s.io", "RoleBinding", "payments", "x"))),
				no("a team lifts its quota", "ResourceQuota", teamApp("payments", gitops, "payments", namespaced("", "ResourceQuota", "payments", "platform-quota"))),
				no("a team repoints its secret store", "SecretStore", teamApp("payments", gitops, "payments", namespaced("external-secrets.io", "SecretStore", "payments", "team-parameter-store"))),
				no("a team joins a target group", "TargetGroupBinding", teamApp("payments", gitops, "payments", namespaced("elbv2.k8s.aws", "TargetGroupBinding", "payments", "argocd"))),
				no("a team writes an Application", "Application", teamApp("payments", gitops, "payments", namespaced("argoproj.io", "Application", "payments", "x"))),
				no("a team deploys from another team's repository", "is not permitted in project team-payments", teamApp("payments", "https://github.com/example-org/search-service.git", "payments", deploy("payments"))),
				no("a team deploys from outside the organization", "is not permitted in project team-payments", teamApp("payments", "https://github.com/attacker/payments-api.git", "payments", deploy("payments"))),
			}
			var verdicts []struct {
				Name    string `json:"name"`
				Allowed bool   `json:"allowed"`
				Reason  string `json:"reason"`
			}
			runEnforcer(t, "argocd-engine", map[string]any{
				"controllerNamespace": ctl, "applicationNamespaces": []string{apps},
				"projects": projects, "cases": cases,
			}, &verdicts)
			if len(verdicts) != len(cases) {
				t.Fatalf("%d verdicts for %d cases", len(verdicts), len(cases))
			}
			var table strings.Builder
			for i, c := range cases {
				v := verdicts[i]
				fmt.Fprintf(&table, "%-50s %-8v %s\n", c.Name, v.Allowed, v.Reason)
				switch {
				case c.allowed && !v.Allowed:
					t.Errorf("%s: refused by Argo CD: %s", c.Name, v.Reason)
				case !c.allowed && v.Allowed:
					t.Errorf("%s: Argo CD allows it", c.Name)
				case !c.allowed && !strings.Contains(v.Reason, c.reason):
					t.Errorf("%s: refused for %q, want a refusal naming %q", c.Name, v.Reason, c.reason)
				}
			}
			t.Logf("Argo CD's answers (%s):\n%s", stack, table.String())
		})
	}
}
