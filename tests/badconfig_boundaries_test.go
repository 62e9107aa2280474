package tests

// Bad configurations of the tenant boundaries: names that would collide with the platform's or
// another team's, reach past a project or a host, a CI identity without its environment, and
// databases without a place of their own. Run by TestBadConfigFailsNamingTheKeyAndRegistersNothing.
func init() {
	const kArgo, kGitHub = "platform:argocd", "platform:github"
	badConfigs = append(badConfigs, []badConfig{
		{"team named kube", "dev", []mutation{edit(kTeams, "1.name", "kube"), edit(kTeams, "1.namespaces", []any{"search"})}, "platform:teams[1].name", `"kube" is reserved`},
		{"team named like the shared ingress group", "dev", []mutation{edit(kTeams, "1.name", "teams")}, "platform:teams[1].name", `"teams" is reserved`},
		{"team named by digits", "dev", []mutation{edit(kTeams, "1.name", "1234")}, "platform:teams[1].name", "starts with a letter"},
		{"team named like a platform host", "prod", []mutation{edit(kTeams, "1.name", "grafana")}, "platform:teams[1].name", "the platform's hosts argocd, grafana"},
		{"team name extending another's", "dev", []mutation{edit(kTeams, "1.name", "payments-search"), edit(kTeams, "1.policies", map[string]any{})}, "platform:teams[1].name", `starts with team "payments"'s name and "-"`},
		{"team namespace inside the platform's", "dev", []mutation{edit(kTeams, "1.namespaces.1", "apps-search")}, "platform:teams[1].namespaces[1]", "is inside platform:argocd.destinationNamespaces (apps-*)"},
		{"platform destination in kube-system", "dev", []mutation{edit(kArgo, "destinationNamespaces", []any{"apps-*", "kube-system"})}, "platform:argocd.destinationNamespaces[1]", "reaches the platform namespace kube-system"},
		{"platform destination pattern p*", "dev", []mutation{edit(kArgo, "destinationNamespaces", []any{"p*"})}, "platform:argocd.destinationNamespaces[0]", `prefixes ending in "-*"`},
		{"platform destination monitoring", "prod", []mutation{edit(kArgo, "destinationNamespaces", []any{"monitoring"})}, "platform:argocd.destinationNamespaces[0]", "reaches the platform namespace monitoring"},
		{"platform destination of Argo CD's apps", "dev", []mutation{edit(kArgo, "destinationNamespaces", []any{"argocd-*"})}, "platform:argocd.destinationNamespaces[0]", "reaches the platform namespace argocd-apps"},
		{"platform destination kube-*", "dev", []mutation{edit(kArgo, "destinationNamespaces", []any{"kube-*"})}, "platform:argocd.destinationNamespaces[0]", "reaches the platform namespace kube-system"},
		{"team host of the platform", "dev", []mutation{edit(kTeams, "1.hosts", []any{"argocd"})}, "platform:teams[1].hosts[0]", `"argocd" is the platform's`},
		{"team host named after another team", "dev", []mutation{edit(kTeams, "0.hosts", []any{"search"})}, "platform:teams[0].hosts[0]", `"search" is team "search"'s by its name`},
		{"team host of another team's prefix", "prod", []mutation{edit(kTeams, "0.hosts", []any{"search-ui"})}, "platform:teams[0].hosts[0]", `"search-ui" is team "search"'s by its name`},
		{"team host listed by two teams", "dev", []mutation{edit(kTeams, "0.hosts", []any{"find"})}, "platform:teams[1].hosts[0]", `"find" is already a host of team "payments"`},
		{"team host not a label", "dev", []mutation{edit(kTeams, "1.hosts", []any{"find.search"})}, "platform:teams[1].hosts[0]", "one DNS label under the stack's domain"},
		{"repository of two teams", "dev", []mutation{edit(kTeams, "1.repos", []any{"payments-api"})}, "platform:teams[1].repos[0]", `"payments-api" is already a repository of team "payments"`},
		{"prod CI from a branch", "prod", []mutation{edit(kGitHub, "ciSubjects", []any{"ref:refs/heads/main"})}, "platform:github.ciSubjects[0]", "not allowed in prod (platform:environment): a branch or tag subject skips the GitHub environment's reviewers"},
		{"prod CI from a tag", "prod", []mutation{edit(kGitHub, "ciSubjects", []any{"environment:prod", "ref:refs/tags/v1.0.0"})}, "platform:github.ciSubjects[1]", "use environment:prod"},
		{"databases without a slot", "dev", []mutation{edit(kTeams, "0.databaseSlot", nil)}, "platform:teams[0].databaseSlot", "is required for a team with databases: the place of its own database subnets in the VPC's database ranges (0 to 127), one per team and never changed; 0 is free"},
		{"database slot outside the ranges", "dev", []mutation{edit(kTeams, "0.databaseSlot", 128)}, "platform:teams[0].databaseSlot", "128 is outside the VPC's database ranges, which hold slots 0 to 127"},
		{"database slot negative", "dev", []mutation{edit(kTeams, "0.databaseSlot", -1)}, "platform:teams[0].databaseSlot", "-1 is outside the VPC's database ranges"},
		{"database slot of another team", "dev", []mutation{edit(kTeams, "1.databaseSlot", 0)}, "platform:teams[1].databaseSlot", `0 is already the slot of team "payments"`},
		{"database slot as a string", "dev", []mutation{edit(kTeams, "0.databaseSlot", "0")}, "platform:teams[0].databaseSlot", "must be an integer"},
		{"repositories protected without admins", "dev", []mutation{edit(kGitHub, "protectRepositories", true), edit(kArgo, "roles", map[string]any{"platform": "role:readonly", "developers": "role:readonly"})}, "platform:github.protectRepositories", "needs the platform's admin teams"},
		{"runner group not a bool", "prod", []mutation{edit(kGitHub, "runnerGroup", "yes")}, "platform:github.runnerGroup", "must be true or false"},
	}...)
}
