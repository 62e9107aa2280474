package teamplan

import (
	"fmt"

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
