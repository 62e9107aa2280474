package tests

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/example/platform/components/argocd"
	"github.com/example/platform/components/githubint/ghplan"
	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/helmkit"
	"github.com/example/platform/internal/iampolicy"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/stacks"
)

// Argo CD's values, parsed: hostname and ingress, insecure server behind the ALB, Dex
// limited to the org's teams, RBAC, local admin off, HA by environment.
func TestArgoCDValues(t *testing.T) {
	for stack, ha := range map[string]bool{"dev": false, "prod": true} {
		p := stackPlan(t, stack)
		rel := p.named(t, typeRelease, "argocd-release")
		if getString(rel, "name") != "argocd" || getString(rel, "chart") != helmkit.Charts.ArgoCD.Name ||
			getString(rel, "version") != helmkit.Charts.ArgoCD.Version || getString(rel, "namespace") != argocd.Namespace {
			t.Errorf("%s: release %v", stack, rel.Inputs)
		}
		v := values(rel)
		host := "argocd." + stack + ".example.org"
		if getString(v, "global.domain") != host || getString(v, "configs.cm.url") != "https://"+host {
			t.Errorf("%s: domain/url = %v / %v", stack, get(v, "global.domain"), get(v, "configs.cm.url"))
		}
		params, _ := get(v, "configs.params").(map[string]any)
		cm, _ := get(v, "configs.cm").(map[string]any)
		rbac, _ := get(v, "configs.rbac").(map[string]any)
		if params["server.insecure"] != true || cm["admin.enabled"] != false {
			t.Errorf("%s: server.insecure %v admin.enabled %v", stack, params["server.insecure"], cm["admin.enabled"])
		}
		ing := "server.ingress."
		ann, _ := get(v, ing+"annotations").(map[string]any)
		if get(v, ing+"enabled") != true || getString(v, ing+"controller") != "aws" || getString(v, ing+"ingressClassName") != "alb" ||
			getString(v, ing+"aws.backendProtocolVersion") != "GRPC" || ann["alb.ingress.kubernetes.io/group.name"] != nil ||
			ann["alb.ingress.kubernetes.io/certificate-arn"] != p.Outputs["certificateArn"].Value || ann["alb.ingress.kubernetes.io/ssl-redirect"] != "443" {
			t.Errorf("%s: ingress = %v", stack, get(v, "server.ingress"))
		}
		var dex struct {
			Connectors []struct {
				Type   string
				Config struct {
					ClientID      string `yaml:"clientID"`
					ClientSecret  string `yaml:"clientSecret"`
					TeamNameField string `yaml:"teamNameField"`
					Orgs          []struct {
						Name  string
						Teams []string
					}
				}
			}
		}
		if err := yaml.Unmarshal([]byte(cm["dex.config"].(string)), &dex); err != nil || len(dex.Connectors) != 1 {
			t.Fatalf("%s: dex.config %q: %v", stack, cm["dex.config"], err)
		}
		c := dex.Connectors[0]
		// The platform's teams, then the product teams' GitHub teams (which get no global role
		// below: their project's role is all they have).
		wantTeams := map[string][]string{"dev": {"platform", "developers", "payments-devs", "search-devs"}, "prod": {"platform", "payments-devs", "search-devs"}}[stack]
		if c.Type != "github" || c.Config.ClientSecret != "$argocd-dex-github:clientSecret" || c.Config.TeamNameField != "slug" ||
			len(c.Config.Orgs) != 1 || c.Config.Orgs[0].Name != "example-org" || !reflect.DeepEqual(c.Config.Orgs[0].Teams, wantTeams) ||
			!strings.HasPrefix(c.Config.ClientID, "Ov23li") {
			t.Errorf("%s: dex connector = %+v", stack, c)
		}
		wantPolicy := map[string]string{
			"dev":  "g, example-org:developers, role:readonly\ng, example-org:platform, role:admin\n",
			"prod": "g, example-org:platform, role:admin\n",
		}[stack]
		if rbac["policy.csv"] != wantPolicy || rbac["policy.default"] != "" || rbac["scopes"] != "[groups]" {
			t.Errorf("%s: rbac = %v", stack, rbac)
		}
		if !strings.Contains(cm["resource.customizations.health.argoproj.io_Application"].(string), "obj.status.health.status") {
			t.Errorf("%s: no Application health check", stack)
		}
		if get(v, "redis-ha.enabled") != ha || get(v, "redis.enabled") != !ha {
			t.Errorf("%s: redis-ha %v redis %v", stack, get(v, "redis-ha.enabled"), get(v, "redis.enabled"))
		}
		replicas := map[bool]float64{false: 1, true: 2}[ha]
		if get(v, "server.replicas") != replicas || get(v, "repoServer.replicas") != replicas {
			t.Errorf("%s: server/repoServer replicas %v/%v", stack, get(v, "server.replicas"), get(v, "repoServer.replicas"))
		}
		raw, _ := json.Marshal(v.Inputs)
		if strings.Contains(string(raw), "REPLACE") || strings.Contains(string(raw), planner.Secret) {
			t.Errorf("%s: a secret reached the Helm values", stack)
		}
		lbc := p.named(t, typeRelease, "addons-aws-load-balancer-controller")
		if !contains(rel.Dependencies, lbc.URN) {
			t.Errorf("%s: Argo CD's Ingress does not wait for the Load Balancer Controller", stack)
		}
	}
}

// dev follows main, prod the release tag in Pulumi.prod.yaml. The root app is in its own
// project, which may create Applications in argocd-apps and nothing else; the platform project
// may not reach argocd at all; the default project is locked to nothing. (What Argo CD then
// decides with these projects: argocd_projects_test.go.)
func TestRootApplicationAndProject(t *testing.T) {
	for stack, rev := range map[string]string{"dev": "main", "prod": "v1.4.0"} {
		p := stackPlan(t, stack)
		app := p.named(t, "kubernetes:argoproj.io/v1alpha1:Application", "argocd-root-app")
		repo := "git@github.com:example-org/gitops.git"
		if getString(app, "spec.source.targetRevision") != rev || getString(app, "spec.source.path") != "clusters/"+stack ||
			getString(app, "spec.source.repoURL") != repo || getString(app, "spec.project") != "platform-root" ||
			get(app, "spec.syncPolicy.automated.prune") != true || get(app, "spec.syncPolicy.automated.selfHeal") != true ||
			get(app, "spec.syncPolicy.retry.limit") == nil {
			t.Errorf("%s: root app = %v", stack, app.Inputs)
		}
		root := p.named(t, "kubernetes:argoproj.io/v1alpha1:AppProject", "argocd-root-project")
		if getString(root, "metadata.name") != "platform-root" || strings.Join(getStrings(root, "spec.sourceRepos"), ",") != repo ||
			fmt.Sprint(get(root, "spec.destinations")) != "[map[namespace:argocd-apps server:https://kubernetes.default.svc]]" ||
			fmt.Sprint(get(root, "spec.namespaceResourceWhitelist")) != "[map[group:argoproj.io kind:Application]]" ||
			len(get(root, "spec.clusterResourceWhitelist").([]any)) != 0 {
			t.Errorf("%s: root project = %v", stack, root.Inputs)
		}
		proj := p.named(t, "kubernetes:argoproj.io/v1alpha1:AppProject", "argocd-project")
		if strings.Join(getStrings(proj, "spec.sourceRepos"), ",") != repo {
			t.Errorf("%s: project repos %v", stack, get(proj, "spec.sourceRepos"))
		}
		dests := get(proj, "spec.destinations").([]any)
		if len(dests) == 0 {
			t.Errorf("%s: the platform project reaches no namespace", stack)
		}
		for _, d := range dests {
			dm := d.(map[string]any)
			if ns := dm["namespace"]; ns == "*" || ns == "" || ns == "argocd" {
				t.Errorf("%s: the platform project may deploy to %v", stack, d)
			}
		}
		def := p.named(t, "kubernetes:argoproj.io/v1alpha1:AppProjectPatch", "argocd-default-project")
		if getString(def, "metadata.name") != "default" || len(getStrings(def, "spec.sourceRepos")) != 0 ||
			len(get(def, "spec.destinations").([]any)) != 0 || get(def, "metadata.annotations").(map[string]any)["pulumi.com/patchForce"] != "true" {
			t.Errorf("%s: default project = %v", stack, def.Inputs)
		}
		rel := p.named(t, typeRelease, "argocd-release")
		for _, r := range []planner.Resource{app, proj, root, def} {
			if !contains(r.Dependencies, rel.URN) {
				t.Errorf("%s: %s created before Argo CD's CRDs", stack, r.Name)
			}
		}
	}
}

func TestDeployKeyAndSecrets(t *testing.T) {
	p := stackPlan(t, "prod")
	key := p.named(t, "tls:index/privateKey:PrivateKey", "github-deploy-key")
	if getString(key, "algorithm") != "ED25519" {
		t.Errorf("key algorithm %v", get(key, "algorithm"))
	}
	dk := p.named(t, "github:index/repositoryDeployKey:RepositoryDeployKey", "github-deploy-key")
	if get(dk, "readOnly") != true || getString(dk, "repository") != "gitops" || !strings.HasPrefix(getString(dk, "key"), "ssh-ed25519 ") {
		t.Errorf("deploy key = %v", dk.Inputs)
	}
	param := p.named(t, "aws:ssm/parameter:Parameter", "github-deploy-key")
	if getString(param, "name") != "/platform-prod/platform/github/deploykeys/example-org/gitops" || getString(param, "type") != "SecureString" ||
		!contains(param.SecretInputs, "value") || !contains(param.PropertyDependencies["value"], key.URN) {
		t.Errorf("deploy key parameter = %v (secret %v)", param.Inputs, param.SecretInputs)
	}
	client := p.named(t, "aws:ssm/parameter:Parameter", "argocd-dex-client-secret")
	if !contains(client.SecretInputs, "value") || getString(client, "type") != "SecureString" {
		t.Errorf("client secret parameter = %v (secret %v)", client.Inputs, client.SecretInputs)
	}
	repoSecret := p.named(t, "kubernetes:external-secrets.io/v1:ExternalSecret", "argocd-repo-secret")
	if getString(repoSecret, "spec.data.0.remoteRef.key") != getString(param, "name") ||
		getString(repoSecret, "spec.target.template.data.url") != "git@github.com:example-org/gitops.git" {
		t.Errorf("repo ExternalSecret = %v", repoSecret.Inputs)
	}
	labels, _ := get(repoSecret, "spec.target.template.metadata.labels").(map[string]any)
	if labels["argocd.argoproj.io/secret-type"] != "repository" {
		t.Errorf("repository secret labels = %v", labels)
	}
	dexSecret := p.named(t, "kubernetes:external-secrets.io/v1:ExternalSecret", "argocd-dex-secret")
	dexLabels, _ := get(dexSecret, "spec.target.template.metadata.labels").(map[string]any)
	if getString(dexSecret, "spec.target.name") != argocd.DexSecret || dexLabels["app.kubernetes.io/part-of"] != "argocd" ||
		getString(dexSecret, "spec.data.0.remoteRef.key") != getString(client, "name") {
		t.Errorf("dex ExternalSecret = %v", dexSecret.Inputs)
	}
	raw, _ := json.Marshal(p.Plan)
	for _, leak := range []string{"BEGIN OPENSSH PRIVATE KEY", "REPLACE-with"} {
		if strings.Contains(string(raw), leak) {
			t.Errorf("the plan contains %q", leak)
		}
	}
	for k, o := range p.Outputs {
		if s, ok := o.Value.(string); ok && strings.Contains(s, "PRIVATE KEY") {
			t.Errorf("output %s leaks the deploy key", k)
		}
	}
}

// Rotation is `pulumi up --replace` on the key: the public key on GitHub and the private key
// in SSM both follow from the key's outputs, so replacing it replaces both.
func TestDeployKeyRotationFollowsTheKey(t *testing.T) {
	p := stackPlan(t, "dev")
	key := p.named(t, "tls:index/privateKey:PrivateKey", "github-deploy-key")
	dk := p.named(t, "github:index/repositoryDeployKey:RepositoryDeployKey", "github-deploy-key")
	param := p.named(t, "aws:ssm/parameter:Parameter", "github-deploy-key")
	if !contains(dk.PropertyDependencies["key"], key.URN) || !contains(param.PropertyDependencies["value"], key.URN) {
		t.Errorf("deploy key %v / parameter %v do not derive from the key", dk.PropertyDependencies, param.PropertyDependencies)
	}
}

func TestCIRoleTrustsExactlyTheConfiguredSubjects(t *testing.T) {
	for stack, subs := range map[string][]string{
		"dev":  {"repo:example-org/platform-infra:environment:dev"},
		"prod": {"repo:example-org/platform-infra:environment:prod"},
	} {
		p := stackPlan(t, stack)
		role := p.named(t, "aws:iam/role:Role", "github-ci-role")
		doc, err := iampolicy.Parse([]byte(getString(role, "assumeRolePolicy")))
		if err != nil || len(doc.Statement) != 1 {
			t.Fatalf("%s: trust %v: %v", stack, getString(role, "assumeRolePolicy"), err)
		}
		s := doc.Statement[0]
		provider := p.named(t, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "github-github-oidc")
		if !reflect.DeepEqual(s.Condition["StringEquals"][ghplan.OIDCHost+":sub"], subs) ||
			!reflect.DeepEqual(s.Condition["StringEquals"][ghplan.OIDCHost+":aud"], []string{"sts.amazonaws.com"}) ||
			len(s.Condition) != 1 || !reflect.DeepEqual(s.Action, []string{"sts:AssumeRoleWithWebIdentity"}) ||
			!strings.HasSuffix(s.Principal["Federated"][0], "oidc-provider/token.actions.githubusercontent.com") ||
			!contains(role.Dependencies, provider.URN) {
			t.Errorf("%s: trust = %s", stack, doc.JSON())
		}
		vars := map[string]string{}
		for _, v := range p.ofType("github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable") {
			if getString(v, "repository") != "platform-infra" {
				// A team repository's environment: its push role, nothing else.
				push := p.named(t, "aws:iam/role:Role", "teams-payments-push-role")
				if getString(v, "repository") != "payments-api" || getString(v, "variableName") != "AWS_ROLE_ARN" ||
					get(v, "value") != push.Outputs["arn"] || getString(v, "environment") != stack {
					t.Errorf("%s: team variable %v", stack, v.Inputs)
				}
				continue
			}
			vars[getString(v, "variableName")] = getString(v, "value")
			if getString(v, "environment") != stack {
				t.Errorf("%s: variable %v", stack, v.Inputs)
			}
		}
		if vars["AWS_ROLE_ARN"] != p.Outputs["ciRoleArn"].Value || vars["AWS_REGION"] != "eu-north-1" {
			t.Errorf("%s: variables %v", stack, vars)
		}
		env := p.named(t, "github:index/repositoryEnvironment:RepositoryEnvironment", "github-environment")
		teams, _ := get(env, "reviewers.0.teams").([]any)
		if (stack == "prod") != (len(teams) == 1) {
			t.Errorf("%s: environment reviewers %v", stack, get(env, "reviewers"))
		}
	}
}

// An existing OIDC provider is reused, not created (one per account).
func TestExistingOIDCProvider(t *testing.T) {
	in := stackInput(t, "dev")
	var g map[string]any
	json.Unmarshal([]byte(in.Config["platform:github"]), &g)
	g["oidcProviderArn"] = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
	b, _ := json.Marshal(g)
	in.Config["platform:github"] = string(b)
	p, err := planner.Run(in, stacks.Program)
	if err != nil {
		t.Fatal(err)
	}
	pl := &plan{Plan: p}
	if n := len(pl.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider")); n != 0 {
		t.Errorf("%d OIDC providers created", n)
	}
	role := pl.named(t, "aws:iam/role:Role", "github-ci-role")
	if !strings.Contains(getString(role, "assumeRolePolicy"), "111122223333:oidc-provider") {
		t.Errorf("trust does not use the existing provider: %s", getString(role, "assumeRolePolicy"))
	}
}

// The OAuth client secret must be a Pulumi secret: a plain value would sit in the stack file.
func TestClientSecretMustBeSecret(t *testing.T) {
	in := stackInput(t, "dev")
	if !contains(in.SecretKeys, config.ArgoCDSecretKey) {
		t.Fatalf("the offline stand-in for the client secret is not secret: %v", in.SecretKeys)
	}
	in.SecretKeys = []string{config.GitHubTokenKey}
	in.Config[config.ArgoCDSecretKey] = "plain-text-secret"
	p, err := planner.Run(in, stacks.Program)
	if err == nil || !strings.Contains(err.Error(), "platform:argocdClientSecret must be a secret") {
		t.Fatalf("err = %v", err)
	}
	if len(p.Resources) != 0 {
		t.Errorf("%d resources registered", len(p.Resources))
	}
}
