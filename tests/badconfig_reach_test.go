package tests

// Bad configurations of how teams reach AWS: the interface endpoints a stack may have, and a
// team without internet egress whose policies use a service it could not reach (refused here,
// or its SDK's calls would time out at run time). Dev's search has no internet egress and reads
// S3, which its gateway endpoint serves. Run by TestBadConfigFailsNamingTheKeyAndRegistersNothing.
func init() {
	const doc = "1.policies.document"
	const endpoints = "platform:network.endpoints"
	uses := func(action, resource string) mutation {
		return edit(kTeams, doc, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"`+action+`","Resource":"`+resource+`"}]}`)
	}
	managed := func(name string) mutation {
		return edit(kTeams, "1.policies", map[string]any{"managedPolicyArns": []any{"arn:aws:iam::aws:policy/" + name}})
	}
	const param = "arn:aws:ssm:eu-north-1:111122223333:parameter/platform-dev/teams/search/*"
	badConfigs = append(badConfigs, []badConfig{
		{"an endpoint the platform does not offer", "dev", []mutation{edit(kNet, "endpoints", []any{"sqs"})}, endpoints + "[0]", `"sqs" is not an endpoint the platform offers; use one of ecr.api`},
		{"an interface endpoint for S3", "dev", []mutation{edit(kNet, "endpoints", []any{"s3"})}, endpoints + "[0]", `"s3" needs no interface endpoint`},
		{"an endpoint twice", "dev", []mutation{edit(kNet, "endpoints", []any{"sts", "sts"})}, endpoints + "[1]", `"sts" is listed twice`},
		{"endpoints with a hand-made layout", "dev", []mutation{edit(kNet, "endpoints", []any{"sts"}), edit(kNet, "subnets", map[string]any{
			"public": []any{"10.10.128.0/22", "10.10.132.0/22"}, "private": []any{"10.10.0.0/19", "10.10.32.0/19"}, "database": []any{"10.10.224.0/21", "10.10.232.0/21"}})},
			endpoints, "needs the computed subnet layout"},
		{"parameters without internet or endpoint", "dev", []mutation{uses("ssm:GetParameter", param)}, endpoints,
			`lacks "ssm" (for ssm), which team search's policies need without internet egress (platform:teams[1].internetEgress is false)`},
		{"secrets without internet or endpoint", "dev", []mutation{uses("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:eu-north-1:111122223333:secret:platform-dev/teams/search/*")},
			endpoints, `lacks "secretsmanager" (for secretsmanager), which team search's`},
		{"logs without internet or endpoint", "dev", []mutation{uses("logs:PutLogEvents", "arn:aws:logs:eu-north-1:111122223333:log-group:/platform-dev/teams/search/*")},
			endpoints, `lacks "logs" (for logs), which team search's`},
		{"metrics without internet or endpoint", "dev", []mutation{uses("cloudwatch:PutMetricData", "*")}, endpoints, `lacks "monitoring" (for cloudwatch), which team search's`},
		{"tables without internet", "dev", []mutation{uses("dynamodb:GetItem", "arn:aws:dynamodb:eu-north-1:111122223333:table/platform-dev-search-index")},
			"platform:teams[1].internetEgress", "is false, yet team search's policies use dynamodb, which no VPC endpoint of the platform serves"},
		{"Route53 reads without internet", "dev", []mutation{managed("AmazonRoute53ReadOnlyAccess")}, "platform:teams[1].internetEgress", "use route53, which no VPC endpoint"},
		{"image reads without internet or endpoint", "dev", []mutation{managed("AmazonEC2ContainerRegistryReadOnly")}, endpoints, `lacks "ecr.api" (for ecr), which team search's`},
		{"the CloudWatch agent without internet or endpoints", "dev", []mutation{managed("CloudWatchAgentServerPolicy")}, endpoints, `lacks "logs" (for logs), "monitoring" (for cloudwatch), "ssm" (for ssm), which team search's`},
	}...)
}

// Bad chart mirrors (platform:helm.repository).
func init() {
	const key = "platform:helm.repository"
	repo := func(r string) []mutation { return []mutation{set("platform:helm", str(`{"repository":"`+r+`"}`))} }
	badConfigs = append(badConfigs, []badConfig{
		{"a mirror that is not a chart repository", "dev", repo("ftp://charts.example.org/"), key, `the scheme must be https, http or oci`},
		{"a mirror without a host", "dev", repo("https:///charts"), key, "has no host"},
		{"a mirror with credentials", "dev", repo("https://user:secret@charts.example.org/"), key, "carries credentials, a query or a fragment"},
		{"a plain-HTTP mirror in prod", "prod", repo("http://charts.example.org/"), key, "is plain HTTP, which prod"},
		{"an OCI mirror ending with a slash", "dev", repo("oci://123456789012.dkr.ecr.eu-north-1.amazonaws.com/helm/"), key, "ends with a /"},
	}...)
}
