package teamplan

// Teams write their own ServiceMonitors, PodMonitors and PrometheusRules (DeveloperRules),
// and Prometheus selects them from every namespace. Prometheus is shared, so a team's monitor
// or rule is a way into the platform's: MonitoringPolicy, a ValidatingAdmissionPolicy on the
// teams' namespaces (whoever writes there: a member or Argo CD), refuses
//   - a ServiceMonitor that reads a file of Prometheus' container (bearerTokenFile, tlsConfig
//     caFile/certFile/keyFile): Prometheus would send its own service account token, or a
//     key, to the team's target. The operator's own guard (arbitraryFSAccessThroughSMs.deny)
//     would also refuse kube-prometheus-stack's kubelet and API server monitors, which read
//     the token that way, so the guard is here, for the teams' namespaces only;
//   - a monitor that scrapes outside its namespace (namespaceSelector any, or other names);
//   - an alert that could silence the platform's: Alertmanager lets a critical alert inhibit
//     the warnings of the same name and namespace, and InfoInhibitor the info alerts, so a
//     team's alert must set severity warning or info itself (a rule's labels override the
//     series', which could say critical) and may not be named InfoInhibitor or Watchdog.

// MonitoringPolicy names the policy and its binding.
const MonitoringPolicy = "platform-team-monitoring"

// MonitoringPolicySpec is the ValidatingAdmissionPolicy's spec.
func MonitoringPolicySpec() map[string]any {
	const noFiles = `object.kind != 'ServiceMonitor' || !has(object.spec.endpoints) || object.spec.endpoints.all(e, !has(e.bearerTokenFile) && (!has(e.tlsConfig) || (!has(e.tlsConfig.caFile) && !has(e.tlsConfig.certFile) && !has(e.tlsConfig.keyFile))))`
	const ownNamespace = `!(object.kind in ['ServiceMonitor', 'PodMonitor']) || !has(object.spec.namespaceSelector) || ((!has(object.spec.namespaceSelector.any) || !object.spec.namespaceSelector.any) && (!has(object.spec.namespaceSelector.matchNames) || object.spec.namespaceSelector.matchNames.all(n, n == object.metadata.namespace)))`
	const quietAlerts = `object.kind != 'PrometheusRule' || !has(object.spec.groups) || object.spec.groups.all(g, !has(g.rules) || g.rules.all(r, !has(r.alert) || (!(r.alert in ['InfoInhibitor', 'Watchdog']) && has(r.labels) && 'severity' in r.labels && r.labels['severity'] in ['warning', 'info'])))`
	return map[string]any{
		"failurePolicy": "Fail",
		"matchConstraints": map[string]any{
			"resourceRules": []any{map[string]any{
				"apiGroups": []any{"monitoring.coreos.com"}, "apiVersions": []any{"*"},
				"operations": []any{"CREATE", "UPDATE"},
				"resources":  []any{"servicemonitors", "podmonitors", "prometheusrules"},
			}},
			"namespaceSelector": teamNamespaces(),
		},
		"validations": []any{
			map[string]any{"expression": noFiles, "message": "a team's ServiceMonitor may not read files of Prometheus' container (bearerTokenFile, tlsConfig caFile, certFile, keyFile): use bearerTokenSecret, authorization or tlsConfig's Secret references in the team's namespace"},
			map[string]any{"expression": ownNamespace, "message": "a team's ServiceMonitor or PodMonitor scrapes its own namespace only (no namespaceSelector any or other namespaces)"},
			map[string]any{"expression": quietAlerts, "message": "a team's alert sets labels.severity to warning or info (critical alerts silence the platform's warnings), and is not named InfoInhibitor or Watchdog"},
		},
	}
}

// MonitoringPolicyBindingSpec binds the policy: refused requests are denied, not only warned.
func MonitoringPolicyBindingSpec() map[string]any {
	return map[string]any{
		"policyName":        MonitoringPolicy,
		"validationActions": []any{"Deny"},
		"matchResources":    map[string]any{"namespaceSelector": teamNamespaces()},
	}
}

// teamNamespaces select the namespaces the Teams component created (NamespaceLabels).
func teamNamespaces() map[string]any {
	return map[string]any{"matchExpressions": []any{map[string]any{"key": TeamLabel, "operator": "Exists"}}}
}
