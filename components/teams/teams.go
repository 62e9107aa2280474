// Package teams is the Teams component: what each product team sharing the cluster gets —
// namespaces with Pod Security and quotas, enforced network policy, access for its members,
// its own secrets, an Argo CD project, an ingress class, a workload role and image
// repositories — planned in teamplan, built here.
package teams

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	rbacv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/rbac/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/handle"
	"github.com/example/platform/components/teams/teamplan"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/helmkit"
)

// Args configure the Teams component.
type Args struct {
	// Teams are the teams, validated (config.Validate does it for the program).
	Teams   []teamplan.Team
	Cluster handle.Cluster
	// PublicSubnetCIDRs are where the load balancers' IP targets come from;
	// DatabaseSubnetCIDRs where each team's databases are, by team (its pods may reach
	// PostgreSQL there, and nowhere else's).
	PublicSubnetCIDRs   []string
	DatabaseSubnetCIDRs map[string][]string
	// AWS is how pods reach AWS without internet egress: the interface endpoints' subnets and
	// S3's addresses (its gateway endpoint's prefix list).
	AWS         teamplan.AWSNetwork
	Certificate handle.Certificate
	// Zone's domain is what the teams' hosts are under (teamplan.TeamHosts).
	Zone handle.Zone
	// Addons give the External Secrets controller (whose role the teams' secret roles trust),
	// the Load Balancer Controller (IngressClassParams' CRD) and the monitoring namespace.
	Addons handle.Addons
	// ArgoCD (zero without Argo CD) gets one project per team, and the ApplicationSet of the
	// teams' applications at Revision (the root app's), for Stack's overlays.
	ArgoCD       handle.ArgoCD
	Revision     string
	Stack        string
	AutoSyncApps bool
	// GitHub (zero without it) is the organization: team repositories, their pushes to ECR.
	GitHub  handle.GitHub
	Account contract.Account
	// PermissionsBoundary is the boundary every team role carries: the team boundary
	// (components/boundary, TeamPolicy), which reads the team from the role's
	// contract.TeamTag tag.
	PermissionsBoundary pulumi.StringInput
	// ForceDelete lets a destroy delete image repositories that still hold images (dev).
	ForceDelete bool
}

// Teams is the component.
type Teams struct {
	pulumi.ResourceState

	// Outputs are per team: namespaces, secrets path, roles, image repositories.
	Outputs pulumi.MapOutput `pulumi:"teams"`

	handles map[string]handle.Team
}

// Handle is what the components built on the teams need of them: each team's roles and
// namespaces.
func (c *Teams) Handle() handle.Teams { return handle.Teams{ByName: c.handles} }

func (a *Args) validate(opts []pulumi.ResourceOption) error {
	if a == nil {
		return errors.New("teams: Args are required")
	}
	var errs []error
	if a.Cluster.Name == "" || a.Account.ID == "" || a.PermissionsBoundary == nil {
		errs = append(errs, errors.New("teams: Cluster, Account and PermissionsBoundary are required"))
	}
	if a.Addons.ExternalSecrets == nil || a.Addons.LoadBalancerController == nil {
		errs = append(errs, errors.New("teams: the External Secrets and Load Balancer Controller addons are required (secret stores, ingress classes)"))
	}
	if a.Stack == "" {
		errs = append(errs, errors.New("teams: Stack is required (the ApplicationSet's overlays, the push roles' GitHub environment)"))
	}
	if a.ArgoCD.Release != nil && a.Revision == "" {
		errs = append(errs, errors.New("teams: Revision is required with Argo CD (the ApplicationSet)"))
	}
	if a.Zone.Domain == "" {
		errs = append(errs, errors.New("teams: Zone is required (the teams' hosts are under its domain)"))
	}
	if len(a.PublicSubnetCIDRs) == 0 {
		errs = append(errs, errors.New("teams: PublicSubnetCIDRs are required (the load balancers' addresses)"))
	}
	if !helmkit.HasKubernetesProvider(opts) {
		errs = append(errs, errors.New("teams: pass the cluster's Kubernetes provider (pulumi.Providers)"))
	}
	// Again with the account, which config does not know: team documents name it exactly.
	for _, p := range teamplan.Validate(a.Teams, teamplan.Rules{PlatformNamespaces: contract.PlatformNamespaces, Owner: a.GitHub.Owner,
		Account: a.Account, Cluster: a.Cluster.Name}) {
		errs = append(errs, fmt.Errorf("teams%s: %s", p.Path, p.Msg))
	}
	for _, t := range a.Teams {
		if (len(t.Images) > 0 || t.GitHubTeam != "") && a.GitHub.Owner == "" {
			errs = append(errs, fmt.Errorf("teams: team %s needs the GitHub integration (images, GitHub team)", t.Name))
		}
	}
	return errors.Join(errs...)
}

// New creates every team's resources. Nothing is created when an argument is invalid.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Teams, error) {
	if err := args.validate(opts); err != nil {
		return nil, err
	}
	c := &Teams{}
	if err := ctx.RegisterComponentResource("platform:index:Teams", name, c, opts...); err != nil {
		return nil, err
	}
	b := &builder{ctx: ctx, name: name, args: *args, parent: pulumi.Parent(c), handles: map[string]handle.Team{}}
	c.handles = b.handles
	if err := b.clusterRoles(); err != nil {
		return nil, err
	}
	if err := b.ingressClasses(); err != nil {
		return nil, err
	}
	if err := b.monitoringPolicy(); err != nil {
		return nil, err
	}
	if err := helmkit.NewAdmissionPolicy(ctx, name+"-ingress-policy", teamplan.IngressPolicy, teamplan.IngressPolicySpec(), teamplan.IngressPolicyBindingSpec(), b.parent); err != nil {
		return nil, err
	}
	outputs := pulumi.Map{}
	var projects []pulumi.Resource
	for _, t := range args.Teams {
		out, project, err := b.team(t)
		if err != nil {
			return nil, fmt.Errorf("team %s: %w", t.Name, err)
		}
		outputs[t.Name] = out
		if project != nil {
			projects = append(projects, project)
		}
	}
	if args.ArgoCD.Release != nil {
		// The Applications it generates name the teams' projects: they exist first.
		if _, err := apiextensions.NewCustomResource(ctx, name+"-applicationset", &apiextensions.CustomResourceArgs{
			ApiVersion:  pulumi.String("argoproj.io/v1alpha1"),
			Kind:        pulumi.String("ApplicationSet"),
			Metadata:    metav1.ObjectMetaArgs{Name: pulumi.String(teamplan.ApplicationSetName), Namespace: pulumi.String(args.ArgoCD.Namespace)},
			OtherFields: map[string]any{"spec": teamplan.ApplicationSetSpec(args.ArgoCD.RepoURL, args.Revision, args.Stack, args.AutoSyncApps)},
		}, b.parent, pulumi.DependsOn(append([]pulumi.Resource{args.ArgoCD.Release}, projects...))); err != nil {
			return nil, err
		}
	}
	c.Outputs = outputs.ToMapOutput()
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"teams": c.Outputs}); err != nil {
		return nil, err
	}
	return c, nil
}

type builder struct {
	ctx     *pulumi.Context
	name    string
	args    Args
	parent  pulumi.ResourceOption
	handles map[string]handle.Team
}

// clusterRoles are the roles every team's RoleBindings grant, and the cluster-wide read of
// the teams that asked for it.
func (b *builder) clusterRoles() error {
	roles := map[string][]any{teamplan.DeveloperRole: teamplan.DeveloperRules(), teamplan.SecretsRole: teamplan.SecretsRules(),
		teamplan.ViewerRole: teamplan.ViewerRules()}
	for _, role := range sortedKeys(roles) {
		rules := roles[role]
		if _, err := rbacv1.NewClusterRole(b.ctx, b.name+"-"+role, &rbacv1.ClusterRoleArgs{
			Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(role)},
			Rules:    policyRules(rules),
		}, b.parent); err != nil {
			return err
		}
	}
	for _, t := range b.args.Teams {
		if !t.ClusterView {
			continue
		}
		if _, err := rbacv1.NewClusterRoleBinding(b.ctx, b.name+"-"+t.Name+"-view", &rbacv1.ClusterRoleBindingArgs{
			Metadata: metav1.ObjectMetaArgs{Name: pulumi.String("team-" + t.Name + "-view")},
			RoleRef:  rbacv1.RoleRefArgs{ApiGroup: pulumi.String("rbac.authorization.k8s.io"), Kind: pulumi.String("ClusterRole"), Name: pulumi.String(teamplan.ViewerRole)},
			Subjects: subjects(t),
		}, b.parent); err != nil {
			return err
		}
	}
	return nil
}

// monitoringPolicy keeps the teams' monitors and alerts out of the platform's (see
// teamplan.MonitoringPolicy), with monitoring: without it nothing reads them.
func (b *builder) monitoringPolicy() error {
	if b.args.Addons.MonitoringNamespace == "" {
		return nil
	}
	return helmkit.NewAdmissionPolicy(b.ctx, b.name+"-monitoring-policy", teamplan.MonitoringPolicy, teamplan.MonitoringPolicySpec(), teamplan.MonitoringPolicyBindingSpec(), b.parent)
}

// ingressClasses: one shared class for the teams that share, one per dedicated team; each
// admits its teams' namespaces only and pins its IngressGroup.
func (b *builder) ingressClasses() error {
	classes := map[string][]string{}
	for _, t := range b.args.Teams {
		classes[t.IngressClass()] = append(classes[t.IngressClass()], t.Name)
	}
	for class, teams := range classes {
		params := contract.IngressClassParamsSpec(class, teamplan.TeamLabel, teams, b.args.Certificate.Arn)
		if _, err := helmkit.NewIngressClass(b.ctx, b.name+"-ingress-class-"+class, class, params, []pulumi.Resource{b.args.Addons.LoadBalancerController}, b.parent); err != nil {
			return err
		}
	}
	return nil
}

func policyRules(rules []any) rbacv1.PolicyRuleArray {
	var out rbacv1.PolicyRuleArray
	for _, r := range rules {
		m := r.(map[string]any)
		out = append(out, rbacv1.PolicyRuleArgs{
			ApiGroups: toStrings(m["apiGroups"]), Resources: toStrings(m["resources"]), Verbs: toStrings(m["verbs"]),
		})
	}
	return out
}

func toStrings(v any) pulumi.StringArray {
	var out pulumi.StringArray
	for _, s := range v.([]any) {
		out = append(out, pulumi.String(s.(string)))
	}
	return out
}

func subjects(t teamplan.Team) rbacv1.SubjectArray {
	return rbacv1.SubjectArray{rbacv1.SubjectArgs{
		Kind: pulumi.String("Group"), Name: pulumi.String(teamplan.Group(t.Name)), ApiGroup: pulumi.String("rbac.authorization.k8s.io"),
	}}
}
