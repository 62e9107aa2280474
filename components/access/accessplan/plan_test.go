package accessplan

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/internal/contract"
)

var account = contract.Account{ID: "111122223333", Partition: "aws", Region: "eu-north-1"}

func TestCheckInstanceType(t *testing.T) {
	for typ, ok := range map[string]bool{
		"t4g.nano": true, "t4g.micro": true, "m7g.medium": true, "c7gn.large": true, "r8gd.large": true,
		"t3.nano": false, "t3a.micro": false, "m6i.large": false, "g4dn.xlarge": false, "mac2.metal": false,
	} {
		if err := CheckInstanceType(typ); (err == nil) != ok {
			t.Errorf("%s: err = %v, want ok=%v", typ, err, ok)
		}
	}
}

// The document fixes host and port: its only parameter is the local port.
func TestPortForwardDocument(t *testing.T) {
	var doc struct {
		SessionType string                    `json:"sessionType"`
		Parameters  map[string]map[string]any `json:"parameters"`
		Properties  map[string]string         `json:"properties"`
	}
	if err := json.Unmarshal([]byte(PortForwardDocument("d", "db.example.internal", 5432)), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.SessionType != "Port" || len(doc.Parameters) != 1 || doc.Parameters["localPortNumber"] == nil {
		t.Errorf("session type %q, parameters %v: want Port and localPortNumber only", doc.SessionType, doc.Parameters)
	}
	want := map[string]string{"type": "LocalPortForwarding", "host": "db.example.internal", "portNumber": "5432", "localPortNumber": "{{ localPortNumber }}"}
	for k, v := range want {
		if doc.Properties[k] != v {
			t.Errorf("properties.%s = %q, want %q", k, doc.Properties[k], v)
		}
	}
	if len(doc.Properties) != len(want) {
		t.Errorf("properties %v", doc.Properties)
	}
	if strings.Contains(PortForwardDocument("d", "h", 1), "{{ host }}") {
		t.Error("the host is a parameter")
	}
}

func TestEndpointHost(t *testing.T) {
	for in, want := range map[string]string{
		"https://ABC.gr7.eu-north-1.eks.amazonaws.com":  "ABC.gr7.eu-north-1.eks.amazonaws.com",
		"https://abc.yl4.eu-north-1.eks.amazonaws.com/": "abc.yl4.eu-north-1.eks.amazonaws.com",
		"http://abc.example":                            "",
		"abc.example":                                   "",
		"":                                              "",
	} {
		got, err := EndpointHost(in)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("%q: %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestSessionPolicy(t *testing.T) {
	p := SessionPolicy(account, "i-0abc", []string{"c.b.x", "c.a.y"})
	if len(p.Statement) != 2 {
		t.Fatalf("statements %+v", p.Statement)
	}
	start, own := p.Statement[0], p.Statement[1]
	want := []string{"arn:aws:ec2:eu-north-1:111122223333:instance/i-0abc", "arn:aws:ssm:eu-north-1:111122223333:document/c.a.y", "arn:aws:ssm:eu-north-1:111122223333:document/c.b.x"}
	if !slices.Equal(start.Action, []string{"ssm:StartSession"}) || !slices.Equal(start.Resource, want) {
		t.Errorf("start: %v on %v, want %v", start.Action, start.Resource, want)
	}
	if got := start.Condition["BoolIfExists"]["ssm:SessionDocumentAccessCheck"]; !slices.Equal(got, []string{"true"}) {
		t.Errorf("no document access check: %v", start.Condition)
	}
	if own.Resource[0] != "arn:aws:ssm:eu-north-1:111122223333:session/*" || own.Condition["StringLike"]["ssm:resourceTag/aws:ssmmessages:session-id"][0] != "${aws:userid}" {
		t.Errorf("own sessions: %+v", own)
	}
}

func TestMembersTrust(t *testing.T) {
	d := MembersTrust([]string{"arn:aws:iam::1:role/b", "arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"})
	if got := d.Statement[0].Principal["AWS"]; !slices.Equal(got, []string{"arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b"}) {
		t.Errorf("principals %v", got)
	}
	if d.Statement[1].Condition["ForAllValues:StringNotEquals"]["aws:TagKeys"][0] != contract.TeamTag {
		t.Errorf("a session may tag itself as a team: %+v", d.Statement[1])
	}
}

func TestEgress(t *testing.T) {
	for name, tc := range map[string]struct {
		in   map[string][]string
		want []Rule
	}{
		"no databases": {nil, []Rule{{Port: 443, CIDRs: []string{"0.0.0.0/0"}}}},
		"two teams, sorted": {map[string][]string{"search": {"10.0.1.0/28"}, "payments": {"10.0.0.0/28", "10.0.0.16/28"}},
			[]Rule{{Port: 443, CIDRs: []string{"0.0.0.0/0"}}, {Port: 5432, CIDRs: []string{"10.0.0.0/28", "10.0.0.16/28", "10.0.1.0/28"}}}},
	} {
		got := Egress(tc.in)
		if len(got) != len(tc.want) {
			t.Fatalf("%s: %+v", name, got)
		}
		for i := range got {
			if got[i].Port != tc.want[i].Port || !slices.Equal(got[i].CIDRs, tc.want[i].CIDRs) || got[i].Description == "" {
				t.Errorf("%s: rule %d = %+v, want %+v", name, i, got[i], tc.want[i])
			}
		}
	}
}

func TestCheckDocumentName(t *testing.T) {
	for name, ok := range map[string]bool{
		"platform-dev.kube": true, "platform-dev.payments.ledger": true, strings.Repeat("a", 128)[:0] + "x" + strings.Repeat("b", 127): true,
		"ab": false, "x" + strings.Repeat("b", 128): false, "aws-dev.kube": false, "Amazon.kube": false, "amzn-x.kube": false, "a b.kube": false, "a/b.kube": false,
	} {
		if err := CheckDocumentName(name); (err == nil) != ok {
			t.Errorf("%q: err = %v, want ok=%v", name, err, ok)
		}
	}
}
