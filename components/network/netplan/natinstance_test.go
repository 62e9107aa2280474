package netplan

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestPrivateRoutes(t *testing.T) {
	gw := func(private, nat int) Route { return Route{Private: private, Target: TargetNATGateway, NAT: nat} }
	eni := func(private int) Route { return Route{Private: private, Target: TargetNATInstance} }
	tests := []struct {
		name         string
		layout       string
		subnets      int
		want         []Route
		wantGateways int
		wantErr      string
	}{
		{name: "perAz, 3 AZs: each to its own AZ's gateway", layout: NATPerAZ, subnets: 3, want: []Route{gw(0, 0), gw(1, 1), gw(2, 2)}, wantGateways: 3},
		{name: "perAz, 2 AZs", layout: NATPerAZ, subnets: 2, want: []Route{gw(0, 0), gw(1, 1)}, wantGateways: 2},
		{name: "single, 3 AZs: all to the first AZ's gateway", layout: NATSingle, subnets: 3, want: []Route{gw(0, 0), gw(1, 0), gw(2, 0)}, wantGateways: 1},
		{name: "instance, 2 AZs: all to the NAT instance's interface, no gateway", layout: NATInstance, subnets: 2, want: []Route{eni(0), eni(1)}, wantGateways: 0},
		{name: "instance, 3 AZs", layout: NATInstance, subnets: 3, want: []Route{eni(0), eni(1), eni(2)}, wantGateways: 0},
		{name: "unknown layout", layout: "none", subnets: 2, wantErr: `NAT layout "none" is not one of single, perAz, instance`},
		{name: "too few subnets", layout: NATInstance, subnets: 1, wantErr: "1 private subnets"},
		{name: "too many subnets", layout: NATPerAZ, subnets: 4, wantErr: "4 private subnets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PrivateRoutes(tt.layout, tt.subnets)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("routes = %+v, want %+v", got, tt.want)
			}
			if n := NATGatewayCount(tt.layout, tt.subnets); n != tt.wantGateways {
				t.Errorf("NAT gateways = %d, want %d", n, tt.wantGateways)
			}
			// Every gateway a route names exists.
			for _, r := range got {
				if r.Target == TargetNATGateway && r.NAT >= tt.wantGateways {
					t.Errorf("route %+v names gateway %d of %d", r, r.NAT, tt.wantGateways)
				}
			}
		})
	}
}

// heredoc is the body of the first `cat > path <<'EOF'` in script.
func heredoc(t *testing.T, script, path string) string {
	t.Helper()
	start := "cat > " + path + " <<'EOF'\n"
	_, rest, ok := strings.Cut(script, start)
	if !ok {
		t.Fatalf("user data writes no %s:\n%s", path, script)
	}
	body, _, ok := strings.Cut(rest, "\nEOF\n")
	if !ok {
		t.Fatalf("%s's heredoc is not closed", path)
	}
	return body + "\n"
}

func bashSyntax(t *testing.T, name, script string) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash on this machine")
	}
	f := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(f, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bash, "-n", f).CombinedOutput(); err != nil {
		t.Fatalf("bash -n %s: %v\n%s\n%s", name, err, out, script)
	}
}

func TestNATUserData(t *testing.T) {
	const vpc = "10.10.0.0/16"
	ud, err := NATUserData(vpc)
	if err != nil {
		t.Fatal(err)
	}
	bashSyntax(t, "user-data.sh", ud)
	lines := strings.Split(ud, "\n")
	if lines[0] != "#!/bin/bash" || !strings.Contains(ud, "\nset -euo pipefail\n") {
		t.Errorf("user data is not a strict bash script:\n%s", ud)
	}
	// Forwarding on now and at every boot (sysctl.d), redirects off.
	sysctl := heredoc(t, ud, "/etc/sysctl.d/90-platform-nat.conf")
	for _, want := range []string{"net.ipv4.ip_forward = 1", "net.ipv4.conf.all.send_redirects = 0"} {
		if !strings.Contains(sysctl, want+"\n") {
			t.Errorf("sysctl.d file lacks %q:\n%s", want, sysctl)
		}
	}
	for _, want := range []string{
		"sysctl -p /etc/sysctl.d/90-platform-nat.conf",
		"dnf install -y nftables",
		"chmod 0755 /usr/local/sbin/platform-nat",
		"systemctl enable --now " + NATServiceName,
	} {
		if !strings.Contains(ud, "\n"+want+"\n") {
			t.Errorf("user data lacks the line %q", want)
		}
	}
	// The masquerade, at every boot: a script the unit runs, enabled for multi-user.target.
	script := heredoc(t, ud, "/usr/local/sbin/platform-nat")
	bashSyntax(t, "platform-nat", script)
	for _, want := range []string{
		`iface="$(ip -4 route show default | awk '{print $5; exit}')"`,
		"delete table ip platform_nat",
		"    type nat hook postrouting priority srcnat; policy accept;",
		`    ip saddr 10.10.0.0/16 ip daddr != 10.10.0.0/16 oifname "$iface" masquerade`,
	} {
		if !strings.Contains(script, "\n"+want+"\n") {
			t.Errorf("the NAT script lacks the line %q:\n%s", want, script)
		}
	}
	unit := heredoc(t, ud, "/etc/systemd/system/"+NATServiceName)
	for _, want := range []string{"ExecStart=/usr/local/sbin/platform-nat", "After=network-online.target", "WantedBy=multi-user.target", "Restart=on-failure"} {
		if !strings.Contains(unit, want+"\n") {
			t.Errorf("the unit lacks %q:\n%s", want, unit)
		}
	}
	// The whole script fits EC2's user-data limit (16 KB, before base64).
	if len(ud) > 16*1024 {
		t.Errorf("user data is %d bytes, EC2 takes 16 KB", len(ud))
	}
	if _, err := NATUserData("10.10.0.0/33"); err == nil {
		t.Error("a bad CIDR is accepted")
	}
}
