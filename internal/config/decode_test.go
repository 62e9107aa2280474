package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func minimal() map[string]string {
	return map[string]string{
		RegionKey:          "eu-north-1",
		DefaultTagsKey:     `{"tags":{"platform:cluster":"platform-live"}}`,
		"platform:dns":     `{"domain":"prod.example.org"}`,
		"platform:cluster": `{"adminRoleArns":["arn:aws:iam::111122223333:role/admin"]}`,
		"platform:argocd":  `{"enabled":false}`,
		// Prod copies its backups to a second region, which it must name.
		"platform:backup": `{"copyRegion":"eu-west-1"}`,
	}
}

// An (almost) empty stack gets the secure defaults: prod rules, NAT per AZ, 3 AZs, private
// API endpoint, the default node group.
func TestDefaults(t *testing.T) {
	cfg, err := Decode("platform", "live", minimal(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Environment != EnvProd || cfg.Network.NATGateways != NATPerAZ || cfg.Network.AZCount != 3 ||
		cfg.Network.CIDR != DefaultVPCCIDR || len(cfg.Cluster.PublicAccessCIDRs) != 0 ||
		cfg.Cluster.Name != "platform-live" || cfg.Cluster.KubernetesVersion != DefaultKubernetesVersion {
		t.Errorf("defaults = %+v", cfg)
	}
	if !reflect.DeepEqual(cfg.Cluster.NodeGroups, NodeGroups{DefaultNodeGroup()}) {
		t.Errorf("node groups = %+v", cfg.Cluster.NodeGroups)
	}
}

// A node group that sets only some fields keeps the defaults of the others.
func TestNodeGroupPartialOverride(t *testing.T) {
	v := minimal()
	v["platform:cluster"] = `{"adminRoleArns":["arn:aws:iam::111122223333:role/admin"],
		"nodeGroups":[{"name":"spot","capacityType":"ON_DEMAND","maxSize":20}]}`
	cfg, err := Decode("platform", "live", v, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultNodeGroup()
	want.Name, want.CapacityType, want.MaxSize = "spot", "ON_DEMAND", 20
	if !reflect.DeepEqual(cfg.Cluster.NodeGroups, NodeGroups{want}) {
		t.Errorf("node group = %+v, want %+v", cfg.Cluster.NodeGroups[0], want)
	}
}

func TestAZCountFromZoneList(t *testing.T) {
	v := minimal()
	v["platform:network"] = `{"availabilityZones":["eu-north-1a","eu-north-1b","eu-north-1c"]}`
	cfg, err := Decode("platform", "live", v, nil)
	if err != nil || cfg.Network.AZCount != 3 {
		t.Fatalf("cfg = %+v, err = %v", cfg, err)
	}
}

func TestErrorsNameTheirKeys(t *testing.T) {
	v := minimal()
	v["platform:network"] = `{"cidr":"10.0.0.0/33","natGateways":"single"}`
	_, err := Decode("platform", "live", v, nil)
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 2 {
		t.Fatalf("err = %v", err)
	}
	want := `platform:network.cidr "10.0.0.0/33" is not a valid IPv4 CIDR; use e.g. 10.0.0.0/16`
	if errs[0].Error() != want {
		t.Errorf("got  %s\nwant %s", errs[0].Error(), want)
	}
	if errs[1].Key != "platform:network.natGateways" || !strings.Contains(errs[1].Msg, "not allowed in prod") {
		t.Errorf("second error = %+v", errs[1])
	}
}

// The stack tag is required and must name the cluster: the platform's roles change only what
// carries it.
func TestDefaultTagsNameTheCluster(t *testing.T) {
	for _, tt := range []struct{ tags, want string }{
		{"", "aws:defaultTags lacks the tag platform:cluster: platform-live"},
		{`{"tags":{"team":"x"}}`, "aws:defaultTags lacks the tag platform:cluster: platform-live"},
		{`{"tags":{"platform:cluster":"platform-dev"}}`, `aws:defaultTags.tags.platform:cluster is "platform-dev", but the cluster is "platform-live"`},
		{`{"tags":["x"]}`, "aws:defaultTags is not an object with a tags map"},
	} {
		v := minimal()
		delete(v, DefaultTagsKey)
		if tt.tags != "" {
			v[DefaultTagsKey] = tt.tags
		}
		_, err := Decode("platform", "live", v, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Count(err.Error(), tt.want) != 1 || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: err = %v, want %q once", tt.tags, err, tt.want)
		}
	}
}
