package tests

import (
	"strings"
	"testing"
	"time"

	"github.com/example/platform/internal/kubeapi"
)

// ingress is an Ingress named "probe" in ns with one rule for host (none when ""), plus extra
// spec fields and annotations.
func ingress(ns, class, host string, annotations map[string]any, extra map[string]any) kubeapi.Object {
	rule := map[string]any{"http": map[string]any{"paths": []any{map[string]any{
		"path": "/", "pathType": "Prefix",
		"backend": map[string]any{"service": map[string]any{"name": "web", "port": map[string]any{"number": 80}}},
	}}}}
	if host != "" {
		rule["host"] = host
	}
	spec := map[string]any{"rules": []any{rule}}
	if class != "" {
		spec["ingressClassName"] = class
	}
	for k, v := range extra {
		spec[k] = v
	}
	meta := map[string]any{"name": "probe", "namespace": ns}
	if annotations != nil {
		meta["annotations"] = annotations
	}
	return kubeapi.Object{ID: "Ingress " + ns + " " + host, Body: map[string]any{
		"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta, "spec": spec,
	}}
}

func service(ns string, annotations map[string]any) kubeapi.Object {
	return kubeapi.Object{ID: "Service " + ns, Body: map[string]any{
		"apiVersion": "v1", "kind": "Service",
		"metadata": map[string]any{"name": "probe", "namespace": ns, "annotations": annotations},
		"spec":     map[string]any{"selector": map[string]any{"app": "web"}, "ports": []any{map[string]any{"port": 80}}},
	}}
}

// A team's Ingress cannot reach past its own rules on the shared load balancer, proven on the
// real kube-apiserver with the plan's namespaces and admission policies: each way around the
// class, the group and the hosts an attacker in team payments would try is refused, next to the
// Ingresses a team (and the platform) legitimately writes, which are admitted.
func TestTeamIngressPolicyOnAPIServer(t *testing.T) {
	s := kubeapi.Shared(t)
	applyPolicies(t, s, stackPlan(t, "dev"))
	const d = ".dev.example.org"
	ann := func(kv ...string) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tls := func(hosts ...any) map[string]any {
		return map[string]any{"tls": []any{map[string]any{"hosts": hosts, "secretName": "web-tls"}}}
	}
	cases := []struct {
		name   string
		obj    kubeapi.Object
		denied string // "" = admitted
	}{
		// What a team writes.
		{"the team's name", ingress("payments", "teams", "payments"+d, nil, nil), ""},
		{"<team>-<app>", ingress("payments", "teams", "payments-api"+d, ann("alb.ingress.kubernetes.io/healthcheck-path", "/healthz", "alb.ingress.kubernetes.io/success-codes", "200-299"), nil), ""},
		{"a second namespace of the team", ingress("search-jobs", "teams", "search-jobs"+d, nil, nil), ""},
		{"a host of the team's config", ingress("search", "teams", "find"+d, nil, nil), ""},
		{"forward to its own service", ingress("payments", "teams", "payments"+d, ann("alb.ingress.kubernetes.io/actions.canary",
			`{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"web","servicePort":"80","weight":90},{"serviceName":"web-canary","servicePort":"80","weight":10}]}}`), nil), ""},
		{"tls for its own host", ingress("payments", "teams", "payments"+d, nil, tls("payments"+d)), ""},
		{"a DNS ttl", service("payments", ann("external-dns.alpha.kubernetes.io/ttl", "60")), ""},
		// The attacks.
		{"the legacy class annotation", ingress("payments", "teams", "payments"+d, ann("kubernetes.io/ingress.class", "teams"), nil), "not the kubernetes.io/ingress.class annotation"},
		{"the legacy class annotation alone", ingress("payments", "", "payments"+d, ann("kubernetes.io/ingress.class", "alb"), nil), "sets spec.ingressClassName: teams"},
		{"the platform's class", ingress("payments", "alb", "payments"+d, nil, nil), "sets spec.ingressClassName: teams"},
		{"the platform's group", ingress("payments", "teams", "payments"+d, ann("alb.ingress.kubernetes.io/group.name", "platform"), nil), "not group.name, group.order"},
		{"ahead of every team", ingress("payments", "teams", "payments"+d, ann("alb.ingress.kubernetes.io/group.order", "-1000"), nil), "not group.name, group.order"},
		{"Argo CD's host", ingress("payments", "teams", "argocd"+d, nil, nil), "serves its own hosts only"},
		{"Grafana's host", ingress("payments", "teams", "grafana"+d, nil, nil), "serves its own hosts only"},
		{"another team's host", ingress("payments", "teams", "search"+d, nil, nil), "serves its own hosts only"},
		{"another team's app", ingress("payments", "teams", "search-ui"+d, nil, nil), "serves its own hosts only"},
		{"another team's host of its config", ingress("payments", "teams", "find"+d, nil, nil), "serves its own hosts only"},
		{"a name outside the domain", ingress("payments", "teams", "payments.example.com", nil, nil), "serves its own hosts only"},
		{"a wildcard", ingress("payments", "teams", "*"+d, nil, nil), "serves its own hosts only"},
		{"two labels deep", ingress("payments", "teams", "x.payments"+d, nil, nil), "serves its own hosts only"},
		{"every host", ingress("payments", "teams", "", nil, nil), "serves its own hosts only"},
		{"the default backend", ingress("payments", "teams", "payments"+d, nil, map[string]any{"defaultBackend": map[string]any{
			"service": map[string]any{"name": "web", "port": map[string]any{"number": 80}}}}), "sets no defaultBackend"},
		{"tls for another host", ingress("payments", "teams", "payments"+d, nil, tls("payments"+d, "argocd"+d)), "serves its own hosts only"},
		{"load balancer attributes", ingress("payments", "teams", "payments"+d, ann("alb.ingress.kubernetes.io/load-balancer-attributes", "deletion_protection.enabled=false"), nil), "may set only the alb.ingress.kubernetes.io annotations of its own rules"},
		{"HTTPS only", ingress("payments", "teams", "payments"+d, ann("alb.ingress.kubernetes.io/listen-ports", `[{"HTTPS": 443}]`), nil), ""},
		{"another port on the shared load balancer", ingress("payments", "teams", "payments"+d, ann("alb.ingress.kubernetes.io/listen-ports", `[{"HTTP": 8080}]`), nil), "listens on HTTPS 443 (and HTTP 80) only"},
		{"the redirect of every listener", ingress("payments", "teams", "payments"+d, ann("alb.ingress.kubernetes.io/ssl-redirect", "443"), nil), "its own rules"},
		{"the firewall", ingress("payments", "teams", "payments"+d, ann("alb.ingress.kubernetes.io/wafv2-acl-arn", "arn:aws:wafv2:eu-north-1:1:regional/webacl/none/x"), nil), "its own rules"},
		{"the inbound CIDRs", ingress("payments", "teams", "payments"+d, ann("alb.ingress.kubernetes.io/inbound-cidrs", "10.0.0.0/8"), nil), "its own rules"},
		{"a host condition", ingress("payments", "teams", "payments"+d, ann("alb.ingress.kubernetes.io/conditions.web",
			`[{"field":"host-header","hostHeaderConfig":{"values":["argocd.dev.example.org"]}}]`), nil), "its own rules"},
		{"forward to a target group by ARN", ingress("payments", "teams", "payments"+d, ann("alb.ingress.kubernetes.io/actions.web",
			`{"type":"forward","targetGroupARN":"arn:aws:elasticloadbalancing:eu-north-1:1:targetgroup/k8s-argocd/x"}`), nil), "its own Services only"},
		{"forward by ARN, escaped", ingress("payments", "teams", "payments"+d, ann("alb.ingress.kubernetes.io/actions.web",
			`{"type":"forward","forwardConfig":{"targetGroups":[{"targetGroup\u0041rn":"arn:x"}]}}`), nil), "its own Services only"},
		{"a DNS name of its choosing", ingress("payments", "teams", "payments"+d, ann("external-dns.alpha.kubernetes.io/hostname", "argocd"+d), nil), "ExternalDNS's hostname"},
		{"a Service publishing a name", service("payments", ann("external-dns.alpha.kubernetes.io/hostname", "grafana"+d)), "ExternalDNS's hostname"},
		{"a Service pointing a name anywhere", service("search", ann("external-dns.alpha.kubernetes.io/target", "203.0.113.10")), "ExternalDNS's hostname"},
		// The platform's own, in its namespaces: the policy is the teams'.
		{"the platform's Ingress", ingress("argocd", "alb", "argocd"+d, ann("alb.ingress.kubernetes.io/ssl-redirect", "443", "alb.ingress.kubernetes.io/listen-ports", `[{"HTTP": 80}, {"HTTPS": 443}]`), nil), ""},
	}
	waitForPolicy(t, s, cases[len(cases)-2].obj)
	for _, c := range cases {
		checkAdmission(t, c.name, s.DryRunApply(c.obj), c.denied)
	}
}

// applyPolicies applies the plan's namespaces and admission policies to s.
func applyPolicies(t *testing.T, s *kubeapi.Server, p *plan) {
	t.Helper()
	applied := 0
	for _, o := range kubeObjects(p) {
		switch o.Body["kind"] {
		case "Namespace", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding":
			if err := s.Apply(o); err != nil {
				t.Fatalf("applying %s: %v", o.ID, err)
			}
			applied++
		}
	}
	if applied < 4+3 {
		t.Fatalf("applied %d objects: want the policies, their bindings and the namespaces", applied)
	}
}

// checkAdmission judges the API server's answer to one request: admitted where denied is "",
// else refused with a message containing denied.
func checkAdmission(t *testing.T, name string, err error, denied string) {
	t.Helper()
	switch {
	case denied == "" && err != nil:
		t.Errorf("%s: refused: %v", name, err)
	case denied != "" && (err == nil || !strings.Contains(err.Error(), denied)):
		t.Errorf("%s: %v, want a refusal saying %q", name, err, denied)
	}
}

// waitForPolicy waits (bounded) until the server refuses refused: it loads a new policy
// asynchronously, and only then does every answer count.
func waitForPolicy(t *testing.T, s *kubeapi.Server, refused kubeapi.Object) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for s.DryRunApply(refused) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("the policy refused nothing within 30 s (%s)", refused.ID)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
