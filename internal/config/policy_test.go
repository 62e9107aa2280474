package config

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/example/platform/components/backup/backupplan"
	"github.com/example/platform/components/databases/dbplan"
)

// The whole dev/prod difference, as one table: a change to either environment's rules shows
// up here.
func TestPolicyFor(t *testing.T) {
	tests := []struct {
		env  Environment
		want Policy
	}{
		{EnvDev, Policy{Replicas: 1, MinReplicas: 1, Protect: false, ForceDestroy: true, VolumeReclaimPolicy: "Delete", KeyDeletionWindowDays: 7,
			ExternalDNSPolicy: "sync", NATLayouts: []string{"single", "perAz", "instance"}, AllowOpenAPIEndpoint: true,
			DeployRef: DeployRef{Branch: "main"},
			Database:  dbplan.Settings{InstanceClass: "db.t4g.micro", StorageGiB: 20, BackupRetentionDays: 1, ApplyImmediately: true},
			// dev keeps a week of dailies, in its region only.
			Backup: backupplan.Settings{Rules: []backupplan.Rule{{Name: "daily", Schedule: "cron(0 4 * * ? *)", DeleteAfterDays: 7}}}}},
		{EnvProd, Policy{Replicas: 2, MinReplicas: 2, Protect: true, ForceDestroy: false, KeepOnDestroy: true, VolumeReclaimPolicy: "Retain", KeyDeletionWindowDays: 30,
			ExternalDNSPolicy: "upsert-only", NATLayouts: []string{"perAz"},
			RequireAdmins: true, RequireReviewers: true, RequireReleaseTag: true, RequireEnvironmentSubjects: true, ProtectRepositories: true, DeployRef: DeployRef{Branch: "main"},
			// prod's databases survive an AZ, keep two weeks of recovery and refuse deletion.
			Database: dbplan.Settings{InstanceClass: "db.t4g.medium", StorageGiB: 50, MultiAZ: true, BackupRetentionDays: 14,
				DeletionProtection: true, FinalSnapshot: true},
			// prod keeps 35 days of dailies and 12 months of monthlies, both copied to a second
			// region; it cannot turn backups off, and may lock its vaults.
			Backup: backupplan.Settings{Rules: []backupplan.Rule{
				{Name: "daily", Schedule: "cron(0 4 * * ? *)", DeleteAfterDays: 35, Copy: true},
				{Name: "monthly", Schedule: "cron(0 4 1 * ? *)", DeleteAfterDays: 365, Copy: true},
			}, Required: true, VaultLock: true}}},
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
	v[GitHubOwnerKey], v[GitHubTokenKey] = "org", "ghp_x"
	secret := map[string]bool{GitHubTokenKey: true}
	if _, err := Decode("platform", "live", v, secret); err != nil {
		t.Fatalf("open endpoint accepted by name: %v", err)
	}
	v["platform:cluster"] = `{"adminRoleArns":["arn:aws:iam::111122223333:role/admin"],"publicAccessCidrs":["0.0.0.0/0"]}`
	if _, err := Decode("platform", "live", v, secret); err == nil || !strings.Contains(err.Error(), "platform:cluster.allowOpenEndpoint") {
		t.Errorf("open endpoint in prod without the key: %v", err)
	}
}

// Missing secrets fail with one error that lists the command for each; a secret in plain text
// is refused; the GitHub provider must act on platform:github.owner.
func TestSecretsAndGitHubProvider(t *testing.T) {
	t.Setenv("GITHUB_TOKEN", "")
	t.Setenv("GITHUB_OWNER", "")
	v := minimal()
	v["platform:environment"] = "dev"
	delete(v, "platform:backup") // dev copies nothing: it refuses a copy region
	v["platform:argocd"] = `{"clientId":"Ov23li","teams":["platform"]}`
	v["platform:github"] = `{"owner":"org","gitopsRepo":"g","infraRepo":"i","ciPolicyArns":["arn:aws:iam::aws:policy/ReadOnlyAccess"],"reviewerTeams":["leads"]}`
	v[GitHubOwnerKey] = "org"
	_, err := Decode("platform", "live", v, nil)
	msg := fmt.Sprint(err)
	for _, want := range []string{
		"github:token is not set (nor GITHUB_TOKEN)",
		"platform:argocdClientSecret is required when Argo CD is enabled",
		"set the missing secrets, then run again:\n  pulumi config set --secret github:token <",
		"\n  pulumi config set --secret platform:argocdClientSecret <",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	v[GitHubTokenKey], v[ArgoCDSecretKey] = "ghp_x", "s3cr3t"
	_, err = Decode("platform", "live", v, map[string]bool{ArgoCDSecretKey: true})
	if msg := fmt.Sprint(err); !strings.Contains(msg, "github:token must be a secret") || strings.Contains(msg, "argocdClientSecret must") {
		t.Errorf("plain token: %v", err)
	}
	secret := map[string]bool{ArgoCDSecretKey: true, GitHubTokenKey: true}
	if _, err := Decode("platform", "live", v, secret); err != nil {
		t.Fatalf("complete config: %v", err)
	}
	v[GitHubOwnerKey] = "someone-else"
	if _, err := Decode("platform", "live", v, secret); err == nil || !strings.Contains(err.Error(), `github:owner is "someone-else" but platform:github.owner is "org"`) {
		t.Errorf("owner mismatch: %v", err)
	}
	delete(v, GitHubOwnerKey)
	t.Setenv("GITHUB_OWNER", "org")
	if _, err := Decode("platform", "live", v, secret); err != nil {
		t.Errorf("owner from GITHUB_OWNER: %v", err)
	}
}

// A broad CI policy in prod only with the named key.
func TestBroadCIPoliciesInProd(t *testing.T) {
	v := minimal()
	v["platform:argocd"] = `{"enabled":false}`
	v[GitHubOwnerKey], v[GitHubTokenKey] = "org", "ghp_x"
	secret := map[string]bool{GitHubTokenKey: true}
	v["platform:github"] = `{"owner":"org","gitopsRepo":"g","infraRepo":"i","ciPolicyArns":["arn:aws:iam::aws:policy/AdministratorAccess"],"reviewerTeams":["leads"]}`
	if _, err := Decode("platform", "live", v, secret); err == nil || !strings.Contains(err.Error(), "AdministratorAccess is not allowed in prod") {
		t.Errorf("AdministratorAccess in prod: %v", err)
	}
	v["platform:github"] = `{"owner":"org","gitopsRepo":"g","infraRepo":"i","ciPolicyArns":["arn:aws:iam::aws:policy/AdministratorAccess"],"reviewerTeams":["leads"],"allowBroadCIPolicies":true}`
	if _, err := Decode("platform", "live", v, secret); err != nil {
		t.Errorf("accepted by name: %v", err)
	}
	// A customer policy that happens to share the name is not AWS's.
	v["platform:github"] = `{"owner":"org","gitopsRepo":"g","infraRepo":"i","ciPolicyArns":["arn:aws:iam::111122223333:policy/AdministratorAccess"],"reviewerTeams":["leads"]}`
	if _, err := Decode("platform", "live", v, secret); err != nil {
		t.Errorf("customer policy: %v", err)
	}
}
