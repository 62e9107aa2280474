package recorder

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

const urnPrefix = "urn:pulumi:dev::platform::"

func props(t *testing.T, m map[string]any) *structpb.Struct {
	t.Helper()
	s, err := plugin.MarshalProperties(resource.NewPropertyMapFromMap(m), opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Check refuses what the real provider's schema refuses: a missing required input, a value
// outside an enum; it does not judge values not yet known.
func TestCheck(t *testing.T) {
	p := New("aws", nil)
	for _, tc := range []struct {
		name, typ string
		inputs    map[string]any
		want      []string
	}{
		{"complete record", "aws:route53/record:Record", map[string]any{"name": "a", "type": "CNAME", "zoneId": "Z"}, nil},
		{"record without zone", "aws:route53/record:Record", map[string]any{"name": "a", "type": "CNAME"}, []string{"zoneId: missing required property 'zoneId'"}},
		{"record of an unknown type", "aws:route53/record:Record", map[string]any{"name": "a", "type": "cname", "zoneId": "Z"}, []string{`type: expected type to be one of [A AAAA CAA CNAME DS MX NAPTR NS PTR SOA SPF SRV TXT], got "cname"`}},
		{"unknown value not judged", "aws:route53/record:Record", map[string]any{"name": "a", "type": resource.MakeComputed(resource.NewStringProperty("")), "zoneId": "Z"}, nil},
		{"secret enum judged", "aws:ssm/parameter:Parameter", map[string]any{"name": "n", "value": "v", "type": resource.MakeSecret(resource.NewStringProperty("Secure"))}, []string{`type: expected type to be one of [String StringList SecureString], got "Secure"`}},
		{"node group without scaling", "aws:eks/nodeGroup:NodeGroup", map[string]any{"clusterName": "c", "nodeRoleArn": "r", "subnetIds": []any{"s"}, "capacityType": "SPOT"}, []string{"scalingConfig: missing required property 'scalingConfig'"}},
		{"a type without rules", "aws:s3/bucketV2:BucketV2", map[string]any{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := p.Check(context.Background(), &pulumirpc.CheckRequest{Urn: urnPrefix + tc.typ + "::x", News: props(t, tc.inputs)})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.GetFailures() {
				got = append(got, f.GetProperty()+": "+f.GetReason())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("failures\n  %v\nwant\n  %v", got, tc.want)
			}
		})
	}
}

// Diff: a changed input is an update, a replacement where the provider forces one (the
// table `platform diff` uses), a Kubernetes object's new name or namespace a replacement;
// ignored inputs are no change.
func TestDiff(t *testing.T) {
	p := New("aws", nil)
	for _, tc := range []struct {
		name, typ        string
		olds, news       map[string]any
		ignore           []string
		changes, replace []string
	}{
		{"same", "aws:ec2/vpc:Vpc", map[string]any{"cidrBlock": "10.0.0.0/16"}, map[string]any{"cidrBlock": "10.0.0.0/16"}, nil, nil, nil},
		{"tags update", "aws:ec2/vpc:Vpc", map[string]any{"tags": map[string]any{"a": "1"}}, map[string]any{"tags": map[string]any{"a": "2"}}, nil, []string{"tags"}, nil},
		{"cidr replaces", "aws:ec2/vpc:Vpc", map[string]any{"cidrBlock": "10.0.0.0/16"}, map[string]any{"cidrBlock": "10.1.0.0/16"}, nil, []string{"cidrBlock"}, []string{"cidrBlock"}},
		{"ignored", "aws:eks/nodeGroup:NodeGroup", map[string]any{"scalingConfig": 1.0}, map[string]any{"scalingConfig": 2.0}, []string{"scalingConfig"}, nil, nil},
		{"k8s rename replaces", "kubernetes:core/v1:Namespace", map[string]any{"metadata": map[string]any{"name": "a"}}, map[string]any{"metadata": map[string]any{"name": "b"}}, nil, []string{"metadata"}, []string{"metadata"}},
		{"k8s label updates", "kubernetes:core/v1:Namespace", map[string]any{"metadata": map[string]any{"name": "a", "labels": map[string]any{"x": "1"}}}, map[string]any{"metadata": map[string]any{"name": "a", "labels": map[string]any{"x": "2"}}}, nil, []string{"metadata"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := p.Diff(context.Background(), &pulumirpc.DiffRequest{Urn: urnPrefix + tc.typ + "::x", OldInputs: props(t, tc.olds), News: props(t, tc.news), IgnoreChanges: tc.ignore})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.GetDiffs(), tc.changes) || !slices.Equal(res.GetReplaces(), tc.replace) {
				t.Errorf("changes %v replaces %v, want %v and %v", res.GetDiffs(), res.GetReplaces(), tc.changes, tc.replace)
			}
			if (res.GetChanges() == pulumirpc.DiffResponse_DIFF_SOME) != (len(tc.changes) > 0) {
				t.Errorf("changes flag %v with %v", res.GetChanges(), tc.changes)
			}
		})
	}
}

// Create answers from the planner and journals; a preview journals nothing; Read answers
// afresh from the inputs, and reports drift only where told to.
func TestCreateReadJournal(t *testing.T) {
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	t.Setenv(JournalEnv, journal)
	p := New("aws", nil)
	urn := urnPrefix + "aws:ec2/vpc:Vpc::network-vpc"
	in := props(t, map[string]any{"cidrBlock": "10.0.0.0/16"})
	if _, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Urn: urn, Properties: in, Preview: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(journal); !os.IsNotExist(err) {
		t.Fatalf("a preview was journaled (%v)", err)
	}
	created, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Urn: urn, Properties: in})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(created.GetId(), "vpc-") || created.GetProperties().GetFields()["cidrBlock"].GetStringValue() != "10.0.0.0/16" {
		t.Errorf("created %s %v", created.GetId(), created.GetProperties())
	}
	read := func() *pulumirpc.ReadResponse {
		r, err := p.Read(context.Background(), &pulumirpc.ReadRequest{Urn: urn, Id: created.GetId(), Properties: created.GetProperties(), Inputs: in})
		if err != nil {
			t.Fatal(err)
		}
		if r.GetId() != created.GetId() {
			t.Errorf("read id %s", r.GetId())
		}
		return r
	}
	if got := read(); !proto.Equal(got.GetProperties(), created.GetProperties()) || !proto.Equal(got.GetInputs(), in) {
		t.Errorf("read back %v, want the created state", got)
	}
	t.Setenv(DriftEnv, "other,network-vpc")
	drifted := read()
	for what, m := range map[string]*structpb.Struct{"inputs": drifted.GetInputs(), "state": drifted.GetProperties()} {
		if m.GetFields()["tags"].GetStructValue().GetFields()["editedOutsidePulumi"].GetStringValue() != "true" {
			t.Errorf("drift not reported in the %s: %v", what, m)
		}
	}
	if _, err := p.Delete(context.Background(), &pulumirpc.DeleteRequest{Urn: urn, Id: created.GetId()}); err != nil {
		t.Fatal(err)
	}
	entries, err := ReadJournal(journal)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Op+" "+e.Package+" "+e.Type+" "+e.ID)
	}
	want := []string{"create aws aws:ec2/vpc:Vpc " + created.GetId(), "read aws aws:ec2/vpc:Vpc " + created.GetId(), "read aws aws:ec2/vpc:Vpc " + created.GetId(), "delete aws aws:ec2/vpc:Vpc " + created.GetId()}
	if !slices.Equal(got, want) {
		t.Errorf("journal\n  %v\nwant\n  %v", got, want)
	}
}

// The test kubeconfig, when named, replaces the mocks' one in the cluster's answer; a missing
// or malformed file fails the answer, naming the variable.
func TestTestKubeconfig(t *testing.T) {
	out := map[string]any{"kubeconfig": "mock", "kubeconfigJson": "mock"}
	got, err := withTestKubeconfig(out)
	if err != nil || got["kubeconfigJson"] != "mock" {
		t.Fatalf("without %s: %v %v", KubeconfigEnv, got, err)
	}
	file := filepath.Join(t.TempDir(), "kubeconfig.json")
	if err := os.WriteFile(file, []byte(`{"apiVersion":"v1","kind":"Config","clusters":[{"name":"test","cluster":{"server":"https://127.0.0.1:6443"}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(KubeconfigEnv, file)
	got, err = withTestKubeconfig(map[string]any{})
	if err != nil || !strings.Contains(got["kubeconfigJson"].(string), "127.0.0.1:6443") || got["kubeconfig"].(map[string]any)["kind"] != "Config" {
		t.Errorf("with %s: %v %v", KubeconfigEnv, got, err)
	}
	if err := os.WriteFile(file, []byte("clusters: []"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := withTestKubeconfig(map[string]any{}); err == nil || !strings.Contains(err.Error(), KubeconfigEnv) {
		t.Errorf("a YAML kubeconfig: %v", err)
	}
}

func TestReadDurations(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	if err := os.WriteFile(good, []byte(`{"urn:pulumi:dev::platform::aws:ec2/vpc:Vpc::network-vpc": 1500}`), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"urn": "1.5s"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if d, err := readDurations(good); err != nil || d["urn:pulumi:dev::platform::aws:ec2/vpc:Vpc::network-vpc"] != 1500 {
		t.Errorf("good file: %v, %v", d, err)
	}
	if d, err := readDurations(""); err != nil || d != nil {
		t.Errorf("no file: %v, %v", d, err)
	}
	for _, path := range []string{bad, filepath.Join(dir, "missing.json")} {
		if _, err := readDurations(path); err == nil || !strings.Contains(err.Error(), DurationsEnv) {
			t.Errorf("%s: err = %v, want one naming %s", path, err, DurationsEnv)
		}
	}
}
