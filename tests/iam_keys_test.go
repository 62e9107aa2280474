package tests

import (
	"encoding/json"
	"strings"
	"testing"
)

// The stack's keys as KMS judges a request to them: the key's own policy from the plan is the
// resource policy, and the caller is CloudWatch Logs, which uses the key as its own service
// principal (no identity policy of ours is involved). CloudWatch Logs refuses to associate a
// key whose policy does not let it encrypt for the group, so a missing capability here is a
// failed `up`; an allowed attack is another log group, or another stack, using this stack's key.
const encryptionContextKey = "kms:EncryptionContext:aws:logs:arn"

func TestKeyPoliciesAgainstTheIAMEngine(t *testing.T) {
	p := stackPlan(t, "dev")
	keyPolicy := func(name string) (string, json.RawMessage) {
		k := p.named(t, "aws:kms/key:Key", name)
		pol := getString(k, "policy")
		if pol == "" {
			t.Fatalf("%s has no explicit key policy", name)
		}
		return simArn("kms", simRegion, "key/"+k.ID), json.RawMessage(pol)
	}
	logsKey, logsPolicy := keyPolicy("logs-key")
	logs := iamPrincipal{Arn: "logs." + simRegion + ".amazonaws.com"}
	// iam-simulate (0.1.173) matches a service condition key with a variable only when the
	// variable follows a "/": it drops kms:EncryptionContext:aws:logs:arn from the request
	// (reported as an ignored context key), so the statement could never match and every
	// capability would be denied for that reason alone. The engine is asked with the key
	// renamed to aws:SourceArn, a global ARN key it evaluates, in the policy and in the request
	// alike: the ArnLike test, and everything else, is still the engine's.
	logsPolicy = json.RawMessage(strings.ReplaceAll(string(logsPolicy), encryptionContextKey, "aws:SourceArn"))
	if !strings.Contains(string(logsPolicy), "aws:SourceArn") {
		t.Fatalf("the logs key's policy has no %s condition: %s", encryptionContextKey, logsPolicy)
	}
	withGroup := func(name string) map[string]any {
		return ctx("aws:SourceArn", simArn("logs", simRegion, "log-group:"+name))
	}

	// Every log group of the plan is encrypted with the logs key, and CloudWatch Logs may use
	// the key for each of them.
	var caps []probe
	for _, g := range p.ofType("aws:cloudwatch/logGroup:LogGroup") {
		name := getString(g, "name")
		if name == "" { // a name prefix: Pulumi adds 8 characters
			name = getString(g, "namePrefix") + "0a1b2c3d"
		}
		if got := getString(g, "kmsKeyId"); !strings.HasSuffix(got, "key/"+p.named(t, "aws:kms/key:Key", "logs-key").ID) {
			t.Errorf("log group %s is encrypted with %q, not the stack's logs key", g.Name, got)
		}
		for _, action := range []string{"kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt"} {
			caps = append(caps, probe{name: action + " for " + name, action: action, resource: logsKey, context: withGroup(name), keyPolicy: logsPolicy})
		}
	}
	if len(caps) < 3*3 {
		t.Fatalf("only %d capabilities: the plan lacks its log groups", len(caps))
	}
	expectAll(t, "CloudWatch Logs", logs, caps, true)

	secretsKey, secretsPolicy := keyPolicy("cluster-secrets-key")
	dbKey, dbPolicy := keyPolicy("databases-key")
	attacks := []probe{
		{name: "encrypt prod's control-plane logs", action: "kms:GenerateDataKey", resource: logsKey, context: withGroup("/aws/eks/platform-prod/cluster"), keyPolicy: logsPolicy},
		{name: "encrypt prod's databases' logs", action: "kms:GenerateDataKey", resource: logsKey, context: withGroup("/aws/rds/instance/platform-prod-payments-ledger/postgresql"), keyPolicy: logsPolicy},
		{name: "encrypt another group of the account", action: "kms:GenerateDataKey", resource: logsKey, context: withGroup("/aws/lambda/billing"), keyPolicy: logsPolicy},
		{name: "decrypt another account's group", action: "kms:Decrypt", resource: logsKey,
			context: ctx("aws:SourceArn", "arn:aws:logs:"+simRegion+":999999999999:log-group:/aws/eks/platform-dev/cluster"), keyPolicy: logsPolicy},
		{name: "encrypt without a log group", action: "kms:GenerateDataKey", resource: logsKey, keyPolicy: logsPolicy},
		{name: "change the key's policy", action: "kms:PutKeyPolicy", resource: logsKey, keyPolicy: logsPolicy},
		{name: "delete the key", action: "kms:ScheduleKeyDeletion", resource: logsKey, keyPolicy: logsPolicy},
		{name: "grant itself the key", action: "kms:CreateGrant", resource: logsKey, context: withGroup("/aws/eks/platform-dev/cluster"), keyPolicy: logsPolicy},
		{name: "decrypt with the cluster's secrets key", action: "kms:Decrypt", resource: secretsKey, context: withGroup("/aws/eks/platform-dev/cluster"), keyPolicy: secretsPolicy},
		{name: "decrypt with the databases' key", action: "kms:Decrypt", resource: dbKey, context: withGroup("/aws/rds/instance/platform-dev-payments-ledger/postgresql"), keyPolicy: dbPolicy},
	}
	expectAll(t, "CloudWatch Logs", logs, attacks, false)
	// CloudWatch Logs of another region is another principal.
	expectAll(t, "CloudWatch Logs of us-east-1", iamPrincipal{Arn: "logs.us-east-1.amazonaws.com"}, caps[:1], false)
}
