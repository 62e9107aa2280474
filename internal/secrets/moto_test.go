package secrets

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/example/platform/internal/secrets/mototest"
)

// rawSSM reads what the command wrote, with the ambient (moto) environment.
func rawSSM(t *testing.T, region string) *ssm.Client {
	t.Helper()
	cfg, err := awsconfig.LoadDefaultConfig(context.Background(), awsconfig.WithRegion(region))
	if err != nil {
		t.Fatal(err)
	}
	return ssm.NewFromConfig(cfg)
}

// Put and List against moto's SSM, through Client (the stack's region, the environment's
// endpoint, with and without a role to assume).
func TestPutAndListAgainstMoto(t *testing.T) {
	mototest.Start(t)
	ctx := context.Background()
	const region = "eu-north-1"
	for _, roleArn := range []string{"", "arn:aws:iam::123456789012:role/c1/teams/teams-a-writer-role-0a1b2c3"} {
		t.Run(fmt.Sprintf("role %q", roleArn), func(t *testing.T) {
			cluster := "c1"
			if roleArn == "" {
				cluster = "c2" // each subtest its own parameters
			}
			api, err := Client{Region: region, RoleArn: roleArn, SessionName: "platform-secret-test"}.New(ctx)
			if err != nil {
				t.Fatal(err)
			}
			name, v, err := Put(ctx, api, Secret{Cluster: cluster, Team: "a", Name: "app/DB_PASSWORD", Value: "s3cret"})
			if err != nil || name != "/"+cluster+"/teams/a/app/DB_PASSWORD" || v != 1 {
				t.Fatalf("put: %s version %d, %v", name, v, err)
			}
			// Again without Overwrite: refused, the value kept.
			if _, _, err := Put(ctx, api, Secret{Cluster: cluster, Team: "a", Name: "app/DB_PASSWORD", Value: "other"}); err == nil || !errors.Is(err, ErrExists) {
				t.Errorf("a second put without overwrite: %v", err)
			}
			if _, v, err := Put(ctx, api, Secret{Cluster: cluster, Team: "a", Name: "app/DB_PASSWORD", Value: "n3w", Overwrite: true}); err != nil || v != 2 {
				t.Errorf("overwrite: version %d, %v", v, err)
			}
			// Another team's (a name prefixing another: "ab") and a deeper name.
			for _, s := range []Secret{{Cluster: cluster, Team: "ab", Name: "x", Value: "b"}, {Cluster: cluster, Team: "a", Name: "app/nested/KEY.v1", Value: "c"}} {
				if _, _, err := Put(ctx, api, s); err != nil {
					t.Fatal(err)
				}
			}
			raw := rawSSM(t, region)
			got, err := raw.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
			if err != nil || aws.ToString(got.Parameter.Value) != "n3w" || got.Parameter.Type != "SecureString" {
				t.Fatalf("stored %+v, %v", got, err)
			}
			// moto "encrypts" as kms:<key id>:<value>: the key is the cluster's secrets key's alias.
			enc, err := raw.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(false)})
			if err != nil || aws.ToString(enc.Parameter.Value) != "kms:"+KeyAlias(cluster)+":n3w" {
				t.Errorf("encrypted value %q, %v: not with %s", aws.ToString(enc.Parameter.Value), err, KeyAlias(cluster))
			}
			entries, err := List(ctx, api, cluster, "a")
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 2 || entries[0].Name != "app/DB_PASSWORD" || entries[0].Version != 2 || entries[0].Type != "SecureString" ||
				entries[0].LastModified.IsZero() || entries[1].Name != "app/nested/KEY.v1" {
				t.Errorf("listed %+v: want a's two parameters, not ab's", entries)
			}
		})
	}
}

// Bad input is refused before any call: the API is never asked.
func TestPutRefusesBadNamesWithoutACall(t *testing.T) {
	for _, name := range []string{"", "/abs", "trailing/", "a//b", "../b/x", "a/../b", "a/./b", "sp ace", "a$b", "ünï"} {
		if _, _, err := Put(context.Background(), panicAPI{t}, Secret{Cluster: "c", Team: "a", Name: name, Value: "v"}); err == nil {
			t.Errorf("%q was accepted", name)
		}
	}
}

type panicAPI struct{ t *testing.T }

func (p panicAPI) PutParameter(context.Context, *ssm.PutParameterInput, ...func(*ssm.Options)) (*ssm.PutParameterOutput, error) {
	p.t.Fatal("PutParameter was called")
	return nil, nil
}

func (p panicAPI) GetParametersByPath(context.Context, *ssm.GetParametersByPathInput, ...func(*ssm.Options)) (*ssm.GetParametersByPathOutput, error) {
	p.t.Fatal("GetParametersByPath was called")
	return nil, nil
}
