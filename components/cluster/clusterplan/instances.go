package clusterplan

import (
	"fmt"
	"strings"
)

// Architectures a node group may declare (platform:cluster.nodeGroups[].architecture): the
// EKS-optimized Amazon Linux 2023 AMIs exist for both.
const (
	ArchX86 = "x86_64"
	ArchARM = "arm64"
)

// InstanceSpec is what a Spot group's types must share: vCPUs, memory and CPU architecture.
type InstanceSpec struct {
	VCPU   int
	MiB    int
	Arch   string
	Bursty bool // a T family: CPU credits, "unlimited" by default for T3/T4g (surplus billed)
}

// InstanceSpecsSource says where InstanceSpecs come from.
const InstanceSpecsSource = "aws.amazon.com/ec2/instance-types (general purpose, compute and memory optimized " +
	"tables), cross-checked against the cores and ram_gb of the Spot Instance Advisor's data (pricing.SpotAdvisorSource)"

// InstanceSpecs are the types the platform knows the shape of: every type the price table
// prices, plus the Graviton sizes a node group is likely to use. A SPOT group may only list
// types from here, so that "one size" can be checked; add a type with its source.
var InstanceSpecs = map[string]InstanceSpec{
	"t3.medium": {2, 4096, ArchX86, true}, "t3.large": {2, 8192, ArchX86, true}, "t3.xlarge": {4, 16384, ArchX86, true},
	"t3a.large": {2, 8192, ArchX86, true},
	"m5.large":  {2, 8192, ArchX86, false}, "m6i.large": {2, 8192, ArchX86, false}, "m6i.xlarge": {4, 16384, ArchX86, false},
	"m6a.large": {2, 8192, ArchX86, false}, "m6a.xlarge": {4, 16384, ArchX86, false}, "m7i.large": {2, 8192, ArchX86, false},
	"c6i.large": {2, 4096, ArchX86, false}, "r6i.large": {2, 16384, ArchX86, false},
	"t4g.nano": {2, 512, ArchARM, true}, "t4g.micro": {2, 1024, ArchARM, true}, "t4g.small": {2, 2048, ArchARM, true},
	"t4g.medium": {2, 4096, ArchARM, true}, "t4g.large": {2, 8192, ArchARM, true}, "t4g.xlarge": {4, 16384, ArchARM, true},
	"m6g.large": {2, 8192, ArchARM, false}, "m6g.xlarge": {4, 16384, ArchARM, false},
	"m7g.large": {2, 8192, ArchARM, false}, "m7g.xlarge": {4, 16384, ArchARM, false},
	"m8g.large": {2, 8192, ArchARM, false}, "c7g.large": {2, 4096, ArchARM, false}, "r7g.large": {2, 16384, ArchARM, false},
}

// MinSpotTypes is the fewest instance types a SPOT group may list: each type is a separate
// Spot pool per AZ, and one pool's interruption must not empty the group.
const MinSpotTypes = 2

// CheckSpotTypes accepts a SPOT group's types: at least MinSpotTypes, each known, all of one
// size (vCPUs and memory: the Cluster Autoscaler assumes every node of a group is alike) and
// one architecture (one AMI).
func CheckSpotTypes(types []string) error {
	if len(types) < MinSpotTypes {
		return fmt.Errorf("a SPOT group needs at least %d instance types of one size (e.g. m6g.large and m7g.large), so that one Spot pool's interruption does not empty it", MinSpotTypes)
	}
	var first InstanceSpec
	for i, t := range types {
		s, ok := InstanceSpecs[t]
		if !ok {
			return fmt.Errorf("%q is not in the platform's instance table (clusterplan.InstanceSpecs), so its size cannot be checked; use one of its types or add it with its source", t)
		}
		if i == 0 {
			first = s
			continue
		}
		if s.VCPU != first.VCPU || s.MiB != first.MiB {
			return fmt.Errorf("%s (%d vCPU, %d MiB) and %s (%d vCPU, %d MiB) differ in size; list types of one size", types[0], first.VCPU, first.MiB, t, s.VCPU, s.MiB)
		}
		if s.Arch != first.Arch {
			return fmt.Errorf("%s and %s have different CPU architectures; use one group per architecture", types[0], t)
		}
	}
	return nil
}

// ArchOf is an instance type's architecture: from InstanceSpecs, else from its family name.
func ArchOf(instanceType string) string {
	if s, ok := InstanceSpecs[instanceType]; ok {
		return s.Arch
	}
	return Arch(instanceType)
}

// CheckArchitecture accepts instance types that all run the declared architecture.
func CheckArchitecture(arch string, types []string) error {
	if arch != ArchX86 && arch != ArchARM {
		return fmt.Errorf("%q is not allowed; use %s or %s (Graviton)", arch, ArchX86, ArchARM)
	}
	var wrong []string
	for _, t := range types {
		if ArchOf(t) != arch {
			wrong = append(wrong, t)
		}
	}
	if len(wrong) > 0 {
		return fmt.Errorf("is %s, but %s run %s; list %s types or set the architecture they run", arch, strings.Join(wrong, ", "), ArchOf(wrong[0]), arch)
	}
	return nil
}
