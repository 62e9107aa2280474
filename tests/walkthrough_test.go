package tests

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apparentlymart/go-cidr/cidr"

	"github.com/example/platform/components/teams/teamplan"
	"github.com/example/platform/internal/kubeapi"
)

// The golden path, end to end and offline: the GitOps repository as `platform gitops init`
// writes it, an app as `platform app new` writes it (dev: with its database and a secret),
// each overlay built by kustomize and accepted by the real API server (the pods in restricted),
// and the app's pod placed among the plan's NetworkPolicies, decided by the real evaluator
// (cyclonus): it reaches DNS, the Pod Identity agent, its database, Tempo's OTLP receiver and
// the stack's endpoints (and, with its team's internetEgress, the internet); nothing else.
func TestGoldenPathWalkThrough(t *testing.T) {
	repo := t.TempDir()
	if code, _, stderr := runCmd(t, "gitops", "init", repo, "--dir", projectDir(t)); code != 0 {
		t.Fatalf("gitops init: %d %s", code, stderr)
	}
	srv := kubeapi.Shared(t)
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			var p *plan
			a := scaffoldApps["minimal"]
			a.Secrets = []string{"API_TOKEN"}
			stacks := scaffoldStacks(t)
			if stack == "dev" {
				p = netpolPlan(t) // dev with a database for each team and an sts endpoint
				a.Database = "ledger"
				stacks = stacks[:1]
			} else {
				p = stackPlan(t, stack)
				stacks = stacks[1:]
			}
			files, err := a.Files(stacks)
			if err != nil {
				t.Fatal(err)
			}
			dir := "teams/" + a.Team + "/apps/" + a.Name + "/overlays/" + stack
			// The ApplicationSet the plan installs finds the overlay where app new wrote it.
			if ok, _ := filepath.Match(teamplan.AppsPath(stack), dir); !ok {
				t.Fatalf("the ApplicationSet looks for %s, the app is at %s", teamplan.AppsPath(stack), dir)
			}
			for name, body := range files {
				path := filepath.Join(repo, name)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, o := range kubeObjects(p) {
				if o.Body["kind"] == "Namespace" {
					if err := srv.Apply(o); err != nil {
						t.Fatal(err)
					}
				}
			}
			objs := kustomizeBuild(t, files, dir)
			if n, errs := srv.ValidateAll(objs); len(errs) > 0 || n != len(objs) {
				t.Fatalf("%d of %d objects validated: %v", n, len(objs), errs)
			}
			var appLabels map[string]string
			for _, o := range objs {
				spec, _ := o.Body["spec"].(map[string]any)
				switch o.Body["kind"] {
				case "Deployment", "Job":
					tpl := spec["template"].(map[string]any)
					pod := kubeapi.Object{ID: stack + " " + o.ID, Body: map[string]any{"apiVersion": "v1", "kind": "Pod",
						"metadata": map[string]any{"name": strings.ToLower(o.Body["kind"].(string)) + "-walk", "namespace": a.Team},
						"spec":     tpl["spec"]}}
					if err := srv.DryRunApply(pod); err != nil {
						t.Errorf("%s's pod is refused in %s: %v", o.Body["kind"], a.Team, err)
					}
					if o.Body["kind"] == "Deployment" {
						appLabels = map[string]string{}
						for k, v := range tpl["metadata"].(map[string]any)["labels"].(map[string]any) {
							appLabels[k] = v.(string)
						}
					}
				}
			}
			walkConnectivity(t, p, stack, a.Team, appLabels)
		})
	}
}

// walkConnectivity asks the evaluator where the app's pod reaches, and what reaches it.
func walkConnectivity(t *testing.T, p *plan, stack, team string, labels map[string]string) {
	policies := planPolicies(t, p)
	pod, chartPod, workloads := peers(t, p)
	host := func(subnet string, n int) peer {
		_, c, err := net.ParseCIDR(getString(p.named(t, typeSubnet, subnet), "cidrBlock"))
		if err != nil {
			t.Fatal(err)
		}
		ip, _ := cidr.Host(c, n)
		return peer{IP: ip.String()}
	}
	app := pod(team, labels)
	type check struct {
		name  string
		to    peer
		port  int
		proto string
		want  bool
	}
	checks := []check{
		{"dns", pod("kube-system", map[string]string{"k8s-app": "kube-dns"}), 53, "UDP", true},
		{"the Pod Identity agent", peer{IP: strings.TrimSuffix(teamplan.PodIdentityAgent, "/32")}, 80, "TCP", true},
		{"Tempo's OTLP receiver", chartPod("tracing", "tempo", ""), 4318, "TCP", true},
		{"the internet (payments has internetEgress)", peer{IP: "203.0.113.10"}, 443, "TCP", true},
		{"another team's pod", pod("search", map[string]string{"app": "web"}), 8080, "TCP", false},
		{"the instance metadata service", peer{IP: "169.254.169.254"}, 80, "TCP", false},
		{"Loki", chartPod("logging", "loki", "single-binary"), 3100, "TCP", false},
		{"Grafana", chartPod("monitoring", "grafana", ""), 3000, "TCP", false},
		{"Prometheus", prometheusPod(t, workloads, pod), 9090, "TCP", false},
		{"the node network on 10250", host("network-private-1", 20), 10250, "TCP", false},
	}
	if stack == "dev" {
		checks = append(checks,
			check{"its database", host("network-database-payments-eu-north-1a", 4), 5432, "TCP", true},
			check{"another team's database", host("network-database-search-eu-north-1a", 4), 5432, "TCP", false},
			check{"the sts endpoint", host("network-endpoints-eu-north-1a", 5), 443, "TCP", true})
	}
	var connections []map[string]any
	for _, c := range checks {
		connections = append(connections, map[string]any{"name": "app -> " + c.name, "from": app, "to": c.to, "port": c.port, "protocol": c.proto})
	}
	// Into the app: the load balancer and Prometheus, not another team.
	public := host("network-public-0", 10)
	into := []check{
		{"the load balancer", public, 8080, "TCP", true},
		{"Prometheus", prometheusPod(t, workloads, pod), 8080, "TCP", true},
		{"another team's pod", pod("search", map[string]string{"app": "web"}), 8080, "TCP", false},
	}
	for _, c := range into {
		connections = append(connections, map[string]any{"name": c.name + " -> app", "from": c.to, "to": app, "port": c.port, "protocol": c.proto})
	}
	var verdicts []netVerdict
	runEnforcer(t, "netpol-engine", map[string]any{"policies": policies, "connections": connections}, &verdicts)
	if len(verdicts) != len(connections) {
		t.Fatalf("%d verdicts for %d connections", len(verdicts), len(connections))
	}
	for i, c := range append(checks, into...) {
		if verdicts[i].Allowed != c.want {
			t.Errorf("%s: %s: allowed %v, want %v", stack, connections[i]["name"], verdicts[i].Allowed, c.want)
		}
	}
}
