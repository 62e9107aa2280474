package tests

import "github.com/example/platform/internal/contract"

// The CI role's permissions for dev's NAT instance (platform:network.natGateways: instance,
// components/network): its interface, its Elastic IP's association, the instance (changed and
// terminated only as the instance tagged contract.NATTag with the stack's name), its alarms
// and the service-linked role CloudWatch creates for an alarm's EC2 action. Part of
// TestCIRoleAgainstTheIAMEngine's capabilities and attacks, so its mutation testing covers the
// EC2NATInstance statement.

var devNATInstance = ctx("aws:ResourceTag/"+contract.NATTag, "platform-dev", "aws:ResourceTag/platform:cluster", "platform-dev")

func ciNATCapabilities() []probe {
	iam := func(r string) string { return simArn("iam", "", r) }
	ec2 := func(r string) string { return simArn("ec2", simRegion, r) }
	return []probe{
		{name: "create the NAT interface", action: "ec2:CreateNetworkInterface", resource: ec2("network-interface/eni-0new")},
		{name: "tag the NAT interface as it is created", action: "ec2:CreateTags", resource: ec2("network-interface/eni-0new"), context: ctx("ec2:CreateAction", "CreateNetworkInterface")},
		{name: "turn off the NAT interface's source/dest check", action: "ec2:ModifyNetworkInterfaceAttribute", resource: ec2("network-interface/eni-0dev"), context: devTag},
		{name: "delete the NAT interface", action: "ec2:DeleteNetworkInterface", resource: ec2("network-interface/eni-0dev"), context: devTag},
		{name: "associate the NAT address with its interface", action: "ec2:AssociateAddress", resource: ec2("elastic-ip/eipalloc-0dev"), context: devTag},
		{name: "associate the NAT address (the interface's side)", action: "ec2:AssociateAddress", resource: ec2("network-interface/eni-0dev"), context: devTag},
		{name: "launch the NAT instance onto its interface", action: "ec2:RunInstances", resource: ec2("network-interface/eni-0dev"), context: devTag},
		{name: "terminate the NAT instance", action: "ec2:TerminateInstances", resource: ec2("instance/i-0nat"), context: devNATInstance},
		{name: "stop the NAT instance to resize it", action: "ec2:StopInstances", resource: ec2("instance/i-0nat"), context: devNATInstance},
		{name: "change the NAT instance", action: "ec2:ModifyInstanceAttribute", resource: ec2("instance/i-0nat"), context: devNATInstance},
		{name: "pass the NAT role to EC2", action: "iam:PassRole", resource: iam("role/platform-dev/platform/network-nat-role-1a2b"), context: ctx("iam:PassedToService", "ec2.amazonaws.com")},
		{name: "create the NAT instance profile", action: "iam:CreateInstanceProfile", resource: iam("instance-profile/platform-dev/platform/network-nat-profile-1a2b")},
		{name: "create the NAT recovery alarm", action: "cloudwatch:PutMetricAlarm", resource: simArn("cloudwatch", simRegion, "alarm:"+contract.NATAlarmName("platform-dev"))},
		{name: "have CloudWatch's role for EC2 actions created", action: "iam:CreateServiceLinkedRole",
			resource: iam("role/aws-service-role/events.amazonaws.com/AWSServiceRoleForCloudWatchEvents"), context: ctx("iam:AWSServiceName", "events.amazonaws.com")},
	}
}

func ciNATAttacks() []layeredAttack {
	iam := func(r string) string { return simArn("iam", "", r) }
	ec2 := func(r string) string { return simArn("ec2", simRegion, r) }
	policy := func(p probe) layeredAttack { return layeredAttack{p, true, false} }
	prodNAT := ctx("aws:ResourceTag/"+contract.NATTag, "platform-prod", "aws:ResourceTag/platform:cluster", "platform-prod")
	return []layeredAttack{
		policy(probe{name: "terminate prod's NAT instance", action: "ec2:TerminateInstances", resource: ec2("instance/i-0prodnat"), context: prodNAT}),
		policy(probe{name: "terminate a node through the NAT statement", action: "ec2:TerminateInstances", resource: ec2("instance/i-0node"), context: devTag}),
		policy(probe{name: "turn off another interface's source/dest check", action: "ec2:ModifyNetworkInterfaceAttribute", resource: ec2("network-interface/eni-0other")}),
		policy(probe{name: "change prod's interface", action: "ec2:ModifyNetworkInterfaceAttribute", resource: ec2("network-interface/eni-0prod"), context: prodTag}),
		policy(probe{name: "delete another interface", action: "ec2:DeleteNetworkInterface", resource: ec2("network-interface/eni-0other")}),
		policy(probe{name: "move another address onto an interface", action: "ec2:AssociateAddress", resource: ec2("elastic-ip/eipalloc-0other")}),
		policy(probe{name: "create an interface in another region", action: "ec2:CreateNetworkInterface", resource: simArn("ec2", "us-east-1", "network-interface/eni-0new")}),
		policy(probe{name: "create an alarm outside the stack's prefix", action: "cloudwatch:PutMetricAlarm", resource: simArn("cloudwatch", simRegion, "alarm:company-billing")}),
		policy(probe{name: "have another service's linked role created", action: "iam:CreateServiceLinkedRole",
			resource: iam("role/aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM"), context: ctx("iam:AWSServiceName", "ssm.amazonaws.com")}),
	}
}
