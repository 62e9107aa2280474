package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/example/platform/components/cluster/clusterplan"
	"github.com/example/platform/components/githubint/ghplan"
)

// RegionKey is the AWS provider's region key; the program reads it to plan AZs and ARNs.
const RegionKey = "aws:region"

// Defaults returns the configuration used for every key the stack does not set.
func Defaults(project, stack string) Config {
	return Config{
		Project:     project,
		Stack:       stack,
		Environment: EnvProd,
		Network: NetworkConfig{
			CIDR:                  DefaultVPCCIDR,
			NATGateways:           DefaultNAT,
			FlowLogsRetentionDays: DefaultRetentionDays,
		},
		Cluster: ClusterConfig{
			Name:              project + "-" + stack,
			KubernetesVersion: DefaultKubernetesVersion,
			LogRetentionDays:  DefaultRetentionDays,
			NodeGroups:        NodeGroups{DefaultNodeGroup()},
		},
		Addons:  DefaultAddons(),
		GitHub:  GitHubConfig{Runners: ghplan.SelfHosted},
		ArgoCD:  DefaultArgoCD(stack),
		Backup:  DefaultBackup(),
		Access:  AccessConfig{SessionManager: SessionManagerConfig{InstanceType: DefaultAccessInstanceType}},
		Runners: DefaultRunners(),
	}
}

// DefaultNodeGroup is the node group used when platform:cluster.nodeGroups is not set, and the
// base every configured node group starts from.
func DefaultNodeGroup() clusterplan.NodeGroup {
	return clusterplan.NodeGroup{
		Name:          DefaultNodeGroupName,
		InstanceTypes: []string{DefaultInstanceType},
		CapacityType:  DefaultCapacityType,
		Architecture:  clusterplan.ArchX86,
		MinSize:       DefaultMinSize,
		DesiredSize:   DefaultDesiredSize,
		MaxSize:       DefaultMaxSize,
		DiskSizeGiB:   DefaultDiskSizeGiB,
	}
}

// Decode builds the typed configuration from a stack's config values, keyed as Pulumi keys
// them ("platform:network", "aws:region"); object values are JSON, as Pulumi passes them to
// programs. It applies defaults and then Validate, judging support windows on today's date. All
// problems are reported at once, each naming its key.
func Decode(project, stack string, values map[string]string, secretKeys map[string]bool) (*Config, error) {
	return DecodeOn(project, stack, values, secretKeys, time.Now())
}

// DecodeOn is Decode as of day.
func DecodeOn(project, stack string, values map[string]string, secretKeys map[string]bool, day time.Time) (*Config, error) {
	cfg := Defaults(project, stack)
	cfg.Today = day.UTC()
	var errs Errors

	cfg.Region = values[RegionKey]
	if cfg.Region == "" {
		errs.add(RegionKey, "is not set; set the stack's AWS region, e.g. `pulumi config set aws:region eu-north-1`")
	}

	known := map[string]bool{}
	for _, k := range Keys {
		known[Namespace+":"+k] = true
	}
	var unknown []string
	for k := range values {
		if strings.HasPrefix(k, Namespace+":") && !known[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		errs.add(k, "is not a known key; the known keys are "+strings.Join(prefixed(Keys), ", "))
	}

	if v, ok := values[Namespace+":environment"]; ok {
		cfg.Environment = Environment(v)
	}
	cfg.decodeProviderConfig(values, secretKeys, &errs)
	cfg.decodeDefaultTags(values, &errs)
	targets := map[string]any{
		"network":      &cfg.Network,
		"dns":          &cfg.DNS,
		"certificates": &cfg.Certificates,
		"cluster":      &cfg.Cluster,
		"addons":       &cfg.Addons,
		"github":       &cfg.GitHub,
		"argocd":       &cfg.ArgoCD,
		"teams":        &cfg.Teams,
		"retiredTeams": &cfg.RetiredTeams,
		"helm":         &cfg.Helm,
		"backup":       &cfg.Backup,
		"access":       &cfg.Access,
		"runners":      &cfg.Runners,
	}
	for _, k := range Keys {
		target, isObject := targets[k]
		raw, ok := values[Namespace+":"+k]
		if !isObject || !ok {
			continue
		}
		errs = append(errs, decodeObject(Namespace+":"+k, raw, target)...)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if cfg.Network.AZCount == 0 {
		cfg.Network.AZCount = len(cfg.Network.AvailabilityZones)
		if cfg.Network.AZCount == 0 {
			cfg.Network.AZCount = DefaultAZCount
		}
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// decodeObject checks raw against target's shape first, so that a typo or a wrong type is
// reported with its full key path, and only then unmarshals it over the defaults in target.
func decodeObject(key, raw string, target any) Errors {
	var generic any
	if err := json.Unmarshal([]byte(raw), &generic); err != nil {
		if reflect.TypeOf(target).Elem().Kind() == reflect.Slice {
			return Errors{{Key: key, Msg: fmt.Sprintf("must be a list (a YAML sequence in the stack file), got %q", clip(raw))}}
		}
		return Errors{{Key: key, Msg: fmt.Sprintf("must be an object (a YAML map in the stack file), got %q", clip(raw))}}
	}
	var errs Errors
	checkShape(generic, reflect.TypeOf(target).Elem(), key, &errs)
	if len(errs) > 0 {
		return errs
	}
	if err := json.Unmarshal([]byte(raw), target); err != nil {
		return Errors{{Key: key, Msg: err.Error()}}
	}
	return nil
}

// checkShape walks a decoded JSON value against a Go type, recording unknown keys and type
// mismatches with their path (platform:cluster.nodeGroups[0].minSize).
func checkShape(v any, t reflect.Type, path string, errs *Errors) {
	if v == nil {
		// YAML's empty value (`key:`) is null: the key is unset and keeps its default.
		return
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			errs.add(path, "must be an object, got "+describe(v))
			return
		}
		fields := jsonFields(t)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			f, ok := fields[k]
			if !ok {
				errs.add(path+"."+k, "is not a known key; allowed: "+strings.Join(slices.Sorted(maps.Keys(fields)), ", "))
				continue
			}
			checkShape(m[k], f.Type, path+"."+k, errs)
		}
	case reflect.Slice:
		a, ok := v.([]any)
		if !ok {
			errs.add(path, "must be a list, got "+describe(v))
			return
		}
		for i, e := range a {
			checkShape(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i), errs)
		}
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			errs.add(path, "must be an object (a YAML map), got "+describe(v))
			return
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			checkShape(m[k], t.Elem(), path+"."+k, errs)
		}
	case reflect.String:
		if _, ok := v.(string); !ok {
			errs.add(path, "must be a string, got "+describe(v))
		}
	case reflect.Int:
		f, ok := v.(float64)
		if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<31 {
			errs.add(path, "must be an integer, got "+describe(v))
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			errs.add(path, "must be true or false, got "+describe(v))
		}
	}
}

func jsonFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Tag.Get("json") == "" {
			// Embedded structs' fields are promoted, as encoding/json does.
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = f
		}
	}
	return out
}

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("string %q", clip(x))
	case float64:
		return fmt.Sprintf("number %v", x)
	case bool:
		return fmt.Sprintf("boolean %v", x)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// PrefixedKeys are Keys as Pulumi names them ("platform:network").
func PrefixedKeys() []string { return prefixed(Keys) }

func prefixed(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = Namespace + ":" + k
	}
	return out
}
