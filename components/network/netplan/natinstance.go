package netplan

import (
	"fmt"
	"strings"
)

// NATInstance is one NAT instance (platform:network.natGateways: instance): a t4g.nano that
// forwards and masquerades the private subnets' traffic, for a fraction of a NAT gateway's
// price. One instance, no AWS-managed failover: dev only (config refuses it in prod).
const NATInstance = "instance"

// NATLayouts are every value of platform:network.natGateways, in the order messages list them.
var NATLayouts = []string{NATSingle, NATPerAZ, NATInstance}

// The NAT instance's size: the smallest Graviton type (its network bandwidth, up to 5 Gbit/s in
// bursts, is far above what a dev cluster's image pulls and API calls need), and the smallest
// root volume Amazon Linux 2023 launches comfortably with.
const (
	NATInstanceType  = "t4g.nano"
	NATRootVolumeGiB = 8
)

// Where a private subnet's default route (0.0.0.0/0) goes.
const (
	// TargetNATGateway is a NAT gateway (Route.NAT says which).
	TargetNATGateway = "natGateway"
	// TargetNATInstance is the NAT instance's network interface: a fixed ENI, created apart from
	// the instance, so the route never changes while the instance behind it is recovered.
	TargetNATInstance = "natInstanceEni"
)

// Route is one private subnet's default route.
type Route struct {
	// Private is the private subnet's index (its AZ's, in Plan.Private order).
	Private int
	// Target is TargetNATGateway or TargetNATInstance.
	Target string
	// NAT is the NAT gateway's index (in Plan.Public order) for TargetNATGateway; 0 otherwise.
	NAT int
}

// NATGatewayCount is how many NAT gateways a layout creates over azs AZs.
func NATGatewayCount(layout string, azs int) int {
	switch layout {
	case NATPerAZ:
		return azs
	case NATSingle:
		return 1
	default:
		return 0
	}
}

// PrivateRoutes are the default routes of the private subnets: perAz to the NAT gateway in
// their own AZ, single to the one gateway (in the first AZ), instance to the NAT instance's
// network interface (in the first AZ's public subnet).
func PrivateRoutes(layout string, privateSubnets int) ([]Route, error) {
	if privateSubnets < MinAZs || privateSubnets > MaxAZs {
		return nil, fmt.Errorf("%d private subnets: the layout has one per AZ, %d to %d", privateSubnets, MinAZs, MaxAZs)
	}
	out := make([]Route, privateSubnets)
	for i := range out {
		switch layout {
		case NATPerAZ:
			out[i] = Route{Private: i, Target: TargetNATGateway, NAT: i}
		case NATSingle:
			out[i] = Route{Private: i, Target: TargetNATGateway}
		case NATInstance:
			out[i] = Route{Private: i, Target: TargetNATInstance}
		default:
			return nil, fmt.Errorf("NAT layout %q is not one of %s", layout, strings.Join(NATLayouts, ", "))
		}
	}
	return out, nil
}

// NATServiceName is the systemd unit that applies the masquerade rule at every boot.
const NATServiceName = "platform-nat.service"

// natScript runs at every boot (NATServiceName): it finds the interface that holds the
// default route (ens5 on Nitro, but the name is the kernel's, not the program's) and
// masquerades what the VPC sends out of it, to anywhere but the VPC. The nft table is
// replaced whole, so running it twice leaves one rule.
const natScript = `#!/bin/bash
set -euo pipefail
iface="$(ip -4 route show default | awk '{print $5; exit}')"
if [ -z "$iface" ]; then
  echo "platform-nat: no default route yet" >&2
  exit 1
fi
nft -f - <<NFT
table ip platform_nat
delete table ip platform_nat
table ip platform_nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr {{VPC}} ip daddr != {{VPC}} oifname "$iface" masquerade
  }
}
NFT
echo "platform-nat: masquerading {{VPC}} out of $iface"
`

// natUnit runs natScript at every boot, after the network is up; it retries while DHCP has not
// yet set the default route.
const natUnit = `[Unit]
Description=NAT for the VPC's private subnets (platform:network.natGateways: instance)
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/platform-nat
Restart=on-failure
RestartSec=5

[Install]
WantedBy=multi-user.target
`

// NATUserData is the NAT instance's user data (cloud-init runs it once, at first boot): it
// turns on IPv4 forwarding (persisted in /etc/sysctl.d, so every boot has it), installs
// nftables, and installs and starts NATServiceName, which masquerades vpcCIDR at every boot.
// ICMP redirects are off: the instance forwards out of the interface the traffic came in on,
// and a redirect would tell the sender to bypass it.
func NATUserData(vpcCIDR string) (string, error) {
	if _, err := parseVPC(vpcCIDR); err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("#!/bin/bash\n")
	b.WriteString("# The NAT instance of " + vpcCIDR + " (components/network, netplan.NATUserData).\n")
	b.WriteString("set -euo pipefail\n")
	b.WriteString("cat > /etc/sysctl.d/90-platform-nat.conf <<'EOF'\n")
	b.WriteString("net.ipv4.ip_forward = 1\nnet.ipv4.conf.all.send_redirects = 0\nnet.ipv4.conf.default.send_redirects = 0\nEOF\n")
	b.WriteString("sysctl -p /etc/sysctl.d/90-platform-nat.conf\n")
	b.WriteString("dnf install -y nftables\n")
	b.WriteString("cat > /usr/local/sbin/platform-nat <<'EOF'\n")
	b.WriteString(strings.ReplaceAll(natScript, "{{VPC}}", vpcCIDR))
	b.WriteString("EOF\n")
	b.WriteString("chmod 0755 /usr/local/sbin/platform-nat\n")
	b.WriteString("cat > /etc/systemd/system/" + NATServiceName + " <<'EOF'\n")
	b.WriteString(natUnit)
	b.WriteString("EOF\n")
	b.WriteString("systemctl daemon-reload\n")
	b.WriteString("systemctl enable --now " + NATServiceName + "\n")
	return b.String(), nil
}
