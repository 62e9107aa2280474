package alertrules

// The metric names below were read from the pinned releases' sources (tag in each comment).

// ExternalSecrets: an ExternalSecret or a store that stays not Ready. The metrics carry the
// object's own namespace (its PodMonitor honours labels), so the alert is grouped and
// inhibited per team namespace. external-secrets v2.9.0,
// pkg/controllers/externalsecret/esmetrics and pkg/controllers/secretstore/metrics.
func ExternalSecrets() Group {
	return Group{Name: "platform.external-secrets", Rules: []Rule{
		{
			Alert:    "ExternalSecretNotSynced",
			Expr:     `max by (namespace, name) (externalsecret_status_condition{condition="Ready", status="False"}) == 1`,
			For:      "15m",
			Severity: Warning,
			Summary:  "ExternalSecret {{ $labels.namespace }}/{{ $labels.name }} has not synced for 15 minutes",
			Description: "Its Secret keeps the last value it synced, or does not exist yet. " +
				"`kubectl -n {{ $labels.namespace }} describe externalsecret {{ $labels.name }}` says why: " +
				"usually a parameter missing in SSM, or a key outside what the store may read.",
		},
		{
			Alert:    "SecretStoreNotReady",
			Expr:     `max by (namespace, name) (secretstore_status_condition{condition="Ready", status="False"}) == 1`,
			For:      "15m",
			Severity: Warning,
			Summary:  "SecretStore {{ $labels.namespace }}/{{ $labels.name }} is not ready",
			Description: "No ExternalSecret of this store syncs. The team's secrets role or its trust " +
				"of the External Secrets controller is broken: `kubectl -n {{ $labels.namespace }} describe secretstore {{ $labels.name }}`.",
		},
		{
			Alert:    "ClusterSecretStoreNotReady",
			Expr:     `max by (name) (clustersecretstore_status_condition{condition="Ready", status="False"}) == 1`,
			For:      "10m",
			Severity: Critical,
			Summary:  "ClusterSecretStore {{ $labels.name }} is not ready",
			Description: "The platform's own secrets (Alertmanager's receiver, Grafana's and Argo CD's " +
				"OAuth clients, the teams' databases) stop syncing. Check the External Secrets " +
				"controller's Pod Identity role: `kubectl describe clustersecretstore {{ $labels.name }}`.",
		},
	}}
}

// ClusterAutoscaler: node groups that cannot grow, and pods that wait for nodes. The
// per-node-group metrics need --emit-per-nodegroup-metrics (components/addons sets it).
// kubernetes/autoscaler cluster-autoscaler-1.35.0, cluster-autoscaler/metrics/metrics.go.
func ClusterAutoscaler() Group {
	return Group{Name: "platform.cluster-autoscaler", Rules: []Rule{
		{
			Alert:    "NodeGroupAtMaxSize",
			Expr:     `max by (node_group) (cluster_autoscaler_node_group_target_count) >= max by (node_group) (cluster_autoscaler_node_group_max_count)`,
			For:      "15m",
			Severity: Warning,
			Summary:  "Node group {{ $labels.node_group }} is at its maximum size",
			Description: "The autoscaler cannot add nodes to it: pods that need more room will wait. " +
				"Raise the node group's maxSize in the stack's config (cluster.nodeGroups) if the load is real.",
		},
		{
			Alert:    "PodsUnschedulable",
			Expr:     `max(cluster_autoscaler_unschedulable_pods_count{type="unschedulable"}) > 0`,
			For:      "15m",
			Severity: Warning,
			Summary:  "{{ $value }} pods have waited 15 minutes for a node",
			Description: "The autoscaler found no node group that could take them: a node group at its " +
				"maximum, or a request no instance type fits. `kubectl get pods -A --field-selector=status.phase=Pending`.",
		},
		{
			Alert:    "ClusterAutoscalerUnsafe",
			Expr:     `max(cluster_autoscaler_cluster_safe_to_autoscale) == 0`,
			For:      "15m",
			Severity: Warning,
			Summary:  "The cluster autoscaler has stopped scaling",
			Description: "Too many nodes are unready for it to act safely. `kubectl get nodes`, and the " +
				"autoscaler's status: `kubectl -n kube-system get configmap cluster-autoscaler-status -o yaml`.",
		},
	}}
}

// ExternalDNS: no successful sync with Route53 for 30 minutes (it syncs every minute; the
// timestamp is set after each successful run, changes or not). kubernetes-sigs/external-dns
// v0.21.0, controller/controller.go.
func ExternalDNS() Group {
	return Group{Name: "platform.external-dns", Rules: []Rule{{
		Alert:    "ExternalDNSNotSyncing",
		Expr:     `time() - max(external_dns_controller_last_sync_timestamp_seconds) > 1800`,
		For:      "5m",
		Severity: Warning,
		Summary:  "ExternalDNS has not synced DNS records for 30 minutes",
		Description: "New Ingress and Service host names get no records, removed ones keep theirs. " +
			"`kubectl -n external-dns logs deploy/external-dns`: usually Route53 throttling or a denied change.",
	}}}
}

// LoadBalancerController: reconciles that keep failing (an Ingress or Service whose load
// balancer cannot be built). kubernetes-sigs/aws-load-balancer-controller v3.5.0,
// pkg/metrics/lbc/instruments.go.
func LoadBalancerController() Group {
	return Group{Name: "platform.aws-load-balancer-controller", Rules: []Rule{{
		Alert:    "LoadBalancerReconcileFailing",
		Expr:     `sum by (controller) (rate(awslbc_controller_reconcile_errors_total[10m])) > 0`,
		For:      "30m",
		Severity: Warning,
		Summary:  "The Load Balancer Controller's {{ $labels.controller }} reconciles have failed for 30 minutes",
		Description: "Some Ingress or Service gets no load balancer, or an outdated one. " +
			"`kubectl get events -A --field-selector reason=FailedDeployModel` names it.",
	}}}
}

// Loki: pushes refused or failing, chunks that cannot reach S3, logs discarded (rate or size
// limits). grafana/loki v3.7.6: dskit's loki_request_duration_seconds (route
// loki_api_v1_push, otlp_v1_logs), pkg/ingester/metrics.go, pkg/validation/validate.go.
func Loki() Group {
	const push = `route=~"loki_api_v1_push|otlp_v1_logs"`
	return Group{Name: "platform.loki", Rules: []Rule{
		{
			Alert: "LokiPushErrors",
			Expr: `sum(rate(loki_request_duration_seconds_count{` + push + `, status_code=~"5.."}[5m]))` +
				` / sum(rate(loki_request_duration_seconds_count{` + push + `}[5m])) > 0.05`,
			For:      "15m",
			Severity: Critical,
			Summary:  "Loki fails {{ $value | humanizePercentage }} of log pushes",
			Description: "Logs are being lost: Alloy retries, then drops. " +
				"`kubectl -n logging logs statefulset/loki`: usually S3 access, a full volume, or too few replicas for the quorum.",
		},
		{
			Alert:    "LokiChunkFlushFailing",
			Expr:     `sum(increase(loki_ingester_chunks_flush_failures_total[15m])) > 0`,
			For:      "15m",
			Severity: Warning,
			Summary:  "Loki cannot write chunks to S3",
			Description: "Logs stay in Loki's memory and write-ahead log only; a restart loses what the WAL does not hold. " +
				"Check the bucket and Loki's Pod Identity role.",
		},
		{
			Alert:    "LokiDiscardingLogs",
			Expr:     `sum by (reason) (rate(loki_discarded_samples_total[10m])) > 0`,
			For:      "15m",
			Severity: Warning,
			Summary:  "Loki discards log lines ({{ $labels.reason }})",
			Description: "A limit refuses lines (rate, line size, stream count, too old): some app logs more than Loki's " +
				"limits allow. Grafana's Loki dashboards show which streams.",
		},
	}}
}

// Tempo: spans refused or not stored. grafana/tempo v2.10.8:
// modules/distributor/distributor.go, modules/overrides/discarded_spans.go,
// modules/distributor/receiver/metrics_provider.go (no _total), modules/ingester/flush.go.
func Tempo() Group {
	return Group{Name: "platform.tempo", Rules: []Rule{
		{
			Alert: "TempoRefusingSpans",
			// The failures counter appears with its first failure: "or vector(0)" keeps the
			// sum from being empty (and the alert silent) until then.
			Expr: `(sum(rate(tempo_receiver_refused_spans[5m])) or vector(0))` +
				` + (sum(rate(tempo_distributor_ingester_append_failures_total[5m])) or vector(0)) > 0`,
			For:         "15m",
			Severity:    Warning,
			Summary:     "Tempo refuses or fails to store incoming spans",
			Description: "Traces are being lost at the door. `kubectl -n tracing logs statefulset/tempo`.",
		},
		{
			Alert:       "TempoDiscardingSpans",
			Expr:        `sum by (reason) (rate(tempo_discarded_spans_total[10m])) > 0`,
			For:         "15m",
			Severity:    Warning,
			Summary:     "Tempo discards spans ({{ $labels.reason }})",
			Description: "A limit refuses them (rate, trace size, live traces): some app sends more than Tempo's limits allow.",
		},
		{
			Alert:       "TempoFlushesFailing",
			Expr:        `sum(increase(tempo_ingester_failed_flushes_total[1h])) > 2`,
			For:         "5m",
			Severity:    Warning,
			Summary:     "Tempo cannot write blocks to S3",
			Description: "Traces stay on Tempo's volume only. Check the bucket and Tempo's Pod Identity role.",
		},
	}}
}

// ArgoCD: applications that stay out of sync, unhealthy, or whose syncs fail. The teams'
// applications too: a team's broken deploy is the platform's to notice. argo-cd v3.4.4,
// controller/metrics/metrics.go (argocd_app_info, argocd_app_sync_total) and the health
// statuses of gitops-engine's pkg/health.
func ArgoCD() Group {
	return Group{Name: "platform.argocd", Rules: []Rule{
		{
			Alert:    "ArgoCDAppOutOfSync",
			Expr:     `max by (name, project, dest_namespace) (argocd_app_info{sync_status="OutOfSync"}) == 1`,
			For:      "30m",
			Severity: Warning,
			Summary:  "Argo CD application {{ $labels.name }} has been out of sync for 30 minutes",
			Description: "What runs in {{ $labels.dest_namespace }} is not what Git says. " +
				"`argocd app diff {{ $labels.name }}`: a sync that cannot finish, or a change made by hand.",
		},
		{
			Alert:    "ArgoCDAppUnhealthy",
			Expr:     `max by (name, project, dest_namespace, health_status) (argocd_app_info{health_status=~"Degraded|Missing"}) == 1`,
			For:      "15m",
			Severity: Warning,
			Summary:  "Argo CD application {{ $labels.name }} is {{ $labels.health_status }}",
			Description: "Some of its resources in {{ $labels.dest_namespace }} fail (Degraded) or are not there " +
				"(Missing). `argocd app get {{ $labels.name }}` lists which.",
		},
		{
			Alert:       "ArgoCDSyncFailing",
			Expr:        `sum by (name, project) (increase(argocd_app_sync_total{phase=~"Error|Failed", dry_run!="true"}[30m])) > 0`,
			For:         "5m",
			Severity:    Warning,
			Summary:     "Syncs of Argo CD application {{ $labels.name }} fail",
			Description: "`argocd app get {{ $labels.name }}` shows the last operation's message.",
		},
	}}
}
