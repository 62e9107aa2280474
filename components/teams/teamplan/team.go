// Package teamplan plans what the platform gives each product team sharing the cluster:
// namespaces, quotas, network policy, access, secrets, Argo CD project, ingress class,
// workload identity and image repositories. It is pure (no cloud SDK): the config validates
// teams with it, the Teams component builds from it, and tests read it directly.
package teamplan

import (
	"fmt"
	"slices"

	"github.com/example/platform/components/databases/dbplan"
	"github.com/example/platform/internal/contract"
)

// Team is one entry of platform:teams.
type Team struct {
	// Name is the team's name: a DNS label of at most MaxNameLength characters. Required.
	Name string `json:"name"`
	// Namespaces the team deploys to. Default: one, named after the team.
	Namespaces []string `json:"namespaces,omitempty"`
	// PodSecurity is the Pod Security Standard enforced in its namespaces: "restricted"
	// (default) or "baseline". Never "privileged".
	PodSecurity string `json:"podSecurity"`
	// Quota is each namespace's ResourceQuota.
	Quota Quota `json:"quota"`
	// Limits are each namespace's LimitRange defaults for containers that set none.
	Limits Limits `json:"limits"`
	// InternetEgress lets the team's pods reach the internet (through the NAT). Default false:
	// only DNS, their own namespace and the in-cluster services the policies name.
	InternetEgress bool `json:"internetEgress,omitempty"`
	// AccessRoleArns are the IAM roles (e.g. SSO permission-set roles) of the team's members:
	// each gets an EKS access entry in the Kubernetes group "team:<name>".
	AccessRoleArns []string `json:"accessRoleArns,omitempty"`
	// ReadSecrets lets members read and write Secrets (and exec into pods) in their
	// namespaces. Default true.
	ReadSecrets bool `json:"readSecrets"`
	// ClusterView lets members read (not Secrets) the rest of the cluster.
	ClusterView bool `json:"clusterView,omitempty"`
	// GitHubTeam is the team's GitHub team (slug) in platform:github.owner: its members log in
	// to Argo CD with the team's project role.
	GitHubTeam string `json:"githubTeam,omitempty"`
	// Repos are the team's repositories in platform:github.owner ("name" or "owner/name"): its
	// Argo CD project's sources, and who may push its images.
	Repos []string `json:"repos,omitempty"`
	// Ingress is "shared" (default: one ALB for every team that shares) or "dedicated" (the
	// team's own IngressClass and ALB).
	Ingress string `json:"ingress"`
	// Hosts are names (one DNS label each) under the stack's domain the team's Ingresses may
	// serve besides <team> and <team>-<anything> (TeamHosts), e.g. "shop" for shop.<domain>.
	// Each belongs to one team.
	Hosts []string `json:"hosts,omitempty"`
	// Policies are what the team's workloads may do in AWS (their Pod Identity role).
	Policies Policies `json:"policies"`
	// Images are the team's ECR repositories, one per image name.
	Images []string `json:"images,omitempty"`
	// SyncWindows are when Argo CD may (allow) or may not (deny) sync the team's applications,
	// e.g. no prod syncs on Friday evening.
	SyncWindows []SyncWindow `json:"syncWindows,omitempty"`
	// Databases are the team's PostgreSQL databases (RDS), each delivered to one of its
	// namespaces as a connection Secret.
	Databases []dbplan.Database `json:"databases,omitempty"`
	// DatabaseSlot places the team's own database subnets in the VPC's database ranges
	// (netplan.TeamDatabaseSubnets): required with databases, one per team, never changed
	// (a new slot would replace the subnets, and so the databases).
	DatabaseSlot *int `json:"databaseSlot,omitempty"`
}

// SyncWindow is an Argo CD project sync window.
type SyncWindow struct {
	// Kind is "allow" or "deny".
	Kind string `json:"kind"`
	// Schedule is a cron expression (5 fields, UTC unless TimeZone says otherwise).
	Schedule string `json:"schedule"`
	// Duration is how long the window lasts from each start, e.g. "1h" or "64h".
	Duration string `json:"duration"`
	// ManualSync still allows a person's sync during a deny window.
	ManualSync bool `json:"manualSync,omitempty"`
	// TimeZone of the schedule (IANA name). Default UTC.
	TimeZone string `json:"timeZone,omitempty"`
}

// Quota is a namespace's ResourceQuota: Kubernetes quantities and counts.
type Quota struct {
	CPU           string `json:"cpu"`
	Memory        string `json:"memory"`
	Storage       string `json:"storage"`
	Pods          int    `json:"pods"`
	LoadBalancers int    `json:"loadBalancers"`
}

// Limits are a namespace's LimitRange defaults.
type Limits struct {
	DefaultCPU           string `json:"defaultCpu"`
	DefaultMemory        string `json:"defaultMemory"`
	DefaultRequestCPU    string `json:"defaultRequestCpu"`
	DefaultRequestMemory string `json:"defaultRequestMemory"`
}

// Policies are the team's workload role's IAM policies.
type Policies struct {
	// ManagedPolicyArns are AWS managed policies among AllowedManagedPolicies.
	ManagedPolicyArns []string `json:"managedPolicyArns,omitempty"`
	// Document is an IAM policy document (JSON): no "*" action, no IAM write action.
	Document string `json:"document,omitempty"`
}

// Pod Security levels a team may have.
const (
	Restricted = "restricted"
	Baseline   = "baseline"
)

// Ingress modes.
const (
	SharedIngress    = "shared"
	DedicatedIngress = "dedicated"
)

// DefaultTeam is what a team gets for every key it does not set.
func DefaultTeam() Team {
	return Team{
		PodSecurity: Restricted,
		Quota:       Quota{CPU: "8", Memory: "16Gi", Storage: "100Gi", Pods: 50, LoadBalancers: 0},
		Limits:      Limits{DefaultCPU: "500m", DefaultMemory: "512Mi", DefaultRequestCPU: "100m", DefaultRequestMemory: "128Mi"},
		ReadSecrets: true,
		Ingress:     SharedIngress,
	}
}

// MaxNameLength keeps every name derived from a team's inside its limit (tests/names_test.go
// checks them): the longest is the workload role's logical name, "teams-<name>-workload-role",
// auto-named with Pulumi's 8-character suffix within IAM's 64.
const MaxNameLength = 64 - 8 - len("teams-") - len("-workload-role")

// Group is the Kubernetes group a team's members are in (access entries, RoleBindings).
func Group(team string) string { return "team:" + team }

// TeamLabel labels a team's namespaces with the team's name.
const TeamLabel = contract.TeamLabel

// IngressClass is the IngressClass a team's Ingresses use, and its IngressGroup.
func (t Team) IngressClass() string {
	if t.Ingress == DedicatedIngress {
		return "team-" + t.Name
	}
	return SharedIngressClass
}

// SharedIngressClass is the class (and IngressGroup) teams share.
const SharedIngressClass = "teams"

// RepoName is a repository's name without its owner.
func RepoName(repo string) string {
	for i := len(repo) - 1; i >= 0; i-- {
		if repo[i] == '/' {
			return repo[i+1:]
		}
	}
	return repo
}

// Namespaces are every namespace of the teams, in order.
func Namespaces(teams []Team) []string {
	var out []string
	for _, t := range teams {
		out = append(out, t.Namespaces...)
	}
	return out
}

// Find is the team named name.
func Find(teams []Team, name string) (Team, error) {
	i := slices.IndexFunc(teams, func(t Team) bool { return t.Name == name })
	if i < 0 {
		return Team{}, fmt.Errorf("no team %q", name)
	}
	return teams[i], nil
}
