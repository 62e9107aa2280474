package tests

import (
	"fmt"
	"net"
	"sort"
	"strings"
	"testing"

	"github.com/apparentlymart/go-cidr/cidr"

	"github.com/example/platform/components/teams/teamplan"
	"github.com/example/platform/internal/planner"
)

// peer is one end of a connection: a pod (namespace and labels, from the plan and the rendered
// charts) or an address outside the cluster.
type peer struct {
	Namespace       string            `json:"namespace,omitempty"`
	NamespaceLabels map[string]string `json:"namespaceLabels,omitempty"`
	PodLabels       map[string]string `json:"podLabels,omitempty"`
	IP              string            `json:"ip"`
}

// netVerdict is the evaluator's answer for one connection.
type netVerdict struct {
	Name    string `json:"name"`
	Allowed bool   `json:"allowed"`
	Egress  bool   `json:"egress"`
	Ingress bool   `json:"ingress"`
}

// target is a destination: a peer and the port connected to.
type target struct {
	name     string
	peer     peer
	port     int
	portName string
	protocol string
}

// netpolPlan is dev with a database for each of its two teams: payments' (slot 0) and
// search's (slot 1), so that one team's reach to the other's database is asked.
func netpolPlan(t *testing.T) *plan {
	t.Helper()
	in := stackInput(t, "dev")
	edit(kTeams, "1.databases", []any{map[string]any{"name": "index"}})(t, in.Config)
	edit(kTeams, "1.databaseSlot", 1)(t, in.Config)
	edit(kNet, "endpoints", []any{"sts"})(t, in.Config)
	p, err := runNoPanic(t, in)
	if err != nil {
		t.Fatal(err)
	}
	return &plan{Plan: p}
}

// Who reaches whom, decided by a real NetworkPolicy evaluator (cyclonus's matcher, in
// tests/engines/netpol) over every NetworkPolicy of the plan and of the pinned charts rendered
// with the plan's values, for pods labelled as the plan and those charts label them: a team
// reaches its own namespaces, DNS, the Pod Identity agent, its own database, Tempo's OTLP
// receiver and the stack's endpoints (S3 too without internet egress, if it uses S3), and nothing of
// another team's or of the platform's; Prometheus scrapes the teams, the load balancer reaches
// their pods, and Loki admits Alloy, Grafana and Prometheus, not the teams. The matrix is in
// the README ("Onboarding a team").
func TestNetworkPolicyMatrix(t *testing.T) {
	p := netpolPlan(t)
	policies := planPolicies(t, p)
	pod, chartPod, workloads := peers(t, p)
	db := func(team string) peer {
		r := p.named(t, typeSubnet, "network-database-"+team+"-eu-north-1a")
		_, n, err := net.ParseCIDR(getString(r, "cidrBlock"))
		if err != nil {
			t.Fatal(err)
		}
		ip, _ := cidr.Host(n, 4)
		return peer{IP: ip.String()}
	}
	endpoint := func() peer {
		_, n, err := net.ParseCIDR(getString(p.named(t, typeSubnet, "network-endpoints-eu-north-1a"), "cidrBlock"))
		if err != nil {
			t.Fatal(err)
		}
		ip, _ := cidr.Host(n, 5)
		return peer{IP: ip.String()}
	}
	public := p.named(t, typeSubnet, "network-public-0")
	_, pub, _ := net.ParseCIDR(getString(public, "cidrBlock"))
	lbIP, _ := cidr.Host(pub, 10)

	sources := []struct {
		name string
		peer peer
	}{
		{"payments", pod("payments", map[string]string{"app": "web"})},
		{"search", pod("search", map[string]string{"app": "web"})},
		{"search-jobs", pod("search-jobs", map[string]string{"app": "worker"})},
		{"prometheus", prometheusPod(t, workloads, pod)},
		{"grafana", chartPod("monitoring", "grafana", "")},
		{"alloy", chartPod("logging", "alloy", "")},
		{"external-dns", pod("external-dns", map[string]string{"app.kubernetes.io/name": "external-dns"})},
		{"load balancer", peer{IP: lbIP.String()}},
	}
	targets := []target{
		{"payments:8080", pod("payments", map[string]string{"app": "web"}), 8080, "http", "TCP"},
		{"search:8080", pod("search", map[string]string{"app": "web"}), 8080, "http", "TCP"},
		{"search-jobs:8080", pod("search-jobs", map[string]string{"app": "worker"}), 8080, "http", "TCP"},
		{"dns:53", pod("kube-system", map[string]string{"k8s-app": "kube-dns"}), 53, "dns", "UDP"},
		{"pod-identity:80", peer{IP: strings.TrimSuffix(teamplan.PodIdentityAgent, "/32")}, 80, "", "TCP"},
		{"imds:80", peer{IP: "169.254.169.254"}, 80, "", "TCP"},
		{"internet:443", peer{IP: "203.0.113.10"}, 443, "", "TCP"},
		{"payments-db:5432", db("payments"), 5432, "", "TCP"},
		{"search-db:5432", db("search"), 5432, "", "TCP"},
		{"loki:3100", chartPod("logging", "loki", "single-binary"), 3100, "http-metrics", "TCP"},
		{"loki-gateway:8080", chartPod("logging", "loki", "gateway"), 8080, "http-metrics", "TCP"},
		{"grafana:3000", chartPod("monitoring", "grafana", ""), 3000, "grafana", "TCP"},
		{"prometheus:9090", prometheusPod(t, workloads, pod), 9090, "http-web", "TCP"},
		{"payments-metrics:8080", planPod(t, p, "addons-prom-label-proxy-payments", pod), 8080, "http", "TCP"},
		{"tempo-otlp:4318", chartPod("tracing", "tempo", ""), 4318, "otlp-http", "TCP"},
		{"s3:443", peer{IP: "52.218.0.10"}, 443, "", "TCP"},
		{"sts-endpoint:443", endpoint(), 443, "", "TCP"},
	}
	// The expected matrix: "+" reaches, "." does not, " " not asked (outside the cluster on
	// both ends: no NetworkPolicy applies), one character per target in order. The teams' rows
	// are the boundary; the platform's pods have no egress policy (they are the platform's),
	// and Loki admits its clients only.
	want := map[string]string{
		"payments":      "+..++.++......+++",
		"search":        ".++++...+.....+++",
		"search-jobs":   ".++++...+.....+++",
		"prometheus":    "+++++++++++++.+++",
		"grafana":       "+++++++++++++++++",
		"alloy":         "...++++++++++.+++",
		"external-dns":  "...++++++..++.+++",
		"load balancer": "++++     ..++.+  ",
	}
	var connections []map[string]any
	asked := func(s, d peer) bool { return s.Namespace != "" || d.Namespace != "" }
	for _, s := range sources {
		for _, d := range targets {
			if asked(s.peer, d.peer) {
				connections = append(connections, map[string]any{"name": s.name + " -> " + d.name, "from": s.peer, "to": d.peer,
					"port": d.port, "portName": d.portName, "protocol": d.protocol})
			}
		}
	}
	var verdicts []netVerdict
	runEnforcer(t, "netpol-engine", map[string]any{"policies": policies, "connections": connections}, &verdicts)
	if len(verdicts) != len(connections) {
		t.Fatalf("%d verdicts for %d connections", len(verdicts), len(connections))
	}
	var matrix strings.Builder
	fmt.Fprintf(&matrix, "%-14s", "from \\ to")
	for i := range targets {
		fmt.Fprintf(&matrix, " %2d", i+1)
	}
	matrix.WriteString("\n")
	next := 0
	for _, s := range sources {
		got := make([]byte, len(targets))
		fmt.Fprintf(&matrix, "%-14s", s.name)
		for j, d := range targets {
			got[j] = ' '
			var v netVerdict
			if asked(s.peer, d.peer) {
				v = verdicts[next]
				next++
				got[j] = '.'
				if v.Allowed {
					got[j] = '+'
				}
			}
			fmt.Fprintf(&matrix, "  %c", got[j])
			if w := want[s.name]; j < len(w) && w[j] != got[j] {
				t.Errorf("%s -> %s: allowed %v (egress %v, ingress %v), want %v", s.name, d.name, v.Allowed, v.Egress, v.Ingress, w[j] == '+')
			}
		}
		matrix.WriteString("\n")
		if len(want[s.name]) != len(targets) {
			t.Errorf("the expected row of %s has %d entries for %d targets", s.name, len(want[s.name]), len(targets))
		}
	}
	for i, d := range targets {
		fmt.Fprintf(&matrix, "%2d %s\n", i+1, d.name)
	}
	t.Logf("%d NetworkPolicies; who reaches whom (+):\n%s", len(policies), matrix.String())
}

// planPolicies are the plan's NetworkPolicies and those the releases' charts render, as the
// API server would store them (policyTypes defaulted).
func planPolicies(t *testing.T, p *plan) []map[string]any {
	var out []map[string]any
	add := func(o map[string]any, ns string) {
		meta, _ := o["metadata"].(map[string]any)
		if meta["namespace"] == nil {
			meta["namespace"] = ns
		}
		spec, _ := o["spec"].(map[string]any)
		if spec["policyTypes"] == nil {
			types := []any{"Ingress"}
			if spec["egress"] != nil {
				types = append(types, "Egress")
			}
			spec["policyTypes"] = types
		}
		out = append(out, map[string]any{"metadata": meta, "spec": spec})
	}
	for _, o := range kubeObjects(p) {
		if o.Body["kind"] == "NetworkPolicy" {
			add(o.Body, "default")
		}
	}
	fromPlan := len(out)
	for _, rel := range p.ofType(typeRelease) {
		for _, o := range renderRelease(t, rel, "1.35.0") {
			if o["kind"] == "NetworkPolicy" {
				add(o, getString(rel, "namespace"))
			}
		}
	}
	if fromPlan < 10 {
		t.Fatalf("only %d NetworkPolicies in the plan", fromPlan)
	}
	return out
}

// namespaceLabels are the plan's namespaces' labels (the team label among them).
func namespaceLabels(p *plan) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, o := range kubeObjects(p) {
		if o.Body["kind"] != "Namespace" {
			continue
		}
		meta := o.Body["metadata"].(map[string]any)
		labels := map[string]string{}
		if l, ok := meta["labels"].(map[string]any); ok {
			for k, v := range l {
				labels[k] = fmt.Sprint(v)
			}
		}
		out[meta["name"].(string)] = labels
	}
	return out
}

// ipAllocator hands out pod addresses in the first private subnet.
type ipAllocator struct {
	net *net.IPNet
	n   int
}

func (a *ipAllocator) next() string {
	a.n++
	ip, _ := cidr.Host(a.net, 10+a.n)
	return ip.String()
}

func addresses(t *testing.T, p *plan) *ipAllocator {
	_, n, err := net.ParseCIDR(getString(p.named(t, typeSubnet, "network-private-0"), "cidrBlock"))
	if err != nil {
		t.Fatal(err)
	}
	return &ipAllocator{net: n}
}

// workload is a pod template of a rendered chart.
type workload struct {
	release, kind, name, namespace string
	labels                         map[string]string
}

// chartWorkloads are the Deployments, StatefulSets and DaemonSets the releases render, and the
// Prometheus and Alertmanager the operator runs for kube-prometheus-stack's custom resources.
func chartWorkloads(t *testing.T, p *plan) []workload {
	var out []workload
	for _, rel := range p.ofType(typeRelease) {
		ns := getString(rel, "namespace")
		for _, o := range renderRelease(t, rel, "1.35.0") {
			kind, _ := o["kind"].(string)
			meta, _ := o["metadata"].(map[string]any)
			name, _ := meta["name"].(string)
			w := workload{release: rel.Name, kind: kind, name: name, namespace: ns, labels: map[string]string{}}
			if s, ok := meta["namespace"].(string); ok {
				w.namespace = s
			}
			var labels any
			switch kind {
			case "Deployment", "StatefulSet", "DaemonSet":
				labels = planner.Resource{Inputs: o}.Get("spec.template.metadata.labels")
			case "Prometheus", "Alertmanager":
				// prometheus-operator labels the pods of its StatefulSets with these (pkg/prometheus
				// and pkg/alertmanager: app.kubernetes.io/name, instance, managed-by, the
				// operator.prometheus.io/name label) plus spec.podMetadata.labels.
				lower := strings.ToLower(kind)
				for k, v := range map[string]string{"app.kubernetes.io/name": lower, "app.kubernetes.io/instance": name,
					"app.kubernetes.io/managed-by": "prometheus-operator", "operator.prometheus.io/name": name, lower: name} {
					w.labels[k] = v
				}
				labels = planner.Resource{Inputs: o}.Get("spec.podMetadata.labels")
			default:
				continue
			}
			if m, ok := labels.(map[string]any); ok {
				for k, v := range m {
					w.labels[k] = fmt.Sprint(v)
				}
			}
			out = append(out, w)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].release+out[i].name < out[j].release+out[j].name })
	return out
}

func prometheusPod(t *testing.T, workloads []workload, pod func(string, map[string]string) peer) peer {
	for _, w := range workloads {
		if w.kind == "Prometheus" {
			return pod(w.namespace, w.labels)
		}
	}
	t.Fatal("no Prometheus in the rendered kube-prometheus-stack")
	return peer{}
}

// planPod is the pod of a Deployment the plan creates, labelled as its template says.
func planPod(t *testing.T, p *plan, deployment string, pod func(string, map[string]string) peer) peer {
	d := p.named(t, "kubernetes:apps/v1:Deployment", deployment)
	labels := map[string]string{}
	for k, v := range get(d, "spec.template.metadata.labels").(map[string]any) {
		labels[k] = fmt.Sprint(v)
	}
	return pod(getString(d, "metadata.namespace"), labels)
}

// peers places pods for the evaluator: pod is a pod of the given labels in a namespace of the
// plan (with that namespace's labels, at the next private address), chartPod one of a rendered
// chart's workloads (by app.kubernetes.io/name and, if given, component).
func peers(t *testing.T, p *plan) (pod func(ns string, labels map[string]string) peer, chartPod func(ns, name, component string) peer, workloads []workload) {
	nsLabels := namespaceLabels(p)
	ips := addresses(t, p)
	pod = func(ns string, labels map[string]string) peer {
		return peer{Namespace: ns, NamespaceLabels: nsLabels[ns], PodLabels: labels, IP: ips.next()}
	}
	workloads = chartWorkloads(t, p)
	chartPod = func(ns, name, component string) peer {
		for _, w := range workloads {
			if w.namespace == ns && w.labels["app.kubernetes.io/name"] == name && (component == "" || w.labels["app.kubernetes.io/component"] == component) {
				return pod(ns, w.labels)
			}
		}
		t.Fatalf("no workload %s/%s (%s) in the rendered charts", ns, name, component)
		return peer{}
	}
	return pod, chartPod, workloads
}
