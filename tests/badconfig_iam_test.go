package tests

// Bad configurations of the IAM boundaries: team policy documents that reach past their team
// (every one is also outside the team boundary, which tests/iam_team_test.go proves with the IAM
// engine; config refuses them first, naming the statement), team names that would share the
// platform's resources, and a stack whose resources would not carry its tag. Run by
// TestBadConfigFailsNamingTheKeyAndRegistersNothing.
func init() {
	const doc = "1.policies.document"
	const key = "platform:teams[1].policies.document"
	statement := func(s string) string { return `{"Version":"2012-10-17","Statement":[` + s + `]}` }
	policy := func(s string) []mutation { return []mutation{edit(kTeams, doc, statement(s))} }
	allow := func(actions, resources string) []mutation {
		return policy(`{"Effect":"Allow","Action":` + actions + `,"Resource":` + resources + `}`)
	}
	notMine := func(arn string) string { return `names "` + arn + `", which is not the team's` }
	badConfigs = append(badConfigs, []badConfig{
		{"team policy with NotResource", "dev", policy(`{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::platform-dev-loki-*"}`), key, "team search's statement 1 uses NotResource"},
		{"team policy with NotAction", "dev", policy(`{"Effect":"Allow","NotAction":"iam:*","Resource":"arn:aws:s3:::platform-dev-search-index/*"}`), key, "team search's statement 1 uses NotAction"},
		{"team policy naming a principal", "dev", policy(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::platform-dev-search-index/*"}`), key, "names a principal"},
		{"team policy on another team's parameters", "dev", allow(`"ssm:GetParameter"`, `"arn:aws:ssm:eu-north-1:111122223333:parameter/platform-dev/teams/payments/*"`), key,
			notMine("arn:aws:ssm:eu-north-1:111122223333:parameter/platform-dev/teams/payments/*")},
		{"team policy on the platform's parameters", "dev", allow(`"ssm:GetParametersByPath"`, `"arn:aws:ssm:eu-north-1:111122223333:parameter/platform-dev/platform/*"`), key,
			notMine("arn:aws:ssm:eu-north-1:111122223333:parameter/platform-dev/platform/*")},
		{"team policy on databases' master secrets", "dev", allow(`"secretsmanager:GetSecretValue"`, `"arn:aws:secretsmanager:eu-north-1:111122223333:secret:rds!*"`), key,
			notMine("arn:aws:secretsmanager:eu-north-1:111122223333:secret:rds!*")},
		{"team policy on the logs bucket", "dev", allow(`"s3:GetObject"`, `"arn:aws:s3:::platform-dev-loki-*/*"`), key, notMine("arn:aws:s3:::platform-dev-loki-*/*")},
		{"team policy on its namesake in prod", "dev", allow(`"s3:GetObject"`, `"arn:aws:s3:::platform-prod-search-index/*"`), key, notMine("arn:aws:s3:::platform-prod-search-index/*")},
		{"team policy on another team's images", "dev", allow(`"ecr:BatchGetImage"`, `"arn:aws:ecr:eu-north-1:111122223333:repository/platform-dev/payments/*"`), key,
			notMine("arn:aws:ecr:eu-north-1:111122223333:repository/platform-dev/payments/*")},
		{"team policy granting cluster access", "dev", allow(`"eks:CreateAccessEntry"`, `"*"`), key, `allows "eks:CreateAccessEntry": a team's role uses s3, ssm`},
		{"team policy opening instance metadata", "dev", allow(`"ec2:ModifyInstanceMetadataOptions"`, `"*"`), key, `allows "ec2:ModifyInstanceMetadataOptions": a team's role uses s3, ssm`},
		{"team policy with a misspelt action", "dev", allow(`"s3:GetObjekt"`, `"arn:aws:s3:::platform-dev-search-index/*"`), key, `allows "s3:GetObjekt", which is no action of s3`},
		{"team policy with every resource", "dev", allow(`"s3:GetObject"`, `"*"`), key, `names Resource "*": name the team's resources (arn:aws:s3:::platform-dev-search-*`},
		{"team policy in another region", "dev", allow(`"ssm:GetParameter"`, `"arn:aws:ssm:us-east-1:111122223333:parameter/platform-dev/teams/search/*"`), key, "outside the stack's partition, region or account"},
		{"team policy decrypting directly", "dev", allow(`"kms:Decrypt"`, `"*"`), key, `allows "kms:Decrypt": a team's role uses s3, ssm`},
		{"team policy on a queue", "dev", allow(`"sqs:SendMessage"`, `"arn:aws:sqs:eu-north-1:111122223333:platform-dev-search-jobs"`), key, `allows "sqs:SendMessage": a team's role uses s3, ssm`},
		{"team named like the logs bucket", "dev", []mutation{edit(kTeams, "1.name", "loki")}, "platform:teams[1].name", `"loki" is reserved`},
		{"team named like the traces bucket", "dev", []mutation{edit(kTeams, "1.name", "tempo")}, "platform:teams[1].name", `"tempo" is reserved`},
		{"default tags without the stack tag", "dev", []mutation{set(kDefaultTags, str(`{"tags":{"platform:stack":"dev"}}`))}, kDefaultTags, "lacks the tag platform:cluster: platform-dev"},
		{"default tags naming another cluster", "prod", []mutation{set(kDefaultTags, str(`{"tags":{"platform:cluster":"platform-dev"}}`))}, kDefaultTags + ".tags.platform:cluster",
			`is "platform-dev", but the cluster is "platform-prod"`},
		{"no default tags", "dev", []mutation{set(kDefaultTags, nil)}, kDefaultTags, "lacks the tag platform:cluster"},
	}...)
}
