// Command netpol-engine answers whether Kubernetes NetworkPolicies allow a connection, with a
// real evaluator: github.com/mattfenwick/cyclonus's pkg/matcher, the model cyclonus checks
// CNIs against. The platform's tests (tests/netpol_matrix_test.go) send it the plan's
// NetworkPolicies and the connections between the platform's and the teams' pods (labels from
// the plan and the pinned charts) as JSON on stdin, and read one verdict per connection.
//
// A module of its own: cyclonus builds against Kubernetes 0.33 (client-go pinned with it),
// which the platform program does not link.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/mattfenwick/cyclonus/pkg/matcher"
	v1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
)

// Input is what the tests send.
type Input struct {
	Policies    []*networkingv1.NetworkPolicy `json:"policies"`
	Connections []Connection                  `json:"connections"`
}

// Connection is one attempt: from a pod (or an address outside the cluster) to a pod or an
// address, on a port (and its name, for policies that name ports) and protocol.
type Connection struct {
	Name     string `json:"name"`
	From     Peer   `json:"from"`
	To       Peer   `json:"to"`
	Port     int    `json:"port"`
	PortName string `json:"portName,omitempty"`
	Protocol string `json:"protocol"`
}

// Peer is a pod (Namespace set) or an address outside the cluster (only IP).
type Peer struct {
	Namespace       string            `json:"namespace,omitempty"`
	NamespaceLabels map[string]string `json:"namespaceLabels,omitempty"`
	PodLabels       map[string]string `json:"podLabels,omitempty"`
	IP              string            `json:"ip"`
}

// Verdict is the evaluator's answer: each direction, and both together.
type Verdict struct {
	Name    string `json:"name"`
	Allowed bool   `json:"allowed"`
	Egress  bool   `json:"egress"`
	Ingress bool   `json:"ingress"`
}

func main() {
	var in Input
	dec := json.NewDecoder(os.Stdin)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "netpol-engine: reading the input:", err)
		os.Exit(2)
	}
	policy := matcher.BuildNetworkPolicies(true, in.Policies)
	out := make([]Verdict, 0, len(in.Connections))
	for _, c := range in.Connections {
		if c.From.IP == "" || c.To.IP == "" || c.Protocol == "" {
			// cyclonus panics on a peer without an address and matches no empty protocol.
			fmt.Fprintf(os.Stderr, "netpol-engine: %s: both peers need an IP and the protocol is required\n", c.Name)
			os.Exit(2)
		}
		res := policy.IsTrafficAllowed(&matcher.Traffic{
			Source: peer(c.From), Destination: peer(c.To),
			ResolvedPort: c.Port, ResolvedPortName: c.PortName, Protocol: v1.Protocol(c.Protocol),
		})
		out = append(out, Verdict{Name: c.Name, Allowed: res.IsAllowed(), Egress: res.Egress.IsAllowed(), Ingress: res.Ingress.IsAllowed()})
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "netpol-engine:", err)
		os.Exit(2)
	}
}

// peer is a cyclonus peer: a pod (its namespace's labels always carry
// kubernetes.io/metadata.name, as the API server sets it) or an address outside the cluster.
func peer(p Peer) *matcher.TrafficPeer {
	if p.Namespace == "" {
		return &matcher.TrafficPeer{IP: p.IP}
	}
	labels := map[string]string{"kubernetes.io/metadata.name": p.Namespace}
	for k, v := range p.NamespaceLabels {
		labels[k] = v
	}
	return &matcher.TrafficPeer{IP: p.IP, Internal: &matcher.InternalPeer{
		Namespace: p.Namespace, NamespaceLabels: labels, PodLabels: p.PodLabels,
	}}
}
