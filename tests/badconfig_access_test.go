package tests

// Bad configurations of Session Manager access (platform:access, components/access): an
// instance type its arm64 AMI cannot boot, a private-only endpoint with no way in, a cluster
// name SSM refuses to name documents after. Run by
// TestBadConfigFailsNamingTheKeyAndRegistersNothing.
func init() {
	const kAccess = "platform:access"
	const sm = kAccess + ".sessionManager"
	disabled := edit(kAccess, "sessionManager.enabled", false)
	badConfigs = append(badConfigs, []badConfig{
		{"access instance type x86", "prod", []mutation{edit(kAccess, "sessionManager.instanceType", "t3.nano")}, sm + ".instanceType",
			`"t3.nano" is not a Graviton (arm64) instance type`},
		{"access instance type not a type", "dev", []mutation{edit(kAccess, "sessionManager.instanceType", "nano")}, sm + ".instanceType",
			`"nano" is not an EC2 instance type; use e.g. t4g.nano`},
		{"access private endpoint without a way in", "prod", []mutation{disabled, edit(kCluster, "publicAccessCidrs", nil)}, "platform:cluster.publicAccessCidrs",
			"nobody could reach the Kubernetes API; enable Session Manager access"},
		{"access private endpoint, empty list, without a way in", "prod", []mutation{disabled, edit(kCluster, "publicAccessCidrs", []any{})}, "platform:cluster.publicAccessCidrs",
			"platform:access.sessionManager.enabled is false"},
		{"access enabled not a boolean", "prod", []mutation{edit(kAccess, "sessionManager.enabled", "yes")}, sm + ".enabled", "must be true or false"},
		{"access unknown key", "dev", []mutation{edit(kAccess, "bastion", map[string]any{"enabled": true})}, kAccess + ".bastion", "is not a known key; allowed: sessionManager"},
		{"access not an object", "dev", []mutation{set(kAccess, str(`"on"`))}, kAccess, "must be an object"},
		{"access documents named after an aws- cluster", "dev", []mutation{renameCluster("aws-dev")}, "platform:cluster.name",
			"starts with a prefix SSM reserves for AWS's documents"},
	}...)
}
