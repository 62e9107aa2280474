package scaffold

import (
	"fmt"

	"github.com/example/platform/components/teams/teamplan"
	"github.com/example/platform/internal/contract"
)

// AlertReceiverKey is the team's SSM parameter (under /<cluster>/teams/<team>/) holding the
// webhook URL its apps' alerts go to: `platform secret set --stack S --team T
// alerts/receiver-url` writes it, the app's ExternalSecret delivers it.
const AlertReceiverKey = "alerts/receiver-url"

// alertFiles are the app's starter alerts and their routing to the team:
//   - alerts.yaml: a PrometheusRule (warning severity: the teams' admission policy keeps
//     critical for the platform's), labelled with the app and as the team's only
//     (contract.TeamOnlyAlertLabel), so it reaches the team and not the platform's on-call;
//   - alertmanagerconfig.yaml: the route of the app's alerts to the team's webhook.
//     prometheus-operator adds the namespace's matcher and `continue: true` to it;
//   - alert-receiver.yaml: the webhook's URL from the team's SSM path.
func (a App) alertFiles() map[string]string {
	n := a.Name
	return map[string]string{
		"alerts.yaml": fmt.Sprintf(`# Starter alerts from kube-state-metrics' series of the app (Prometheus limits the team's rules
# to its namespace). Add your own: severity warning or info, and keep the %[2]s label for
# alerts that are yours alone.
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: %[1]s
spec:
  groups:
    - name: %[1]s
      rules:
        - alert: AppUnavailable
          expr: kube_deployment_status_replicas_available{deployment="%[1]s"} == 0
          for: 5m
          labels: {severity: warning, app: %[1]s, %[2]s: %[3]s}
          annotations:
            summary: "%[1]s has no available replica"
            description: "Deployment %[1]s in {{ $labels.namespace }} has had no ready pod for 5 minutes."
        - alert: AppRestarting
          expr: increase(kube_pod_container_status_restarts_total{container="%[1]s"}[15m]) > 3
          labels: {severity: warning, app: %[1]s, %[2]s: %[3]s}
          annotations:
            summary: "%[1]s restarts"
            description: "Container %[1]s of {{ $labels.pod }} restarted {{ $value | humanize }} times in 15 minutes."
`, n, contract.TeamOnlyAlertLabel, contract.TeamOnlyAlertValue),
		"alertmanagerconfig.yaml": fmt.Sprintf(`# The app's alerts to the team's webhook. Alertmanager's operator adds namespace="<this
# namespace>" to the route and lets every alert continue to the platform's routes: this
# routing sees the team's alerts only, and cannot hide any from the platform.
apiVersion: monitoring.coreos.com/v1alpha1
kind: AlertmanagerConfig
metadata:
  name: %[1]s
spec:
  route:
    receiver: team
    matchers:
      - {name: app, value: %[1]s, matchType: "="}
    groupBy: [alertname]
    groupWait: 30s
    repeatInterval: 4h
  receivers:
    - name: team
      webhookConfigs:
        - urlSecret: {name: %[1]s-alert-receiver, key: url}
          sendResolved: true
`, n),
		"alert-receiver.yaml": fmt.Sprintf(`# The team's alert webhook URL: SSM parameter /<cluster>/teams/%[2]s/%[3]s (set it with
# platform secret set --stack <stack> --team %[2]s %[3]s), read through the team's SecretStore.
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: %[1]s-alert-receiver
  annotations: {argocd.argoproj.io/sync-wave: "%[4]s"}
spec:
  refreshInterval: 1h
  secretStoreRef: {kind: SecretStore, name: %[5]s}
  target: {name: %[1]s-alert-receiver}
  data:
    - secretKey: url
      remoteRef: {key: %[3]s}
`, n, a.Team, AlertReceiverKey, waveSecrets, teamplan.SecretStoreName),
	}
}
