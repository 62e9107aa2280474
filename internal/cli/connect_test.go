package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// fakeSessionManager stands in for EC2 (the instance lookup), SSM (StartSession) and the
// session-manager-plugin, recording what the command asks of each.
type fakeSessionManager struct {
	opened    []string // region|role|session name
	describes []*ec2.DescribeInstancesInput
	starts    []*ssm.StartSessionInput
	plugins   [][]string
	instances []string
}

func (f *fakeSessionManager) DescribeInstances(_ context.Context, in *ec2.DescribeInstancesInput, _ ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	f.describes = append(f.describes, in)
	var r ec2types.Reservation
	for _, id := range f.instances {
		r.Instances = append(r.Instances, ec2types.Instance{InstanceId: aws.String(id)})
	}
	return &ec2.DescribeInstancesOutput{Reservations: []ec2types.Reservation{r}}, nil
}

func (f *fakeSessionManager) StartSession(_ context.Context, in *ssm.StartSessionInput, _ ...func(*ssm.Options)) (*ssm.StartSessionOutput, error) {
	f.starts = append(f.starts, in)
	return &ssm.StartSessionOutput{SessionId: aws.String("jane-0a1b2c"), StreamUrl: aws.String("wss://ssmmessages.example/x"), TokenValue: aws.String("tok")}, nil
}

func (f *fakeSessionManager) apis() connectAPIs {
	return connectAPIs{
		open: func(_ context.Context, region, role, name string) (instanceFinder, sessionStarter, []string, error) {
			f.opened = append(f.opened, region+"|"+role+"|"+name)
			return f, f, nil, nil
		},
		lookPlugin: func() error { return nil },
		plugin: func(_ context.Context, args, _ []string, _, _ io.Writer) error {
			f.plugins = append(f.plugins, args)
			return nil
		},
	}
}

func runConnect(f *fakeSessionManager, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := connectWith(args, &out, &errOut, f.apis())
	return code, out.String(), errOut.String()
}

const (
	kubeRole    = "arn:aws:iam::111122223333:role/platform-dev/platform/access-kube-role-0a1b2c3"
	connectRole = "arn:aws:iam::111122223333:role/platform-dev/teams/connect-payments-role-0a1b2c3"
)

// kube: the instance found by its tag, the kube document, the local port, and the kubectl line.
func TestConnectKubeAsksForTheClustersSession(t *testing.T) {
	f := &fakeSessionManager{instances: []string{"i-0123456789abcdef0"}}
	code, out, errOut := runConnect(f, "kube", "--stack", "dev", "--local-port", "9443", "--role-arn", kubeRole, "--dir", projectDir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if len(f.opened) != 1 || f.opened[0] != "eu-north-1|"+kubeRole+"|platform-connect-kube" {
		t.Errorf("opened %v", f.opened)
	}
	if len(f.describes) != 1 || len(f.describes[0].Filters) != 2 || aws.ToString(f.describes[0].Filters[0].Name) != "tag:platform-access" ||
		f.describes[0].Filters[0].Values[0] != "platform-dev" || f.describes[0].Filters[1].Values[0] != "running" {
		t.Errorf("lookup %+v", f.describes)
	}
	if len(f.starts) != 1 {
		t.Fatalf("%d sessions", len(f.starts))
	}
	s := f.starts[0]
	if aws.ToString(s.Target) != "i-0123456789abcdef0" || aws.ToString(s.DocumentName) != "platform-dev.kube" ||
		len(s.Parameters) != 1 || strings.Join(s.Parameters["localPortNumber"], ",") != "9443" {
		t.Errorf("session %s %s %v", aws.ToString(s.Target), aws.ToString(s.DocumentName), s.Parameters)
	}
	if !strings.Contains(out, "kubectl --server https://localhost:9443 --tls-server-name") || !strings.Contains(out, "--name platform-dev") {
		t.Errorf("stdout %s", out)
	}
	if len(f.plugins) != 1 || f.plugins[0][2] != "StartSession" || f.plugins[0][1] != "eu-north-1" {
		t.Fatalf("plugin %v", f.plugins)
	}
	var resp map[string]string
	if err := json.Unmarshal([]byte(f.plugins[0][0]), &resp); err != nil || resp["SessionId"] != "jane-0a1b2c" || resp["TokenValue"] != "tok" {
		t.Errorf("plugin response %s", f.plugins[0][0])
	}
}

// db: payments' ledger through its document, with --target naming the instance (no lookup).
func TestConnectDBAsksForTheDatabasesSession(t *testing.T) {
	f := &fakeSessionManager{}
	code, out, errOut := runConnect(f, "db", "--stack", "dev", "--team", "payments", "--name", "ledger", "--role-arn", connectRole,
		"--target", "i-0123456789abcdef0", "--dir", projectDir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if len(f.describes) != 0 {
		t.Errorf("looked up the instance though --target names it")
	}
	if len(f.starts) != 1 || aws.ToString(f.starts[0].DocumentName) != "platform-dev.payments.ledger" ||
		strings.Join(f.starts[0].Parameters["localPortNumber"], ",") != "15432" || aws.ToString(f.starts[0].Target) != "i-0123456789abcdef0" {
		t.Errorf("session %+v", f.starts)
	}
	if f.opened[0] != "eu-north-1|"+connectRole+"|platform-connect-db" || !strings.Contains(out, "port=15432 dbname=ledger") {
		t.Errorf("opened %v, stdout %s", f.opened, out)
	}
}

// Bad input is refused flag by flag, naming what is allowed, and nothing reaches AWS.
func TestConnectRefusesBadInputWithoutACall(t *testing.T) {
	db := func(extra ...string) []string {
		return append([]string{"db", "--stack", "dev", "--team", "payments", "--name", "ledger", "--dir", projectDir}, extra...)
	}
	for name, tc := range map[string]struct {
		args []string
		code int
		want string
	}{
		"no target kind":    {nil, 2, "say kube or db"},
		"unknown kind":      {[]string{"shell", "--stack", "dev"}, 2, "say kube or db"},
		"no --stack":        {[]string{"kube", "--dir", projectDir}, 2, "--stack is required"},
		"unknown --stack":   {[]string{"kube", "--stack", "qa", "--dir", projectDir}, 1, `no stack "qa"`},
		"no --team":         {[]string{"db", "--stack", "dev", "--name", "ledger", "--dir", projectDir}, 2, "--team is required"},
		"no --name":         {[]string{"db", "--stack", "dev", "--team", "payments", "--dir", projectDir}, 2, "--name is required"},
		"unknown --team":    {[]string{"db", "--stack", "dev", "--team", "billing", "--name", "ledger", "--dir", projectDir}, 2, `--team "billing" is not a team of stack dev; its teams are: payments, search`},
		"unknown --name":    {[]string{"db", "--stack", "dev", "--team", "payments", "--name", "orders", "--dir", projectDir}, 2, `--name "orders" is not a database of team payments on stack dev; its databases are: ledger`},
		"team without db":   {[]string{"db", "--stack", "dev", "--team", "search", "--name", "ledger", "--dir", projectDir}, 2, "team search has no database"},
		"bad port":          {db("--local-port", "70000"), 2, "--local-port 70000 is not a port"},
		"bad --target":      {db("--target", "web-1"), 2, `--target "web-1" is not an EC2 instance id`},
		"--host flag":       {db("--host", "evil.example"), 2, "flag provided but not defined: -host"},
		"argument":          {db("extra"), 2, "takes no arguments"},
		"role not an ARN":   {db("--role-arn", "payments"), 2, `--role-arn "payments" is not an IAM role ARN`},
		"search's role":     {db("--role-arn", "arn:aws:iam::111122223333:role/platform-dev/teams/connect-search-role-0a1b2c3"), 2, "is not the access role"},
		"writer role":       {db("--role-arn", "arn:aws:iam::111122223333:role/platform-dev/teams/teams-payments-writer-role-0a1b2c3"), 2, "is not the access role"},
		"kube with db role": {[]string{"kube", "--stack", "dev", "--role-arn", connectRole, "--dir", projectDir}, 2, "use the stack output access.kubeRoleArn"},
		"kube with --team":  {[]string{"kube", "--stack", "dev", "--team", "payments", "--dir", projectDir}, 2, "flag provided but not defined: -team"},
		"prod role for dev": {db("--role-arn", "arn:aws:iam::111122223333:role/platform-prod/teams/connect-payments-role-0a1b2c3"), 2, "is not the access role"},
		"bad --dir":         {[]string{"kube", "--stack", "dev", "--dir", "/nonexistent"}, 1, "--dir /nonexistent: no Pulumi.yaml"},
	} {
		f := &fakeSessionManager{instances: []string{"i-0123456789abcdef0"}}
		code, out, errOut := runConnect(f, tc.args...)
		if code != tc.code || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d and %q", name, code, out, errOut, tc.code, tc.want)
		}
		if len(f.opened)+len(f.describes)+len(f.starts)+len(f.plugins) != 0 {
			t.Errorf("%s: reached AWS: %v %v %v %v", name, f.opened, f.describes, f.starts, f.plugins)
		}
	}
}

// No plugin, no session: nothing is started that nobody could use.
func TestConnectNeedsThePluginFirst(t *testing.T) {
	f := &fakeSessionManager{instances: []string{"i-0123456789abcdef0"}}
	apis := f.apis()
	apis.lookPlugin = func() error { return io.ErrUnexpectedEOF }
	var out, errOut bytes.Buffer
	if code := connectWith([]string{"kube", "--stack", "dev", "--dir", projectDir}, &out, &errOut, apis); code != 1 || !strings.Contains(errOut.String(), "session-manager-plugin") {
		t.Errorf("exit %d: %s", code, errOut.String())
	}
	if len(f.opened)+len(f.starts) != 0 {
		t.Error("reached AWS without the plugin")
	}
}

// Two instances carry the tag: the command does not guess.
func TestConnectRefusesAnAmbiguousInstance(t *testing.T) {
	f := &fakeSessionManager{instances: []string{"i-0123456789abcdef0", "i-0fedcba9876543210"}}
	code, _, errOut := runConnect(f, "kube", "--stack", "dev", "--dir", projectDir)
	if code != 1 || !strings.Contains(errOut, "2 running instances") || len(f.starts) != 0 {
		t.Errorf("exit %d, %s, %d sessions", code, errOut, len(f.starts))
	}
}
