package contract

import (
	"fmt"

	"github.com/example/platform/internal/iampolicy"
)

// KMS keys: every key of a stack carries an explicit key policy, never KMS's implicit
// default, so that what may use a key is written in the plan and checked by the IAM engine
// (tests/iam_keys_test.go) instead of assumed.

// KeyPolicy is a stack key's policy: the account root with kms:* (KMS's own default, which
// lets the account's IAM policies decide for the account's principals: the CI role's deploy
// policy, the cluster and database service roles' grants), plus the statements of the services
// that use the key as their own principal (services acting for a caller, such as RDS or EKS,
// use the caller's IAM permissions and a grant, and need no statement).
func (a Account) KeyPolicy(services ...iampolicy.Statement) iampolicy.Document {
	root := iampolicy.Statement{
		Sid: "AccountPrincipalsByTheirIAMPolicies", Effect: "Allow",
		Principal: map[string][]string{"AWS": {fmt.Sprintf("arn:%s:iam::%s:root", a.Partition, a.ID)}},
		Action:    []string{"kms:*"}, Resource: []string{"*"},
	}
	return iampolicy.New(append([]iampolicy.Statement{root}, services...)...)
}

// LogsKeyStatement lets CloudWatch Logs of the stack's region encrypt and decrypt with the
// key for the named log groups only (name patterns, "*" allowed): CloudWatch Logs puts the log
// group's ARN in the encryption context of every request, and refuses to associate a key
// whose policy does not allow it.
func (a Account) LogsKeyStatement(groups ...string) iampolicy.Statement {
	var arns []string
	for _, g := range groups {
		arns = append(arns, a.LogGroupArn(g))
	}
	return iampolicy.Statement{
		Sid: "CloudWatchLogsOfThisStack", Effect: "Allow",
		Principal: map[string][]string{"Service": {"logs." + a.Region + ".amazonaws.com"}},
		Action: []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo",
			"kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext"},
		Resource:  []string{"*"},
		Condition: map[string]map[string][]string{"ArnLike": {"kms:EncryptionContext:aws:logs:arn": arns}},
	}
}

// LogGroupArn is a log group's ARN as CloudWatch Logs puts it in an encryption context (no
// trailing ":*").
func (a Account) LogGroupArn(name string) string {
	return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", a.Partition, a.Region, a.ID, name)
}

// ControlPlaneLogGroup is the log group EKS writes the cluster's control-plane logs to.
func ControlPlaneLogGroup(cluster string) string { return "/aws/eks/" + cluster + "/cluster" }

// DatabaseLogGroups matches the log groups RDS exports the stack's databases' logs to (every
// instance identifier starts with the cluster's name).
func DatabaseLogGroups(cluster string) string { return "/aws/rds/instance/" + cluster + "-*" }

// FlowLogGroupPrefix is the name prefix of the network component's flow-log group. It names
// the component, not the cluster, for the groups created before keys existed: renaming would
// replace the group and lose its logs.
func FlowLogGroupPrefix(network string) string { return "/platform/" + network + "/flow-logs-" }

// LogsKeyAlias is the alias of the stack's logs key.
func LogsKeyAlias(cluster string) string { return "alias/" + cluster + "-logs" }
