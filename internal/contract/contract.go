// Package contract holds what two or more components (and the tools around the program) must
// agree on: where the platform keeps its parameters in SSM, the names of the secret stores and
// the shared ingress group teams refer to, the stack output names the runner reads, and the
// account a stack deploys to. Each fact is stated here once; the components and tests import
// it instead of repeating a string that must match another one elsewhere.
//
// The package is pure (no cloud SDK): it links into every test binary at no cost.
package contract

import (
	"fmt"
	"net/mail"
	"strings"
)

// Account is who and where a stack deploys to: read once from the AWS provider and passed
// down as plain values, so that ARNs in trust policies are known at preview time.
type Account struct {
	ID        string
	Partition string // "aws", "aws-cn", "aws-us-gov"
	Region    string
}

// ClusterArn is an EKS cluster's ARN.
func (a Account) ClusterArn(cluster string) string {
	return fmt.Sprintf("arn:%s:eks:%s:%s:cluster/%s", a.Partition, a.Region, a.ID, cluster)
}

// ManagedPolicyArn is the ARN of an AWS managed IAM policy, e.g. "AmazonEKS_CNI_Policy".
func (a Account) ManagedPolicyArn(name string) string {
	return fmt.Sprintf("arn:%s:iam::aws:policy/%s", a.Partition, name)
}

// PartitionOf reads the partition from any ARN; "aws" when arn is not one.
func PartitionOf(arn string) string {
	if parts := strings.SplitN(arn, ":", 3); len(parts) == 3 && parts[0] == "arn" {
		return parts[1]
	}
	return "aws"
}

// PartitionOfRegion is the AWS partition a region belongs to.
func PartitionOfRegion(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// PlatformNamespaces are the namespaces the platform runs in: no team may have one, and only
// they may use the platform's secret stores and IngressClass.
var PlatformNamespaces = []string{"default", "kube-system", "kube-public", "kube-node-lease",
	ArgoCDNamespace, ArgoCDAppsNamespace, "external-secrets", "external-dns", "monitoring", "logging", "tracing"}

// UnrestrictedNamespaces are the only namespaces that may enforce less than Pod Security
// baseline: Kubernetes' own (kube-system runs the nodes' agents) and monitoring (the node
// exporter reads the host). The platform's admission policy refuses any other.
var UnrestrictedNamespaces = []string{"default", "kube-system", "kube-public", "kube-node-lease", "monitoring"}

// MatchesNamespace is whether an Argo CD destination namespace, a name or a prefix pattern
// ("apps-*"), matches ns.
func MatchesNamespace(pattern, ns string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(ns, prefix)
	}
	return pattern == ns
}

// SSM parameter layout. Everything stored for a cluster lives under /<cluster>/: the
// platform's own secrets under /<cluster>/platform/ (External Secrets' own role reads that
// prefix and nothing else), each team's under /<cluster>/teams/<team>/ (read only through the
// team's role, from the team's SecretStore). A parameter written elsewhere is unreadable to
// the ExternalSecret that expects it.

// ParameterPath is the prefix of the cluster's parameters, "/<cluster>/".
func ParameterPath(cluster string) string { return "/" + cluster + "/" }

// PlatformParameterPath is the prefix of the platform's own parameters, "/<cluster>/platform/".
func PlatformParameterPath(cluster string) string { return ParameterPath(cluster) + "platform/" }

// TeamParameterPath is the prefix of a team's parameters, "/<cluster>/teams/<team>/".
func TeamParameterPath(cluster, team string) string {
	return ParameterPath(cluster) + "teams/" + team + "/"
}

// Parameter is the name of one of the platform's parameters: /<cluster>/platform/<part>/...
func Parameter(cluster string, parts ...string) string {
	return PlatformParameterPath(cluster) + strings.Join(parts, "/")
}

// GrafanaPasswordParameter holds Grafana's generated admin password.
func GrafanaPasswordParameter(cluster string) string {
	return Parameter(cluster, "grafana", "admin-password")
}

// AlertReceiverParameter holds the URL Alertmanager sends alerts to (a Slack incoming webhook
// or an on-call service's webhook); AlertHeartbeatParameter the dead man's switch's.
func AlertReceiverParameter(cluster string) string {
	return Parameter(cluster, "alertmanager", "receiver-url")
}

// AlertHeartbeatParameter: see AlertReceiverParameter.
func AlertHeartbeatParameter(cluster string) string {
	return Parameter(cluster, "alertmanager", "heartbeat-url")
}

// GrafanaOAuthSecretParameter holds the client secret of Grafana's GitHub OAuth app.
func GrafanaOAuthSecretParameter(cluster string) string {
	return Parameter(cluster, "grafana", "github-client-secret")
}

// DexClientSecretParameter holds the GitHub OAuth app's client secret Argo CD's Dex uses.
func DexClientSecretParameter(cluster string) string {
	return Parameter(cluster, "argocd", "dex-github-client-secret")
}

// DeployKeyParameter holds the private half of the GitOps repository's deploy key (okctl's
// path).
func DeployKeyParameter(cluster, owner, repo string) string {
	return Parameter(cluster, "github", "deploykeys", owner, repo)
}

// SecretsManagerPrefix is the name prefix of the cluster's Secrets Manager secrets,
// "<cluster>/".
func SecretsManagerPrefix(cluster string) string { return cluster + "/" }

// PlatformSecretsManagerPrefix is the prefix of the platform's own secrets,
// "<cluster>/platform/".
func PlatformSecretsManagerPrefix(cluster string) string {
	return SecretsManagerPrefix(cluster) + "platform/"
}

// TeamSecretsManagerPrefix is the prefix of a team's secrets, "<cluster>/teams/<team>/".
func TeamSecretsManagerPrefix(cluster, team string) string {
	return SecretsManagerPrefix(cluster) + "teams/" + team + "/"
}

// Every IAM role of a stack lives under StackRolePath: the platform's under PlatformRolePath,
// the teams' under TeamRolePath. The CI role's IAM writes, and the platform boundary's, reach
// roles under it and nothing else in the account (the CI role itself is outside it).

// StackRolePath is "/<cluster>/".
func StackRolePath(cluster string) string { return "/" + cluster + "/" }

// PlatformRolePath is the IAM path of the platform's roles.
func PlatformRolePath(cluster string) string { return StackRolePath(cluster) + "platform/" }

// TeamRolePath is the IAM path of the teams' roles, which carry the team boundary.
func TeamRolePath(cluster string) string { return StackRolePath(cluster) + "teams/" }

// TeamSecretsRolePath is the IAM path of the teams' secrets roles: External Secrets may assume
// the roles under it (a team's SecretStore names its team's), and nothing else; the teams'
// workload and push roles are outside it.
func TeamSecretsRolePath(cluster string) string { return TeamRolePath(cluster) + "secrets/" }

// StackRolesArn is the ARN pattern of every role of the stack.
func (a Account) StackRolesArn(cluster string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role%s*", a.Partition, a.ID, StackRolePath(cluster))
}

// StackTag tags every AWS resource of a stack with its cluster's name (aws:defaultTags): the CI
// role may change or delete EC2 resources and KMS keys that carry it, and no others.
const StackTag = "platform:cluster"

// TeamTag tags a team's roles with the team's name: the team boundary reaches the team's own
// resources through it (${aws:PrincipalTag/platform-team}).
const TeamTag = "platform-team"

// ClusterSecretStores teams and platform components reference by name.
const (
	ParameterStore = "aws-parameter-store"
	SecretsManager = "aws-secrets-manager"
)

// IngressGroup is the AWS Load Balancer Controller IngressGroup every platform UI joins: one
// shared ALB instead of one per UI.
const IngressGroup = "platform"

// TeamLabel labels a team's namespaces with the team's name. Only the program sets it (teams
// cannot change namespaces): what reads it (ingress classes, admission policies, network
// policy, the log shipper's tenants) trusts it.
const TeamLabel = "platform.example.org/team"

// TeamOnlyAlertLabel and TeamOnlyAlertValue mark an alert of a team's own rules that goes to
// the team's receivers only (its AlertmanagerConfig), not to the platform's on-call. Only a
// team's own rules can carry it: a platform alert comes from the platform's rules.
const (
	TeamOnlyAlertLabel = "notify"
	TeamOnlyAlertValue = "team"
)

// PlatformHosts are the platform's names under the stack's domain (<name>.<domain>): Argo CD's
// and Grafana's. No team serves them.
var PlatformHosts = []string{ArgoCDHost, GrafanaHost}

// The platform's hosts: Argo CD at argocd.<domain>, Grafana at grafana.<domain>.
const (
	ArgoCDHost  = "argocd"
	GrafanaHost = "grafana"
)

// PlatformIngressClass is the IngressClass of the platform's UIs (the group IngressGroup,
// platform namespaces only). Teams have their own classes (components/teams).
const PlatformIngressClass = "alb"

// BoundaryPolicyName is the permissions boundary every IAM role of the cluster's stack
// carries; its ARN is known at preview time, so policies can name it.
func BoundaryPolicyName(cluster string) string { return cluster + "-permissions-boundary" }

// BoundaryPolicyArn is BoundaryPolicyName's ARN in the account.
func (a Account) BoundaryPolicyArn(cluster string) string {
	return fmt.Sprintf("arn:%s:iam::%s:policy/%s", a.Partition, a.ID, BoundaryPolicyName(cluster))
}

// TeamBoundaryPolicyName is the permissions boundary of every team role of the stack.
func TeamBoundaryPolicyName(cluster string) string { return cluster + "-team-boundary" }

// TeamBoundaryPolicyArn is TeamBoundaryPolicyName's ARN in the account.
func (a Account) TeamBoundaryPolicyArn(cluster string) string {
	return fmt.Sprintf("arn:%s:iam::%s:policy/%s", a.Partition, a.ID, TeamBoundaryPolicyName(cluster))
}

// Stack outputs other tools read by name (the runner reads the cluster's name and kubeconfig
// before a destroy). The program exports them under exactly these keys.
const (
	OutputClusterName = "clusterName"
	OutputKubeconfig  = "kubeconfig"
	OutputVPCID       = "vpcId"
	// OutputTeamData is each team's data (config.TeamData), which the next deployment reads
	// back to refuse removing a team that still has some.
	OutputTeamData = "teamData"
)

// Argo CD's app-of-apps: the runner turns its automated sync off first before a destroy, so
// that it cannot re-create the child Applications (and their Ingresses) it is removing.
const (
	ArgoCDNamespace = "argocd"
	ArgoCDRootApp   = "root"
	// ArgoCDAppsNamespace holds the platform's Applications from Git (the root app's), which
	// Argo CD admits to the platform project only.
	ArgoCDAppsNamespace = "argocd-apps"
)

// IngressClassParamsSpec puts every Ingress of a class into one IngressGroup (one ALB), for
// the namespaces whose label key has one of values only, with the stack's certificate.
func IngressClassParamsSpec(group, labelKey string, values []string, certificateArn any) map[string]any {
	vals := make([]any, len(values))
	for i, v := range values {
		vals[i] = v
	}
	return map[string]any{
		"group":  map[string]any{"name": group},
		"scheme": "internet-facing",
		"namespaceSelector": map[string]any{"matchExpressions": []any{map[string]any{
			"key": labelKey, "operator": "In", "values": vals,
		}}},
		"certificateArn": []any{certificateArn},
		"sslPolicy":      "ELBSecurityPolicy-TLS13-1-2-2021-06",
	}
}

// IsEmailAddress: a bare address ("oncall@example.org", not "On call <oncall@...>"), what an
// SNS email subscription takes. Config refuses others by key; the alarms component by arg.
func IsEmailAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}
