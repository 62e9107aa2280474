//go:build tools

// Package tools pins kube-controller-manager, the one program this module builds.
package tools

import _ "k8s.io/kubernetes/cmd/kube-controller-manager"
