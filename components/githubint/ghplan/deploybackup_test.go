package ghplan

import (
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/internal/contract"
)

// Only the configured copy region is opened, and there only KMS, AWS Backup and its storage.
func TestCopyRegionOpensOnlyTheCopyVault(t *testing.T) {
	account := contract.Account{ID: "111122223333", Partition: "aws", Region: "eu-north-1"}
	for _, tc := range []struct {
		name, copyRegion string
		want             []string // services with a statement in the copy region
	}{
		{"no copy region", "", nil},
		{"copy region is the stack's", "eu-north-1", nil},
		{"copy region", "eu-west-1", []string{"backup", "backup-storage", "kms"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := DeployPolicy(Scope{Account: account, Cluster: "c1", CIRoleArn: "arn:aws:iam::111122223333:role/ci", CopyRegion: tc.copyRegion})
			var got []string
			for _, s := range doc.Statement {
				in := slices.Contains(s.Condition["StringEquals"]["aws:RequestedRegion"], "eu-west-1")
				for _, r := range s.Resource {
					in = in || strings.Contains(r, ":eu-west-1:")
				}
				if !in {
					continue
				}
				for _, a := range s.Action {
					svc, _, _ := strings.Cut(a, ":")
					if !slices.Contains(got, svc) {
						got = append(got, svc)
					}
				}
				if strings.HasPrefix(s.Sid, "KMSCopyRegion") && strings.Contains(s.Sid, "Alias") && !slices.Equal(s.Resource, []string{"arn:aws:kms:eu-west-1:111122223333:" + CopyKeyAlias("c1")}) {
					t.Errorf("copy region aliases: %v", s.Resource)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("services in the copy region: %v, want %v", got, tc.want)
			}
		})
	}
}
