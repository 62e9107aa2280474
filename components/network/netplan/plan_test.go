package netplan

import (
	"net"
	"strings"
	"testing"
)

func TestPlanSubnets(t *testing.T) {
	azs3 := []string{"eu-north-1a", "eu-north-1b", "eu-north-1c"}
	tests := []struct {
		name          string
		vpc           string
		azs           []string
		wantPrivate   []string
		wantPublic    []string
		wantReserved  []string
		wantDatabase  []string
		wantErrSubstr string
	}{
		{
			name:         "/16 over 3 AZs",
			vpc:          "10.0.0.0/16",
			azs:          azs3,
			wantPrivate:  []string{"10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"},
			wantPublic:   []string{"10.0.128.0/22", "10.0.132.0/22", "10.0.136.0/22"},
			wantReserved: []string{"10.0.96.0/19", "10.0.160.0/19", "10.0.192.0/19"},
			wantDatabase: []string{"10.0.224.0/21", "10.0.232.0/21", "10.0.240.0/21"},
		},
		{
			name:        "/16 over 2 AZs keeps the 3-AZ addresses",
			vpc:         "10.10.0.0/16",
			azs:         azs3[:2],
			wantPrivate: []string{"10.10.0.0/19", "10.10.32.0/19"},
			wantPublic:  []string{"10.10.128.0/22", "10.10.132.0/22"},
			// Database ranges also keep their addresses when a third AZ comes.
			wantDatabase: []string{"10.10.224.0/21", "10.10.232.0/21"},
		},
		{
			name:        "/20, the smallest VPC",
			vpc:         "172.16.0.0/20",
			azs:         azs3,
			wantPrivate: []string{"172.16.0.0/23", "172.16.2.0/23", "172.16.4.0/23"},
			wantPublic:  []string{"172.16.8.0/26", "172.16.8.64/26", "172.16.8.128/26"},
		},
		{
			name:        "192.168/16",
			vpc:         "192.168.0.0/16",
			azs:         azs3[:2],
			wantPrivate: []string{"192.168.0.0/19", "192.168.32.0/19"},
			wantPublic:  []string{"192.168.128.0/22", "192.168.132.0/22"},
		},
		{name: "one AZ", vpc: "10.0.0.0/16", azs: azs3[:1], wantErrSubstr: "2 to 3"},
		{name: "four AZs", vpc: "10.0.0.0/16", azs: append(azs3, "eu-north-1d"), wantErrSubstr: "2 to 3"},
		{name: "too large", vpc: "10.0.0.0/8", azs: azs3, wantErrSubstr: "/16 to /20"},
		{name: "too small", vpc: "10.0.0.0/24", azs: azs3, wantErrSubstr: "/16 to /20"},
		{name: "public range", vpc: "8.8.0.0/16", azs: azs3, wantErrSubstr: "not a private range"},
		{name: "host bits set", vpc: "10.0.0.1/16", azs: azs3, wantErrSubstr: "did you mean 10.0.0.0/16"},
		{name: "prefix 33", vpc: "10.0.0.0/33", azs: azs3, wantErrSubstr: "not a valid IPv4 CIDR"},
		{name: "IPv6", vpc: "fd00::/56", azs: azs3, wantErrSubstr: "not a valid IPv4 CIDR"},
		{name: "garbage", vpc: "ten-dot-zero", azs: azs3, wantErrSubstr: "not a valid IPv4 CIDR"},
		{name: "empty", vpc: "", azs: azs3, wantErrSubstr: "not a valid IPv4 CIDR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := PlanSubnets(tt.vpc, tt.azs)
			if tt.wantErrSubstr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErrSubstr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErrSubstr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			assertCIDRs(t, "private", p.Private, tt.wantPrivate, tt.azs)
			assertCIDRs(t, "public", p.Public, tt.wantPublic, tt.azs)
			if tt.wantDatabase != nil && strings.Join(cidrs(p.Database), ",") != strings.Join(tt.wantDatabase, ",") {
				t.Errorf("database = %v, want %v", cidrs(p.Database), tt.wantDatabase)
			}
			if tt.wantReserved != nil && strings.Join(p.Reserved, ",") != strings.Join(tt.wantReserved, ",") {
				t.Errorf("reserved = %v, want %v", p.Reserved, tt.wantReserved)
			}
			assertDisjointInside(t, p)
		})
	}
}

func assertCIDRs(t *testing.T, kind string, got []Subnet, want, azs []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d subnets, want %d", kind, len(got), len(want))
	}
	for i := range got {
		if got[i].CIDR != want[i] || got[i].AZ != azs[i] {
			t.Errorf("%s[%d] = %s in %s, want %s in %s", kind, i, got[i].CIDR, got[i].AZ, want[i], azs[i])
		}
	}
}

// assertDisjointInside checks the invariants every plan must keep: every block (subnets and
// reserved growth room) inside the VPC, none overlapping another.
func assertDisjointInside(t *testing.T, p Plan) {
	t.Helper()
	_, vpc, _ := net.ParseCIDR(p.VPC)
	var all []string
	for _, s := range append(append(append([]Subnet{}, p.Public...), p.Private...), p.Database...) {
		all = append(all, s.CIDR)
	}
	all = append(all, p.Reserved...)
	for i, a := range all {
		_, na, err := net.ParseCIDR(a)
		if err != nil {
			t.Fatal(err)
		}
		if !contains(vpc, na) {
			t.Errorf("%s is outside the VPC %s", a, p.VPC)
		}
		for _, b := range all[i+1:] {
			_, nb, _ := net.ParseCIDR(b)
			if overlaps(na, nb) {
				t.Errorf("%s overlaps %s", a, b)
			}
		}
	}
}

// Every VPC size and AZ count the config allows yields a valid plan.
func TestPlanSubnetsInvariants(t *testing.T) {
	for prefix := MinVPCPrefix; prefix <= MaxVPCPrefix; prefix++ {
		for n := MinAZs; n <= MaxAZs; n++ {
			vpc := (&net.IPNet{IP: net.IPv4(10, 0, 0, 0).To4(), Mask: net.CIDRMask(prefix, 32)}).String()
			p, err := PlanSubnets(vpc, []string{"a", "b", "c"}[:n])
			if err != nil {
				t.Fatalf("%s over %d AZs: %v", vpc, n, err)
			}
			assertDisjointInside(t, p)
			if len(p.Reserved) != 3 {
				t.Errorf("%s: %d reserved blocks, want 3 (room for growth)", vpc, len(p.Reserved))
			}
			if len(p.Database) != n {
				t.Errorf("%s: %d database subnets, want one per AZ", vpc, len(p.Database))
			}
		}
	}
}

func TestPlanOverride(t *testing.T) {
	azs := []string{"a", "b"}
	tests := []struct {
		name            string
		public, private []string
		database        []string
		wantErr         string
	}{
		{name: "with database subnets", public: []string{"10.0.0.0/24", "10.0.1.0/24"}, private: []string{"10.0.16.0/20", "10.0.32.0/20"}, database: []string{"10.0.2.0/24", "10.0.3.0/24"}},
		{name: "database overlaps", public: []string{"10.0.0.0/24", "10.0.1.0/24"}, private: []string{"10.0.16.0/20", "10.0.32.0/20"}, database: []string{"10.0.1.0/24", "10.0.3.0/24"}, wantErr: "public subnet 10.0.1.0/24 overlaps database subnet 10.0.1.0/24"},
		{name: "one database subnet for two AZs", public: []string{"10.0.0.0/24", "10.0.1.0/24"}, private: []string{"10.0.16.0/20", "10.0.32.0/20"}, database: []string{"10.0.2.0/24"}, wantErr: "exactly one per availability zone"},
		{name: "valid", public: []string{"10.0.0.0/24", "10.0.1.0/24"}, private: []string{"10.0.16.0/20", "10.0.32.0/20"}},
		{name: "overlap between kinds", public: []string{"10.0.0.0/24", "10.0.1.0/24"}, private: []string{"10.0.0.0/20", "10.0.32.0/20"}, wantErr: "overlaps public subnet 10.0.0.0/24"},
		{name: "overlap within kind", public: []string{"10.0.0.0/24", "10.0.0.128/25"}, private: []string{"10.0.16.0/20", "10.0.32.0/20"}, wantErr: "overlaps"},
		{name: "outside VPC", public: []string{"10.1.0.0/24", "10.0.1.0/24"}, private: []string{"10.0.16.0/20", "10.0.32.0/20"}, wantErr: "not inside the VPC"},
		{name: "too few", public: []string{"10.0.0.0/24"}, private: []string{"10.0.16.0/20", "10.0.32.0/20"}, wantErr: "exactly one public and one private"},
		{name: "too small", public: []string{"10.0.0.0/29", "10.0.1.0/24"}, private: []string{"10.0.16.0/20", "10.0.32.0/20"}, wantErr: "/16 to /28"},
		{name: "not a CIDR", public: []string{"10.0.0.0", "10.0.1.0/24"}, private: []string{"10.0.16.0/20", "10.0.32.0/20"}, wantErr: "not a valid IPv4 CIDR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := PlanOverride("10.0.0.0/16", azs, tt.public, tt.private, tt.database)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			assertDisjointInside(t, p)
			if p.Public[1].AZ != "b" || p.Private[0].CIDR != "10.0.16.0/20" || len(p.Database) != len(tt.database) {
				t.Errorf("plan = %+v", p)
			}
		})
	}
}

func TestNATIndexAndTags(t *testing.T) {
	for i := 0; i < 3; i++ {
		if got := NATIndex(NATSingle, i); got != 0 {
			t.Errorf("single: subnet %d -> NAT %d, want 0", i, got)
		}
		if got := NATIndex(NATPerAZ, i); got != i {
			t.Errorf("perAz: subnet %d -> NAT %d, want its own AZ's", i, got)
		}
	}
	pub := SubnetTags("n", "c1", true)
	priv := SubnetTags("n", "c1", false)
	if pub["kubernetes.io/role/elb"] != "1" || pub["kubernetes.io/role/internal-elb"] != "" {
		t.Errorf("public tags = %v", pub)
	}
	if priv["kubernetes.io/role/internal-elb"] != "1" || priv["kubernetes.io/role/elb"] != "" {
		t.Errorf("private tags = %v", priv)
	}
	if pub["kubernetes.io/cluster/c1"] != "shared" || priv["kubernetes.io/cluster/c1"] != "shared" {
		t.Errorf("cluster tags missing: %v %v", pub, priv)
	}
}

func cidrs(subnets []Subnet) []string {
	var out []string
	for _, s := range subnets {
		out = append(out, s.CIDR)
	}
	return out
}

// Each team's database subnets: its slot's /28 in every AZ's range, whatever the other teams'
// slots; slots outside the ranges are refused.
func TestTeamDatabaseSubnets(t *testing.T) {
	p, err := PlanSubnets("10.10.0.0/16", []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	if n := DatabaseSlots(p); n != 128 {
		t.Errorf("a /16 has %d database slots, want 128 (a /21 per AZ in /28s)", n)
	}
	for slot, want := range map[int][]string{
		0:   {"10.10.224.0/28", "10.10.232.0/28", "10.10.240.0/28"},
		1:   {"10.10.224.16/28", "10.10.232.16/28", "10.10.240.16/28"},
		127: {"10.10.231.240/28", "10.10.239.240/28", "10.10.247.240/28"},
	} {
		got, err := TeamDatabaseSubnets(p, slot)
		if err != nil || strings.Join(cidrs(got), ",") != strings.Join(want, ",") || got[2].AZ != "c" {
			t.Errorf("slot %d: %v (%v), want %v", slot, got, err, want)
		}
	}
	for _, bad := range []int{-1, 128} {
		if _, err := TeamDatabaseSubnets(p, bad); err == nil || !strings.Contains(err.Error(), "slots 0 to 127") {
			t.Errorf("slot %d: %v", bad, err)
		}
	}
	small, _ := PlanSubnets("10.10.0.0/20", []string{"a", "b"})
	if n := DatabaseSlots(small); n != 8 {
		t.Errorf("a /20 has %d database slots, want 8", n)
	}
	over, _ := PlanOverride("10.10.0.0/16", []string{"a", "b"}, []string{"10.10.0.0/24", "10.10.1.0/24"},
		[]string{"10.10.16.0/20", "10.10.32.0/20"}, []string{"10.10.64.0/26", "10.10.65.0/27"})
	if n := DatabaseSlots(over); n != 2 {
		t.Errorf("ranges /26 and /27 hold %d slots, want 2 (the smaller range's)", n)
	}
	if n := DatabaseSlots(Plan{}); n != 0 {
		t.Errorf("no ranges: %d slots", n)
	}
}

// The endpoint subnets are /27s at the start of block 5, one per AZ, inside the VPC, apart from
// every other subnet, and keep their addresses when a third AZ comes.
func TestEndpointSubnets(t *testing.T) {
	three, err := PlanSubnets("10.0.0.0/16", []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.160.0/27", "10.0.160.32/27", "10.0.160.64/27"}
	for i, s := range three.Endpoint {
		if s.CIDR != want[i] {
			t.Errorf("endpoint subnet %d = %s, want %s", i, s.CIDR, want[i])
		}
		_, ep, _ := net.ParseCIDR(s.CIDR)
		for _, other := range append(append(append([]Subnet{}, three.Public...), three.Private...), three.Database...) {
			_, o, _ := net.ParseCIDR(other.CIDR)
			if overlaps(ep, o) {
				t.Errorf("endpoint subnet %s overlaps %s", s.CIDR, other.CIDR)
			}
		}
	}
	two, _ := PlanSubnets("10.0.0.0/16", []string{"a", "b"})
	if len(two.Endpoint) != 2 || two.Endpoint[1].CIDR != want[1] {
		t.Errorf("2 AZs: %v", two.Endpoint)
	}
	small, _ := PlanSubnets("10.0.0.0/20", []string{"a", "b", "c"})
	if got := small.Endpoint[2].CIDR; got != "10.0.10.64/27" {
		t.Errorf("/20: third endpoint subnet %s", got)
	}
}
