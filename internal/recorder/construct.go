package recorder

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pprovider "github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/example/platform/internal/planner"
)

// EKSClusterType is the one component the recorder constructs: pulumi-eks's cluster.
const EKSClusterType = "eks:index:Cluster"

type component struct{ pulumi.ResourceState }

// eksClusterChildType is the type of the EKS cluster Construct registers in the component.
const eksClusterChildType = "aws:eks/cluster:Cluster"

// EKSClusterChildURN is the URN of the EKS cluster Construct registers inside pulumi-eks's
// component (its URN and name): the child's type is appended to the component's type chain,
// and its name is the component's with pulumi-eks's suffix.
func EKSClusterChildURN(componentURN, name string) string {
	return strings.TrimSuffix(componentURN, "::"+name) + "$" + eksClusterChildType + "::" + eksClusterChildName(name)
}

func eksClusterChildName(name string) string { return name + "-eksCluster" }

// Construct stands in for pulumi-eks: it registers the cluster component, the EKS cluster
// inside it (an aws:eks/cluster:Cluster child, on the subnets it is given, as pulumi-eks does,
// so the engine orders its deletion as it would the real one's), and returns the component's
// outputs from the planner's answers.
func (p *Provider) Construct(ctx context.Context, req *pulumirpc.ConstructRequest) (*pulumirpc.ConstructResponse, error) {
	answers := planner.NewAnswers(req.GetProject(), req.GetStack(), req.GetConfig()["aws:region"])
	return pprovider.Construct(ctx, req, p.Engine, func(pctx *pulumi.Context, typ, name string, inputs pprovider.ConstructInputs, options pulumi.ResourceOption) (*pprovider.ConstructResult, error) {
		if typ != EKSClusterType {
			return nil, fmt.Errorf("the recording provider constructs only %s, not %s", EKSClusterType, typ)
		}
		comp := &component{}
		if err := pctx.RegisterComponentResource(typ, name, comp, options); err != nil {
			return nil, err
		}
		args, err := inputs.Map()
		if err != nil {
			return nil, err
		}
		var cluster pulumi.CustomResourceState
		if err := pctx.RegisterResource(eksClusterChildType, eksClusterChildName(name), pulumi.Map{
			"name":    args["name"],
			"version": args["version"],
			"vpcConfig": pulumi.Map{
				"subnetIds":             args["privateSubnetIds"],
				"endpointPrivateAccess": args["endpointPrivateAccess"],
				"endpointPublicAccess":  args["endpointPublicAccess"],
				"publicAccessCidrs":     args["publicAccessCidrs"],
			},
			"encryptionConfig": pulumi.Map{"provider": pulumi.Map{"keyArn": args["encryptionConfigKeyArn"]}, "resources": pulumi.ToStringArray([]string{"secrets"})},
		}, &cluster, pulumi.Parent(comp)); err != nil {
			return nil, err
		}
		// The outputs wait for the cluster, as pulumi-eks's do.
		outs := pulumi.All(cluster.ID(), pulumi.ToOutput(args["name"])).ApplyT(func(v []any) (map[string]any, error) {
			out, err := answers.EKSCluster(fmt.Sprint(v[1]))
			if err != nil {
				return nil, err
			}
			return withTestKubeconfig(out)
		}).(pulumi.MapOutput)
		// pulumi-eks returns its kubeconfigs in plain text (by design: they hold the endpoint, the
		// CA and an `aws eks get-token` exec, no credential; pulumi-eks issues #725 and #832), so
		// the recorder does too: the program, not the provider, must keep its own outputs secret.
		state := pulumi.Map{}
		for _, k := range []string{"clusterSecurityGroupId", "oidcIssuer", "oidcProviderUrl", "oidcProviderArn", "core", "kubeconfig", "kubeconfigJson"} {
			state[k] = outs.MapIndex(pulumi.String(k))
		}
		if err := pctx.RegisterResourceOutputs(comp, state); err != nil {
			return nil, err
		}
		return &pprovider.ConstructResult{URN: comp.URN(), State: state}, nil
	})
}

// withTestKubeconfig replaces the cluster's kubeconfig with the one KubeconfigEnv names, if
// set.
func withTestKubeconfig(out map[string]any) (map[string]any, error) {
	path := os.Getenv(KubeconfigEnv)
	if path == "" {
		return out, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", KubeconfigEnv, err)
	}
	var kubeconfig map[string]any
	if err := json.Unmarshal(b, &kubeconfig); err != nil {
		return nil, fmt.Errorf("%s: %s is not a JSON kubeconfig: %w", KubeconfigEnv, path, err)
	}
	out["kubeconfig"], out["kubeconfigJson"] = kubeconfig, string(b)
	return out, nil
}
