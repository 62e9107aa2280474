package clusterplan

import (
	"strings"
	"testing"
)

func TestAMIType(t *testing.T) {
	tests := []struct {
		types   []string
		want    string
		wantErr string
	}{
		{types: []string{"m6i.large"}, want: "AL2023_x86_64_STANDARD"},
		{types: []string{"t3.large", "t3a.large"}, want: "AL2023_x86_64_STANDARD"},
		{types: []string{"m7g.large"}, want: "AL2023_ARM_64_STANDARD"},
		{types: []string{"t4g.medium", "c7gn.xlarge", "r8gd.large"}, want: "AL2023_ARM_64_STANDARD"},
		{types: []string{"c6gd.large"}, want: "AL2023_ARM_64_STANDARD"},
		{types: []string{"g5.xlarge"}, want: "AL2023_x86_64_STANDARD"}, // GPU family "g", not Graviton
		{types: []string{"m6i.large", "m7g.large"}, wantErr: "different CPU architectures"},
		{types: nil, wantErr: "no instance types"},
	}
	for _, tt := range tests {
		got, err := AMIType(tt.types)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("AMIType(%v) err = %v, want %q", tt.types, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("AMIType(%v) = %q, %v; want %q", tt.types, got, err, tt.want)
		}
	}
}

func TestAutoscalerTags(t *testing.T) {
	got := AutoscalerTags("platform-prod", map[string]string{"platform/pool": "general"})
	want := map[string]string{
		"k8s.io/cluster-autoscaler/enabled":                           "true",
		"k8s.io/cluster-autoscaler/platform-prod":                     "owned",
		"k8s.io/cluster-autoscaler/node-template/label/platform/pool": "general",
	}
	if len(got) != len(want) {
		t.Fatalf("tags = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("tag %s = %q, want %q", k, got[k], v)
		}
	}
}

func TestAdminEntryNames(t *testing.T) {
	got, err := AdminEntryNames([]string{
		"arn:aws:iam::111122223333:role/Platform-Admin",
		"arn:aws:iam::111122223333:role/ci/deploy",
	})
	if err != nil {
		t.Fatal(err)
	}
	if got["arn:aws:iam::111122223333:role/Platform-Admin"] != "admin-platform-admin" ||
		got["arn:aws:iam::111122223333:role/ci/deploy"] != "admin-deploy" {
		t.Errorf("names = %v", got)
	}
	// Adding a role must not rename the others' entries (a rename replaces the access entry).
	more, _ := AdminEntryNames([]string{"arn:aws:iam::111122223333:role/aaa", "arn:aws:iam::111122223333:role/Platform-Admin"})
	if more["arn:aws:iam::111122223333:role/Platform-Admin"] != "admin-platform-admin" {
		t.Errorf("entry name changed when a role was added: %v", more)
	}
	if _, err := AdminEntryNames([]string{"arn:aws:iam::111122223333:role/a/admin", "arn:aws:iam::111122223333:role/b/admin"}); err == nil {
		t.Error("two roles named admin under different paths: want an error, got none")
	}
}
