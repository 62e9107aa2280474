package teams

import (
	"sort"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	rbacv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/rbac/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/handle"
	"github.com/example/platform/components/teams/teamplan"
	"github.com/example/platform/internal/contract"
)

// team builds one team: its AWS side first (the roles its namespaces refer to), then each
// namespace, then its Argo CD project. Logical names are keyed by team and namespace names,
// never by list position.
func (b *builder) team(t teamplan.Team) (pulumi.Map, pulumi.Resource, error) {
	aws, err := b.awsSide(t)
	if err != nil {
		return nil, nil, err
	}
	var namespaces []pulumi.Resource
	h := handle.Team{SecretsRoleArn: aws.secretsRole, SecretsRoleName: aws.secretsRoleName, Namespaces: map[string]pulumi.Resource{}}
	if aws.workload != nil {
		h.WorkloadRoleName = aws.workload.Name
	}
	for _, ns := range t.Namespaces {
		created, err := b.namespace(t, ns, aws)
		if err != nil {
			return nil, nil, err
		}
		namespaces = append(namespaces, created)
		h.Namespaces[ns] = created
	}
	b.handles[t.Name] = h
	var project pulumi.Resource
	if b.args.ArgoCD.Release != nil {
		if project, err = apiextensions.NewCustomResource(b.ctx, b.name+"-"+t.Name+"-project", &apiextensions.CustomResourceArgs{
			ApiVersion:  pulumi.String("argoproj.io/v1alpha1"),
			Kind:        pulumi.String("AppProject"),
			Metadata:    metav1.ObjectMetaArgs{Name: pulumi.String(teamplan.ProjectName(t.Name)), Namespace: pulumi.String(b.args.ArgoCD.Namespace)},
			OtherFields: map[string]any{"spec": teamplan.ProjectSpec(t, b.args.GitHub.Owner, b.args.ArgoCD.RepoURL)},
		}, b.parent, pulumi.DependsOn(append([]pulumi.Resource{b.args.ArgoCD.Release}, namespaces...))); err != nil {
			return nil, nil, err
		}
	}
	out := pulumi.Map{
		"namespaces":   pulumi.ToStringArray(t.Namespaces),
		"secretsPath":  pulumi.String(contract.TeamParameterPath(b.args.Cluster.Name, t.Name)),
		"secretsRole":  aws.secretsRole,
		"ingressClass": pulumi.String(t.IngressClass()),
		"group":        pulumi.String(teamplan.Group(t.Name)),
	}
	if aws.workload != nil {
		out["workloadRole"] = aws.workloadRole
	}
	if len(t.AccessRoleArns) > 0 {
		// `platform secret set --role-arn` takes it.
		out["secretsWriterRole"] = aws.writerRole
	}
	if len(t.Images) > 0 {
		out["pushRole"] = aws.pushRole
	}
	if len(aws.repositories) > 0 {
		out["repositories"] = aws.repositories
	}
	return out, project, nil
}

// namespace creates one team namespace and what the platform keeps in it.
func (b *builder) namespace(t teamplan.Team, ns string, aws awsSide) (pulumi.Resource, error) {
	prefix := b.name + "-" + t.Name + "-" + ns
	labels := pulumi.StringMap{}
	for k, v := range teamplan.NamespaceLabels(t) {
		labels[k] = pulumi.String(v)
	}
	created, err := corev1.NewNamespace(b.ctx, prefix+"-ns", &corev1.NamespaceArgs{
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(ns), Labels: labels,
			Annotations: pulumi.ToStringMap(teamplan.IngressNamespaceAnnotations(t, b.args.Zone.Domain))},
	}, b.parent)
	if err != nil {
		return nil, err
	}
	in := pulumi.DependsOn([]pulumi.Resource{created})
	meta := func(name string) metav1.ObjectMetaArgs {
		return metav1.ObjectMetaArgs{Name: pulumi.String(name), Namespace: created.Metadata.Name()}
	}
	object := func(resource, apiVersion, kind, name string, fields map[string]any, extra ...pulumi.Resource) error {
		_, err := apiextensions.NewCustomResource(b.ctx, prefix+"-"+resource, &apiextensions.CustomResourceArgs{
			ApiVersion: pulumi.String(apiVersion), Kind: pulumi.String(kind), Metadata: meta(name), OtherFields: fields,
		}, b.parent, in, pulumi.DependsOn(extra))
		return err
	}
	if _, err := corev1.NewResourceQuota(b.ctx, prefix+"-quota", &corev1.ResourceQuotaArgs{
		Metadata: meta("platform-quota"),
		Spec:     corev1.ResourceQuotaSpecArgs{Hard: pulumi.ToStringMap(teamplan.QuotaHard(t.Quota))},
	}, b.parent, in); err != nil {
		return nil, err
	}
	limits, requests := teamplan.LimitDefaults(t.Limits)
	if _, err := corev1.NewLimitRange(b.ctx, prefix+"-limits", &corev1.LimitRangeArgs{
		Metadata: meta("platform-limits"),
		Spec: corev1.LimitRangeSpecArgs{Limits: corev1.LimitRangeItemArray{corev1.LimitRangeItemArgs{
			Type: pulumi.String("Container"), Default: pulumi.ToStringMap(limits), DefaultRequest: pulumi.ToStringMap(requests),
		}}},
	}, b.parent, in); err != nil {
		return nil, err
	}
	monitoring := b.args.Addons.MonitoringNamespace
	if monitoring == "" {
		monitoring = "monitoring"
	}
	policies := teamplan.NetworkPolicies(t, b.args.PublicSubnetCIDRs, monitoring, b.args.DatabaseSubnetCIDRs[t.Name], b.args.AWS)
	for _, name := range sortedKeys(policies) {
		if err := object(name, "networking.k8s.io/v1", "NetworkPolicy", name, map[string]any{"spec": policies[name]}); err != nil {
			return nil, err
		}
	}
	bindings := teamplan.RoleBindings(t)
	for _, name := range sortedKeys(bindings) {
		if _, err := rbacv1.NewRoleBinding(b.ctx, prefix+"-"+name, &rbacv1.RoleBindingArgs{
			Metadata: meta(name),
			RoleRef:  rbacv1.RoleRefArgs{ApiGroup: pulumi.String("rbac.authorization.k8s.io"), Kind: pulumi.String("ClusterRole"), Name: pulumi.String(bindings[name])},
			Subjects: subjects(t),
		}, b.parent, in); err != nil {
			return nil, err
		}
	}
	if _, err := corev1.NewServiceAccount(b.ctx, prefix+"-service-account", &corev1.ServiceAccountArgs{
		Metadata: meta(t.Name),
	}, b.parent, in); err != nil {
		return nil, err
	}
	if err := b.workloadIdentity(t, ns, created, aws); err != nil {
		return nil, err
	}
	store := teamplan.SecretStoreSpec(b.args.Account.Region, aws.secretsRole, contract.TeamParameterPath(b.args.Cluster.Name, t.Name))
	if err := object("secret-store", "external-secrets.io/v1", "SecretStore", teamplan.SecretStoreName, map[string]any{"spec": store}, b.args.Addons.ExternalSecrets); err != nil {
		return nil, err
	}
	return created, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
