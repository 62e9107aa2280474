package teamplan

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Teams share load balancers: the IngressGroup "teams" is one ALB for every team that shares,
// and every team's Ingress is served by the same controller as the platform's. What a team's
// Ingress may do is therefore decided where the team cannot reach: IngressPolicy, a
// ValidatingAdmissionPolicy on the teams' namespaces (whoever writes there: a member or Argo
// CD), reads the team's class and hosts from annotations on its namespace, which only the
// program writes (teams cannot change namespaces), and refuses
//   - another class than the team's (the platform's "alb" among them), and the legacy
//     kubernetes.io/ingress.class annotation, which the controller obeys ahead of
//     ingressClassName and without the class's IngressClassParams (their namespace selector
//     and group);
//   - a host outside the team's (TeamHosts), on a rule or in tls, and a rule without a host or
//     a default backend, which would take every name of the shared ALB;
//   - every alb.ingress.kubernetes.io annotation but those that change only the Ingress's own
//     rules and target groups (IngressAnnotationsAllowed): not group.name or group.order (join
//     another group, or jump ahead of other teams' rules), nor any that sets the load
//     balancer's or a listener's attributes for everyone on it;
//   - actions that forward to a target group by ARN or name (any target group of the account),
//     and conditions (a host-header condition claims any name);
//   - ExternalDNS annotations that publish names besides the checked hosts (hostname, target,
//     internal-hostname), on Ingresses and Services.
// The controller's own flags (disableIngressClassAnnotation, disableIngressGroupNameAnnotation)
// refuse the first two as well: two engines, so that neither alone is the boundary.

// IngressPolicy names the policy and its binding.
const IngressPolicy = "platform-team-ingress"

// Annotations on a team's namespaces the policy reads.
const (
	IngressClassAnnotation = "platform.example.org/ingress-class"
	IngressHostsAnnotation = "platform.example.org/ingress-hosts"
)

// IngressAnnotationsAllowed are the alb.ingress.kubernetes.io annotations (after the prefix) a
// team's Ingress may set: each changes only its own rules or target groups (the controller's
// docs: merge behaviour N/A, target group or rule scope). A trailing "*" is a prefix.
var IngressAnnotationsAllowed = []string{
	"target-type", "backend-protocol", "backend-protocol-version", "target-group-attributes", "target-node-labels",
	"healthcheck-protocol", "healthcheck-port", "healthcheck-path", "healthcheck-interval-seconds", "healthcheck-timeout-seconds",
	"healthy-threshold-count", "unhealthy-threshold-count", "success-codes",
	"auth-type", "auth-idp-cognito", "auth-idp-oidc", "auth-on-unauthenticated-request", "auth-scope",
	"auth-session-cookie", "auth-session-timeout",
	"actions.*", "transforms.*", "use-regex-path-match",
	// Listeners are the group's (their ports merge), so only the group's own: ListenPorts.
	"listen-ports",
}

// ListenPorts are the listen-ports values a team's Ingress may set (spaces aside): HTTPS, and
// HTTP beside it. A team never opens another port on a shared load balancer.
var ListenPorts = []string{`[{"HTTPS":443}]`, `[{"HTTP":80},{"HTTPS":443}]`}

// TeamHosts is the regular expression of the hosts a team's Ingresses may serve in a stack:
// <team>.<domain>, <team>-<rest>.<domain> and each of the team's hosts (<host>.<domain>), one
// label under the domain, which the stack's wildcard certificate covers. No team's name starts
// with another's and "-" (Validate), so no name is two teams'.
func TeamHosts(t Team, domain string) string {
	names := []string{regexp.QuoteMeta(t.Name), regexp.QuoteMeta(t.Name) + `-[a-z0-9]([-a-z0-9]*[a-z0-9])?`}
	for _, h := range t.Hosts {
		names = append(names, regexp.QuoteMeta(h))
	}
	return `^(` + strings.Join(names, "|") + `)\.` + regexp.QuoteMeta(domain) + `$`
}

// OwnsHost is whether label (one DNS label under the domain) is the team's.
func OwnsHost(t Team, label string) bool {
	return label == t.Name || strings.HasPrefix(label, t.Name+"-") || slices.Contains(t.Hosts, label)
}

// IngressNamespaceAnnotations are the annotations of a team's namespace the policy reads.
func IngressNamespaceAnnotations(t Team, domain string) map[string]string {
	return map[string]string{IngressClassAnnotation: t.IngressClass(), IngressHostsAnnotation: TeamHosts(t, domain)}
}

// IngressPolicySpec is the ValidatingAdmissionPolicy's spec.
func IngressPolicySpec() map[string]any {
	const (
		albPrefix = "alb.ingress.kubernetes.io/"
		dnsPrefix = "external-dns.alpha.kubernetes.io/"
	)
	var allowed []string
	var prefixes []string
	for _, a := range IngressAnnotationsAllowed {
		if p, ok := strings.CutSuffix(a, "*"); ok {
			prefixes = append(prefixes, `'`+p+`'`)
		} else {
			allowed = append(allowed, `'`+a+`'`)
		}
	}
	isIngress := `request.kind.kind != 'Ingress'`
	annotations := `(has(object.metadata.annotations) ? object.metadata.annotations : {})`
	hosts := `namespaceObject.metadata.annotations['` + IngressHostsAnnotation + `']`
	return map[string]any{
		"failurePolicy": "Fail",
		"matchConstraints": map[string]any{
			"resourceRules": []any{
				map[string]any{"apiGroups": []any{"networking.k8s.io"}, "apiVersions": []any{"*"}, "operations": []any{"CREATE", "UPDATE"}, "resources": []any{"ingresses"}},
				map[string]any{"apiGroups": []any{""}, "apiVersions": []any{"*"}, "operations": []any{"CREATE", "UPDATE"}, "resources": []any{"services"}},
			},
			"namespaceSelector": teamNamespaces(),
		},
		"variables": []any{
			map[string]any{"name": "annotations", "expression": annotations},
		},
		"validations": []any{
			map[string]any{
				"expression": `has(namespaceObject.metadata.annotations) && '` + IngressClassAnnotation + `' in namespaceObject.metadata.annotations && '` + IngressHostsAnnotation + `' in namespaceObject.metadata.annotations`,
				"message":    "the namespace carries no ingress class or hosts of a team (the platform sets them): no Ingress or Service is admitted",
			},
			map[string]any{
				"expression":        isIngress + ` || (has(object.spec.ingressClassName) && object.spec.ingressClassName == namespaceObject.metadata.annotations['` + IngressClassAnnotation + `'] && !('kubernetes.io/ingress.class' in variables.annotations))`,
				"messageExpression": `'a team\'s Ingress sets spec.ingressClassName: ' + namespaceObject.metadata.annotations['` + IngressClassAnnotation + `'] + ' (its class), and not the kubernetes.io/ingress.class annotation'`,
			},
			map[string]any{
				"expression":        isIngress + ` || (!has(object.spec.defaultBackend) && (!has(object.spec.rules) || object.spec.rules.all(r, has(r.host) && r.host.matches(` + hosts + `))) && (!has(object.spec.tls) || object.spec.tls.all(t, !has(t.hosts) || t.hosts.all(h, h.matches(` + hosts + `)))))`,
				"messageExpression": `'a team\'s Ingress serves its own hosts only (' + ` + hosts + ` + '), on every rule and tls entry, and sets no defaultBackend'`,
			},
			map[string]any{
				"expression": isIngress + ` || variables.annotations.all(k, !k.startsWith('` + albPrefix + `') || k.substring(` + strconv.Itoa(len(albPrefix)) + `) in [` + strings.Join(allowed, ", ") + `] || [` + strings.Join(prefixes, ", ") + `].exists(p, k.substring(` + strconv.Itoa(len(albPrefix)) + `).startsWith(p)))`,
				"message":    "a team's Ingress may set only the alb.ingress.kubernetes.io annotations of its own rules and target groups (" + strings.Join(IngressAnnotationsAllowed, ", ") + "): not group.name, group.order or any that changes the shared load balancer or its listeners",
			},
			map[string]any{
				"expression": isIngress + ` || variables.annotations.all(k, !k.startsWith('` + albPrefix + `actions.') || !(variables.annotations[k].lowerAscii().contains('targetgrouparn') || variables.annotations[k].lowerAscii().contains('targetgroupname') || variables.annotations[k].contains('\\')))`,
				"message":    "a team's Ingress actions forward to its own Services only (no targetGroupARN or targetGroupName, which reach any target group of the account)",
			},
			map[string]any{
				"expression": isIngress + ` || !('` + albPrefix + `listen-ports' in variables.annotations) || variables.annotations['` + albPrefix + `listen-ports'].replace(' ', '') in ` + quoted(ListenPorts),
				"message":    "a team's Ingress listens on HTTPS 443 (and HTTP 80) only: listen-ports " + strings.Join(ListenPorts, " or "),
			},
			map[string]any{
				"expression": `variables.annotations.all(k, !k.startsWith('` + dnsPrefix + `') || k in ['` + dnsPrefix + `ttl', '` + dnsPrefix + `ingress-hostname-source'])`,
				"message":    "a team's Ingress or Service may not set ExternalDNS's hostname, target or other annotations (only ttl and ingress-hostname-source): ExternalDNS publishes the Ingress's checked hosts and nothing else",
			},
		},
	}
}

// IngressPolicyBindingSpec binds the policy: refused requests are denied, not only warned.
func IngressPolicyBindingSpec() map[string]any {
	return map[string]any{
		"policyName":        IngressPolicy,
		"validationActions": []any{"Deny"},
		"matchResources":    map[string]any{"namespaceSelector": teamNamespaces()},
	}
}

// quoted is a CEL list of string literals.
func quoted(items []string) string {
	out := make([]string, len(items))
	for i, v := range items {
		out[i] = strconv.Quote(v)
	}
	return "[" + strings.Join(out, ", ") + "]"
}
