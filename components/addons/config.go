package addons

// Config is platform:addons: one switch and one typed block per addon, as
// terraform-aws-eks-blueprints-addons does. Replica counts default by environment (1 in dev,
// 2 in prod); extraValues is the one deliberate escape hatch, merged over the computed Helm
// values (it wins).
type Config struct {
	LoadBalancerController Base                  `json:"loadBalancerController"`
	ExternalDNS            ExternalDNSConfig     `json:"externalDns"`
	ExternalSecrets        ExternalSecretsConfig `json:"externalSecrets"`
	ClusterAutoscaler      Base                  `json:"clusterAutoscaler"`
	EBSCSI                 EBSCSIConfig          `json:"ebsCsi"`
	Monitoring             MonitoringConfig      `json:"monitoring"`
	Loki                   StoreConfig           `json:"loki"`
	Tempo                  StoreConfig           `json:"tempo"`
}

// Base is what every Helm addon has.
type Base struct {
	Enabled bool `json:"enabled"`
	// Replicas overrides the environment default (1 in dev, 2 in prod; prod needs >= 2).
	Replicas *int `json:"replicas,omitempty"`
	// ExtraValues are Helm values merged over the computed ones.
	ExtraValues map[string]any `json:"extraValues,omitempty"`
}

// ExternalDNSConfig is platform:addons.externalDns.
type ExternalDNSConfig struct {
	Base
	// Policy is "sync" (deletes records it no longer sees), "upsert-only" or "create-only".
	// Default: sync in dev, upsert-only in prod (a bad sync must not delete prod's records).
	Policy string `json:"policy,omitempty"`
}

// ExternalSecretsConfig is platform:addons.externalSecrets.
type ExternalSecretsConfig struct {
	Base
	// SecretsManager adds a ClusterSecretStore for AWS Secrets Manager besides SSM.
	SecretsManager bool `json:"secretsManager"`
}

// EBSCSIConfig is platform:addons.ebsCsi (an EKS managed addon: no Helm values).
type EBSCSIConfig struct {
	Enabled bool `json:"enabled"`
}

// MonitoringConfig is platform:addons.monitoring (kube-prometheus-stack with Grafana).
type MonitoringConfig struct {
	Base
	// RetentionDays of Prometheus' local TSDB. Default 15.
	RetentionDays int `json:"retentionDays"`
	// StorageGiB of each Prometheus volume (gp3). Default 50.
	StorageGiB int `json:"storageGiB"`
}

// StoreConfig is platform:addons.loki and platform:addons.tempo: S3-backed stores.
type StoreConfig struct {
	Base
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

// Defaults enables every addon.
func Defaults() Config {
	on := Base{Enabled: true}
	return Config{
		LoadBalancerController: on,
		ExternalDNS:            ExternalDNSConfig{Base: on},
		ExternalSecrets:        ExternalSecretsConfig{Base: on},
		ClusterAutoscaler:      on,
		EBSCSI:                 EBSCSIConfig{Enabled: true},
		Monitoring:             MonitoringConfig{Base: on, RetentionDays: DefaultMonitoringRetentionDays, StorageGiB: DefaultMonitoringStorageGiB},
		Loki:                   StoreConfig{Base: on, RetentionDays: DefaultLokiRetentionDays},
		Tempo:                  StoreConfig{Base: on, RetentionDays: DefaultTempoRetentionDays},
	}
}

// ReplicasFor is the addon's replica count: the override, else 2 in prod and 1 in dev.
func (b Base) ReplicasFor(prod bool) int {
	if b.Replicas != nil {
		return *b.Replicas
	}
	if prod {
		return 2
	}
	return 1
}
