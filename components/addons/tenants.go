package addons

import (
	_ "embed"
	"encoding/json"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"gopkg.in/yaml.v3"

	"github.com/example/platform/internal/helmkit"
)

// The teams' Grafana organizations and metrics proxies (tenancy.go says why).

// GrafanaTenantsScript is the reconciler that creates the organizations and their data
// sources through Grafana's API.
//
//go:embed grafana-tenants.py
var GrafanaTenantsScript string

// GrafanaTenantsConfigMap holds the reconciler and its desired state.
const GrafanaTenantsConfigMap = "grafana-tenants"

// SidecarImage is the image the pinned Grafana chart runs its own sidecars with
// (kube-prometheus-stack 88.5.3's grafana chart, values.yaml sidecar.image): Python 3, which
// the reconciler needs, and nothing this program brings.
const SidecarImage = "quay.io/kiwigrid/k8s-sidecar:2.10.1"

// grafanaTenantsValues run the reconciler as a container of Grafana's pod (it reaches Grafana
// on localhost) as the server admin, from the ConfigMap.
func grafanaTenantsValues(grafana map[string]any) {
	env := func(name, key string) map[string]any {
		return map[string]any{"name": name, "valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": GrafanaAdminSecret, "key": key}}}
	}
	container := map[string]any{
		"name":    "tenants",
		"image":   SidecarImage,
		"command": []any{"python", "-u", "/etc/grafana-tenants/reconcile.py"},
		"env":     []any{env("GF_ADMIN_USER", "admin-user"), env("GF_ADMIN_PASSWORD", "admin-password")},
		"volumeMounts": []any{map[string]any{
			"name": GrafanaTenantsConfigMap, "mountPath": "/etc/grafana-tenants", "readOnly": true,
		}},
		"resources": helmkit.Resources("10m", "32Mi", "64Mi"),
		"securityContext": map[string]any{
			"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "runAsNonRoot": true,
			"capabilities": map[string]any{"drop": []any{"ALL"}}, "seccompProfile": map[string]any{"type": "RuntimeDefault"},
		},
	}
	// The chart renders extraContainers through tpl into the pod's container list: a YAML
	// block sequence (a flow sequence there would not parse).
	raw, _ := yaml.Marshal([]any{container})
	grafana["extraContainers"] = string(raw)
	grafana["extraContainerVolumes"] = []any{map[string]any{
		"name": GrafanaTenantsConfigMap, "configMap": map[string]any{"name": GrafanaTenantsConfigMap},
	}}
}

// tenants creates the reconciler's ConfigMap (before kube-prometheus-stack, whose Grafana pod
// mounts it) and each team's metrics proxy behind a policy that admits Grafana only.
func (c *Addons) tenants(ctx *pulumi.Context, ns *corev1.Namespace) (pulumi.Resource, error) {
	parent := pulumi.Parent(c)
	state, err := json.MarshalIndent(GrafanaTenants(c.args.Tenants, c.args.Config.Loki.Enabled, c.args.Config.Tempo.Enabled), "", "  ")
	if err != nil {
		return nil, err
	}
	cm, err := corev1.NewConfigMap(ctx, c.name+"-grafana-tenants", &corev1.ConfigMapArgs{
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(GrafanaTenantsConfigMap), Namespace: ns.Metadata.Name()},
		Data:     pulumi.StringMap{"reconcile.py": pulumi.String(GrafanaTenantsScript), "tenants.json": pulumi.String(string(state))},
	}, parent)
	if err != nil {
		return nil, err
	}
	object := func(resource, apiVersion, kind, name string, fields map[string]any) error {
		_, err := apiextensions.NewCustomResource(ctx, c.name+"-"+resource, &apiextensions.CustomResourceArgs{
			ApiVersion: pulumi.String(apiVersion), Kind: pulumi.String(kind),
			Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(name), Namespace: ns.Metadata.Name(), Labels: pulumi.ToStringMap(MetricsProxyLabels),
				Annotations: helmkit.TestAnnotations()},
			OtherFields: fields,
		}, parent)
		return err
	}
	for _, t := range c.args.Tenants {
		name := MetricsProxy(t.Name)
		labels := map[string]any{"app.kubernetes.io/name": MetricsProxyLabels["app.kubernetes.io/name"], "app.kubernetes.io/instance": name}
		if err := object(name, "apps/v1", "Deployment", name, map[string]any{"spec": MetricsProxyDeployment(t, labels)}); err != nil {
			return nil, err
		}
		// A typed Service: as a CustomResource its token was kubernetes:v1:Service, which the
		// real provider refuses ("apiVersion does not have both a group and a version"); the
		// alias keeps the resource of stacks planned with that token.
		if _, err := corev1.NewService(ctx, c.name+"-"+name+"-service", &corev1.ServiceArgs{
			Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(name), Namespace: ns.Metadata.Name(), Labels: pulumi.ToStringMap(MetricsProxyLabels),
				Annotations: helmkit.TestAnnotations()},
			Spec: corev1.ServiceSpecArgs{
				Selector: pulumi.ToStringMap(map[string]string{"app.kubernetes.io/name": MetricsProxyLabels["app.kubernetes.io/name"], "app.kubernetes.io/instance": name}),
				Ports:    corev1.ServicePortArray{corev1.ServicePortArgs{Name: pulumi.String("http"), Port: pulumi.Int(8080), TargetPort: pulumi.String("http")}},
			},
		}, parent, pulumi.Aliases([]pulumi.Alias{{Type: pulumi.String("kubernetes:v1:Service")}})); err != nil {
			return nil, err
		}
	}
	if len(c.args.Tenants) > 0 {
		if err := object("metrics-proxies-network-policy", "networking.k8s.io/v1", "NetworkPolicy", "metrics-proxies",
			map[string]any{"spec": MetricsProxyNetworkPolicy()}); err != nil {
			return nil, err
		}
	}
	return cm, nil
}

// MetricsProxyLabels label every metrics proxy (and its policy's selector).
var MetricsProxyLabels = map[string]string{"app.kubernetes.io/name": "prom-label-proxy", "app.kubernetes.io/part-of": "platform-tenancy"}

// MetricsProxyDeployment runs a team's prom-label-proxy (MetricsProxyArgs): one replica (it
// holds nothing; Grafana retries), restricted.
func MetricsProxyDeployment(t Tenant, labels map[string]any) map[string]any {
	var args []any
	for _, a := range MetricsProxyArgs(t) {
		args = append(args, a)
	}
	return map[string]any{
		"replicas": 1,
		"selector": map[string]any{"matchLabels": labels},
		"template": map[string]any{
			"metadata": map[string]any{"labels": labels},
			"spec": map[string]any{
				"automountServiceAccountToken": false,
				"securityContext":              map[string]any{"runAsNonRoot": true, "runAsUser": 65534, "seccompProfile": map[string]any{"type": "RuntimeDefault"}},
				"containers": []any{map[string]any{
					"name": "prom-label-proxy", "image": MetricsProxyImage, "args": args,
					"ports":     []any{map[string]any{"name": "http", "containerPort": 8080}},
					"resources": helmkit.Resources("10m", "32Mi", "64Mi"),
					"securityContext": map[string]any{
						"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
						"capabilities": map[string]any{"drop": []any{"ALL"}},
					},
					"readinessProbe": map[string]any{"tcpSocket": map[string]any{"port": "http"}},
				}},
			},
		},
	}
}

// MetricsProxyNetworkPolicy admits only Grafana to the proxies: whoever reaches one reads that
// team's metrics.
func MetricsProxyNetworkPolicy() map[string]any {
	return map[string]any{
		"podSelector": map[string]any{"matchLabels": map[string]any{"app.kubernetes.io/name": MetricsProxyLabels["app.kubernetes.io/name"]}},
		"policyTypes": []any{"Ingress"},
		"ingress": []any{map[string]any{
			"from":  []any{map[string]any{"podSelector": map[string]any{"matchLabels": map[string]any{"app.kubernetes.io/name": "grafana"}}}},
			"ports": []any{map[string]any{"protocol": "TCP", "port": 8080}},
		}},
	}
}
