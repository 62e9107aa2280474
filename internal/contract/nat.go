package contract

// NATTag tags the stack's NAT instance (platform:network.natGateways: instance) with its
// cluster's name: the CI role may stop, change and terminate only the instances that carry it
// or AccessTag, never a node. It is not AccessTag: the team boundary lets teams start
// sessions on the access instance, and nobody but the platform's admins may reach the NAT
// instance.
const NATTag = "platform-nat"

// NATAlarmName is the CloudWatch alarm on the NAT instance's system status check (its
// action recovers the instance): "<cluster>-nat-instance-system".
func NATAlarmName(cluster string) string { return cluster + "-nat-instance-system" }

// NATInstanceAlarmName is the CloudWatch alarm on the NAT instance's own status check (the
// operating system; a person reboots it): "<cluster>-nat-instance-os".
func NATInstanceAlarmName(cluster string) string { return cluster + "-nat-instance-os" }
