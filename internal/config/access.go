package config

import (
	"fmt"

	"github.com/example/platform/components/access/accessplan"
	"github.com/example/platform/internal/contract"
)

// AccessConfig is platform:access: how people reach what is private (the cluster's API
// endpoint, the team databases).
type AccessConfig struct {
	SessionManager SessionManagerConfig `json:"sessionManager"`
}

// SessionManagerConfig is platform:access.sessionManager: a small instance in a private subnet
// with no inbound rule and no SSH key, and Session documents that forward a local port to one
// fixed host each (`platform connect kube`, `platform connect db`).
type SessionManagerConfig struct {
	// Enabled defaults to true in every environment: it is prod's way to its private endpoint
	// and every stack's only way to its databases, it costs an instance of a few dollars a
	// month, and dev runs it so that the path prod relies on is rehearsed there first.
	Enabled *bool `json:"enabled,omitempty"`
	// InstanceType of the access instance: arm64 (Graviton), because its AMI is Amazon Linux
	// 2023 for arm64. Default t4g.nano: it only relays bytes.
	InstanceType string `json:"instanceType"`
}

// DefaultAccessInstanceType is the access instance's default type.
const DefaultAccessInstanceType = "t4g.nano"

// SessionManager reports whether the stack has Session Manager access.
func (c *Config) SessionManager() bool {
	e := c.Access.SessionManager.Enabled
	return e == nil || *e
}

// KubeAccessRoleArns may assume the kube access role: the cluster's admins and every team's
// members (each reaches the API only as its access entry allows).
func (c *Config) KubeAccessRoleArns() []string {
	out := append([]string(nil), c.Cluster.AdminRoleARNs...)
	for _, t := range c.Teams {
		out = append(out, t.AccessRoleArns...)
	}
	return out
}

func (c *Config) validateAccess(errs *Errors) {
	const k = Namespace + ":access.sessionManager"
	sm := c.Access.SessionManager
	if !instancePattern.MatchString(sm.InstanceType) {
		errs.add(k+".instanceType", fmt.Sprintf("%q is not an EC2 instance type; use e.g. %s", sm.InstanceType, DefaultAccessInstanceType))
	} else if err := accessplan.CheckInstanceType(sm.InstanceType); err != nil {
		errs.add(k+".instanceType", err.Error())
	}
	if !c.SessionManager() {
		// A private-only endpoint needs a way in for people: self-hosted runners run the
		// release workflow only, and nobody runs kubectl there in an incident.
		if len(c.Cluster.PublicAccessCIDRs) == 0 {
			errs.add(Namespace+":cluster.publicAccessCidrs", "is empty (the API endpoint is private only) while platform:access.sessionManager.enabled is false: nobody could reach the Kubernetes API; enable Session Manager access (`platform connect kube`) or list your office/VPN CIDRs")
		}
		return
	}
	// An invalid cluster name is platform:cluster.name's own error already.
	if !clusterPattern.MatchString(c.Cluster.Name) || len(c.Cluster.Name) > MaxClusterNameLength {
		return
	}
	if err := accessplan.CheckDocumentName(contract.KubeDocumentName(c.Cluster.Name)); err != nil {
		errs.add(Namespace+":cluster.name", err.Error()+": the Session documents of platform:access.sessionManager are named after the cluster; rename the cluster or disable Session Manager access")
	}
}
