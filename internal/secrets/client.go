package secrets

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/example/platform/internal/contract"
)

// Client is how the command reaches SSM: in the stack's region (not the profile's), with the
// ambient credentials (environment, profile, SSO), or as RoleArn assumed with them. The SDK's
// own endpoint settings apply (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SSM; the tests point them
// at a local SSM).
type Client struct {
	Region string
	// RoleArn, when set, is the team's secrets writer role (the teams output's
	// secretsWriterRole), assumed for the command's calls only.
	RoleArn string
	// SessionName names the assumed session in CloudTrail.
	SessionName string
}

// New returns the SSM API of c.
func (c Client) New(ctx context.Context) (API, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(c.Region))
	if err != nil {
		return nil, fmt.Errorf("AWS credentials: %w", err)
	}
	if c.RoleArn != "" {
		provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), c.RoleArn, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = c.SessionName
		})
		cfg.Credentials = aws.NewCredentialsCache(provider)
	}
	return ssm.NewFromConfig(cfg), nil
}

var roleArn = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role(/[\x21-\x7e]+)?/[\w+=,.@-]{1,64}$`)

// ValidateRoleArn accepts an IAM role ARN directly under the stack's team roles' path
// (/<cluster>/teams/), where the writer roles are: not under the secrets roles' path below it.
func ValidateRoleArn(arn, cluster string) error {
	path := contract.TeamRolePath(cluster)
	if !roleArn.MatchString(arn) {
		return fmt.Errorf("%q is not an IAM role ARN; use the team's secretsWriterRole output, e.g. arn:aws:iam::111122223333:role%steams-payments-writer-role-0a1b2c3", arn, path)
	}
	_, name, ok := strings.Cut(arn, ":role"+path)
	if !ok || strings.Contains(name, "/") {
		return fmt.Errorf("%q is not a team role of cluster %s (path %s); use the team's secretsWriterRole output", arn, cluster, path)
	}
	return nil
}
