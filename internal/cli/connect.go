package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/contract"
)

const connectUsage = `usage:
  platform connect kube --stack S [--local-port P] [--role-arn ARN] [--target INSTANCE] [--dir DIR]
  platform connect db --stack S --team T --name N [--local-port P] [--role-arn ARN] [--target INSTANCE] [--dir DIR]

A Session Manager tunnel from localhost:P through the stack's access instance to the cluster's
private API endpoint (kube) or to one team database (db). The session's document fixes the host;
only the local port is yours to choose. --role-arn is the role to start it as (stack outputs
access.kubeRoleArn, or access.connectRoles.<team>); without it, your credentials as they are.
The instance is found by its tag (platform-access=<cluster>) with your own credentials (it needs
ec2:DescribeInstances), or named with --target (stack output access.instanceId). Needs AWS's
session-manager-plugin on PATH.
`

// Default local ports: 8443 and 15432 leave a local API server or PostgreSQL alone.
const (
	defaultKubePort = 8443
	defaultDBPort   = 15432
)

var instanceIDPattern = regexp.MustCompile(`^i-[0-9a-f]{8}([0-9a-f]{9})?$`)

// connectAPIs is how the command reaches AWS and the plugin; the tests pass fakes.
type connectAPIs struct {
	// open returns the caller's EC2 (the instance lookup, with the caller's own credentials),
	// the SSM client the session starts with (as roleArn when set) and the environment the
	// plugin runs with (the same credentials).
	open func(ctx context.Context, region, roleArn, sessionName string) (instanceFinder, sessionStarter, []string, error)
	// plugin runs session-manager-plugin with args; lookPlugin finds it before anything starts.
	plugin     func(ctx context.Context, args, env []string, stdout, stderr io.Writer) error
	lookPlugin func() error
}

type instanceFinder interface {
	DescribeInstances(context.Context, *ec2.DescribeInstancesInput, ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)
}

type sessionStarter interface {
	StartSession(context.Context, *ssm.StartSessionInput, ...func(*ssm.Options)) (*ssm.StartSessionOutput, error)
}

func connectCmd(args []string, stdout, stderr io.Writer) int {
	return connectWith(args, stdout, stderr, awsConnectAPIs)
}

// connectRequest is a validated connect command.
type connectRequest struct {
	cfg                      *config.Config
	kind, team, name, target string
	roleArn, document        string
	port                     int
}

func connectWith(args []string, stdout, stderr io.Writer, apis connectAPIs) int {
	if len(args) == 0 || (args[0] != "kube" && args[0] != "db") {
		fmt.Fprint(stderr, "platform connect: say kube or db\n\n"+connectUsage)
		return 2
	}
	req, code := parseConnect(args, stderr)
	if code != 0 {
		return code
	}
	cmd := "platform connect " + req.kind
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, cmd+": "+format+"\n", a...)
		return code
	}
	if err := apis.lookPlugin(); err != nil {
		return fail(1, "%v: install AWS's session-manager-plugin (https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html)", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	finder, starter, env, err := apis.open(ctx, req.cfg.Region, req.roleArn, "platform-connect-"+req.kind)
	if err != nil {
		return fail(1, "%v", err)
	}
	target := req.target
	if target == "" {
		if target, err = findAccessInstance(ctx, finder, req.cfg.Cluster.Name); err != nil {
			return fail(1, "%v", err)
		}
	}
	in := &ssm.StartSessionInput{Target: aws.String(target), DocumentName: aws.String(req.document),
		Parameters: map[string][]string{"localPortNumber": {strconv.Itoa(req.port)}},
		Reason:     aws.String(cmd + " (platform CLI)")}
	out, err := starter.StartSession(ctx, in)
	if err != nil {
		return fail(1, "starting the session on %s with %s: %v", target, req.document, err)
	}
	if req.kind == "kube" {
		fmt.Fprintf(stdout, "Forwarding localhost:%d to the Kubernetes API of %s. In another shell:\n"+
			"  kubectl --server https://localhost:%d --tls-server-name \"$(aws eks describe-cluster --region %s --name %s --query cluster.endpoint --output text | sed 's#^https://##')\" get nodes\n"+
			"(or set server: https://localhost:%d and tls-server-name: <the endpoint's host> in the cluster's kubeconfig entry)\n",
			req.port, req.cfg.Cluster.Name, req.port, req.cfg.Region, req.cfg.Cluster.Name, req.port)
	} else {
		fmt.Fprintf(stdout, "Forwarding localhost:%d to team %s's database %s (PostgreSQL, TLS required): e.g.\n"+
			"  psql \"host=localhost port=%d dbname=%s sslmode=require user=...\"\n", req.port, req.team, req.name, req.port, strings.ReplaceAll(req.name, "-", "_"))
	}
	response, _ := json.Marshal(map[string]string{"SessionId": aws.ToString(out.SessionId), "StreamUrl": aws.ToString(out.StreamUrl), "TokenValue": aws.ToString(out.TokenValue)})
	request, _ := json.Marshal(map[string]any{"Target": target, "DocumentName": req.document, "Parameters": in.Parameters})
	pluginArgs := []string{string(response), req.cfg.Region, "StartSession", "", string(request), "https://ssm." + req.cfg.Region + ".amazonaws.com"}
	if err := apis.plugin(ctx, pluginArgs, env, stdout, stderr); err != nil {
		return fail(1, "session-manager-plugin: %v", err)
	}
	return 0
}

// parseConnect checks every flag against the stack's config, flag by flag, before anything
// reaches AWS.
func parseConnect(args []string, stderr io.Writer) (connectRequest, int) {
	req := connectRequest{kind: args[0]}
	cmd := "platform connect " + req.kind
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	stack := fs.String("stack", "", "stack name: reads Pulumi.<stack>.yaml (required)")
	port := fs.Int("local-port", 0, "the local port to listen on (default 8443 for kube, 15432 for db)")
	fs.StringVar(&req.roleArn, "role-arn", "", "the role to start the session as (stack output access.kubeRoleArn or access.connectRoles.<team>)")
	fs.StringVar(&req.target, "target", "", "the access instance's id (stack output access.instanceId); default: found by its tag")
	dir := fs.String("dir", "", "project directory (default: the nearest directory with a Pulumi.yaml)")
	if req.kind == "db" {
		fs.StringVar(&req.team, "team", "", "the team whose database it is (required)")
		fs.StringVar(&req.name, "name", "", "the database's name, as in platform:teams[].databases (required)")
	}
	fail := func(code int, format string, a ...any) (connectRequest, int) {
		fmt.Fprintf(stderr, cmd+": "+format+"\n", a...)
		return connectRequest{}, code
	}
	if err := fs.Parse(args[1:]); err != nil {
		return connectRequest{}, 2
	}
	switch {
	case fs.NArg() > 0:
		return fail(2, "takes no arguments, got %q\n\n%s", fs.Args(), connectUsage)
	case *stack == "":
		return fail(2, "--stack is required, e.g. --stack prod")
	case req.kind == "db" && req.team == "":
		return fail(2, "--team is required: the team whose database it is, e.g. --team payments")
	case req.kind == "db" && req.name == "":
		return fail(2, "--name is required: the database's name, e.g. --name ledger")
	case *port < 0 || *port > 65535:
		return fail(2, "--local-port %d is not a port; use 1 to 65535", *port)
	case req.target != "" && !instanceIDPattern.MatchString(req.target):
		return fail(2, "--target %q is not an EC2 instance id; use the stack output access.instanceId, e.g. i-0123456789abcdef0", req.target)
	}
	cfg, err := stackConfig(*dir, *stack)
	if err != nil {
		return fail(1, "%s", describeError(err))
	}
	req.cfg = cfg
	if !cfg.SessionManager() {
		return fail(2, "stack %s has no Session Manager access (%s:access.sessionManager.enabled is false)", *stack, config.Namespace)
	}
	req.port = *port
	if req.kind == "kube" {
		req.document = contract.KubeDocumentName(cfg.Cluster.Name)
		if req.port == 0 {
			req.port = defaultKubePort
		}
		if req.roleArn != "" {
			if err := checkAccessRole(req.roleArn, contract.PlatformRolePath(cfg.Cluster.Name), "access-kube-role-"); err != nil {
				return fail(2, "--role-arn %v; use the stack output access.kubeRoleArn", err)
			}
		}
		return req, 0
	}
	var teams, names []string
	for _, t := range cfg.Teams {
		teams = append(teams, t.Name)
	}
	if !slices.Contains(teams, req.team) {
		return fail(2, "--team %q is not a team of stack %s; its teams are: %s", req.team, *stack, strings.Join(teams, ", "))
	}
	for _, db := range cfg.Databases() {
		if db.Team == req.team {
			names = append(names, db.Name)
		}
	}
	if !slices.Contains(names, req.name) {
		if len(names) == 0 {
			return fail(2, "--name %q: team %s has no database on stack %s", req.name, req.team, *stack)
		}
		return fail(2, "--name %q is not a database of team %s on stack %s; its databases are: %s", req.name, req.team, *stack, strings.Join(names, ", "))
	}
	req.document = contract.DatabaseDocumentName(cfg.Cluster.Name, req.team, req.name)
	if req.port == 0 {
		req.port = defaultDBPort
	}
	if req.roleArn != "" {
		if err := checkAccessRole(req.roleArn, contract.TeamRolePath(cfg.Cluster.Name), "connect-"+req.team+"-role-"); err != nil {
			return fail(2, "--role-arn %v; use the stack output access.connectRoles.%s", err, req.team)
		}
	}
	return req, 0
}

var accessRoleArn = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role(/[\x21-\x7e]+)?/[\w+=,.@-]{1,64}$`)

// checkAccessRole accepts a role ARN under path whose name is the access role's (prefix and
// Pulumi's suffix): not another team's connect role, not a platform role.
func checkAccessRole(arn, path, prefix string) error {
	if !accessRoleArn.MatchString(arn) {
		return fmt.Errorf("%q is not an IAM role ARN", arn)
	}
	_, name, ok := strings.Cut(arn, ":role"+path)
	if !ok || strings.Contains(name, "/") || !strings.HasPrefix(name, prefix) {
		return fmt.Errorf("%q is not the access role (%s%s...)", arn, path, prefix)
	}
	return nil
}

// findAccessInstance is the running instance tagged as the cluster's access instance.
func findAccessInstance(ctx context.Context, api instanceFinder, cluster string) (string, error) {
	out, err := api.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{
		{Name: aws.String("tag:" + contract.AccessTag), Values: []string{cluster}},
		{Name: aws.String("instance-state-name"), Values: []string{"running"}},
	}})
	if err != nil {
		return "", fmt.Errorf("finding the access instance (tag %s=%s; without ec2:DescribeInstances pass --target, the stack output access.instanceId): %w", contract.AccessTag, cluster, err)
	}
	var ids []string
	for _, r := range out.Reservations {
		for _, i := range r.Instances {
			ids = append(ids, aws.ToString(i.InstanceId))
		}
	}
	switch len(ids) {
	case 1:
		return ids[0], nil
	case 0:
		return "", fmt.Errorf("no running instance tagged %s=%s: is the stack deployed with platform:access.sessionManager?", contract.AccessTag, cluster)
	}
	return "", fmt.Errorf("%d running instances tagged %s=%s (%s): pass --target", len(ids), contract.AccessTag, cluster, strings.Join(ids, ", "))
}

// awsConnectAPIs are the real ones: the SDK's clients in the stack's region, and the plugin.
var awsConnectAPIs = connectAPIs{
	open: func(ctx context.Context, region, roleArn, sessionName string) (instanceFinder, sessionStarter, []string, error) {
		cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(region))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("AWS credentials: %w", err)
		}
		session := cfg.Copy()
		if roleArn != "" {
			session.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), roleArn, func(o *stscreds.AssumeRoleOptions) {
				o.RoleSessionName = sessionName
			}))
		}
		creds, err := session.Credentials.Retrieve(ctx)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("AWS credentials (assuming %s): %w", roleArn, err)
		}
		env := append(os.Environ(), "AWS_ACCESS_KEY_ID="+creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+creds.SecretAccessKey,
			"AWS_SESSION_TOKEN="+creds.SessionToken, "AWS_REGION="+region)
		return ec2.NewFromConfig(cfg), ssm.NewFromConfig(session), env, nil
	},
	lookPlugin: func() error {
		_, err := exec.LookPath("session-manager-plugin")
		return err
	},
	plugin: func(ctx context.Context, args, env []string, stdout, stderr io.Writer) error {
		c := exec.CommandContext(ctx, "session-manager-plugin", args...)
		c.Env, c.Stdin, c.Stdout, c.Stderr = env, os.Stdin, stdout, stderr
		if err := c.Run(); err != nil {
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				return fmt.Errorf("exited with %d", exit.ExitCode())
			}
			return err
		}
		return nil
	},
}
