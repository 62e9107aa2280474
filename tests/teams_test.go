package tests

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/components/teams/teamplan"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
)

// The example stacks' two teams, as the plans build them: what each reaches and what it
// cannot.

var teamNamespaces = map[string][]string{"payments": {"payments"}, "search": {"search", "search-jobs"}}

// Namespaces: labelled with the team, restricted Pod Security enforced, quota and limits.
func TestTeamNamespaces(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		p := stackPlan(t, stack)
		for team, namespaces := range teamNamespaces {
			for _, ns := range namespaces {
				n := p.named(t, "kubernetes:core/v1:Namespace", "teams-"+team+"-"+ns+"-ns")
				labels := get(n, "metadata.labels").(map[string]any)
				if labels[teamplan.TeamLabel] != team || labels["pod-security.kubernetes.io/enforce"] != "restricted" {
					t.Errorf("%s: namespace %s labels %v", stack, ns, labels)
				}
				q := p.named(t, "kubernetes:core/v1:ResourceQuota", "teams-"+team+"-"+ns+"-quota")
				hard := get(q, "spec.hard").(map[string]any)
				if hard["services.nodeports"] != "0" || hard["services.loadbalancers"] != "0" || hard["requests.cpu"] == nil || hard["limits.memory"] == nil {
					t.Errorf("%s: %s quota %v", stack, ns, hard)
				}
				lr := p.named(t, "kubernetes:core/v1:LimitRange", "teams-"+team+"-"+ns+"-limits")
				if getString(lr, "spec.limits.0.default.cpu") != "500m" || getString(lr, "spec.limits.0.defaultRequest.memory") != "128Mi" {
					t.Errorf("%s: %s limits %v", stack, ns, get(lr, "spec"))
				}
			}
		}
		if q := p.named(t, "kubernetes:core/v1:ResourceQuota", "teams-search-search-quota"); get(q, "spec.hard").(map[string]any)["requests.cpu"] != "4" {
			t.Errorf("%s: search's configured quota not applied: %v", stack, get(q, "spec.hard"))
		}
	}
}

// Network policy: enforcement on in the VPC CNI; per team namespace default deny both ways,
// DNS to CoreDNS, the namespace itself, the load balancer from the public subnets, scraping
// from monitoring; internet egress only for the team that asked. Loki admits only its clients.
func TestTeamNetworkPolicies(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		p := stackPlan(t, stack)
		eks := p.named(t, typeEKS, "cluster-eks")
		if get(eks, "vpcCniOptions.enableNetworkPolicy") != true {
			t.Errorf("%s: the VPC CNI does not enforce NetworkPolicies: every policy would be a no-op", stack)
		}
		var public []string
		for _, s := range p.ofType(typeSubnet) {
			if strings.HasPrefix(s.Name, "network-public-") {
				public = append(public, getString(s, "cidrBlock"))
			}
		}
		for team, namespaces := range teamNamespaces {
			for _, ns := range namespaces {
				policy := func(name string) map[string]any {
					r, ok := p.Named("kubernetes:networking.k8s.io/v1:NetworkPolicy", "teams-"+team+"-"+ns+"-"+name)
					if !ok {
						return nil
					}
					if getString(r, "metadata.namespace") != ns {
						t.Errorf("%s: %s is in %s", stack, r.Name, getString(r, "metadata.namespace"))
					}
					return get(r, "spec").(map[string]any)
				}
				deny := policy(teamplan.PolicyDefaultDeny)
				if deny == nil || len(deny["podSelector"].(map[string]any)) != 0 || strings.Join(stringsOf(deny["policyTypes"]), ",") != "Ingress,Egress" ||
					deny["ingress"] != nil || deny["egress"] != nil {
					t.Errorf("%s: %s default deny = %v", stack, ns, deny)
				}
				dns := policy(teamplan.PolicyDNS)
				if s := strings.Join(flatten(dns), " "); !strings.Contains(s, "k8s-app=kube-dns") || !strings.Contains(s, "port=53") {
					t.Errorf("%s: %s DNS policy = %v", stack, ns, dns)
				}
				lb := policy(teamplan.PolicyLoadBalancer)
				var from []string
				for _, f := range lb["ingress"].([]any)[0].(map[string]any)["from"].([]any) {
					from = append(from, f.(map[string]any)["ipBlock"].(map[string]any)["cidr"].(string))
				}
				if !slices.Equal(from, public) {
					t.Errorf("%s: %s admits the load balancer from %v, want the public subnets %v", stack, ns, from, public)
				}
				if s := strings.Join(flatten(policy(teamplan.PolicyMonitoring)), " "); !strings.Contains(s, "kubernetes.io/metadata.name=monitoring") {
					t.Errorf("%s: %s monitoring policy %s", stack, ns, s)
				}
				internet := policy(teamplan.PolicyInternetEgress)
				if (internet != nil) != (team == "payments") {
					t.Errorf("%s: %s internet egress %v; only payments asked for it", stack, ns, internet)
				}
				if internet != nil && !strings.Contains(strings.Join(flatten(internet), " "), "except=10.0.0.0/8") {
					t.Errorf("%s: internet egress reaches private ranges: %v", stack, internet)
				}
			}
		}
		loki := p.named(t, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "addons-loki-network-policy")
		clients := strings.Join(flatten(get(loki, "spec")), " ")
		for _, want := range []string{"app.kubernetes.io/name=alloy", "app.kubernetes.io/name=grafana", "podSelector.matchLabels.app.kubernetes.io/name=loki"} {
			if !strings.Contains(clients, want) {
				t.Errorf("%s: Loki's policy lacks %s: %s", stack, want, clients)
			}
		}
		if strings.Contains(clients, "payments") || strings.Contains(clients, "search") {
			t.Errorf("%s: Loki admits a team: %s", stack, clients)
		}
	}
}

// Secrets: the ClusterSecretStores serve platform namespaces only; each team namespace has a
// store on its team's role; that role is the only thing reading the team's path, and External
// Secrets may assume the teams' secrets roles and no other role.
func TestTeamSecretsBoundary(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		p := stackPlan(t, stack)
		cluster := "platform-" + stack
		for _, store := range p.ofType("kubernetes:external-secrets.io/v1:ClusterSecretStore") {
			allowed := stringsOf(get(store, "spec.conditions.0.namespaces"))
			if !slices.Equal(allowed, contract.PlatformNamespaces) {
				t.Errorf("%s: %s serves %v", stack, store.Name, allowed)
			}
			for _, namespaces := range teamNamespaces {
				for _, ns := range namespaces {
					if slices.Contains(allowed, ns) {
						t.Errorf("%s: team namespace %s can use %s", stack, ns, store.Name)
					}
				}
			}
		}
		eso := attached(t, p, "external-secrets")
		var assumable []string
		for _, s := range eso.Statement {
			if slices.Contains(s.Action, "sts:AssumeRole") {
				assumable = append(assumable, s.Resource...)
			}
		}
		for _, role := range p.ofType("aws:iam/role:Role") {
			arn := role.Outputs["arn"].(string)
			isSecrets := strings.HasPrefix(role.Name, "teams-") && strings.HasSuffix(role.Name, "-secrets-role")
			if matchesAny(arn, assumable) != isSecrets {
				t.Errorf("%s: External Secrets may assume %s: %v (only the teams' secrets roles)", stack, role.Name, !isSecrets)
			}
		}
		for team, namespaces := range teamNamespaces {
			role := p.named(t, "aws:iam/role:Role", "teams-"+team+"-secrets-role")
			trust, err := iampolicy.Parse([]byte(getString(role, "assumeRolePolicy")))
			esoRole := p.named(t, "aws:iam/role:Role", "addons-external-secrets-role")
			if err != nil || len(trust.Statement) != 2 {
				t.Errorf("%s: %s trust %s", stack, team, trust.JSON())
			}
			for _, s := range trust.Statement {
				if !slices.Equal(s.Principal["AWS"], []string{esoRole.Outputs["arn"].(string)}) {
					t.Errorf("%s: %s trust %s", stack, team, trust.JSON())
				}
			}
			for _, ns := range namespaces {
				st := p.named(t, "kubernetes:external-secrets.io/v1:SecretStore", "teams-"+team+"-"+ns+"-secret-store")
				if getString(st, "spec.provider.aws.role") != role.Outputs["arn"] || getString(st, "spec.provider.aws.prefix") != "/"+cluster+"/teams/"+team+"/" {
					t.Errorf("%s: %s store %v", stack, ns, get(st, "spec"))
				}
			}
			doc, err := iampolicy.Parse([]byte(getString(p.named(t, "aws:iam/rolePolicy:RolePolicy", "teams-"+team+"-secrets-policy"), "policy")))
			if err != nil {
				t.Fatal(err)
			}
			var reach []string
			for _, s := range doc.Statement {
				reach = append(reach, s.Resource...)
			}
			ssm := "arn:aws:ssm:eu-north-1:123456789012:parameter"
			for other := range teamNamespaces {
				if got := matchesAny(ssm+"/"+cluster+"/teams/"+other+"/db-password", reach); got != (other == team) {
					t.Errorf("%s: %s reads %s's parameters: %v", stack, team, other, got)
				}
			}
			if matchesAny(ssm+contract.GrafanaPasswordParameter(cluster), reach) || matchesAny(ssm+contract.DexClientSecretParameter(cluster), reach) {
				t.Errorf("%s: %s reads the platform's secrets", stack, team)
			}
		}
	}
}

// Argo CD: each team's project reaches its own namespaces only, no cluster-scoped kind, none
// of what the platform sets, with its GitHub team as the project's developers.
func TestTeamProjects(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		p := stackPlan(t, stack)
		for team, namespaces := range teamNamespaces {
			proj := p.named(t, "kubernetes:argoproj.io/v1alpha1:AppProject", "teams-"+team+"-project")
			var dests []string
			for _, d := range get(proj, "spec.destinations").([]any) {
				dm := d.(map[string]any)
				if dm["server"] != teamplan.InCluster {
					t.Errorf("%s: %s may deploy to %v", stack, team, dm["server"])
				}
				dests = append(dests, dm["namespace"].(string))
			}
			if !slices.Equal(dests, namespaces) {
				t.Errorf("%s: %s project destinations %v, want %v", stack, team, dests, namespaces)
			}
			if len(get(proj, "spec.clusterResourceWhitelist").([]any)) != 0 {
				t.Errorf("%s: %s may create cluster-scoped objects", stack, team)
			}
			white := strings.Join(flatten(get(proj, "spec.namespaceResourceWhitelist")), " ")
			for _, kind := range []string{"ResourceQuota", "LimitRange", "NetworkPolicy", "RoleBinding", "Role", "SecretStore", "TargetGroupBinding"} {
				if strings.Contains(white, "kind="+kind) {
					t.Errorf("%s: %s project may write %s", stack, team, kind)
				}
			}
			repos := stringsOf(get(proj, "spec.sourceRepos"))
			if repos[0] != "git@github.com:example-org/gitops.git" || len(repos) != 2 || !strings.HasPrefix(repos[1], "https://github.com/example-org/") {
				t.Errorf("%s: %s sources %v", stack, team, repos)
			}
			if groups := stringsOf(get(proj, "spec.roles.0.groups")); len(groups) != 1 || groups[0] != "example-org:"+team+"-devs" {
				t.Errorf("%s: %s project role groups %v", stack, team, groups)
			}
		}
	}
}

// Ingress: the platform's class admits platform namespaces only; the teams' classes their
// teams' namespaces only, each pinning its own IngressGroup (one ALB), so no team joins the
// platform's group. Access entries put members in their team's group.
func TestTeamIngressAndAccess(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		p := stackPlan(t, stack)
		classes := map[string][]string{}
		for _, params := range p.ofType("kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams") {
			key := getString(params, "spec.namespaceSelector.matchExpressions.0.key")
			values := stringsOf(get(params, "spec.namespaceSelector.matchExpressions.0.values"))
			group := getString(params, "spec.group.name")
			classes[getString(params, "metadata.name")] = values
			switch group {
			case contract.IngressGroup:
				if key != "kubernetes.io/metadata.name" || !slices.Equal(values, contract.PlatformNamespaces) {
					t.Errorf("%s: the platform's class admits %s in %v", stack, key, values)
				}
			default:
				if key != teamplan.TeamLabel || getString(params, "metadata.name") != group {
					t.Errorf("%s: team class %s: group %s, selector %s", stack, getString(params, "metadata.name"), group, key)
				}
			}
		}
		want := map[string][]string{"alb": contract.PlatformNamespaces, "teams": {"payments", "search"}}
		if stack == "prod" {
			want = map[string][]string{"alb": contract.PlatformNamespaces, "teams": {"payments"}, "team-search": {"search"}}
		}
		if len(classes) != len(want) {
			t.Errorf("%s: classes %v, want %v", stack, classes, want)
		}
		for c, v := range want {
			if !slices.Equal(classes[c], v) {
				t.Errorf("%s: class %s admits %v, want %v", stack, c, classes[c], v)
			}
		}
		entry := p.named(t, "aws:eks/accessEntry:AccessEntry", "teams-payments-access-payments-developers")
		if groups := stringsOf(get(entry, "kubernetesGroups")); len(groups) != 1 || groups[0] != "team:payments" || getString(entry, "type") != "STANDARD" {
			t.Errorf("%s: payments' access entry %v", stack, entry.Inputs)
		}
	}
}

// matchesAny is whether an ARN matches one of IAM's resource patterns (* and ?).
func matchesAny(arn string, patterns []string) bool {
	for _, p := range patterns {
		// IAM's wildcards cross "/" (path.Match's do not): compare with the slashes escaped.
		if ok, _ := path.Match(strings.ReplaceAll(p, "/", "|"), strings.ReplaceAll(arn, "/", "|")); ok {
			return true
		}
	}
	return false
}

func stringsOf(v any) []string {
	var out []string
	for _, e := range v.([]any) {
		out = append(out, e.(string))
	}
	return out
}

// flatten lists every leaf of a value as path=value, for assertions on nested specs.
func flatten(v any) []string {
	var out []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(strings.TrimPrefix(prefix+"."+k, "."), e)
			}
		case []any:
			for _, e := range x {
				walk(prefix, e)
			}
		default:
			out = append(out, prefix+"="+strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(fmt.Sprint(x), "\n", " "), "  ", " ")))
		}
	}
	walk("", v)
	return out
}
