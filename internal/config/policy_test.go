package config

import (
	"reflect"
	"strings"
	"testing"
)

// The whole dev/prod difference, as one table: a change to either environment's rules shows
// up here.
func TestPolicyFor(t *testing.T) {
	tests := []struct {
		env  Environment
		want Policy
	}{
		{EnvDev, Policy{Replicas: 1, MinReplicas: 1, Protect: false, ForceDestroy: true, KeyDeletionWindowDays: 7,
			ExternalDNSPolicy: "sync", NATLayouts: []string{"single", "perAz"}, AllowOpenAPIEndpoint: true}},
		{EnvProd, Policy{Replicas: 2, MinReplicas: 2, Protect: true, ForceDestroy: false, KeyDeletionWindowDays: 30,
			ExternalDNSPolicy: "upsert-only", NATLayouts: []string{"perAz"},
			RequireAdmins: true, RequireReviewers: true, RequireReleaseTag: true}},
		// An environment Validate refuses still never gets the lenient rules.
		{"staging", PolicyFor(EnvProd)},
	}
	for _, tt := range tests {
		if got := PolicyFor(tt.env); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("PolicyFor(%q) = %+v\nwant %+v", tt.env, got, tt.want)
		}
	}
	// Protection and force-destroy never go together: a protected bucket that destroy could
	// empty would be protected in name only.
	for _, env := range []Environment{EnvDev, EnvProd} {
		if p := PolicyFor(env); p.Protect == p.ForceDestroy {
			t.Errorf("%s: protect %v and forceDestroy %v", env, p.Protect, p.ForceDestroy)
		}
	}
}

// Overrides win over the environment's defaults; without one, the environment decides.
func TestResolvedSettings(t *testing.T) {
	three := 3
	dev, prod := PolicyFor(EnvDev), PolicyFor(EnvProd)
	if got := (AddonBase{}).ReplicasOr(dev); got != 1 {
		t.Errorf("dev replicas = %d", got)
	}
	if got := (AddonBase{}).ReplicasOr(prod); got != 2 {
		t.Errorf("prod replicas = %d", got)
	}
	if got := (AddonBase{Replicas: &three}).ReplicasOr(dev); got != 3 {
		t.Errorf("override = %d", got)
	}
	if got := (ExternalDNSConfig{}).PolicyOr(prod); got != "upsert-only" {
		t.Errorf("prod ExternalDNS policy = %s", got)
	}
	if got := (ExternalDNSConfig{Policy: "create-only"}).PolicyOr(dev); got != "create-only" {
		t.Errorf("ExternalDNS override = %s", got)
	}
}

// GitHub-hosted runners in prod: only with the endpoint open and the named key accepting it.
func TestHostedRunnersInProd(t *testing.T) {
	v := minimal()
	v["platform:argocd"] = `{"enabled":false}`
	v["platform:github"] = `{"owner":"org","gitopsRepo":"g","infraRepo":"i","ciPolicyArns":["arn:aws:iam::aws:policy/ReadOnlyAccess"],"reviewerTeams":["leads"],"runners":"github-hosted"}`
	v["platform:cluster"] = `{"adminRoleArns":["arn:aws:iam::111122223333:role/admin"],"publicAccessCidrs":["0.0.0.0/0"],"allowOpenEndpoint":true}`
	if _, err := Decode("platform", "live", v, nil); err != nil {
		t.Fatalf("open endpoint accepted by name: %v", err)
	}
	v["platform:cluster"] = `{"adminRoleArns":["arn:aws:iam::111122223333:role/admin"],"publicAccessCidrs":["0.0.0.0/0"]}`
	if _, err := Decode("platform", "live", v, nil); err == nil || !strings.Contains(err.Error(), "platform:cluster.allowOpenEndpoint") {
		t.Errorf("open endpoint in prod without the key: %v", err)
	}
}
