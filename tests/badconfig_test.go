package tests

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/components/teams/teamplan"
	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/stacks"
)

// mutation changes one stack's config: set replaces a key's raw value (nil deletes it); edit
// changes one field of an object key.
type mutation func(t *testing.T, cfg map[string]string)

func set(key string, raw *string) mutation {
	return func(t *testing.T, cfg map[string]string) {
		if raw == nil {
			delete(cfg, key)
			return
		}
		cfg[key] = *raw
	}
}

func str(s string) *string { return &s }

// renameCluster renames the stack's cluster and what config names after it: the teams'
// resources (contract.TeamResources prefixes them with the cluster's name) and the stack tag in
// aws:defaultTags.
func renameCluster(to string) mutation {
	return func(t *testing.T, cfg map[string]string) {
		t.Helper()
		var c struct{ Name string }
		if err := json.Unmarshal([]byte(cfg[kCluster]), &c); err != nil {
			t.Fatal(err)
		}
		edit(kCluster, "name", to)(t, cfg)
		if raw, ok := cfg[kTeams]; ok {
			cfg[kTeams] = strings.ReplaceAll(raw, ":::"+c.Name+"-", ":::"+to+"-")
		}
		if raw, ok := cfg[kDefaultTags]; ok {
			cfg[kDefaultTags] = strings.ReplaceAll(raw, `"`+contract.StackTag+`":"`+c.Name+`"`, `"`+contract.StackTag+`":"`+to+`"`)
		}
	}
}

// edit sets path (dotted, list indexes as numbers) inside the JSON object at key to value.
func edit(key, path string, value any) mutation {
	return func(t *testing.T, cfg map[string]string) {
		var obj any = map[string]any{}
		if raw, ok := cfg[key]; ok {
			if err := json.Unmarshal([]byte(raw), &obj); err != nil {
				t.Fatal(err)
			}
		}
		parts := strings.Split(path, ".")
		cur := obj
		for i, part := range parts {
			last := i == len(parts)-1
			switch c := cur.(type) {
			case map[string]any:
				if last {
					c[part] = value
				} else {
					if _, ok := c[part]; !ok {
						c[part] = map[string]any{}
					}
					cur = c[part]
				}
			case []any:
				var idx int
				fmt.Sscan(part, &idx)
				if last {
					c[idx] = value
				} else {
					cur = c[idx]
				}
			}
		}
		b, _ := json.Marshal(obj)
		cfg[key] = string(b)
	}
}

const (
	kNet         = "platform:network"
	kDNS         = "platform:dns"
	kCluster     = "platform:cluster"
	kCerts       = "platform:certificates"
	kTeams       = "platform:teams"
	kDefaultTags = "aws:defaultTags"
)

// badConfig is one bad configuration: the mutations of a valid stack, and the key and message
// its one error must carry.
type badConfig struct {
	name    string
	stack   string
	mutate  []mutation
	wantKey string
	wantMsg string
}

// Each bad configuration must fail with an error naming the key, register nothing, and never
// panic. They start from a valid stack, so the one mutation is the only problem.
var badConfigs = []badConfig{
	{"cidr prefix 33", "dev", []mutation{edit(kNet, "cidr", "10.0.0.0/33")}, "platform:network.cidr", `"10.0.0.0/33" is not a valid IPv4 CIDR; use e.g. 10.0.0.0/16`},
	{"cidr not an address", "dev", []mutation{edit(kNet, "cidr", "banana")}, "platform:network.cidr", "not a valid IPv4 CIDR"},
	{"cidr host bits", "dev", []mutation{edit(kNet, "cidr", "10.0.1.0/16")}, "platform:network.cidr", "did you mean 10.0.0.0/16"},
	{"cidr too large", "dev", []mutation{edit(kNet, "cidr", "10.0.0.0/12")}, "platform:network.cidr", "/16 to /20"},
	{"cidr public range", "dev", []mutation{edit(kNet, "cidr", "52.0.0.0/16")}, "platform:network.cidr", "not a private range"},
	{"az count 1", "dev", []mutation{edit(kNet, "azCount", 1), edit(kNet, "availabilityZones", nil)}, "platform:network.azCount", "use 2 or 3"},
	{"az count 7", "dev", []mutation{edit(kNet, "azCount", 7), edit(kNet, "availabilityZones", nil)}, "platform:network.azCount", "use 2 or 3"},
	{"az count as string", "dev", []mutation{edit(kNet, "azCount", "3")}, "platform:network.azCount", `must be an integer, got string "3"`},
	{"az count not whole", "dev", []mutation{edit(kNet, "azCount", 2.5)}, "platform:network.azCount", "must be an integer"},
	{"az of another region", "dev", []mutation{edit(kNet, "availabilityZones", []any{"eu-north-1a", "us-east-1b"})}, "platform:network.availabilityZones[1]", "not an availability zone of eu-north-1"},
	{"az listed twice", "dev", []mutation{edit(kNet, "availabilityZones", []any{"eu-north-1a", "eu-north-1a"})}, "platform:network.availabilityZones[1]", "listed twice"},
	{"az list vs count", "dev", []mutation{edit(kNet, "azCount", 3)}, "platform:network.availabilityZones", "lists 2 zones but azCount is 3"},
	{"overlapping subnets", "dev", []mutation{edit(kNet, "subnets", map[string]any{
		"public": []any{"10.10.0.0/24", "10.10.1.0/24"}, "private": []any{"10.10.0.0/20", "10.10.32.0/20"}})}, "platform:network.subnets", "overlaps public subnet 10.10.0.0/24"},
	{"subnet outside vpc", "dev", []mutation{edit(kNet, "subnets", map[string]any{
		"public": []any{"10.99.0.0/24", "10.10.1.0/24"}, "private": []any{"10.10.16.0/20", "10.10.32.0/20"}})}, "platform:network.subnets", "not inside the VPC"},
	{"nat unknown layout", "dev", []mutation{edit(kNet, "natGateways", "none")}, "platform:network.natGateways", `use "single", "perAz" or "instance" (dev only)`},
	{"prod with single nat", "prod", []mutation{edit(kNet, "natGateways", "single")}, "platform:network.natGateways", "not allowed in prod"},
	{"flow log retention", "dev", []mutation{edit(kNet, "flowLogsRetentionDays", 10)}, "platform:network.flowLogsRetentionDays", "not a CloudWatch Logs retention"},
	{"unknown network key", "dev", []mutation{edit(kNet, "cdir", "10.0.0.0/16")}, "platform:network.cdir", "is not a known key; allowed: availabilityZones, azCount, cidr"},
	{"network not an object", "dev", []mutation{set(kNet, str("10.0.0.0/16"))}, "platform:network", "must be an object"},
	{"missing domain", "dev", []mutation{set(kDNS, nil)}, "platform:dns.domain", "is required"},
	{"invalid domain", "dev", []mutation{edit(kDNS, "domain", "Dev_Example.org")}, "platform:dns.domain", "not a valid domain"},
	{"single-label domain", "dev", []mutation{edit(kDNS, "domain", "localhost")}, "platform:dns.domain", "not a valid domain"},
	{"bad parent zone id", "dev", []mutation{edit(kDNS, "parentZoneId", "example.org")}, "platform:dns.parentZoneId", "not a Route53 hosted zone id"},
	{"cert name outside domain", "dev", []mutation{edit(kCerts, "additionalNames", []any{"api.example.com"})}, "platform:certificates.additionalNames[0]", "not inside dev.example.org"},
	{"public endpoint 0.0.0.0/0 in prod", "prod", []mutation{edit(kCluster, "publicAccessCidrs", []any{"0.0.0.0/0"})}, "platform:cluster.publicAccessCidrs[0]", "not allowed in prod"},
	{"public endpoint bad cidr", "dev", []mutation{edit(kCluster, "publicAccessCidrs", []any{"0.0.0.0/0", "203.0.113.0"})}, "platform:cluster.publicAccessCidrs[1]", "not a valid IPv4 CIDR"},
	{"unknown k8s version", "dev", []mutation{edit(kCluster, "kubernetesVersion", "1.19")}, "platform:cluster.kubernetesVersion", `"1.19" is not in the EKS version calendar of 2026-11-23; use one of `},
	{"k8s version past end of support", "dev", []mutation{edit(kCluster, "kubernetesVersion", "1.30")}, "platform:cluster.kubernetesVersion", `"1.30" is past the end of EKS support: standard support ended 2025-07-23, extended support 2026-07-23`},
	{"k8s version as number", "dev", []mutation{edit(kCluster, "kubernetesVersion", 1.33)}, "platform:cluster.kubernetesVersion", "must be a string, got number 1.33"},
	{"min > max nodes", "dev", []mutation{edit(kCluster, "nodeGroups.0.minSize", 5)}, "platform:cluster.nodeGroups[0].minSize", "greater than maxSize 4"},
	{"desired outside range", "dev", []mutation{edit(kCluster, "nodeGroups.0.desiredSize", 9)}, "platform:cluster.nodeGroups[0].desiredSize", "outside minSize..maxSize"},
	{"negative min", "dev", []mutation{edit(kCluster, "nodeGroups.0.minSize", -1)}, "platform:cluster.nodeGroups[0].minSize", "negative"},
	{"bad instance type", "dev", []mutation{edit(kCluster, "nodeGroups.0.instanceTypes", []any{"large"})}, "platform:cluster.nodeGroups[0].instanceTypes[0]", "not an EC2 instance type"},
	{"mixed architectures", "dev", []mutation{edit(kCluster, "nodeGroups.0.instanceTypes", []any{"m6i.large", "m7g.large"})}, "platform:cluster.nodeGroups[0].instanceTypes", "different CPU architectures"},
	{"capacity type", "dev", []mutation{edit(kCluster, "nodeGroups.0.capacityType", "spot")}, "platform:cluster.nodeGroups[0].capacityType", "use ON_DEMAND or SPOT"},
	{"node groups not a list", "dev", []mutation{edit(kCluster, "nodeGroups", "general")}, "platform:cluster.nodeGroups", "must be a list"},
	{"unknown node group key", "dev", []mutation{edit(kCluster, "nodeGroups.0.sshKey", "mykey")}, "platform:cluster.nodeGroups[0].sshKey", "is not a known key"},
	{"empty node groups", "dev", []mutation{edit(kCluster, "nodeGroups", []any{})}, "platform:cluster.nodeGroups", "at least one node group"},
	{"duplicate node group", "dev", []mutation{edit(kCluster, "nodeGroups", []any{map[string]any{"name": "a"}, map[string]any{"name": "a"}})}, "platform:cluster.nodeGroups[1].name", "used by another node group"},
	{"node label too long", "dev", []mutation{edit(kCluster, "nodeGroups.0.labels", map[string]any{"example.org/" + strings.Repeat("x", 80): "a"})}, "platform:cluster.nodeGroups[0].labels.example.org/" + strings.Repeat("x", 80), "use at most 82"},
	{"node label reserved", "dev", []mutation{edit(kCluster, "nodeGroups.0.labels", map[string]any{"node-role.kubernetes.io/worker": ""})}, "platform:cluster.nodeGroups[0].labels.node-role.kubernetes.io/worker", "prefix Kubernetes reserves"},
	{"cluster name uppercase", "dev", []mutation{edit(kCluster, "name", "Platform-Dev")}, "platform:cluster.name", "lowercase letters, digits or '-'"},
	{"cluster name too long", "dev", []mutation{edit(kCluster, "name", strings.Repeat("p", 31))}, "platform:cluster.name", "the name prefixes S3 bucket names"},
	{"domain too long", "dev", []mutation{edit(kDNS, "domain", strings.Repeat("a", 60)+"."+strings.Repeat("b", 60)+"."+strings.Repeat("c", 60)+"."+strings.Repeat("d", 40)+".org")}, "platform:dns.domain", "use at most 219"},
	{"disk too small", "dev", []mutation{edit(kCluster, "nodeGroups.0.diskSizeGiB", 8)}, "platform:cluster.nodeGroups[0].diskSizeGiB", "20 to 16384"},
	{"cluster name", "dev", []mutation{edit(kCluster, "name", "my cluster!")}, "platform:cluster.name", "letters, digits"},
	{"admin role not an arn", "dev", []mutation{edit(kCluster, "adminRoleArns", []any{"platform-admin"})}, "platform:cluster.adminRoleArns[0]", "not an IAM role ARN"},
	{"prod without admins", "prod", []mutation{edit(kCluster, "adminRoleArns", []any{})}, "platform:cluster.adminRoleArns", "required in prod"},
	{"environment", "dev", []mutation{set("platform:environment", str("staging"))}, "platform:environment", `"staging" is not allowed; use "dev" or "prod"`},
	{"unknown top-level key", "dev", []mutation{set("platform:netwrok", str("{}"))}, "platform:netwrok", "is not a known key; the known keys are platform:environment"},
	{"unknown addon", "dev", []mutation{edit("platform:addons", "argo", map[string]any{"enabled": true})}, "platform:addons.argo", "is not a known key; allowed: clusterAutoscaler, ebsCsi"},
	{"unknown addon key", "dev", []mutation{edit("platform:addons", "loki.retention", 7)}, "platform:addons.loki.retention", "is not a known key; allowed: enabled, extraValues, replicas, retentionDays"},
	{"negative retention", "dev", []mutation{edit("platform:addons", "loki.retentionDays", -1)}, "platform:addons.loki.retentionDays", "use 1 to 3650 days"},
	{"replicas 0 in prod", "prod", []mutation{edit("platform:addons", "loadBalancerController.replicas", 0)}, "platform:addons.loadBalancerController.replicas", "use 1 or more"},
	{"replicas 1 in prod", "prod", []mutation{edit("platform:addons", "monitoring.replicas", 1)}, "platform:addons.monitoring.replicas", "not allowed in prod"},
	{"extraValues not an object", "dev", []mutation{edit("platform:addons", "externalDns.extraValues", "interval: 5m")}, "platform:addons.externalDns.extraValues", "must be an object"},
	{"externalDns replicas", "dev", []mutation{edit("platform:addons", "externalDns.replicas", 2)}, "platform:addons.externalDns.replicas", "runs one replica"},
	{"externalDns policy", "dev", []mutation{edit("platform:addons", "externalDns.policy", "delete-all")}, "platform:addons.externalDns.policy", "use one of sync, upsert-only, create-only"},
	{"gp3 reclaim policy", "prod", []mutation{edit("platform:addons", "ebsCsi.reclaimPolicy", "Recycle")}, "platform:addons.ebsCsi.reclaimPolicy", `"Recycle" is not allowed; use Delete`},
	{"enabled as string", "dev", []mutation{edit("platform:addons", "tempo.enabled", "no")}, "platform:addons.tempo.enabled", "must be true or false"},
	{"monitoring without lbc", "dev", []mutation{edit("platform:addons", "loadBalancerController.enabled", false), edit("platform:argocd", "enabled", false), set("platform:argocdClientSecret", nil), set(kTeams, nil)}, "platform:addons.monitoring.enabled", "needs platform:addons.loadBalancerController.enabled"},
	{"missing org", "dev", []mutation{edit("platform:github", "owner", "")}, "platform:github.owner", "is required"},
	{"team without org", "dev", []mutation{set("platform:github", nil)}, "platform:github.owner", "is required"},
	{"team not a slug", "dev", []mutation{edit("platform:argocd", "teams", []any{"Platform Team"}), edit("platform:argocd", "roles", map[string]any{"Platform Team": "role:admin"})}, "platform:argocd.teams[0]", "not a GitHub team slug"},
	{"prod without a release tag", "prod", []mutation{edit("platform:argocd", "revision", "main")}, "platform:argocd.revision", "prod follows a release tag"},
	{"prod teams on an unprotected branch", "prod", []mutation{edit("platform:argocd", "teamsRevision", "feature/x")}, "platform:argocd.teamsRevision", "another branch is not protected by the repository's rulesets"},
	{"teams on a revision that is not a ref", "dev", []mutation{edit("platform:argocd", "teamsRevision", "main..x")}, "platform:argocd.teamsRevision", "\"main..x\" is not allowed in"},
	{"trust for repo:*", "dev", []mutation{edit("platform:github", "ciSubjects", []any{"*"})}, "platform:github.ciSubjects[0]", "must never trust repo:*"},
	{"trust wildcard branch", "dev", []mutation{edit("platform:github", "ciSubjects", []any{"ref:refs/heads/*"})}, "platform:github.ciSubjects[0]", "no wildcards"},
	{"invalid repo name", "dev", []mutation{edit("platform:github", "gitopsRepo", "example-org/gitops")}, "platform:github.gitopsRepo", "not a GitHub repository name"},
	{"hosted runners need an open endpoint", "prod", []mutation{edit("platform:github", "runners", "github-hosted")}, "platform:github.runners", "needs the cluster's public endpoint open to them"},
	{"unknown runners", "dev", []mutation{edit("platform:github", "runners", "ubuntu-latest")}, "platform:github.runners", `use "self-hosted"`},
	{"open endpoint in prod without consent", "prod", []mutation{edit("platform:github", "runners", "github-hosted"), edit(kCluster, "publicAccessCidrs", []any{"0.0.0.0/0"})}, "platform:cluster.publicAccessCidrs[0]", "platform:cluster.allowOpenEndpoint: true"},
	{"admin CI policy in prod", "prod", []mutation{edit("platform:github", "ciPolicyArns", []any{"arn:aws:iam::aws:policy/AdministratorAccess"})}, "platform:github.ciPolicyArns[0]", "AdministratorAccess is not allowed in prod (platform:environment): the CI role already gets the deploy policy"},
	{"power user CI policy in prod", "prod", []mutation{edit("platform:github", "ciPolicyArns", []any{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/PowerUserAccess"})}, "platform:github.ciPolicyArns[1]", "allowBroadCIPolicies"},
	{"prod without reviewers", "prod", []mutation{edit("platform:github", "reviewerTeams", []any{})}, "platform:github.reviewerTeams", "required in prod"},
	{"missing client id", "dev", []mutation{edit("platform:argocd", "clientId", "")}, "platform:argocd.clientId", "is required"},
	{"missing client secret", "dev", []mutation{set("platform:argocdClientSecret", nil)}, "platform:argocdClientSecret", "is required when Argo CD is enabled"},
	{"role for unknown team", "dev", []mutation{edit("platform:argocd", "roles.ops", "role:admin")}, "platform:argocd.roles.ops", "not one of platform:argocd.teams"},
	{"destination everywhere", "dev", []mutation{edit("platform:argocd", "destinationNamespaces", []any{"*"})}, "platform:argocd.destinationNamespaces[0]", "never a bare *"},
	{"argocd HA on 1 node", "prod", []mutation{edit(kCluster, "nodeGroups.0.minSize", 1), edit(kCluster, "nodeGroups.0.desiredSize", 1)}, "platform:argocd.replicas", "at least 3 nodes"},
	{"roles missing a team", "dev", []mutation{edit("platform:argocd", "roles", map[string]any{"platform": "role:admin"})}, "platform:argocd.roles", `has no role for team "developers"`},
	{"unknown alert receiver", "dev", []mutation{edit("platform:addons", "monitoring.alerting.receiver", "pagerduty")}, "platform:addons.monitoring.alerting.receiver", `"pagerduty" is not allowed; use slack or webhook`},
	{"grafana team role", "dev", []mutation{edit("platform:addons", "monitoring.sso.teamRole", "Admin")}, "platform:addons.monitoring.sso.teamRole", `"Admin" is not allowed; use Viewer (default) or Editor`},
	{"loki with 2 replicas", "prod", []mutation{edit("platform:addons", "loki.replicas", 2)}, "platform:addons.loki.replicas", "2 replicas are no HA"},
	{"tempo replicas", "prod", []mutation{edit("platform:addons", "tempo.replicas", 2)}, "platform:addons.tempo.replicas", "runs one replica"},
	{"no region", "dev", []mutation{set("aws:region", nil)}, "aws:region", "is not set"},
	{"bad region", "dev", []mutation{set("aws:region", str("Europe"))}, "aws:region", "not an AWS region name"},
	// Teams: each team's mistakes name the team's index and key.
	{"teams not a list", "dev", []mutation{set(kTeams, str(`{"name":"payments"}`))}, "platform:teams", "must be a list"},
	{"team unknown key", "dev", []mutation{edit(kTeams, "0.owner", "someone")}, "platform:teams[0].owner", "is not a known key"},
	{"team without name", "dev", []mutation{edit(kTeams, "1.name", "")}, "platform:teams[1].name", "is required"},
	{"team name not a DNS label", "dev", []mutation{edit(kTeams, "1.name", "Search")}, "platform:teams[1].name", "a DNS label"},
	{"team name too long", "dev", []mutation{edit(kTeams, "1.name", strings.Repeat("s", teamplan.MaxNameLength+1))}, "platform:teams[1].name", "of at most 36 characters"},
	{"duplicate team", "dev", []mutation{edit(kTeams, "1.name", "payments")}, "platform:teams[1].name", `"payments" is already the name of team [0]`},
	{"namespace shared by teams", "dev", []mutation{edit(kTeams, "1.namespaces.0", "payments")}, "platform:teams[1].namespaces[0]", `"payments" is already a namespace of team "payments"`},
	{"team in argocd", "dev", []mutation{edit(kTeams, "1.namespaces.0", "argocd")}, "platform:teams[1].namespaces[0]", `"argocd" is a platform namespace`},
	{"team in kube-*", "prod", []mutation{edit(kTeams, "1.namespaces.1", "kube-jobs")}, "platform:teams[1].namespaces[1]", `"kube-jobs" is a platform namespace`},
	{"namespace not a DNS label", "dev", []mutation{edit(kTeams, "1.namespaces.1", "search_jobs")}, "platform:teams[1].namespaces[1]", "is not a namespace name"},
	{"privileged team", "dev", []mutation{edit(kTeams, "0.podSecurity", "privileged")}, "platform:teams[0].podSecurity", `"privileged" is not allowed for a team`},
	{"unknown pod security", "dev", []mutation{edit(kTeams, "0.podSecurity", "strict")}, "platform:teams[0].podSecurity", "is not a Pod Security level"},
	{"malformed cpu quota", "dev", []mutation{edit(kTeams, "0.quota.cpu", "lots")}, "platform:teams[0].quota.cpu", "is not a Kubernetes quantity"},
	{"malformed memory limit", "prod", []mutation{edit(kTeams, "1.limits.defaultMemory", "512MB")}, "platform:teams[1].limits.defaultMemory", "is not a Kubernetes quantity"},
	{"request above limit", "dev", []mutation{edit(kTeams, "0.limits.defaultRequestCpu", "2")}, "platform:teams[0].limits.defaultRequestCpu", "more than the default limit 500m"},
	{"no pods", "dev", []mutation{edit(kTeams, "0.quota.pods", 0)}, "platform:teams[0].quota.pods", "at least 1"},
	{"wildcard in team policy", "dev", []mutation{edit(kTeams, "1.policies.document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)}, "platform:teams[1].policies.document", "wildcard actions are not allowed"},
	{"IAM write in team policy", "prod", []mutation{edit(kTeams, "1.policies.document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","iam:PassRole"],"Resource":"*"}]}`)}, "platform:teams[1].policies.document", `team search's statement 1 allows "iam:PassRole": a team's role uses s3, ssm, secretsmanager, dynamodb, ecr, logs, rds-db, cloudwatch only (and IAM, STS, EKS and EC2 never)`},
	{"role chaining in team policy", "dev", []mutation{edit(kTeams, "1.policies.document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}, "platform:teams[1].policies.document", `allows "sts:AssumeRole": a team's role uses`},
	{"team policy not JSON", "dev", []mutation{edit(kTeams, "1.policies.document", `{"Statement":`)}, "platform:teams[1].policies.document", "is not an IAM policy document"},
	{"unknown managed policy for a team", "dev", []mutation{edit(kTeams, "0.policies.managedPolicyArns.0", "arn:aws:iam::aws:policy/AdministratorAccess")}, "platform:teams[0].policies.managedPolicyArns[0]", "is not a managed policy teams may have"},
	{"repo of another owner", "dev", []mutation{edit(kTeams, "0.repos.0", "other-org/payments-api")}, "platform:teams[0].repos[0]", "outside platform:github.owner (example-org)"},
	{"team role is an admin", "dev", []mutation{edit(kTeams, "0.accessRoleArns.0", "arn:aws:iam::111122223333:role/platform-admin")}, "platform:teams[0].accessRoleArns[0]", "already has an access entry (platform:cluster.adminRoleArns)"},
	{"team role not an ARN", "dev", []mutation{edit(kTeams, "0.accessRoleArns.0", "payments-developers")}, "platform:teams[0].accessRoleArns[0]", "is not an IAM role ARN"},
	{"unknown ingress mode", "dev", []mutation{edit(kTeams, "0.ingress", "own")}, "platform:teams[0].ingress", `use "shared"`},
	{"bad image name", "dev", []mutation{edit(kTeams, "0.images.0", "Payments API")}, "platform:teams[0].images[0]", "is not an image name"},
	{"images without repos", "dev", []mutation{edit(kTeams, "0.repos", []any{})}, "platform:teams[0].images", "needs repos"},
	{"teams without the addons they need", "dev", []mutation{edit("platform:addons", "externalSecrets.enabled", false), edit("platform:argocd", "enabled", false), set("platform:argocdClientSecret", nil)}, "platform:teams", "needs platform:addons.externalSecrets"},
	{"sync window kind", "prod", []mutation{edit(kTeams, "0.syncWindows.0.kind", "block")}, "platform:teams[0].syncWindows[0].kind", `"block" is not allowed; use "allow" or "deny"`},
	{"sync window schedule", "prod", []mutation{edit(kTeams, "0.syncWindows.0.schedule", "friday 16:00")}, "platform:teams[0].syncWindows[0].schedule", "is not a cron schedule of 5 fields"},
	{"sync window duration", "prod", []mutation{edit(kTeams, "0.syncWindows.0.duration", "2 days")}, "platform:teams[0].syncWindows[0].duration", "is not a duration"},
	{"sync window time zone", "prod", []mutation{edit(kTeams, "0.syncWindows.0.timeZone", "Oslo")}, "platform:teams[0].syncWindows[0].timeZone", "is not a time zone name"},
	// Databases (dev's team payments has one, "ledger").
	{"database class unknown", "dev", []mutation{edit(kTeams, "0.databases.0.instanceClass", "db.t2.micro")}, "platform:teams[0].databases[0].instanceClass", `"db.t2.micro" is not an instance class a team's database may have; use one of db.m7g.large`},
	{"database storage below minimum", "dev", []mutation{edit(kTeams, "0.databases.0.storageGiB", 10)}, "platform:teams[0].databases[0].storageGiB", "gp3 storage on RDS is 20 to 65536 GiB"},
	{"database version RDS no longer runs", "dev", []mutation{edit(kTeams, "0.databases.0.version", "10")}, "platform:teams[0].databases[0].version", `"10" is not a PostgreSQL major version RDS offers; use one of 11, 12, 13, 14, 15, 16, 17, 18`},
	{"database version with a minor", "dev", []mutation{edit(kTeams, "0.databases.0.version", "16.4")}, "platform:teams[0].databases[0].version", `(a major version, e.g. "17")`},
	{"database name collides in the team", "dev", []mutation{edit(kTeams, "0.databases", []any{map[string]any{"name": "ledger"}, map[string]any{"name": "ledger"}})}, "platform:teams[0].databases[1].name", `"ledger" is already the name of databases[0]`},
	{"team name extends another's", "dev", []mutation{edit(kTeams, "1.name", "payments-ledger"), edit(kTeams, "1.policies", map[string]any{}), edit(kTeams, "1.databases", []any{map[string]any{"name": "x"}}), edit(kTeams, "1.databaseSlot", 1), edit(kTeams, "0.databases", []any{map[string]any{"name": "ledger-x"}}), edit(kTeams, "1.namespaces", []any{"search"})}, "platform:teams[1].name", `"payments-ledger" starts with team "payments"'s name and "-"`},
	{"database identifier too long", "dev", []mutation{edit(kTeams, "0.databases.0.name", "a-very-long-database-name-for-the-ledger-service")}, "platform:teams[0].databases[0].name", "RDS allows 63"},
	{"database name not a label", "dev", []mutation{edit(kTeams, "0.databases.0.name", "Ledger_DB")}, "platform:teams[0].databases[0].name", "is not allowed: a DNS label starting with a letter"},
	{"database in another team's namespace", "dev", []mutation{edit(kTeams, "0.databases.0.namespace", "search")}, "platform:teams[0].databases[0].namespace", `"search" is not one of the team's namespaces (payments)`},
	{"database IAM login without a workload role", "dev", []mutation{edit(kTeams, "0.policies", map[string]any{})}, "platform:teams[0].databases[0].iamAuthentication", "needs the team's workload role"},
	{"databases without database subnets", "dev", []mutation{edit(kNet, "subnets", map[string]any{
		"public": []any{"10.10.0.0/24", "10.10.1.0/24"}, "private": []any{"10.10.16.0/20", "10.10.32.0/20"}})}, "platform:teams[0].databases", "add platform:network.subnets.database, one range per availability zone"},
	{"alarm email not an address", "dev", []mutation{edit("platform:addons", "monitoring.alerting.alarmEmail", "on-call team")}, "platform:addons.monitoring.alerting.alarmEmail", `"on-call team" is not an email address`},
	{"platform project reaching argocd", "dev", []mutation{edit("platform:argocd", "destinationNamespaces", []any{"apps-*", "argocd"})}, "platform:argocd.destinationNamespaces[1]", "reaches argocd"},
}

// alsoFails are the other keys a bad configuration's one mutation makes fail, where it
// legitimately breaks more than one rule; every other case fails on its key alone.
var alsoFails = map[string][]string{
	// Removing the block removes the repositories too.
	"team without org": {"platform:github.gitopsRepo", "platform:github.infraRepo"},
	// The database identifiers <cluster>-<team>-<name> of the two teams collide as well.
	"team name extends another's": {"platform:teams[1].databases[0].name"},
}

func TestBadConfigFailsNamingTheKeyAndRegistersNothing(t *testing.T) {
	if len(badConfigs) < 25 {
		t.Fatalf("only %d bad configurations", len(badConfigs))
	}
	for _, tc := range badConfigs {
		t.Run(tc.name, func(t *testing.T) {
			in := stackInput(t, tc.stack)
			for _, m := range tc.mutate {
				m(t, in.Config)
			}
			p, err := runNoPanic(t, in)
			if err == nil {
				t.Fatalf("no error; want one naming %s", tc.wantKey)
			}
			// The one mutation is the only problem: exactly one error, and it is the expected
			// key that carries the message (not another key's error that happens to mention it).
			var errs config.Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error is not a list of config errors (%T): %v", err, err)
			}
			if len(errs) == 0 || errs[0].Key != tc.wantKey || !strings.Contains(errs[0].Msg, tc.wantMsg) {
				t.Errorf("errors:\n%s\nwant the first on %s, saying %q", err, tc.wantKey, tc.wantMsg)
			}
			var others []string
			for _, e := range errs[min(1, len(errs)):] {
				others = append(others, e.Key)
			}
			if want := alsoFails[tc.name]; !slices.Equal(others, want) {
				t.Errorf("errors:\n%s\nthe other keys with errors are %q, want %q", err, others, want)
			}
			if n := len(p.Resources); n != 0 {
				t.Errorf("%d resources registered for invalid config (first: %s)", n, p.Resources[0].URN)
			}
		})
	}
}

func runNoPanic(t *testing.T, in planner.Input) (p *planner.Plan, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic: %v", r)
		}
	}()
	return planner.Run(in, stacks.Program)
}

// All problems are reported at once, not one per `pulumi preview`.
func TestBadConfigReportsEveryProblem(t *testing.T) {
	in := stackInput(t, "dev")
	for _, m := range []mutation{
		edit(kNet, "natGateways", "nat"),
		edit(kCluster, "kubernetesVersion", "1.2"),
		edit(kDNS, "domain", "x"),
	} {
		m(t, in.Config)
	}
	_, err := planner.Run(in, stacks.Program)
	var errs config.Errors
	if !errors.As(err, &errs) || len(errs) != 3 {
		t.Fatalf("err = %v (%T), want 3 config errors", err, err)
	}
}
