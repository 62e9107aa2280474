package cluster

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/cluster/clusterplan"
	"github.com/example/platform/components/handle"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/internal/planner/plantest"
)

func args() *Args {
	return &Args{
		Name: "c1", KubernetesVersion: "1.33",
		AdminRoleARNs:    []string{"arn:aws:iam::111122223333:role/platform-admin", "arn:aws:iam::111122223333:role/ops/oncall"},
		LogRetentionDays: 30, KeyDeletionWindowDays: 7,
		NodeGroups: []clusterplan.NodeGroup{
			{Name: "general", InstanceTypes: []string{"m6i.large"}, CapacityType: "ON_DEMAND", MinSize: 1, DesiredSize: 2, MaxSize: 4, DiskSizeGiB: 50},
			{Name: "arm", InstanceTypes: []string{"m7g.large"}, CapacityType: "SPOT", MinSize: 0, DesiredSize: 0, MaxSize: 3, DiskSizeGiB: 30,
				Labels: map[string]string{"pool": "arm"}},
		},
		Account:             plantest.Account,
		Protect:             true,
		PermissionsBoundary: pulumi.String(plantest.Account.BoundaryPolicyArn("c1")),
		LogsKeyArn:          pulumi.String("arn:aws:kms:eu-north-1:123456789012:key/logs"),
	}
}

func build(t *testing.T, a *Args) (*planner.Plan, handle.Cluster) {
	t.Helper()
	var h handle.Cluster
	p, err := plantest.Run(func(ctx *pulumi.Context) error {
		a.Network = handle.Network{VpcID: plantest.Output("vpc-1"),
			PrivateSubnetIDs: pulumi.ToStringArray([]string{"subnet-a", "subnet-b"}).ToStringArrayOutput()}
		c, err := New(ctx, "cl", a)
		if err == nil {
			h = c.Handle()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return p, h
}

func TestChildren(t *testing.T) {
	p, h := build(t, args())
	comp := plantest.Named(t, p, "platform:index:Cluster", "cl")
	eks := plantest.Named(t, p, "eks:index:Cluster", "cl-eks")
	key := plantest.Named(t, p, "aws:kms/key:Key", "cl-secrets-key")
	logs := plantest.Named(t, p, "aws:cloudwatch/logGroup:LogGroup", "cl-control-plane-logs")
	for _, r := range p.Resources {
		if r.URN != comp.URN && (r.Parent != comp.URN || !strings.HasPrefix(r.Name, "cl-")) {
			t.Errorf("%s (%s): parent %s", r.Name, r.Type, r.Parent)
		}
	}
	if !eks.Protect || !key.Protect || key.Get("deletionWindowInDays") != 7.0 || key.Get("enableKeyRotation") != true {
		t.Errorf("cluster protect %v, key %v (protect %v)", eks.Protect, key.Inputs, key.Protect)
	}
	if logs.GetString("name") != "/aws/eks/c1/cluster" || logs.Get("retentionInDays") != 30.0 || !plantest.Contains(eks.Dependencies, logs.URN) {
		t.Errorf("log group %v not created, with its retention, before the cluster", logs.Inputs)
	}
	if logs.GetString("kmsKeyId") != "arn:aws:kms:eu-north-1:123456789012:key/logs" {
		t.Errorf("control-plane logs not encrypted with the stack's logs key: %v", logs.Inputs)
	}
	if key.GetString("tags.platform:cluster") != "c1" || key.GetString("policy") != plantest.Account.KeyPolicy().JSON() {
		t.Errorf("secrets key without its stack tag or explicit policy: %v", key.Inputs)
	}
	if eks.GetString("vpcId") != "vpc-1" || eks.Get("endpointPublicAccess") != false || eks.GetString("authenticationMode") != "API" {
		t.Errorf("cluster = %v", eks.Inputs)
	}
	// Access entries are keyed by role name: adding a role renames none.
	entries, _ := eks.Get("accessEntries").(map[string]any)
	if len(entries) != 2 || entries["admin-platform-admin"] == nil || entries["admin-oncall"] == nil {
		t.Errorf("access entries = %v", entries)
	}
	// The node role's managed policies, in this account's partition.
	for _, name := range clusterplan.NodePolicies {
		att := plantest.Named(t, p, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "cl-node-"+name)
		if att.GetString("policyArn") != "arn:aws:iam::aws:policy/"+name {
			t.Errorf("%s: %s", att.Name, att.GetString("policyArn"))
		}
	}
	arm := plantest.Named(t, p, "aws:eks/nodeGroup:NodeGroup", "cl-arm-ng")
	if arm.GetString("amiType") != "AL2023_ARM_64_STANDARD" || arm.GetString("capacityType") != "SPOT" ||
		!plantest.Contains(arm.IgnoreChanges, "scalingConfig.desiredSize") || !plantest.Contains(arm.PropertyDependencies["clusterName"], eks.URN) {
		t.Errorf("arm group = %v (ignore %v)", arm.Inputs, arm.IgnoreChanges)
	}
	if tags, _ := arm.Get("tags").(map[string]any); tags["k8s.io/cluster-autoscaler/node-template/label/pool"] != "arm" {
		t.Errorf("arm group tags = %v", tags)
	}
	prov := plantest.Named(t, p, "pulumi:providers:kubernetes", "cl-k8s")
	if !plantest.Contains(prov.SecretInputs, "kubeconfig") {
		t.Errorf("the provider's kubeconfig is not secret: %v", prov.SecretInputs)
	}
	if h.Name != "c1" || h.KubernetesVersion != "1.33" || len(h.NodeGroups) != 2 {
		t.Errorf("handle = %+v", h)
	}
}

func TestPublicEndpointOnlyForTheListedCIDRs(t *testing.T) {
	a := args()
	a.PublicAccessCIDRs = []string{"203.0.113.0/24"}
	p, _ := build(t, a)
	eks := plantest.Named(t, p, "eks:index:Cluster", "cl-eks")
	if eks.Get("endpointPublicAccess") != true || eks.Get("endpointPrivateAccess") != true ||
		strings.Join(eksStrings(eks, "publicAccessCidrs"), ",") != "203.0.113.0/24" {
		t.Errorf("endpoint = %v", eks.Inputs)
	}
}

func eksStrings(r planner.Resource, key string) []string {
	var out []string
	list, _ := r.Get(key).([]any)
	for _, v := range list {
		s, _ := v.(string)
		out = append(out, s)
	}
	return out
}

func TestRefusesBadArgs(t *testing.T) {
	tests := map[string]struct {
		mutate func(*Args)
		want   string
	}{
		"no name":         {func(a *Args) { a.Name = "" }, "Name and KubernetesVersion are required"},
		"no node groups":  {func(a *Args) { a.NodeGroups = nil }, "at least one node group"},
		"mixed arch":      {func(a *Args) { a.NodeGroups[0].InstanceTypes = []string{"m6i.large", "m7g.large"} }, "different CPU architectures"},
		"sizes":           {func(a *Args) { a.NodeGroups[0].MinSize = 5 }, "min <= desired <= max"},
		"key window":      {func(a *Args) { a.KeyDeletionWindowDays = 3 }, "KeyDeletionWindowDays must be 7 to 30"},
		"admin collision": {func(a *Args) { a.AdminRoleARNs = []string{"arn:aws:iam::1:role/a/x", "arn:aws:iam::1:role/b/x"} }, "same role name"},
		"no partition":    {func(a *Args) { a.Account.Partition = "" }, "Account.Partition is required"},
		"no retention":    {func(a *Args) { a.LogRetentionDays = 0 }, "LogRetentionDays is required"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			a := args()
			tt.mutate(a)
			p, err := plantest.Run(func(ctx *pulumi.Context) error {
				a.Network = handle.Network{VpcID: plantest.Output("vpc-1"), PrivateSubnetIDs: pulumi.StringArray{}.ToStringArrayOutput()}
				_, err := New(ctx, "cl", a)
				return err
			})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if len(p.Resources) != 0 {
				t.Errorf("%d resources registered", len(p.Resources))
			}
		})
	}
	p, err := plantest.Run(func(ctx *pulumi.Context) error {
		_, err := New(ctx, "cl", args())
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "Network is required") || len(p.Resources) != 0 {
		t.Errorf("without a network: %v, %d resources", err, len(p.Resources))
	}
}
