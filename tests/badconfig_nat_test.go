package tests

// Bad configurations of the NAT layout's third value, the NAT instance
// (platform:network.natGateways: instance, components/network): refused in prod, where one
// instance would be every node's single point of egress with no AWS-managed failover, and
// misspellings refused rather than read as another layout. Run by
// TestBadConfigFailsNamingTheKeyAndRegistersNothing.
func init() {
	const nat = "platform:network.natGateways"
	badConfigs = append(badConfigs, []badConfig{
		{"nat instance in prod", "prod", []mutation{edit(kNet, "natGateways", "instance")}, nat,
			"one NAT instance is a single point of failure for every node's egress, with no AWS-managed failover"},
		{"nat instance in prod names the environment", "prod", []mutation{edit(kNet, "natGateways", "instance")}, nat, `"instance" is not allowed in prod`},
		{"nat instance in prod says what to use", "prod", []mutation{edit(kNet, "natGateways", "instance")}, nat, `use "perAz"`},
		{"nat instance misspelled", "dev", []mutation{edit(kNet, "natGateways", "nat-instance")}, nat,
			`"nat-instance" is not allowed; use "single", "perAz" or "instance" (dev only)`},
		{"nat instance capitalised", "dev", []mutation{edit(kNet, "natGateways", "Instance")}, nat, `"Instance" is not allowed`},
		{"nat layout empty", "dev", []mutation{edit(kNet, "natGateways", "")}, nat, `"" is not allowed; use "single", "perAz" or "instance"`},
	}...)
}
