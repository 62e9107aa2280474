package teamplan

import (
	"fmt"
	"strings"

	"github.com/example/platform/components/databases/dbplan"
)

// The Kubernetes objects of a team's namespace, as plain maps the component registers and
// tests read (the kube-apiserver tests validate every one).

// NamespaceLabels label a team namespace with its team and enforce its Pod Security level
// (audit and warn at restricted, so a baseline team sees what restricted would refuse).
func NamespaceLabels(t Team) map[string]string {
	return map[string]string{
		TeamLabel:                                    t.Name,
		"pod-security.kubernetes.io/enforce":         t.PodSecurity,
		"pod-security.kubernetes.io/enforce-version": "latest",
		"pod-security.kubernetes.io/audit":           Restricted,
		"pod-security.kubernetes.io/warn":            Restricted,
	}
}

// QuotaHard is a namespace's ResourceQuota: requests and limits of CPU and memory, storage,
// pods, load balancers (each an AWS load balancer), no NodePorts (nodes are private).
func QuotaHard(q Quota) map[string]string {
	return map[string]string{
		"requests.cpu":           q.CPU,
		"limits.cpu":             q.CPU,
		"requests.memory":        q.Memory,
		"limits.memory":          q.Memory,
		"requests.storage":       q.Storage,
		"pods":                   fmt.Sprint(q.Pods),
		"persistentvolumeclaims": fmt.Sprint(q.Pods),
		"services.loadbalancers": fmt.Sprint(q.LoadBalancers),
		"services.nodeports":     "0",
	}
}

// LimitDefaults are a namespace's LimitRange defaults for containers (a quota on requests
// and limits refuses pods without them otherwise): limit, then request.
func LimitDefaults(l Limits) (limits, requests map[string]string) {
	return map[string]string{"cpu": l.DefaultCPU, "memory": l.DefaultMemory},
		map[string]string{"cpu": l.DefaultRequestCPU, "memory": l.DefaultRequestMemory}
}

// Names of the platform's NetworkPolicies in a team namespace.
const (
	PolicyDefaultDeny    = "platform-default-deny"
	PolicyDNS            = "platform-allow-dns"
	PolicySameTeam       = "platform-allow-same-team"
	PolicyLoadBalancer   = "platform-allow-load-balancer"
	PolicyMonitoring     = "platform-allow-monitoring"
	PolicyInternetEgress = "platform-allow-internet-egress"
	PolicyDatabase       = "platform-allow-database"
	PolicyPodIdentity    = "platform-allow-pod-identity"
	PolicyAWSEndpoints   = "platform-allow-aws-endpoints"
	PolicyS3             = "platform-allow-s3"
	PolicyTraces         = "platform-allow-traces"
)

// Traces: a team's pods send OTLP to Tempo's distributor (its chart's OTLP receivers, gRPC
// 4317 and HTTP 4318), with their team's tenant (OTLPHeaders). TracesNamespace is the tracing
// addon's (addons.TracingNamespace; a test keeps the two equal).
const (
	TracesNamespace = "tracing"
	OTLPEndpoint    = "http://tempo." + TracesNamespace + ".svc.cluster.local:4318"
)

// OTLPHeaders are the headers a team's exporter sends: its tenant in Tempo.
func OTLPHeaders(team string) string { return "X-Scope-OrgID=" + team }

// AWSNetwork is where a pod reaches AWS inside the VPC.
type AWSNetwork struct {
	// EndpointSubnets hold the interface VPC endpoints (empty without any). Their private DNS
	// makes every pod resolve the service to them, so every team needs them, internet or not.
	EndpointSubnets []string
	// S3 are S3's addresses in the region (the prefix list the gateway endpoint routes): a team
	// without internet egress whose policies use S3 reaches them on 443.
	S3 []string
}

// PodIdentityAgent is where the EKS Pod Identity agent answers a pod's AWS SDK for credentials
// (a link-local address on every node, port 80): without it a team's workload role is
// unreachable behind default-deny.
const PodIdentityAgent = "169.254.170.23/32"

// privateRanges are never "the internet": the VPC, other private networks and the instance
// metadata service stay closed to a team's internet egress.
var privateRanges = []any{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10"}

// NetworkPolicies are the platform's policies in a team namespace, by name: deny everything,
// then allow DNS to CoreDNS, the Pod Identity agent (credentials of the team's workload role),
// traffic among the team's namespaces, the load balancer (its IP targets come from the public
// subnets) and the monitoring namespace's scraping in; the internet out only when the team's
// config says so; PostgreSQL in the team's own database subnets when it has databases. The
// databases' security group admits every node (pods share their node's), so the policy is
// what keeps other teams out of a team's databases at the network; each team's databases are
// in subnets of its own (netplan.TeamDatabaseSubnets), which no other team's policy names.
func NetworkPolicies(t Team, publicSubnets []string, monitoringNamespace string, databaseSubnets []string, aws AWSNetwork) map[string]map[string]any {
	all := map[string]any{}
	ns := func(name string) map[string]any {
		return map[string]any{"namespaceSelector": map[string]any{"matchLabels": map[string]any{"kubernetes.io/metadata.name": name}}}
	}
	team := map[string]any{"namespaceSelector": map[string]any{"matchLabels": map[string]any{TeamLabel: t.Name}}}
	var lb []any
	for _, cidr := range publicSubnets {
		lb = append(lb, map[string]any{"ipBlock": map[string]any{"cidr": cidr}})
	}
	out := map[string]map[string]any{
		PolicyDefaultDeny: {"podSelector": all, "policyTypes": []any{"Ingress", "Egress"}},
		PolicyDNS: {"podSelector": all, "policyTypes": []any{"Egress"}, "egress": []any{map[string]any{
			"to": []any{map[string]any{
				"namespaceSelector": map[string]any{"matchLabels": map[string]any{"kubernetes.io/metadata.name": "kube-system"}},
				"podSelector":       map[string]any{"matchLabels": map[string]any{"k8s-app": "kube-dns"}},
			}},
			"ports": []any{map[string]any{"protocol": "UDP", "port": 53}, map[string]any{"protocol": "TCP", "port": 53}},
		}}},
		PolicyPodIdentity: {"podSelector": all, "policyTypes": []any{"Egress"}, "egress": []any{map[string]any{
			"to":    []any{map[string]any{"ipBlock": map[string]any{"cidr": PodIdentityAgent}}},
			"ports": []any{map[string]any{"protocol": "TCP", "port": 80}},
		}}},
		// The team's own namespaces, by the team label only the program sets on namespaces.
		PolicySameTeam: {"podSelector": all, "policyTypes": []any{"Ingress", "Egress"},
			"ingress": []any{map[string]any{"from": []any{team}}},
			"egress":  []any{map[string]any{"to": []any{team}}}},
		PolicyLoadBalancer: {"podSelector": all, "policyTypes": []any{"Ingress"}, "ingress": []any{map[string]any{"from": lb}}},
		PolicyMonitoring:   {"podSelector": all, "policyTypes": []any{"Ingress"}, "ingress": []any{map[string]any{"from": []any{ns(monitoringNamespace)}}}},
	}
	if t.InternetEgress {
		out[PolicyInternetEgress] = map[string]any{"podSelector": all, "policyTypes": []any{"Egress"}, "egress": []any{map[string]any{
			"to": []any{map[string]any{"ipBlock": map[string]any{"cidr": "0.0.0.0/0", "except": privateRanges}}},
		}}}
	}
	https := func(cidrs []string) map[string]any {
		var to []any
		for _, cidr := range cidrs {
			to = append(to, map[string]any{"ipBlock": map[string]any{"cidr": cidr}})
		}
		return map[string]any{"podSelector": all, "policyTypes": []any{"Egress"}, "egress": []any{map[string]any{
			"to": to, "ports": []any{map[string]any{"protocol": "TCP", "port": 443}},
		}}}
	}
	out[PolicyTraces] = map[string]any{"podSelector": all, "policyTypes": []any{"Egress"}, "egress": []any{map[string]any{
		"to": []any{map[string]any{
			"namespaceSelector": map[string]any{"matchLabels": map[string]any{"kubernetes.io/metadata.name": TracesNamespace}},
			"podSelector":       map[string]any{"matchLabels": map[string]any{"app.kubernetes.io/name": "tempo"}},
		}},
		"ports": []any{map[string]any{"protocol": "TCP", "port": 4317}, map[string]any{"protocol": "TCP", "port": 4318}},
	}}}
	if len(aws.EndpointSubnets) > 0 {
		out[PolicyAWSEndpoints] = https(aws.EndpointSubnets)
	}
	if !t.InternetEgress && Reach(t).S3 && len(aws.S3) > 0 {
		out[PolicyS3] = https(aws.S3)
	}
	if len(t.Databases) > 0 && len(databaseSubnets) > 0 {
		var to []any
		for _, cidr := range databaseSubnets {
			to = append(to, map[string]any{"ipBlock": map[string]any{"cidr": cidr}})
		}
		out[PolicyDatabase] = map[string]any{"podSelector": all, "policyTypes": []any{"Egress"}, "egress": []any{map[string]any{
			"to": to, "ports": []any{map[string]any{"protocol": "TCP", "port": dbplan.Port}},
		}}}
	}
	return out
}

// SecretStoreName is the team's SecretStore in each of its namespaces.
const SecretStoreName = "team-parameter-store"

// SecretStoreSpec reads the team's parameters through the team's role, which External
// Secrets assumes: the role, not the store, is the boundary (a store edited to another prefix
// still only gets what the role may read).
func SecretStoreSpec(region, roleArn any, prefix string) map[string]any {
	return map[string]any{"provider": map[string]any{"aws": map[string]any{
		"service": "ParameterStore", "region": region, "role": roleArn, "prefix": prefix,
	}}}
}

// ECRLifecyclePolicy expires untagged images after 14 days and keeps the newest 200 images.
const ECRLifecyclePolicy = `{"rules":[` +
	`{"rulePriority":1,"description":"untagged images after 14 days","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}},` +
	`{"rulePriority":2,"description":"keep the newest 200 images","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":200},"action":{"type":"expire"}}]}`

// ECRRepositoryName is an image's repository: "<cluster>/<team>/<image>" (stacks sharing an
// account do not collide).
func ECRRepositoryName(cluster, team, image string) string {
	return strings.Join([]string{cluster, team, image}, "/")
}

// PushSubjects are the GitHub OIDC subjects that may push a team's images to a stack's
// repositories: jobs of its repositories in the GitHub environment named after the stack, which
// the program gives a deployment policy (the default branch and release tags only,
// PushRefs). A branch or tag subject would let any workflow that names the ref push, without
// the environment's policy; environment subjects only.
func PushSubjects(owner string, repos []string, stack string) []string {
	var out []string
	for _, r := range repos {
		out = append(out, "repo:"+owner+"/"+RepoName(r)+":environment:"+stack)
	}
	return out
}

// PushRoleVariable is the variable of a team repository's stack environment holding the push
// role's ARN (the app workflow reads it as vars.AWS_ROLE_ARN).
const PushRoleVariable = "AWS_ROLE_ARN"

// PushRefs are the refs whose workflows may run in a team repository's environment of a stack
// (and so push its images): the default branch and release tags.
var PushRefs = struct{ Branch, Tag string }{Branch: "main", Tag: "v*"}
