// Package clusterplan is the cluster's pure planning: node group shapes and their AMI types,
// autoscaler tags, access entry names, log types and the managed policies the cluster uses.
// No cloud SDK: config validation and the cluster component both use it.
package clusterplan

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// LogTypes are all five EKS control-plane log types; all are on, since an incident review
// needs the audit and authenticator logs most of all.
var LogTypes = []string{"api", "audit", "authenticator", "controllerManager", "scheduler"}

// ClusterAdminPolicy is the EKS access policy that grants cluster-admin.
const ClusterAdminPolicy = "AmazonEKSClusterAdminPolicy"

// AccessPolicyArn is the ARN of an EKS access policy in a partition ("aws", "aws-cn", ...).
func AccessPolicyArn(partition, policy string) string {
	return "arn:" + partition + ":eks::aws:cluster-access-policy/" + policy
}

// NodeGroup is one managed node group. The JSON names are the config keys of
// platform:cluster.nodeGroups[], which decodes straight into this type.
type NodeGroup struct {
	Name          string   `json:"name"`
	InstanceTypes []string `json:"instanceTypes"`
	CapacityType  string   `json:"capacityType"` // ON_DEMAND or SPOT
	// Architecture is the CPU architecture of every instance type, x86_64 or arm64 (Graviton):
	// it chooses the AMI, and arm64 needs every image the platform runs to be multi-arch.
	Architecture string            `json:"architecture"`
	MinSize      int               `json:"minSize"`
	DesiredSize  int               `json:"desiredSize"`
	MaxSize      int               `json:"maxSize"`
	DiskSizeGiB  int               `json:"diskSizeGiB"`
	Labels       map[string]string `json:"labels,omitempty"`
}

// NodePolicies are the AWS managed policies of the node role. SSM replaces SSH: nodes have no
// key pair, and an operator who must get onto a node uses Session Manager, which is logged.
var NodePolicies = []string{
	"AmazonEKSWorkerNodePolicy",
	"AmazonEKS_CNI_Policy",
	"AmazonEC2ContainerRegistryReadOnly",
	"AmazonSSMManagedInstanceCore",
}

// RootDevice is the root volume of the Amazon Linux 2023 EKS AMIs.
const RootDevice = "/dev/xvda"

// Graviton families carry a "g" after the generation digit (m7g, c7gn, t4g, r8gd).
var armFamily = regexp.MustCompile(`^[a-z]+[0-9]+[a-z]*g[a-z]*\.`)

// Arch is "arm64" for Graviton instance types and "x86_64" otherwise.
func Arch(instanceType string) string {
	if armFamily.MatchString(instanceType) {
		return "arm64"
	}
	return "x86_64"
}

// AMIType is the EKS-optimized Amazon Linux 2023 AMI for the group's architecture. All of a
// group's instance types must share one architecture: a group has one AMI.
func AMIType(instanceTypes []string) (string, error) {
	if len(instanceTypes) == 0 {
		return "", fmt.Errorf("no instance types")
	}
	arch := Arch(instanceTypes[0])
	for _, t := range instanceTypes[1:] {
		if Arch(t) != arch {
			return "", fmt.Errorf("instance types %s and %s have different CPU architectures; use one group per architecture", instanceTypes[0], t)
		}
	}
	if arch == "arm64" {
		return "AL2023_ARM_64_STANDARD", nil
	}
	return "AL2023_x86_64_STANDARD", nil
}

// AutoscalerTags are the node group tags the Cluster Autoscaler's auto-discovery looks for
// (--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/<cluster>),
// plus node-template label tags so that it can scale a group up from zero knowing its labels.
func AutoscalerTags(clusterName string, labels map[string]string) map[string]string {
	tags := map[string]string{
		"k8s.io/cluster-autoscaler/enabled":        "true",
		"k8s.io/cluster-autoscaler/" + clusterName: "owned",
	}
	for k, v := range labels {
		tags["k8s.io/cluster-autoscaler/node-template/label/"+k] = v
	}
	return tags
}

// AccessEntryName is the stable key of an admin role's access entry: the role's name, which
// (unlike a list index) does not change when another role is added before it.
func AccessEntryName(roleArn string) string {
	name := roleArn[strings.LastIndex(roleArn, "/")+1:]
	return "admin-" + strings.ToLower(name)
}

// AdminEntryNames maps each admin role ARN to its entry name, refusing two roles whose names
// collide (same role name under different paths or accounts).
func AdminEntryNames(roleArns []string) (map[string]string, error) {
	out := map[string]string{}
	seen := map[string]string{}
	sorted := append([]string(nil), roleArns...)
	sort.Strings(sorted)
	for _, arn := range sorted {
		n := AccessEntryName(arn)
		if prev, ok := seen[n]; ok {
			return nil, fmt.Errorf("admin roles %s and %s have the same role name", prev, arn)
		}
		seen[n] = arn
		out[arn] = n
	}
	return out, nil
}
