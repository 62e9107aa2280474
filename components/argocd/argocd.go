// Package argocd is Argo CD at https://argocd.<domain>: GitHub login limited to the org's
// teams, its secrets synced from SSM by External Secrets, and an app-of-apps for the stack's
// path in the GitOps repository.
package argocd

import (
	"errors"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/handle"
	"github.com/example/platform/internal/alertrules"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/helmkit"
)

// InCluster is the API server address Argo CD uses for its own cluster.
const InCluster = "https://kubernetes.default.svc"

// Args configures Argo CD. Pass the cluster's provider with pulumi.Providers(cluster.Provider):
// every child inherits it.
type Args struct {
	// HelmRepository is the mirror Argo CD's chart comes from (platform:helm.repository; ""
	// is upstream).
	HelmRepository string
	// Cluster names the SSM parameters and encrypts them with its platform key.
	Cluster handle.Cluster
	// Zone gives the domain Argo CD is served under (argocd.<domain>).
	Zone handle.Zone
	// Certificate is the shared ALB's certificate.
	Certificate handle.Certificate
	// GitHub is the GitOps repository (its URL) and its deploy key's parameter.
	GitHub handle.GitHub
	// Addons give the Load Balancer Controller (up before the Ingress, and outliving it on
	// destroy) and the parameter store (before the ExternalSecrets).
	Addons   handle.Addons
	Replicas int
	// ClientID and ClientSecret are the GitHub OAuth app's; the secret must be a Pulumi secret.
	ClientID     string
	ClientSecret pulumi.StringInput
	Org          string
	Teams        []string
	// Roles maps a team to its Argo CD role (role:admin, role:readonly, or a custom one).
	Roles map[string]string
	// Path and Revision are what the root Application follows in the GitOps repository.
	Path, Revision string
	// DestinationNamespaces the platform's AppProject may deploy to.
	DestinationNamespaces []string
	ExtraValues           map[string]any
	Protect               bool
}

// ArgoCD is the component.
type ArgoCD struct {
	pulumi.ResourceState

	URL pulumi.StringOutput `pulumi:"url"`
	// CallbackURL is the GitHub OAuth app's authorization callback URL.
	CallbackURL pulumi.StringOutput `pulumi:"callbackUrl"`

	release pulumi.Resource
	repoURL string
}

// Handle is what teams' projects need of Argo CD.
func (c *ArgoCD) Handle() handle.ArgoCD {
	return handle.ArgoCD{Namespace: Namespace, Release: c.release, RepoURL: c.repoURL}
}

func (a *Args) validate(opts []pulumi.ResourceOption) error {
	if a == nil || a.Cluster.Name == "" || a.Zone.Domain == "" || a.Certificate.Arn == (pulumi.StringOutput{}) ||
		a.GitHub.RepoURL == "" || a.ClientSecret == nil {
		return errors.New("argocd: Cluster, Zone, Certificate, GitHub and ClientSecret are required")
	}
	if a.Addons.ParameterStore == nil || a.Addons.LoadBalancerController == nil {
		return errors.New("argocd: needs the External Secrets parameter store and the Load Balancer Controller")
	}
	if a.Org == "" || len(a.Teams) == 0 || a.ClientID == "" || a.Revision == "" || a.Path == "" || a.Replicas < 1 {
		return errors.New("argocd: Org, Teams, ClientID, Path, Revision and Replicas are required")
	}
	if !helmkit.HasKubernetesProvider(opts) {
		return errors.New("argocd: pass the cluster's provider with pulumi.Providers(cluster.Provider): without it Argo CD would deploy to the ambient kubeconfig")
	}
	return nil
}

// New installs Argo CD and the app-of-apps.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*ArgoCD, error) {
	if err := args.validate(opts); err != nil {
		return nil, err
	}
	c := &ArgoCD{}
	if err := ctx.RegisterComponentResource("platform:index:ArgoCD", name, c, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)
	domain, repoURL := args.Zone.Domain, args.GitHub.RepoURL

	ns, err := helmkit.Namespace(ctx, name+"-ns", Namespace, helmkit.Baseline, nil, parent)
	if err != nil {
		return nil, err
	}
	// The platform's Applications from Git live here (no pods: restricted).
	appsNs, err := helmkit.Namespace(ctx, name+"-apps-ns", AppsNamespace, helmkit.Restricted, nil, parent)
	if err != nil {
		return nil, err
	}
	if err := helmkit.NewAdmissionPolicy(ctx, name+"-namespace-policy", NamespacePolicy, NamespacePolicySpec(), PolicyBindingSpec(NamespacePolicy), parent); err != nil {
		return nil, err
	}
	if err := helmkit.NewAdmissionPolicy(ctx, name+"-git-namespace-policy", GitNamespacePolicy, GitNamespacePolicySpec(args.DestinationNamespaces), PolicyBindingSpec(GitNamespacePolicy), parent); err != nil {
		return nil, err
	}
	secretParam, err := ssm.NewParameter(ctx, name+"-dex-client-secret", &ssm.ParameterArgs{
		Name:        pulumi.String(contract.DexClientSecretParameter(args.Cluster.Name)),
		Type:        pulumi.String("SecureString"),
		Value:       pulumi.ToSecret(args.ClientSecret).(pulumi.StringOutput),
		KeyId:       args.Cluster.SecretsKeyArn,
		Description: pulumi.String("GitHub OAuth app client secret of Argo CD on " + args.Cluster.Name),
	}, parent)
	if err != nil {
		return nil, err
	}
	store := pulumi.DependsOn([]pulumi.Resource{args.Addons.ParameterStore})
	dexSecret, err := externalSecret(ctx, name+"-dex-secret", ns, DexSecretSpec(secretParam.Name), parent, store)
	if err != nil {
		return nil, err
	}
	repoSecret, err := externalSecret(ctx, name+"-repo-secret", ns, RepoSecretSpec(repoURL, args.GitHub.DeployKeyParameter), parent, store)
	if err != nil {
		return nil, err
	}

	values, err := Values(Settings{
		Domain: domain, CertificateArn: args.Certificate.Arn, Replicas: args.Replicas,
		ClientID: args.ClientID, Org: args.Org, Teams: args.Teams, Roles: args.Roles,
		Monitored: args.Addons.Monitoring != nil,
	})
	if err != nil {
		return nil, err
	}
	release, err := helmkit.Install(ctx, helmkit.Release{
		ResourceName: name + "-release", ReleaseName: "argocd", Chart: helmkit.Charts.ArgoCD.Mirrored(args.HelmRepository),
		Namespace: ns.Metadata.Name().Elem(), Values: values, ExtraValues: args.ExtraValues,
		// The Ingress needs the controller's webhook and must be deleted before it; Dex needs
		// its secret to start; the ServiceMonitors render only once their CRD is there.
		DependsOn: nonNil(args.Addons.LoadBalancerController, args.Addons.IngressClass, dexSecret, args.Addons.MonitoringCRDs),
		Protect:   args.Protect,
	}, parent)
	if err != nil {
		return nil, err
	}
	c.release, c.repoURL = release, repoURL
	crds := pulumi.DependsOn([]pulumi.Resource{release, repoSecret})
	project, err := apiextensions.NewCustomResource(ctx, name+"-project", &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String("argoproj.io/v1alpha1"),
		Kind:        pulumi.String("AppProject"),
		Metadata:    metav1.ObjectMetaArgs{Name: pulumi.String("platform"), Namespace: ns.Metadata.Name()},
		OtherFields: map[string]any{"spec": ProjectSpec(repoURL, args.DestinationNamespaces)},
	}, parent, crds)
	if err != nil {
		return nil, err
	}
	rootProject, err := apiextensions.NewCustomResource(ctx, name+"-root-project", &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String("argoproj.io/v1alpha1"),
		Kind:        pulumi.String("AppProject"),
		Metadata:    metav1.ObjectMetaArgs{Name: pulumi.String(RootProject), Namespace: ns.Metadata.Name()},
		OtherFields: map[string]any{"spec": RootProjectSpec(repoURL)},
	}, parent, crds)
	if err != nil {
		return nil, err
	}
	// Argo CD creates its default project at start; the patch takes it over and allows
	// nothing, so an Application without a project of ours deploys nowhere. It is retained on
	// delete: the provider refuses to delete a patch that manages a required field (spec),
	// which stopped every destroy (found by the engine test on the real provider); the
	// project goes with the argocd namespace.
	if _, err := apiextensions.NewCustomResourcePatch(ctx, name+"-default-project", &apiextensions.CustomResourcePatchArgs{
		ApiVersion: pulumi.String("argoproj.io/v1alpha1"),
		Kind:       pulumi.String("AppProject"),
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String("default"), Namespace: ns.Metadata.Name(),
			Annotations: pulumi.StringMap{"pulumi.com/patchForce": pulumi.String("true")}},
		OtherFields: map[string]any{"spec": LockedProjectSpec()},
	}, parent, crds, pulumi.RetainOnDelete(true)); err != nil {
		return nil, err
	}
	if _, err := apiextensions.NewCustomResource(ctx, name+"-root-app", &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String("argoproj.io/v1alpha1"),
		Kind:        pulumi.String("Application"),
		Metadata:    metav1.ObjectMetaArgs{Name: pulumi.String(contract.ArgoCDRootApp), Namespace: ns.Metadata.Name()},
		OtherFields: map[string]any{"spec": RootAppSpec(repoURL, args.Path, args.Revision)},
	}, parent, pulumi.DependsOn([]pulumi.Resource{release, repoSecret, project, rootProject, appsNs})); err != nil {
		return nil, err
	}

	if args.Addons.Monitoring != nil {
		// Applications out of sync, unhealthy or failing to sync page someone.
		if _, err := helmkit.NewMonitoringObject(ctx, name+"-alert-rules", "PrometheusRule", "platform-argocd", ns.Metadata.Name().Elem(),
			alertrules.Spec(alertrules.ArgoCD()), args.Addons.Monitoring, parent); err != nil {
			return nil, err
		}
	}
	c.URL = pulumi.String("https://" + Host(domain)).ToStringOutput()
	c.CallbackURL = pulumi.String("https://" + Host(domain) + "/api/dex/callback").ToStringOutput()
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"url": c.URL, "callbackUrl": c.CallbackURL}); err != nil {
		return nil, err
	}
	return c, nil
}

func externalSecret(ctx *pulumi.Context, name string, ns *corev1.Namespace, spec map[string]any, opts ...pulumi.ResourceOption) (pulumi.Resource, error) {
	target, _ := spec["target"].(map[string]any)
	return apiextensions.NewCustomResource(ctx, name, &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String("external-secrets.io/v1"),
		Kind:        pulumi.String("ExternalSecret"),
		Metadata:    metav1.ObjectMetaArgs{Name: pulumi.Sprintf("%v", target["name"]), Namespace: ns.Metadata.Name()},
		OtherFields: map[string]any{"spec": spec},
	}, opts...)
}

// DexSecretSpec syncs the OAuth client secret into the Secret Dex's config refers to.
func DexSecretSpec(parameter pulumi.StringInput) map[string]any {
	return map[string]any{
		"refreshInterval": "1h",
		"secretStoreRef":  map[string]any{"kind": "ClusterSecretStore", "name": contract.ParameterStore},
		"target": map[string]any{
			"name": DexSecret,
			"template": map[string]any{"metadata": map[string]any{
				"labels": map[string]any{"app.kubernetes.io/part-of": "argocd"},
			}},
		},
		"data": []any{map[string]any{"secretKey": DexSecretKey, "remoteRef": map[string]any{"key": parameter}}},
	}
}

// RepoSecretSpec turns the deploy key in SSM into an Argo CD repository Secret.
func RepoSecretSpec(repoURL string, parameter pulumi.StringInput) map[string]any {
	return map[string]any{
		"refreshInterval": "1h",
		"secretStoreRef":  map[string]any{"kind": "ClusterSecretStore", "name": contract.ParameterStore},
		"target": map[string]any{
			"name": "gitops-repo",
			"template": map[string]any{
				"metadata": map[string]any{"labels": map[string]any{"argocd.argoproj.io/secret-type": "repository"}},
				"data": map[string]any{
					"type":          "git",
					"url":           repoURL,
					"sshPrivateKey": "{{ .sshPrivateKey }}",
				},
			},
		},
		"data": []any{map[string]any{"secretKey": "sshPrivateKey", "remoteRef": map[string]any{"key": parameter}}},
	}
}

// RootAppSpec is the app-of-apps: the platform's Applications into AppsNamespace, automated
// sync with prune and self-heal, retried with backoff.
func RootAppSpec(repoURL, path, revision string) map[string]any {
	return map[string]any{
		"project":     RootProject,
		"source":      map[string]any{"repoURL": repoURL, "targetRevision": revision, "path": path},
		"destination": map[string]any{"server": InCluster, "namespace": AppsNamespace},
		"syncPolicy": map[string]any{
			"automated": map[string]any{"prune": true, "selfHeal": true},
			"retry": map[string]any{
				"limit":   5,
				"backoff": map[string]any{"duration": "10s", "factor": 2, "maxDuration": "5m"},
			},
		},
	}
}

func nonNil(rs ...pulumi.Resource) []pulumi.Resource {
	var out []pulumi.Resource
	for _, r := range rs {
		if r != nil {
			out = append(out, r)
		}
	}
	return out
}
