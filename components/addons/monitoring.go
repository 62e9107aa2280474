package addons

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// GrafanaAdminSecret holds Grafana's admin credentials; the chart reads it (admin.existingSecret)
// instead of putting the password in Helm values, where `helm get values` would show it.
const GrafanaAdminSecret = "grafana-admin"

// GrafanaPasswordParameter is where operators read the Grafana admin password:
// `aws ssm get-parameter --with-decryption --name /<cluster>/grafana/admin-password`.
func GrafanaPasswordParameter(cluster string) string {
	return ParameterPath(cluster) + "grafana/admin-password"
}

// GrafanaHost is Grafana's name on the shared ALB.
func GrafanaHost(domain string) string { return "grafana." + domain }

func (c *Addons) monitoring(ctx *pulumi.Context) error {
	cfg := c.args.Config.Monitoring
	parent := pulumi.Parent(c)
	password, err := random.NewRandomPassword(ctx, c.name+"-grafana-admin-password", &random.RandomPasswordArgs{
		Length:  pulumi.Int(32),
		Special: pulumi.Bool(false),
	}, parent)
	if err != nil {
		return err
	}
	param, err := ssm.NewParameter(ctx, c.name+"-grafana-admin-password", &ssm.ParameterArgs{
		Name:        pulumi.String(GrafanaPasswordParameter(c.args.ClusterName)),
		Type:        pulumi.String("SecureString"),
		Value:       password.Result,
		KeyId:       c.args.PlatformKeyArn,
		Description: pulumi.String("Grafana admin password of " + c.args.ClusterName),
	}, parent)
	if err != nil {
		return err
	}
	ns, err := c.namespace(ctx, MonitoringNamespace, "privileged")
	if err != nil {
		return err
	}
	if _, err := corev1.NewSecret(ctx, c.name+"-grafana-admin", &corev1.SecretArgs{
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(GrafanaAdminSecret), Namespace: ns.Metadata.Name()},
		Type:     pulumi.String("Opaque"),
		StringData: pulumi.StringMap{
			"admin-user":     pulumi.String("admin"),
			"admin-password": password.Result,
		},
	}, parent, pulumi.Provider(c.args.Provider)); err != nil {
		return err
	}
	values := MonitoringValues(MonitoringSettings{
		Domain:         c.args.Domain,
		CertificateArn: c.args.CertificateArn,
		RetentionDays:  cfg.RetentionDays,
		StorageGiB:     cfg.StorageGiB,
		Replicas:       cfg.ReplicasFor(c.args.Prod),
		Loki:           c.args.Config.Loki.Enabled,
		Tempo:          c.args.Config.Tempo.Enabled,
	})
	_, err = c.install(ctx, helmAddon{
		key: "kube-prometheus-stack", namespace: MonitoringNamespace, podSecurity: "privileged",
		chart: Charts.KubePrometheusStack, values: values, extra: cfg.ExtraValues,
		// Grafana's Ingress needs the controller's webhook, and must be deleted before it.
		dependsOn: c.withStorage(c.withLBC(c.base())),
	})
	if err != nil {
		return err
	}
	c.GrafanaURL = pulumi.String("https://" + GrafanaHost(c.args.Domain)).ToStringOutput()
	c.GrafanaAdminPasswordParameter = param.Name
	return nil
}
