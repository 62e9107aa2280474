package contract

import "fmt"

// What a team's roles may reach in AWS: its own resources, named by the stack's cluster and the
// team's name. The team boundary (components/boundary) allows exactly these, for the team of
// the role (team "${aws:PrincipalTag/platform-team}"); a team's policy document may name only
// these (components/teams/teamplan), for its own team. Resources a team creates outside the
// program (a bucket, a queue) must be named with its prefix, <cluster>-<team>-.

// TeamServices are the services a team's roles may use, each reaching the team's resources
// only (TeamResources), plus what needs no resource. SQS and SNS are not among them yet: their
// ARNs carry a queue's or topic's name as the whole resource, with no type before it, and
// the IAM engine the team boundary is proven with (iam-simulate) cannot read the boundary's
// ${aws:PrincipalTag/...} variable there; an unproven boundary is not offered.
var TeamServices = []string{"s3", "ssm", "secretsmanager", "dynamodb", "ecr", "logs", "rds-db", "cloudwatch", "route53", "kms", "sts"}

// TeamResources are the ARN patterns of team's resources, by service. region and account may
// be "*" where they are not known (config validation).
func TeamResources(a Account, cluster, team string) map[string][]string {
	regional := func(service, resource string) string {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", a.Partition, service, a.Region, a.ID, resource)
	}
	prefix := cluster + "-" + team + "-"
	return map[string][]string{
		// Buckets named <cluster>-<team>-..., and their objects.
		"s3":             {fmt.Sprintf("arn:%s:s3:::%s*", a.Partition, prefix)},
		"ssm":            {regional("ssm", "parameter"+TeamParameterPath(cluster, team)+"*")},
		"secretsmanager": {regional("secretsmanager", "secret:"+TeamSecretsManagerPrefix(cluster, team)+"*")},
		// Tables, and their indexes and streams.
		"dynamodb": {regional("dynamodb", "table/"+prefix+"*")},
		"ecr":      {regional("ecr", "repository/"+cluster+"/"+team+"/*")},
		"logs":     {regional("logs", "log-group:"+TeamLogGroupPrefix(cluster, team)+"*")},
		// IAM database login as the team's user, on any of the stack's databases (RDS names
		// them by resource id, which the program learns only once they exist).
		"rds-db": {regional("rds-db", "dbuser:*/"+team)},
	}
}

// TeamLogGroupPrefix is where a team's CloudWatch log groups are named: /<cluster>/teams/<team>/.
func TeamLogGroupPrefix(cluster, team string) string { return "/" + cluster + "/teams/" + team + "/" }

// TeamDatabasePrefix is the identifier prefix of a team's databases, <cluster>-<team>-.
func TeamDatabasePrefix(cluster, team string) string { return cluster + "-" + team + "-" }
