package dbplan

import (
	"fmt"
	"math"

	"github.com/example/platform/internal/iampolicy"
	"github.com/example/platform/internal/pricing"
)

// SecretsManagerStoreName is the SecretStore over Secrets Manager in a namespace that
// receives a database: the RDS-managed master secret is read through it.
const SecretsManagerStoreName = "team-secrets-manager"

// SecretsManagerStoreSpec reads Secrets Manager through the team's secrets role: the role's
// policy names each of the team's database secrets, so the store reaches no other team's.
func SecretsManagerStoreSpec(region, roleArn any) map[string]any {
	return map[string]any{"provider": map[string]any{"aws": map[string]any{
		"service": "SecretsManager", "region": region, "role": roleArn,
	}}}
}

// ConnectionSecretSpec is the ExternalSecret that turns the RDS-managed master secret (JSON
// with username and password) into a ready-to-use Secret: libpq's PG* variables and a
// DATABASE_URL, TLS required (the parameter group refuses anything else). secretArn and
// address are the instance's; RDS rotates the password and the next refresh picks it up.
// urlquery escapes every character RDS may put in a password (printable ASCII but '/', '"',
// '@' and space) so that userinfo decodes it back.
func ConnectionSecretSpec(i Instance, secretArn, address string) map[string]any {
	url := fmt.Sprintf("postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}@%s:%d/%s?sslmode=require", address, Port, i.DBName())
	return map[string]any{
		"refreshInterval": "1h",
		"secretStoreRef":  map[string]any{"kind": "SecretStore", "name": SecretsManagerStoreName},
		"target": map[string]any{
			"name":           i.SecretName(),
			"creationPolicy": "Owner",
			"deletionPolicy": "Retain",
			"template": map[string]any{
				"engineVersion": "v2",
				"data": map[string]any{
					"PGHOST":       address,
					"PGPORT":       fmt.Sprint(Port),
					"PGDATABASE":   i.DBName(),
					"PGUSER":       "{{ .username }}",
					"PGPASSWORD":   "{{ .password }}",
					"PGSSLMODE":    "require",
					"DATABASE_URL": url,
				},
			},
		},
		"dataFrom": []any{map[string]any{"extract": map[string]any{"key": secretArn}}},
	}
}

// SecretAccessPolicy lets a team's secrets role read its databases' RDS-managed secrets and
// decrypt them through Secrets Manager only.
func SecretAccessPolicy(region string, secretArns []string, keyArn string) iampolicy.Document {
	decrypt := iampolicy.Allow([]string{"kms:Decrypt"}, keyArn)
	decrypt.Condition = map[string]map[string][]string{"StringEquals": {"kms:ViaService": {fmt.Sprintf("secretsmanager.%s.amazonaws.com", region)}}}
	return iampolicy.New(
		iampolicy.Allow([]string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}, secretArns...),
		decrypt,
	)
}

// ConnectPolicy lets a team's workload role log in to a database with IAM, as the database
// user named after the team (the login Job `platform app new --database` writes creates it and
// grants it rds_iam).
func ConnectPolicy(connectArns []string) iampolicy.Document {
	return iampolicy.New(iampolicy.Allow([]string{"rds-db:connect"}, connectArns...))
}

// ConnectArn is the rds-db ARN of user on the instance whose resource id (db-...) is resourceID.
func ConnectArn(partition, region, account, resourceID, user string) string {
	return fmt.Sprintf("arn:%s:rds-db:%s:%s:dbuser:%s/%s", partition, region, account, resourceID, user)
}

// Alarm is a CloudWatch alarm on one of the instance's metrics.
type Alarm struct {
	Suffix      string
	Metric      string
	Comparison  string
	Threshold   float64
	Periods     int // of 5 minutes, all breaching
	Description string
}

// MaxConnections is RDS PostgreSQL's default max_connections for the class:
// LEAST(DBInstanceClassMemory/9531392, 5000). DBInstanceClassMemory is a little under the
// class's memory, so this is an upper bound.
func MaxConnections(class string) int {
	c := pricing.DBClasses[class]
	return min(int(c.MemoryGiB*(1<<30)/9531392), 5000)
}

// Alarms are the instance's alarms: storage below 10% free and connections above 80% of
// max_connections, both for 15 minutes (a blip is not a page).
func Alarms(i Instance) []Alarm {
	return []Alarm{
		{
			Suffix: "storage", Metric: "FreeStorageSpace", Comparison: "LessThanThreshold",
			Threshold: math.Round(float64(i.StorageGiB) * (1 << 30) * 0.10), Periods: 3,
			Description: fmt.Sprintf("%s: less than 10%% of %d GiB free (storage autoscaling grows it up to %d GiB; past that, writes fail)",
				i.Identifier(), i.StorageGiB, i.MaxAllocatedStorageGiB()),
		},
		{
			Suffix: "connections", Metric: "DatabaseConnections", Comparison: "GreaterThanThreshold",
			Threshold: math.Floor(float64(MaxConnections(i.InstanceClass)) * 0.8), Periods: 3,
			Description: fmt.Sprintf("%s: more than 80%% of its %d connections in use (new connections will be refused)",
				i.Identifier(), MaxConnections(i.InstanceClass)),
		},
	}
}
