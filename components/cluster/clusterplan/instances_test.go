package clusterplan

import (
	"strings"
	"testing"
)

func TestCheckSpotTypes(t *testing.T) {
	tests := []struct {
		types   []string
		wantErr string
	}{
		{[]string{"m6g.large", "m7g.large"}, ""},
		{[]string{"m6i.large", "m6a.large", "m7i.large"}, ""},
		{[]string{"m7g.large"}, "at least 2"},
		{[]string{"m7g.large", "m7g.xlarge"}, "differ in size"},
		{[]string{"m7g.large", "c7g.large"}, "differ in size"},
		{[]string{"m6i.large", "m7g.large"}, "different CPU architectures"},
		{[]string{"m7g.large", "x9z.large"}, `"x9z.large" is not in the platform's instance table`},
	}
	for _, tt := range tests {
		err := CheckSpotTypes(tt.types)
		if (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("CheckSpotTypes(%v) = %v, want %q", tt.types, err, tt.wantErr)
		}
	}
}

func TestCheckArchitecture(t *testing.T) {
	if err := CheckArchitecture(ArchARM, []string{"m6g.large", "t4g.large"}); err != nil {
		t.Error(err)
	}
	if err := CheckArchitecture(ArchX86, []string{"m6i.large", "x9.large"}); err != nil {
		t.Error(err) // an unknown x86 name: its family name decides
	}
	if err := CheckArchitecture(ArchARM, []string{"m6g.large", "m6i.large"}); err == nil || !strings.Contains(err.Error(), "m6i.large run x86_64") {
		t.Errorf("arm64 with m6i.large: %v", err)
	}
	if err := CheckArchitecture("amd64", []string{"m6i.large"}); err == nil {
		t.Error("amd64 accepted: the config says x86_64")
	}
}

// The table agrees with the family-name rule the AMI type uses, so a group's AMI and its
// declared architecture cannot disagree.
func TestInstanceSpecsAgreeWithArch(t *testing.T) {
	for it, s := range InstanceSpecs {
		if Arch(it) != s.Arch || s.VCPU <= 0 || s.MiB <= 0 {
			t.Errorf("%s: %+v, family rule says %s", it, s, Arch(it))
		}
	}
}
