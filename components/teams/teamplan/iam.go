package teamplan

import (
	"fmt"
	"strings"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
)

// SecretsRolePath is the IAM path of the teams' secrets roles: External Secrets may assume
// roles under it and nothing else.
func SecretsRolePath(cluster string) string { return contract.TeamSecretsRolePath(cluster) }

// SecretsTrust lets the External Secrets controller's role, and nothing else, assume a
// team's secrets role. A SecretStore may ask for session tags (spec.provider.aws.sessionTags),
// and a session tag overrides the role's tag of the same key: the team tag
// (contract.TeamTag), which the team boundary reads, is refused, so no SecretStore can make
// its team's role another team's.
func SecretsTrust(controllerRoleArn string) iampolicy.Document {
	principal := map[string][]string{"AWS": {controllerRoleArn}}
	return iampolicy.New(iampolicy.Statement{
		Effect: "Allow", Principal: principal, Action: []string{"sts:AssumeRole"},
	}, iampolicy.Statement{
		Effect: "Allow", Principal: principal, Action: []string{"sts:TagSession"},
		Condition: map[string]map[string][]string{"ForAllValues:StringNotEquals": {"aws:TagKeys": {contract.TeamTag}}},
	})
}

// SecretsPolicy reads the team's parameters (/<cluster>/teams/<team>/) and Secrets Manager
// secrets (<cluster>/teams/<team>/), decrypting with the platform key through those services
// only: never the platform's or another team's.
func SecretsPolicy(a contract.Account, cluster, team, keyArn string) iampolicy.Document {
	params := fmt.Sprintf("arn:%s:ssm:%s:%s:parameter%s*", a.Partition, a.Region, a.ID, contract.TeamParameterPath(cluster, team))
	secrets := fmt.Sprintf("arn:%s:secretsmanager:%s:%s:secret:%s*", a.Partition, a.Region, a.ID, contract.TeamSecretsManagerPrefix(cluster, team))
	decrypt := iampolicy.Allow([]string{"kms:Decrypt"}, keyArn)
	decrypt.Condition = map[string]map[string][]string{"StringEquals": {"kms:ViaService": {
		fmt.Sprintf("ssm.%s.amazonaws.com", a.Region), fmt.Sprintf("secretsmanager.%s.amazonaws.com", a.Region)}}}
	return iampolicy.New(
		iampolicy.Allow([]string{"ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"}, params),
		iampolicy.Allow([]string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"}, secrets),
		decrypt,
	)
}

// SecretsWriterTrust lets the team's members, by their access roles (AccessRoleArns, the
// same principals its EKS access entries name), and no one else assume the team's secrets
// writer role. sts:SetSourceIdentity: a member's session that carries a source identity (an
// identity center user name) keeps it through the role, and AWS refuses the assumption unless
// the trust allows setting it. Session tags are allowed except the team tag
// (contract.TeamTag), which the team boundary reads: as with the secrets role, no session can
// make the role another team's. A team without access roles gets no writer role: nobody
// could assume it.
func SecretsWriterTrust(accessRoleArns []string) iampolicy.Document {
	principal := map[string][]string{"AWS": accessRoleArns}
	return iampolicy.New(iampolicy.Statement{
		Effect: "Allow", Principal: principal, Action: []string{"sts:AssumeRole", "sts:SetSourceIdentity"},
	}, iampolicy.Statement{
		Effect: "Allow", Principal: principal, Action: []string{"sts:TagSession"},
		Condition: map[string]map[string][]string{"ForAllValues:StringNotEquals": {"aws:TagKeys": {contract.TeamTag}}},
	})
}

// SecretsWriterPolicy puts, reads and deletes the team's parameters (/<cluster>/teams/<team>/)
// and nothing else, encrypting and decrypting with the platform key through SSM only.
//   - GetParametersByPath is authorized on the path asked for: the team's path itself
//     (/<cluster>/teams/<team>, as `platform secret list` asks with its trailing "/" or without)
//     and any path under it.
//   - No ssm:DescribeParameters: it takes no resource (IAM cannot scope it), so it would name
//     every parameter of the account and region, other teams' and the platform's included
//     (names and metadata, never values); the team boundary refuses it anyway, and listing the
//     team's path needs only GetParametersByPath.
//   - KMS: standard SecureString parameters are encrypted with kms:Encrypt and decrypted with
//     kms:Decrypt, advanced ones with a data key (kms:GenerateDataKey); kms:ViaService keeps the
//     key to requests SSM makes for the role, so the role never encrypts or decrypts directly.
//     SSM also puts the parameter's ARN in the encryption context (PARAMETER_ARN), but the IAM
//     engine the policy is proven with ignores kms:EncryptionContext:PARAMETER_ARN, so the
//     policy does not rely on it: SSM encrypts only for a parameter the role may put.
func SecretsWriterPolicy(a contract.Account, cluster, team, keyArn string) iampolicy.Document {
	path := contract.TeamParameterPath(cluster, team)
	param := func(p string) string {
		return fmt.Sprintf("arn:%s:ssm:%s:%s:parameter%s", a.Partition, a.Region, a.ID, p)
	}
	write := iampolicy.Allow([]string{"ssm:PutParameter", "ssm:DeleteParameter", "ssm:DeleteParameters",
		"ssm:GetParameter", "ssm:GetParameters"}, param(path+"*"))
	write.Sid = "TeamParameters"
	list := iampolicy.Allow([]string{"ssm:GetParametersByPath"}, param(strings.TrimSuffix(path, "/")), param(path+"*"))
	list.Sid = "ListTeamParameters"
	key := iampolicy.Allow([]string{"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"}, keyArn)
	key.Sid = "KeyThroughSSM"
	key.Condition = map[string]map[string][]string{"StringEquals": {"kms:ViaService": {fmt.Sprintf("ssm.%s.amazonaws.com", a.Region)}}}
	return iampolicy.New(write, list, key)
}

// PushTrust lets only the named workflows (PushSubjects) assume a team's push role: the
// audience pinned, the subjects matched exactly.
func PushTrust(providerArn string, subjects []string, host, audience string) iampolicy.Document {
	return iampolicy.New(iampolicy.Statement{
		Effect:    "Allow",
		Principal: map[string][]string{"Federated": {providerArn}},
		Action:    []string{"sts:AssumeRoleWithWebIdentity"},
		Condition: map[string]map[string][]string{
			"StringEquals": {host + ":aud": {audience}, host + ":sub": subjects},
		},
	})
}

// PushPolicy pushes to the team's repositories only (the login token is account-wide by AWS's
// design: it grants nothing by itself).
func PushPolicy(repositoryArns []string) iampolicy.Document {
	return iampolicy.New(
		iampolicy.Allow([]string{"ecr:GetAuthorizationToken"}, "*"),
		iampolicy.Allow([]string{
			"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload", "ecr:DescribeImages",
			"ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart",
		}, repositoryArns...),
	)
}
