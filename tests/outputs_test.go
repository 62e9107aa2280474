package tests

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/internal/planner"
)

// Every stack output is the value of the resource it documents (README "Outputs"): each one is
// traced to its resource in the plan, by id, input or (mock) output, not only checked for
// presence. A new output must be added here, with its source.
func TestStackOutputsTraceToResources(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			p := stackPlan(t, stack)
			cfg := stackInput(t, stack).Config
			named := func(typ, name string) planner.Resource { return p.named(t, typ, name) }
			ids := func(typ, prefix string) []any {
				var out []any
				for i := 0; ; i++ {
					r, ok := p.Named(typ, fmt.Sprintf("%s-%d", prefix, i))
					if !ok {
						return out
					}
					out = append(out, r.ID)
				}
			}
			eks := named(typeEKS, "cluster-eks")
			zone := named(typeZone, "dns-zone")
			argocd := values(named("kubernetes:helm.sh/v3:Release", "argocd-release"))
			kps := values(named("kubernetes:helm.sh/v3:Release", "addons-kube-prometheus-stack"))
			argocdURL := "https://" + getString(argocd, "global.domain")
			want := map[string]any{
				"environment":                   cfg["platform:environment"],
				"region":                        cfg["aws:region"],
				"vpcId":                         named("aws:ec2/vpc:Vpc", "network-vpc").ID,
				"publicSubnetIds":               ids("aws:ec2/subnet:Subnet", "network-public"),
				"privateSubnetIds":              ids("aws:ec2/subnet:Subnet", "network-private"),
				"domain":                        zone.Inputs["name"],
				"zoneId":                        zone.ID,
				"nameServers":                   zone.Outputs["nameServers"],
				"dnsDelegation":                 "record in parent zone " + getString(named(typeRecord, "dns-delegation"), "zoneId"),
				"certificateArn":                named("aws:acm/certificateValidation:CertificateValidation", "certificates-validation").Outputs["certificateArn"],
				"clusterName":                   eks.Inputs["name"],
				"clusterEndpoint":               eks.Outputs["core"].(map[string]any)["endpoint"],
				"kubeconfig":                    planner.Secret,
				"oidcProviderArn":               eks.Outputs["oidcProviderArn"],
				"oidcProviderUrl":               eks.Outputs["oidcProviderUrl"],
				"nodeRoleArn":                   named("aws:iam/role:Role", "cluster-node-role").Outputs["arn"],
				"nodeSecurityGroupId":           eks.Outputs["clusterSecurityGroupId"],
				"secretsKeyArn":                 named(typeKey, "cluster-secrets-key").Outputs["arn"],
				"parameterPath":                 "/" + getString(eks, "name") + "/platform/",
				"grafanaUrl":                    "https://" + fmt.Sprint(get(kps, "grafana.ingress.hosts").([]any)[0]),
				"alarmTopicArn":                 named("aws:sns/topic:Topic", "alarms-topic").Outputs["arn"],
				"grafanaAdminPasswordParameter": named("aws:ssm/parameter:Parameter", "addons-grafana-admin-password").Inputs["name"],
				"ciRoleArn":                     named("aws:iam/role:Role", "github-ci-role").Outputs["arn"],
				"deployKeyParameter":            named("aws:ssm/parameter:Parameter", "github-deploy-key").Inputs["name"],
				"argocdUrl":                     argocdURL,
				"githubOAuthHomepageUrl":        getString(argocd, "configs.cm.url"),
				"githubOAuthCallbackUrl":        getString(argocd, "configs.cm.url") + "/api/dex/callback",
				"teams":                         teamOutputs(t, p, cfg[kTeams], getString(eks, "name")),
			}
			// Backups: the vault (and in prod the copy region's), the role AWS Backup assumes.
			vault := named("aws:backup/vault:Vault", "backup-vault")
			copyVaultArn := any("")
			if stack == "prod" {
				copyVaultArn = named("aws:backup/vault:Vault", "backup-copy-vault").Outputs["arn"]
			}
			want["backup"] = map[string]any{"vaultName": vault.Inputs["name"], "vaultArn": vault.Outputs["arn"],
				"roleArn": named("aws:iam/role:Role", "backup-role").Outputs["arn"], "copyVaultArn": copyVaultArn}
			// Session Manager: the instance, the kube document and role (and dev's payments
			// database document and connect role).
			access := map[string]any{"instanceId": named("aws:ec2/instance:Instance", "access-instance").ID,
				"kubeDocument": named("aws:ssm/document:Document", "access-kube-document").Inputs["name"],
				"kubeRoleArn":  named("aws:iam/role:Role", "access-kube-role").Outputs["arn"]}
			if stack == "dev" {
				access["databaseDocuments"] = map[string]any{"payments-ledger": named("aws:ssm/document:Document", "connect-payments-ledger-document").Inputs["name"]}
				access["connectRoles"] = map[string]any{"payments": named("aws:iam/role:Role", "connect-payments-role").Outputs["arn"]}
			}
			want["access"] = access
			// What the next deployment's removal guard reads: each team's databases (the planned
			// instances' names), namespaces and storage quota.
			team := func(name string, namespaces ...string) map[string]any {
				var nss []any
				var quota any
				for _, ns := range namespaces {
					nss = append(nss, named("kubernetes:core/v1:Namespace", "teams-"+name+"-"+ns+"-ns").Get("metadata.name"))
					hard, _ := named("kubernetes:core/v1:ResourceQuota", "teams-"+name+"-"+ns+"-quota").Get("spec.hard").(map[string]any)
					quota = hard["requests.storage"]
				}
				out := map[string]any{"namespaces": nss, "storageQuota": quota}
				var dbs []any
				for _, db := range p.ofType("aws:rds/instance:Instance") {
					if n, ok := strings.CutPrefix(db.Name, "databases-"+name+"-"); ok {
						dbs = append(dbs, n)
					}
				}
				if dbs != nil {
					out["databases"] = dbs
				}
				return out
			}
			if stack == "dev" { // natGateways: instance
				want["natInstanceId"] = named("aws:ec2/instance:Instance", "network-nat-instance").ID
			} else {
				want["natGatewayIds"] = ids("aws:ec2/natGateway:NatGateway", "network-nat")
			}
			want["teamData"] = map[string]any{"payments": team("payments", "payments"), "search": team("search", "search", "search-jobs")}
			// dev's payments team has the database "ledger": its output is the instance's.
			if stack == "dev" {
				db := named("aws:rds/instance:Instance", "databases-payments-ledger")
				want["databases"] = map[string]any{"payments-ledger": map[string]any{
					"identifier": db.Inputs["identifier"], "address": db.Outputs["address"], "port": db.Outputs["port"],
					"namespace": "payments", "secret": "ledger-postgres",
				}}
			}
			if got, traced := slices.Sorted(maps.Keys(p.Outputs)), slices.Sorted(maps.Keys(want)); !slices.Equal(got, traced) {
				t.Fatalf("outputs %v, traced %v: trace every output here", got, traced)
			}
			for k, w := range want {
				o := p.Outputs[k]
				if w == nil || w == "" || w == planner.Unknown || fmt.Sprint(w) == "[]" || !reflect.DeepEqual(normalize(o.Value), normalize(w)) {
					got, _ := json.Marshal(normalize(o.Value))
					traced, _ := json.Marshal(normalize(w))
					t.Errorf("output %s = %s, its resource has %s", k, got, traced)
				}
			}
			// Only the kubeconfig is secret; its resource's value is not in the plan at all.
			for k, o := range p.Outputs {
				if o.Secret != (k == "kubeconfig") {
					t.Errorf("output %s secret = %v", k, o.Secret)
				}
			}
			if eks.Outputs["kubeconfig"] == nil {
				t.Error("the cluster has no kubeconfig to export")
			}
			// The parameter outputs lie under the path the External Secrets role may read.
			for _, k := range []string{"grafanaAdminPasswordParameter", "deployKeyParameter"} {
				if !strings.HasPrefix(fmt.Sprint(p.Outputs[k].Value), fmt.Sprint(p.Outputs["parameterPath"].Value)) {
					t.Errorf("%s %v is outside parameterPath %v", k, p.Outputs[k].Value, p.Outputs["parameterPath"].Value)
				}
			}
			if argocdURL != getString(argocd, "configs.cm.url") {
				t.Errorf("Argo CD's domain %s and URL %s differ", argocdURL, getString(argocd, "configs.cm.url"))
			}
		})
	}
}

// normalize makes values of the same JSON equal ([]string and []any of the same strings,
// nested maps of either).
func normalize(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return v
	}
	return out
}

// teamOutputs is what the teams output must say of each configured team, read from the
// team's resources in the plan.
func teamOutputs(t *testing.T, p *plan, raw, cluster string) map[string]any {
	var teams []struct {
		Name, Ingress  string
		Namespaces     []string
		Images         []string
		AccessRoleArns []string
	}
	if err := json.Unmarshal([]byte(raw), &teams); err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	for _, tm := range teams {
		// The team's namespaces in the plan, in the config's order (default: the team's name).
		labelled := map[string]bool{}
		for _, ns := range p.OfType("kubernetes:core/v1:Namespace") {
			if get(ns, "metadata.labels").(map[string]any)["platform.example.org/team"] == tm.Name {
				labelled[getString(ns, "metadata.name")] = true
			}
		}
		configured := tm.Namespaces
		if len(configured) == 0 {
			configured = []string{tm.Name}
		}
		var namespaces []any
		for _, ns := range configured {
			if labelled[ns] {
				namespaces = append(namespaces, ns)
			}
		}
		if len(namespaces) != len(labelled) {
			t.Errorf("team %s: namespaces labelled %v, configured %v", tm.Name, labelled, configured)
		}
		class := "teams"
		if tm.Ingress == "dedicated" {
			class = "team-" + tm.Name
		}
		o := map[string]any{
			"namespaces":   namespaces,
			"secretsPath":  "/" + cluster + "/teams/" + tm.Name + "/",
			"secretsRole":  p.named(t, "aws:iam/role:Role", "teams-"+tm.Name+"-secrets-role").Outputs["arn"],
			"ingressClass": class,
			"group":        "team:" + tm.Name,
		}
		if r, ok := p.Named("aws:iam/role:Role", "teams-"+tm.Name+"-workload-role"); ok {
			o["workloadRole"] = r.Outputs["arn"]
		}
		// Only a team with members' roles has a writer role: nobody else could assume it.
		if len(tm.AccessRoleArns) > 0 {
			o["secretsWriterRole"] = p.named(t, "aws:iam/role:Role", "teams-"+tm.Name+"-writer-role").Outputs["arn"]
		}
		if len(tm.Images) > 0 {
			o["pushRole"] = p.named(t, "aws:iam/role:Role", "teams-"+tm.Name+"-push-role").Outputs["arn"]
			repos := map[string]any{}
			for _, img := range tm.Images {
				repos[img] = p.named(t, "aws:ecr/repository:Repository", "teams-"+tm.Name+"-ecr-"+img).Outputs["repositoryUrl"]
			}
			o["repositories"] = repos
		}
		out[tm.Name] = o
	}
	return out
}
