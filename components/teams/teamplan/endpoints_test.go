package teamplan

import (
	"slices"
	"testing"
)

// Every team gets the interface endpoints' subnets on 443 when the stack has any (their private
// DNS answers every pod); S3's addresses only a team without internet egress whose policies use
// S3; nobody gets either on another port.
func TestAWSNetworkPolicies(t *testing.T) {
	aws := AWSNetwork{EndpointSubnets: []string{"10.0.160.0/27", "10.0.160.32/27"}, S3: []string{"3.5.216.0/22"}}
	s3 := Policies{Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::c-search-index/*"}]}`}
	for _, tt := range []struct {
		name            string
		team            Team
		endpoints, toS3 bool
	}{
		{"no internet, S3", Team{Name: "search", Policies: s3}, true, true},
		{"internet, S3", Team{Name: "search", Policies: s3, InternetEgress: true}, true, false},
		{"no internet, no S3", Team{Name: "payments"}, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := NetworkPolicies(tt.team, nil, "monitoring", nil, aws)
			for name, want := range map[string]bool{PolicyAWSEndpoints: tt.endpoints, PolicyS3: tt.toS3} {
				p, ok := got[name]
				if ok != want {
					t.Fatalf("%s: present %v, want %v", name, ok, want)
				}
				if !ok {
					continue
				}
				rule := p["egress"].([]any)[0].(map[string]any)
				if port := rule["ports"].([]any)[0].(map[string]any)["port"]; port != 443 {
					t.Errorf("%s: port %v", name, port)
				}
				var cidrs []string
				for _, to := range rule["to"].([]any) {
					cidrs = append(cidrs, to.(map[string]any)["ipBlock"].(map[string]any)["cidr"].(string))
				}
				if want := map[string][]string{PolicyAWSEndpoints: aws.EndpointSubnets, PolicyS3: aws.S3}[name]; !slices.Equal(cidrs, want) {
					t.Errorf("%s: to %v, want %v", name, cidrs, want)
				}
			}
		})
	}
	if _, ok := NetworkPolicies(Team{Name: "x"}, nil, "monitoring", nil, AWSNetwork{})[PolicyAWSEndpoints]; ok {
		t.Error("an endpoints policy without endpoints")
	}
}
