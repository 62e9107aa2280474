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
