//go:build tools

// Package tools pins Loki v3.7.6 (its cmd/loki), the log store the tenancy tests run
// (tests/tenancy_engines_test.go): .ci/engines.sh builds it from this module, whose replace
// directives are Loki's own (a dependent module does not inherit them).
package tools

import _ "github.com/grafana/loki/v3/cmd/loki"
