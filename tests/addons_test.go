package tests

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/example/platform/components/addons"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/helmkit"
	"github.com/example/platform/internal/iampolicy"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/pricing"
	"github.com/example/platform/stacks"
)

const typeRelease = "kubernetes:helm.sh/v3:Release"

// addonSpec is what the plan must show for one Helm addon.
type addonSpec struct {
	key, namespace, serviceAccount string
	chart                          helmkit.Chart
	// saPath is where the chart's values name the service account.
	saPath string
}

var helmAddons = []addonSpec{
	{"aws-load-balancer-controller", "kube-system", addons.LBCServiceAccount, helmkit.Charts.LoadBalancerController, "serviceAccount.name"},
	{"external-dns", "external-dns", addons.ExternalDNSServiceAccount, helmkit.Charts.ExternalDNS, "serviceAccount.name"},
	{"external-secrets", "external-secrets", addons.ExternalSecretsServiceAccount, helmkit.Charts.ExternalSecrets, "serviceAccount.name"},
	{"cluster-autoscaler", "kube-system", addons.AutoscalerServiceAccount, helmkit.Charts.ClusterAutoscaler, "rbac.serviceAccount.name"},
	{"loki", "logging", addons.LokiServiceAccount, helmkit.Charts.Loki, "serviceAccount.name"},
	{"tempo", "tracing", addons.TempoServiceAccount, helmkit.Charts.Tempo, "serviceAccount.name"},
	{"kube-prometheus-stack", "monitoring", "", helmkit.Charts.KubePrometheusStack, ""},
	{"alloy", "logging", "", helmkit.Charts.Alloy, ""},
}

func values(r planner.Resource) planner.Resource {
	v, _ := get(r, "values").(map[string]any)
	return planner.Resource{Inputs: v}
}

func TestHelmAddonsArePinnedAndBoundToTheirServiceAccounts(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		p := stackPlan(t, stack)
		for _, a := range helmAddons {
			rel := p.named(t, typeRelease, "addons-"+a.key)
			if getString(rel, "chart") != a.chart.Name || getString(rel, "version") != a.chart.Version ||
				getString(rel, "repositoryOpts.repo") != a.chart.Repo || getString(rel, "name") != a.key {
				t.Errorf("%s/%s: chart %v", stack, a.key, rel.Inputs)
			}
			if getString(rel, "namespace") != a.namespace || get(rel, "atomic") != true {
				t.Errorf("%s/%s: namespace %q atomic %v", stack, a.key, getString(rel, "namespace"), get(rel, "atomic"))
			}
			if a.namespace != "kube-system" {
				ns := p.named(t, "kubernetes:core/v1:Namespace", "addons-ns-"+a.namespace)
				if !contains(rel.PropertyDependencies["namespace"], ns.URN) {
					t.Errorf("%s/%s: release does not wait for its namespace", stack, a.key)
				}
			}
			if a.serviceAccount == "" {
				continue
			}
			if got := getString(values(rel), a.saPath); got != a.serviceAccount || get(values(rel), strings.TrimSuffix(a.saPath, ".name")+".create") != true {
				t.Errorf("%s/%s: chart service account %q, want %q", stack, a.key, got, a.serviceAccount)
			}
			assoc := p.named(t, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "addons-"+a.key+"-pod-identity")
			if getString(assoc, "namespace") != a.namespace || getString(assoc, "serviceAccount") != a.serviceAccount {
				t.Errorf("%s/%s: association binds %s/%s, the chart runs as %s/%s", stack, a.key,
					getString(assoc, "namespace"), getString(assoc, "serviceAccount"), a.namespace, a.serviceAccount)
			}
			role := p.named(t, "aws:iam/role:Role", "addons-"+a.key+"-role")
			// Pod Identity injects credentials only into pods created after the association.
			if !contains(assoc.PropertyDependencies["roleArn"], role.URN) || !contains(rel.Dependencies, assoc.URN) {
				t.Errorf("%s/%s: the release does not wait for its Pod Identity association", stack, a.key)
			}
			checkTrust(t, stack+"/"+a.key, role)
		}
	}
}

func checkTrust(t *testing.T, what string, role planner.Resource) {
	t.Helper()
	doc, err := iampolicy.Parse([]byte(getString(role, "assumeRolePolicy")))
	if err != nil || len(doc.Statement) != 1 {
		t.Fatalf("%s: trust policy %v: %v", what, getString(role, "assumeRolePolicy"), err)
	}
	s := doc.Statement[0]
	cluster := "platform-dev"
	if strings.HasPrefix(what, "prod") {
		cluster = "platform-prod"
	}
	if strings.Join(s.Principal["Service"], ",") != helmkit.PodIdentityPrincipal || len(s.Principal) != 1 ||
		strings.Join(s.Action, ",") != "sts:AssumeRole,sts:TagSession" ||
		strings.Join(s.Condition["StringEquals"]["aws:SourceAccount"], ",") != planner.MockAccountID ||
		strings.Join(s.Condition["ArnEquals"]["aws:SourceArn"], ",") != "arn:aws:eks:eu-north-1:"+planner.MockAccountID+":cluster/"+cluster {
		t.Errorf("%s: trust = %+v", what, s)
	}
}

// Every role's inline policy, parsed: the narrowing the component tests prove for the pure
// functions is what the program attaches.
func TestAddonPermissionPolicies(t *testing.T) {
	p := stackPlan(t, "prod")
	policy := func(key string) iampolicy.Document {
		doc, err := iampolicy.Parse([]byte(getString(p.named(t, "aws:iam/rolePolicy:RolePolicy", "addons-"+key+"-policy"), "policy")))
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	zone := p.named(t, typeZone, "dns-zone")
	if got := policy("external-dns").Statement[0].Resource; len(got) != 1 || got[0] != "arn:aws:route53:::hostedzone/"+zone.ID {
		t.Errorf("ExternalDNS may change records in %v, want only %s", got, zone.ID)
	}
	key := p.named(t, typeKey, "cluster-secrets-key")
	eso := policy("external-secrets")
	// The platform's parameters and secrets (prod turns Secrets Manager on), decrypted with the
	// platform key, and (prod has teams) the
	// teams' secrets roles, by their IAM path: nothing else.
	want := iampolicy.New(
		iampolicy.Allow([]string{"ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"}, "arn:aws:ssm:eu-north-1:"+planner.MockAccountID+":parameter/platform-prod/platform/*"),
		iampolicy.Allow([]string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"},
			"arn:aws:secretsmanager:eu-north-1:"+planner.MockAccountID+":secret:platform-prod/platform/*"),
		iampolicy.Statement{Effect: "Allow", Action: []string{"kms:Decrypt"}, Resource: []string{"arn:aws:kms:eu-north-1:" + planner.MockAccountID + ":key/" + key.ID},
			Condition: map[string]map[string][]string{"StringEquals": {"kms:ViaService": {"ssm.eu-north-1.amazonaws.com", "secretsmanager.eu-north-1.amazonaws.com"}}}},
		iampolicy.Allow([]string{"sts:AssumeRole", "sts:TagSession"}, "arn:aws:iam::"+planner.MockAccountID+":role/platform-prod/teams/secrets/*"),
	)
	if !iampolicy.Equal(eso, want) {
		t.Errorf("External Secrets policy = %s\nwant %s", eso.JSON(), want.JSON())
	}
	for _, store := range []string{"loki", "tempo"} {
		bucket := p.named(t, "aws:s3/bucketV2:BucketV2", "addons-"+store+"-bucket")
		arn := "arn:aws:s3:::" + getString(bucket, "bucketPrefix") + "20261123000000000000000001"
		for _, s := range policy(store).Statement {
			for _, r := range s.Resource {
				if r != arn && r != arn+"/*" {
					t.Errorf("%s may use %s, want only its bucket %s", store, r, arn)
				}
			}
		}
	}
	ebs := p.named(t, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "addons-ebs-csi-AmazonEBSCSIDriverPolicyV2")
	if getString(ebs, "policyArn") != "arn:aws:iam::aws:policy/AmazonEBSCSIDriverPolicyV2" {
		t.Errorf("EBS CSI policy = %s", getString(ebs, "policyArn"))
	}
	addon := p.named(t, "aws:eks/addon:Addon", "addons-ebs-csi")
	if getString(addon, "podIdentityAssociations.0.serviceAccount") != addons.EBSCSIServiceAccount {
		t.Errorf("EBS CSI addon associations = %v", get(addon, "podIdentityAssociations"))
	}
}

// Ordering the values do not show: webhook before Service-creating releases, CRDs (the
// External Secrets release) before the stores, the Pod Identity agent before any addon pod.
func TestAddonOrdering(t *testing.T) {
	p := stackPlan(t, "prod")
	lbc := p.named(t, typeRelease, "addons-aws-load-balancer-controller")
	class := p.named(t, "kubernetes:networking.k8s.io/v1:IngressClass", "addons-ingress-class")
	agent := p.named(t, "aws:eks/addon:Addon", "addons-pod-identity-agent")
	for _, a := range helmAddons {
		rel := p.named(t, typeRelease, "addons-"+a.key)
		if a.key != "aws-load-balancer-controller" && (!contains(rel.Dependencies, lbc.URN) || !contains(rel.Dependencies, class.URN)) {
			t.Errorf("%s does not wait for the Load Balancer Controller and the platform's IngressClass", a.key)
		}
		if a.key != "alloy" && !contains(rel.Dependencies, agent.URN) {
			t.Errorf("%s does not wait for the Pod Identity agent", a.key)
		}
	}
	eso := p.named(t, typeRelease, "addons-external-secrets")
	if !eso.Protect {
		t.Error("prod's External Secrets release (and with it every ExternalSecret) is not protected")
	}
	for _, s := range p.ofType("kubernetes:external-secrets.io/v1:ClusterSecretStore") {
		if !contains(s.Dependencies, eso.URN) {
			t.Errorf("%s is created before the External Secrets CRDs", s.Name)
		}
	}
	sc := p.named(t, "kubernetes:storage.k8s.io/v1:StorageClass", "addons-ebs-csi-gp3")
	if !contains(sc.Dependencies, p.named(t, "aws:eks/addon:Addon", "addons-ebs-csi").URN) {
		t.Error("the gp3 StorageClass does not wait for the EBS CSI driver")
	}
	// Volumes need the driver and class; every pod needs nodes, and on destroy releases (with
	// their volumes and load balancers) must go before the nodes.
	nodes := p.named(t, typeNodeGroup, "cluster-general-ng")
	for _, a := range helmAddons {
		rel := p.named(t, typeRelease, "addons-"+a.key)
		if !contains(rel.Dependencies, nodes.URN) {
			t.Errorf("%s does not wait for the node group", a.key)
		}
	}
	for _, key := range []string{"loki", "tempo", "kube-prometheus-stack"} {
		if !contains(p.named(t, typeRelease, "addons-"+key).Dependencies, sc.URN) {
			t.Errorf("%s claims gp3 volumes but does not wait for the StorageClass", key)
		}
	}
}

func TestAddonValues(t *testing.T) {
	dev, prod := stackPlan(t, "dev"), stackPlan(t, "prod")
	lbc := values(prod.named(t, typeRelease, "addons-aws-load-balancer-controller"))
	// The legacy class annotation and the group annotation off: a team's Ingress can name
	// neither the platform's class nor its group (the controller's webhook refuses both).
	if getString(lbc, "clusterName") != "platform-prod" || getString(lbc, "region") != "eu-north-1" ||
		getString(lbc, "vpcId") != prod.named(t, "aws:ec2/vpc:Vpc", "network-vpc").ID || get(lbc, "replicaCount") != 2.0 ||
		get(lbc, "disableIngressClassAnnotation") != true || get(lbc, "disableIngressGroupNameAnnotation") != true {
		t.Errorf("LBC values = %v", lbc.Inputs)
	}
	for stack, policy := range map[string]string{"dev": "sync", "prod": "upsert-only"} {
		p := stackPlan(t, stack)
		edns := values(p.named(t, typeRelease, "addons-external-dns"))
		if getString(edns, "policy") != policy || getString(edns, "txtOwnerId") != "platform-"+stack ||
			strings.Join(getStrings(edns, "domainFilters"), ",") != stack+".example.org" ||
			strings.Join(getStrings(edns, "extraArgs.zone-id-filter"), ",") != p.named(t, typeZone, "dns-zone").ID ||
			getString(edns, "provider.name") != "aws" || getString(edns, "registry") != "txt" {
			t.Errorf("%s: ExternalDNS values = %v", stack, edns.Inputs)
		}
	}
	ca := values(prod.named(t, typeRelease, "addons-cluster-autoscaler"))
	if getString(ca, "image.tag") != "v1.35.2" || getString(ca, "autoDiscovery.clusterName") != "platform-prod" ||
		get(ca, "extraArgs.balance-similar-node-groups") != true || getString(ca, "extraArgs.expander") != "least-waste" {
		t.Errorf("Cluster Autoscaler values = %v", ca.Inputs)
	}
	kps := values(prod.named(t, typeRelease, "addons-kube-prometheus-stack"))
	ann, _ := get(kps, "grafana.ingress.annotations").(map[string]any)
	cert := prod.Outputs["certificateArn"].Value
	// The group comes from the class's IngressClassParams (the controller refuses group.name).
	if getString(kps, "grafana.ingress.ingressClassName") != contract.PlatformIngressClass || ann["alb.ingress.kubernetes.io/group.name"] != nil || ann["alb.ingress.kubernetes.io/certificate-arn"] != cert ||
		ann["alb.ingress.kubernetes.io/ssl-redirect"] != "443" || strings.Join(getStrings(kps, "grafana.ingress.hosts"), ",") != "grafana.prod.example.org" {
		t.Errorf("Grafana ingress = %v", get(kps, "grafana.ingress"))
	}
	var ports []map[string]int
	if err := json.Unmarshal([]byte(ann["alb.ingress.kubernetes.io/listen-ports"].(string)), &ports); err != nil || len(ports) != 2 {
		t.Errorf("listen-ports %v: %v", ann["alb.ingress.kubernetes.io/listen-ports"], err)
	}
	if getString(kps, "grafana.admin.existingSecret") != addons.GrafanaAdminSecret ||
		getString(kps, "prometheus.prometheusSpec.retention") != "30d" || get(kps, "prometheus.prometheusSpec.replicas") != 2.0 ||
		getString(kps, "prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage") != "100Gi" ||
		get(kps, "prometheus.podDisruptionBudget.enabled") != true {
		t.Errorf("kube-prometheus-stack values = %v", kps.Inputs)
	}
	sources, _ := get(kps, "grafana.additionalDataSources").([]any)
	if len(sources) != 2 {
		t.Errorf("Grafana data sources = %v, want Loki and Tempo", sources)
	}
	if get(values(dev.named(t, typeRelease, "addons-kube-prometheus-stack")), "prometheus.prometheusSpec.replicas") != 1.0 {
		t.Error("dev runs more than one Prometheus")
	}
	loki := values(prod.named(t, typeRelease, "addons-loki"))
	if getString(loki, "loki.storage.type") != "s3" || getString(loki, "loki.limits_config.retention_period") != "2160h" ||
		get(loki, "loki.compactor.retention_enabled") != true || get(loki, "singleBinary.replicas") != 3.0 ||
		get(loki, "loki.commonConfig.replication_factor") != 3.0 {
		t.Errorf("Loki values = %v", loki.Inputs)
	}
	// dev: one Loki, no replication (what a lost pod loses is said in the README).
	if devLoki := values(dev.named(t, typeRelease, "addons-loki")); get(devLoki, "singleBinary.replicas") != 1.0 || get(devLoki, "loki.commonConfig.replication_factor") != 1.0 {
		t.Errorf("dev Loki values = %v", devLoki.Inputs)
	}
	// EKS hides the control plane and kube-proxy's metrics: not scraped, not alerted on.
	for _, k := range []string{"kubeControllerManager.enabled", "kubeScheduler.enabled", "kubeEtcd.enabled", "kubeProxy.enabled",
		"defaultRules.rules.etcd", "defaultRules.rules.kubeControllerManager", "defaultRules.rules.kubeSchedulerAlerting",
		"defaultRules.rules.kubeSchedulerRecording", "defaultRules.rules.kubeProxy"} {
		if get(kps, k) != false {
			t.Errorf("kube-prometheus-stack %s = %v, want false on EKS", k, get(kps, k))
		}
	}
	for _, store := range []string{"loki", "tempo"} {
		for stack, prodStack := range map[string]bool{"dev": false, "prod": true} {
			b := stackPlan(t, stack).named(t, "aws:s3/bucketV2:BucketV2", "addons-"+store+"-bucket")
			if get(b, "forceDestroy") != !prodStack || b.Protect != prodStack {
				t.Errorf("%s %s bucket: forceDestroy %v protect %v", stack, store, get(b, "forceDestroy"), b.Protect)
			}
		}
	}
}

// The Grafana admin password is generated, kept secret, and readable from SSM.
func TestGrafanaPasswordStaysSecret(t *testing.T) {
	p := stackPlan(t, "prod")
	param := p.named(t, "aws:ssm/parameter:Parameter", "addons-grafana-admin-password")
	if getString(param, "type") != "SecureString" || !contains(param.SecretInputs, "value") ||
		getString(param, "name") != "/platform-prod/platform/grafana/admin-password" {
		t.Errorf("parameter = %v (secret inputs %v)", param.Inputs, param.SecretInputs)
	}
	secret := p.named(t, "kubernetes:core/v1:Secret", "addons-grafana-admin")
	if !contains(secret.SecretInputs, "stringData") {
		t.Errorf("Kubernetes Secret stringData not secret: %v", secret.SecretInputs)
	}
	// The release must carry no secret at all: the password reaches Grafana only through the
	// Secret (inputs are redacted in plans, so check secrecy, not text).
	kps := p.named(t, typeRelease, "addons-kube-prometheus-stack")
	raw, _ := json.Marshal(kps.Inputs)
	if len(kps.SecretInputs) != 0 || strings.Contains(string(raw), planner.Secret) {
		t.Errorf("kube-prometheus-stack release has secret inputs %v", kps.SecretInputs)
	}
	if !contains(param.PropertyDependencies["value"], p.named(t, "random:index/randomPassword:RandomPassword", "addons-grafana-admin-password").URN) {
		t.Error("the SSM parameter does not hold the generated password")
	}
}

func TestDisabledAddonsLeaveNothing(t *testing.T) {
	in := stackInput(t, "dev")
	off := map[string]any{}
	for _, k := range []string{"loadBalancerController", "externalDns", "externalSecrets", "clusterAutoscaler", "ebsCsi", "metricsServer", "monitoring", "loki", "tempo"} {
		off[k] = map[string]any{"enabled": false}
	}
	b, _ := json.Marshal(off)
	in.Config["platform:addons"] = string(b)
	in.Config["platform:argocd"] = `{"enabled":false}` // Argo CD needs External Secrets and the ALB
	delete(in.Config, kTeams)                          // so do the teams
	p, err := planner.Run(in, stacks.Program)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range p.Resources {
		if (strings.HasPrefix(r.Name, "addons-") && r.Name != "addons-pod-identity-agent" && r.Name != "addons-coredns") || strings.HasPrefix(r.Name, "argocd") {
			t.Errorf("disabled addons left %s (%s)", r.Name, r.Type)
		}
	}
	if p.Outputs["grafanaUrl"].Value != "(monitoring disabled)" {
		t.Errorf("grafanaUrl = %v", p.Outputs["grafanaUrl"].Value)
	}
	// One addon off: only its resources go.
	in = stackInput(t, "dev")
	edit("platform:addons", "clusterAutoscaler.enabled", false)(t, in.Config) // the rest of the block as it is
	p, err = planner.Run(in, stacks.Program)
	if err != nil {
		t.Fatal(err)
	}
	full := stackPlan(t, "dev")
	var missing []string
	have := map[string]bool{}
	for _, r := range p.Resources {
		have[r.URN] = true
	}
	for _, r := range full.Resources {
		if !have[r.URN] {
			missing = append(missing, r.Name)
		}
	}
	sort.Strings(missing)
	if strings.Join(missing, ",") != "addons-cluster-autoscaler,addons-cluster-autoscaler-pod-identity,addons-cluster-autoscaler-policy,addons-cluster-autoscaler-role" {
		t.Errorf("disabling the autoscaler removed %v", missing)
	}
}

// extraValues is merged over the computed values and wins.
func TestExtraValues(t *testing.T) {
	in := stackInput(t, "dev")
	in.Config["platform:addons"] = `{"externalDns":{"extraValues":{"interval":"5m","provider":{"name":"aws","batchChangeSize":100}}}}`
	p, err := planner.Run(in, stacks.Program)
	if err != nil {
		t.Fatal(err)
	}
	v := values((&plan{Plan: p}).named(t, typeRelease, "addons-external-dns"))
	if getString(v, "interval") != "5m" || get(v, "provider.batchChangeSize") != 100.0 || getString(v, "provider.name") != "aws" ||
		getString(v, "policy") != "sync" {
		t.Errorf("values = %v", v.Inputs)
	}
}

func TestAutoscalerImageForEverySupportedVersion(t *testing.T) {
	for _, v := range pricing.EKSUsable(pricing.MustParseDate(pricing.EKSCalendarDate)) {
		tag, ok := helmkit.AutoscalerImageTags[v]
		if !ok || !strings.HasPrefix(tag, "v"+v+".") {
			t.Errorf("Kubernetes %s: autoscaler image %q", v, tag)
		}
	}
}
