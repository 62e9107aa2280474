package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/example/platform/internal/contract"
)

// AddonsConfig is platform:addons: one switch and one typed block per addon, as
// terraform-aws-eks-blueprints-addons does. Replica counts default by environment (1 in dev,
// 2 in prod); extraValues is the one deliberate escape hatch, merged over the computed Helm
// values (it wins).
type AddonsConfig struct {
	LoadBalancerController AddonBase             `json:"loadBalancerController"`
	ExternalDNS            ExternalDNSConfig     `json:"externalDns"`
	ExternalSecrets        ExternalSecretsConfig `json:"externalSecrets"`
	ClusterAutoscaler      AddonBase             `json:"clusterAutoscaler"`
	EBSCSI                 EBSCSIConfig          `json:"ebsCsi"`
	MetricsServer          MetricsServerConfig   `json:"metricsServer"`
	Monitoring             MonitoringConfig      `json:"monitoring"`
	Loki                   StoreConfig           `json:"loki"`
	Tempo                  StoreConfig           `json:"tempo"`
}

// AddonBase is what every Helm addon's block has.
type AddonBase struct {
	Enabled bool `json:"enabled"`
	// Replicas overrides the environment default (1 in dev, 2 in prod; prod needs >= 2).
	Replicas *int `json:"replicas,omitempty"`
	// ExtraValues are Helm values merged over the computed ones.
	ExtraValues map[string]any `json:"extraValues,omitempty"`
}

// ExternalDNSConfig is platform:addons.externalDns.
type ExternalDNSConfig struct {
	AddonBase
	// Policy is "sync" (deletes records it no longer sees), "upsert-only" or "create-only".
	// Default: sync in dev, upsert-only in prod (a bad sync must not delete prod's records).
	Policy string `json:"policy,omitempty"`
}

// ExternalSecretsConfig is platform:addons.externalSecrets.
type ExternalSecretsConfig struct {
	AddonBase
	// SecretsManager adds a ClusterSecretStore for AWS Secrets Manager besides SSM.
	SecretsManager bool `json:"secretsManager"`
}

// EBSCSIConfig is platform:addons.ebsCsi (an EKS managed addon: no Helm values).
type EBSCSIConfig struct {
	Enabled bool `json:"enabled"`
	// ReclaimPolicy of the gp3 StorageClass: Delete deletes a volume with its claim, Retain
	// keeps it. Default: the environment's (Policy.VolumeReclaimPolicy: Delete in dev, Retain
	// in prod). Kubernetes cannot change it on an existing StorageClass, so a change replaces
	// the class (volumes already bound keep the policy they were created with).
	ReclaimPolicy string `json:"reclaimPolicy,omitempty"`
}

// ReclaimPolicyOr is the configured reclaim policy, or the environment's.
func (e EBSCSIConfig) ReclaimPolicyOr(p Policy) string {
	if e.ReclaimPolicy != "" {
		return e.ReclaimPolicy
	}
	return p.VolumeReclaimPolicy
}

// ReclaimPolicies are the allowed platform:addons.ebsCsi.reclaimPolicy values.
var ReclaimPolicies = []string{"Delete", "Retain"}

// MetricsServerConfig is platform:addons.metricsServer (an EKS add-on: no Helm values). Every
// HorizontalPodAutoscaler on CPU or memory needs it.
type MetricsServerConfig struct {
	Enabled bool `json:"enabled"`
}

// MonitoringConfig is platform:addons.monitoring (kube-prometheus-stack with Grafana).
type MonitoringConfig struct {
	AddonBase
	// RetentionDays of Prometheus' local TSDB. Default 15.
	RetentionDays int `json:"retentionDays"`
	// StorageGiB of each Prometheus volume (gp3). Default 50.
	StorageGiB int `json:"storageGiB"`
	// Alerting is where Alertmanager sends alerts.
	Alerting AlertingConfig `json:"alerting"`
	// SSO logs people in to Grafana with GitHub.
	SSO GrafanaSSOConfig `json:"sso"`
}

// GrafanaSSOConfig is platform:addons.monitoring.sso: Grafana's GitHub login, with the
// organization and teams of platform:github and platform:argocd. The OAuth app's client
// secret is in SSM (contract.GrafanaOAuthSecretParameter), read through an ExternalSecret.
type GrafanaSSOConfig struct {
	// ClientID of the GitHub OAuth app; empty keeps Grafana's local login only.
	ClientID string `json:"clientId,omitempty"`
	// TeamRole is the Grafana role of the product teams' GitHub teams: Viewer (default) or
	// Editor. The platform's teams with role:admin in Argo CD are Admins, its other teams
	// Viewers.
	TeamRole string `json:"teamRole,omitempty"`
}

// AlertingConfig is platform:addons.monitoring.alerting. The receiver's URL is a secret: it
// lives in SSM (contract.AlertReceiverParameter) and reaches Alertmanager through an
// ExternalSecret, never through config or Helm values.
type AlertingConfig struct {
	// Receiver is "slack" (an incoming webhook URL) or "webhook" (any HTTP endpoint, e.g. an
	// on-call service's). Empty: alerts go nowhere, and every preview warns.
	Receiver string `json:"receiver,omitempty"`
	// Heartbeat sends the always-firing Watchdog alert to a dead man's switch (its URL in SSM,
	// contract.AlertHeartbeatParameter), which pages when the heartbeat stops.
	Heartbeat bool `json:"heartbeat,omitempty"`
	// AlarmEmail gets the CloudWatch alarms (the certificate's expiry, the teams' databases)
	// by email, through the stack's alarm topic; an on-call service can subscribe to the topic
	// instead (the alarmTopicArn output). Unset: every preview warns.
	AlarmEmail string `json:"alarmEmail,omitempty"`
}

// AlertReceivers are the receivers Alertmanager can use.
var AlertReceivers = []string{"slack", "webhook"}

// StoreConfig is platform:addons.loki and platform:addons.tempo: S3-backed stores.
type StoreConfig struct {
	AddonBase
	// RetentionDays of the data, enforced by the store and by the bucket's lifecycle rule.
	RetentionDays int `json:"retentionDays"`
}

// Defaults of the stores' settings.
const (
	DefaultMonitoringRetentionDays = 15
	DefaultMonitoringStorageGiB    = 50
	DefaultLokiRetentionDays       = 30
	DefaultTempoRetentionDays      = 14
)

// DefaultAddons enables every addon.
func DefaultAddons() AddonsConfig {
	on := AddonBase{Enabled: true}
	return AddonsConfig{
		LoadBalancerController: on,
		ExternalDNS:            ExternalDNSConfig{AddonBase: on},
		ExternalSecrets:        ExternalSecretsConfig{AddonBase: on},
		ClusterAutoscaler:      on,
		EBSCSI:                 EBSCSIConfig{Enabled: true},
		MetricsServer:          MetricsServerConfig{Enabled: true},
		Monitoring:             MonitoringConfig{AddonBase: on, RetentionDays: DefaultMonitoringRetentionDays, StorageGiB: DefaultMonitoringStorageGiB},
		Loki:                   StoreConfig{AddonBase: on, RetentionDays: DefaultLokiRetentionDays},
		Tempo:                  StoreConfig{AddonBase: on, RetentionDays: DefaultTempoRetentionDays},
	}
}

// ReplicasOr is the addon's replica count: the override, else the environment's default.
func (b AddonBase) ReplicasOr(policy Policy) int {
	if b.Replicas != nil {
		return *b.Replicas
	}
	return policy.Replicas
}

// ExternalDNSPolicyOr is ExternalDNS's record policy: the override, else the environment's.
func (e ExternalDNSConfig) PolicyOr(policy Policy) string {
	if e.Policy != "" {
		return e.Policy
	}
	return policy.ExternalDNSPolicy
}

// ExternalDNSPolicies are the record policies ExternalDNS supports.
var ExternalDNSPolicies = []string{"sync", "upsert-only", "create-only"}

func (c *Config) validateAddons(errs *Errors) {
	const k = Namespace + ":addons"
	a := c.Addons
	// Lists, not maps: the same config gives the same errors in the same order.
	for _, r := range []struct {
		name string
		base AddonBase
	}{
		{"loadBalancerController", a.LoadBalancerController},
		{"externalSecrets", a.ExternalSecrets.AddonBase},
		{"clusterAutoscaler", a.ClusterAutoscaler},
		{"monitoring", a.Monitoring.AddonBase},
		{"loki", a.Loki.AddonBase},
	} {
		name, base := r.name, r.base
		if base.Replicas == nil {
			continue
		}
		key := fmt.Sprintf("%s.%s.replicas", k, name)
		switch r := *base.Replicas; {
		case r < 1:
			errs.add(key, fmt.Sprintf("%d is not allowed; use 1 or more (disable the addon with enabled: false)", r))
		case r < c.Policy().MinReplicas:
			errs.add(key, fmt.Sprintf("%d is not allowed in %s: use %d or more, so a node drain or AZ loss does not stop it", r, c.env(), c.Policy().MinReplicas))
		case r > 10:
			errs.add(key, fmt.Sprintf("%d is more than 10; leader-elected controllers gain nothing from more", r))
		}
	}
	if r := a.ExternalDNS.Replicas; r != nil && *r != 1 {
		errs.add(k+".externalDns.replicas", fmt.Sprintf("%d is not allowed; ExternalDNS runs one replica (it has no leader election)", *r))
	}
	if r := a.Monitoring.SSO.TeamRole; r != "" && r != "Viewer" && r != "Editor" {
		errs.add(k+".monitoring.sso.teamRole", fmt.Sprintf("%q is not allowed; use Viewer (default) or Editor", r))
	}
	// With Argo CD on, a missing owner is already reported on platform:github.owner.
	if a.Monitoring.SSO.ClientID != "" && c.GitHub.Owner == "" && !c.ArgoCD.Enabled {
		errs.add(k+".monitoring.sso.clientId", "needs platform:github.owner: Grafana admits the organization's members")
	}
	if r := a.Monitoring.Alerting.Receiver; r != "" && !slices.Contains(AlertReceivers, r) {
		errs.add(k+".monitoring.alerting.receiver", fmt.Sprintf("%q is not allowed; use slack or webhook (its URL goes into SSM, README \"Alerts\")", r))
	}
	if r := a.Loki.Replicas; r != nil && *r == 2 {
		errs.add(k+".loki.replicas", "2 is not allowed: Loki writes to a quorum of its replication factor, so 2 replicas are no HA; use 1 (no replication: a lost pod loses its unflushed logs) or 3 or more (replication factor 3)")
	}
	if r := a.Tempo.Replicas; r != nil && *r != 1 {
		errs.add(k+".tempo.replicas", fmt.Sprintf("%d is not allowed; single-binary Tempo runs one replica (its chart forms no ring)", *r))
	}
	if e := a.Monitoring.Alerting.AlarmEmail; e != "" {
		if !contract.IsEmailAddress(e) {
			errs.add(k+".monitoring.alerting.alarmEmail", fmt.Sprintf("%q is not an email address; use e.g. oncall@example.org", e))
		}
	}
	if p := a.EBSCSI.ReclaimPolicy; p != "" && !slices.Contains(ReclaimPolicies, p) {
		errs.add(k+".ebsCsi.reclaimPolicy", fmt.Sprintf("%q is not allowed; use Delete (a volume goes with its claim; dev's default) or Retain (it stays, and is yours to delete; prod's default)", p))
	}
	if p := a.ExternalDNS.Policy; p != "" && !slices.Contains(ExternalDNSPolicies, p) {
		errs.add(k+".externalDns.policy", fmt.Sprintf("%q is not allowed; use one of sync, upsert-only, create-only", p))
	}
	for _, r := range []struct {
		name string
		days int
	}{
		{"monitoring.retentionDays", a.Monitoring.RetentionDays},
		{"loki.retentionDays", a.Loki.RetentionDays},
		{"tempo.retentionDays", a.Tempo.RetentionDays},
	} {
		name, days := r.name, r.days
		if days < 1 || days > 3650 {
			errs.add(k+"."+name, fmt.Sprintf("%d is not allowed; use 1 to 3650 days", days))
		}
	}
	if s := a.Monitoring.StorageGiB; s < 10 || s > 16384 {
		errs.add(k+".monitoring.storageGiB", fmt.Sprintf("%d is not allowed; use 10 to 16384 GiB", s))
	}
	// Grafana is published through the shared ALB, which only the controller can create.
	if a.Monitoring.Enabled && !a.LoadBalancerController.Enabled {
		errs.add(k+".monitoring.enabled", "needs platform:addons.loadBalancerController.enabled: Grafana is served through the shared ALB")
	}
	// One error naming every addon that needs the driver: its volumes are gp3.
	var needEBS []string
	for _, d := range []struct {
		name    string
		enabled bool
	}{{"monitoring (Prometheus's data)", a.Monitoring.Enabled}, {"loki (write-ahead log)", a.Loki.Enabled}, {"tempo (write-ahead log)", a.Tempo.Enabled}} {
		if d.enabled {
			needEBS = append(needEBS, d.name)
		}
	}
	if len(needEBS) > 0 && !a.EBSCSI.Enabled {
		errs.add(k+".ebsCsi.enabled", "is required by "+strings.Join(needEBS, ", ")+": their volumes are gp3 EBS volumes")
	}
}
