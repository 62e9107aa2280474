package addons

import (
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/contract"
)

// Alerting: Alertmanager routes alerts to one receiver whose URL comes from SSM through an
// ExternalSecret, mounted into Alertmanager (the URL never passes through Helm values or
// Pulumi state), with the Watchdog heartbeat to a dead man's switch when configured.

// AlertReceiverSecret is the Secret Alertmanager mounts (alertmanagerSpec.secrets puts it at
// /etc/alertmanager/secrets/<name>/).
const AlertReceiverSecret = "alertmanager-receiver"

const secretsDir = "/etc/alertmanager/secrets/" + AlertReceiverSecret + "/"

// Teams route their own alerts with AlertmanagerConfig objects in their namespaces
// (TeamAlertRouting). prometheus-operator puts each such route first under the root, with a
// matcher on the object's namespace and `continue: true` (its OnNamespace strategy): a team's
// route sees only alerts labelled with its own namespace, and cannot stop one from reaching the
// platform's routes below, the last of which sends everything not routed away to on-call. Prometheus labels every alert of a team's rules with the rule's
// namespace (enforcedNamespaceLabel), and the platform's rules are not in team namespaces, so
// a team can neither catch the platform's alerts nor forge one of another namespace.

// AlertmanagerConfig groups alerts by name and namespace, waits 30s before the first and
// repeats every 4h; critical alerts silence warnings of the same alert and namespace; the
// Watchdog goes to the heartbeat (or nowhere) every minute, never to people.
func AlertmanagerConfig(receiver string, heartbeat bool) map[string]any {
	var target map[string]any
	switch receiver {
	case "slack":
		target = map[string]any{"name": "oncall", "slack_configs": []any{map[string]any{
			"api_url_file": secretsDir + "url", "send_resolved": true,
			"title": `{{ .CommonLabels.alertname }} ({{ .Status }})`,
			"text":  `{{ range .Alerts }}{{ .Annotations.summary }} {{ .Annotations.description }}{{ "\n" }}{{ end }}`,
		}}}
	case "webhook":
		target = map[string]any{"name": "oncall", "webhook_configs": []any{map[string]any{"url_file": secretsDir + "url", "send_resolved": true}}}
	default:
		target = map[string]any{"name": "oncall"}
	}
	watchdog := map[string]any{"name": "heartbeat"}
	if heartbeat {
		watchdog["webhook_configs"] = []any{map[string]any{"url_file": secretsDir + "heartbeat", "send_resolved": false}}
	}
	return map[string]any{
		"route": map[string]any{
			"receiver":        "oncall",
			"group_by":        []any{"alertname", "namespace"},
			"group_wait":      "30s",
			"group_interval":  "5m",
			"repeat_interval": "4h",
			"routes": []any{
				map[string]any{"receiver": "heartbeat", "matchers": []any{`alertname = "Watchdog"`}, "repeat_interval": "1m", "group_wait": "0s"},
				// The chart's InfoInhibitor only silences info alerts; it pages nobody.
				map[string]any{"receiver": "null", "matchers": []any{`alertname = "InfoInhibitor"`}},
				// A team's own alert marked for the team only: the team's AlertmanagerConfig routes,
				// which the operator puts first with `continue: true`, have sent it to the team.
				map[string]any{"receiver": "null", "matchers": []any{contract.TeamOnlyAlertLabel + ` = "` + contract.TeamOnlyAlertValue + `"`}},
				// Everything else, last and explicitly: Alertmanager gives an alert its parent's
				// receiver only when no child route matched, so a team's route that matched (and
				// continued) would otherwise keep the alert from on-call.
				map[string]any{"receiver": "oncall"},
			},
		},
		"receivers": []any{target, watchdog, map[string]any{"name": "null"}},
		"inhibit_rules": []any{
			map[string]any{"source_matchers": []any{`severity = "critical"`}, "target_matchers": []any{`severity =~ "warning|info"`}, "equal": []any{"alertname", "namespace"}},
			map[string]any{"source_matchers": []any{`alertname = "InfoInhibitor"`}, "target_matchers": []any{`severity = "info"`}, "equal": []any{"namespace"}},
		},
	}
}

// alertReceiverSecret syncs the receiver's (and the heartbeat's) URL from SSM.
func (c *Addons) alertReceiverSecret(ctx *pulumi.Context, namespace pulumi.StringInput, deps []pulumi.Resource) (pulumi.Resource, error) {
	keys := [][2]string{{"url", contract.AlertReceiverParameter(c.args.Cluster.Name)}}
	if c.args.Config.Monitoring.Heartbeat {
		keys = append(keys, [2]string{"heartbeat", contract.AlertHeartbeatParameter(c.args.Cluster.Name)})
	}
	return c.secretFromSSM(ctx, c.name+"-alert-receiver", AlertReceiverSecret, namespace, keys, deps)
}

// secretFromSSM is an ExternalSecret through the platform's ClusterSecretStore: the Secret
// named secret in namespace, each key (first) from its SSM parameter (second).
func (c *Addons) secretFromSSM(ctx *pulumi.Context, resourceName, secret string, namespace pulumi.StringInput, keys [][2]string, deps []pulumi.Resource) (pulumi.Resource, error) {
	var data []any
	for _, k := range keys {
		data = append(data, map[string]any{"secretKey": k[0], "remoteRef": map[string]any{"key": k[1]}})
	}
	return apiextensions.NewCustomResource(ctx, resourceName, &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String("external-secrets.io/v1"),
		Kind:       pulumi.String("ExternalSecret"),
		Metadata:   metav1.ObjectMetaArgs{Name: pulumi.String(secret), Namespace: namespace},
		OtherFields: map[string]any{"spec": map[string]any{
			"refreshInterval": "1h",
			"secretStoreRef":  map[string]any{"kind": "ClusterSecretStore", "name": contract.ParameterStore},
			"target":          map[string]any{"name": secret},
			"data":            data,
		}},
	}, pulumi.Parent(c), pulumi.DependsOn(deps))
}
