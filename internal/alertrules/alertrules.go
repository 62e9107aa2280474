// Package alertrules plans the platform's own Prometheus alert rules: what hurts on this
// platform that kube-prometheus-stack's default rules do not see (External Secrets that stop
// syncing, Argo CD applications out of sync or degraded, node groups at their maximum, DNS
// that stops syncing, the log and trace stores refusing writes). Each addon's group is a pure
// value: the components wrap it in a PrometheusRule, promtool checks and unit-tests it
// (tests/alertrules_test.go), and kube-apiserver validates the object.
//
// Not here, because it is covered elsewhere: PVCs filling up (kube-prometheus-stack's
// KubePersistentVolumeFillingUp, kept on), targets down (TargetDown), the certificate's expiry
// (a CloudWatch alarm: ACM's metric is not in Prometheus).
package alertrules

// Severity labels: Alertmanager's routing (components/addons/alerting.go) lets a critical
// alert silence the warnings of the same alert and namespace.
const (
	Warning  = "warning"
	Critical = "critical"
)

// Rule is one alerting rule.
type Rule struct {
	Alert    string
	Expr     string
	For      string
	Severity string
	// Summary and Description are the annotations a person on call reads; they may use
	// {{ $labels.x }} and {{ $value }}.
	Summary, Description string
}

// Group is a named list of rules (one per addon).
type Group struct {
	Name  string
	Rules []Rule
}

// Value is the group as PrometheusRule's spec.groups[] (and a Prometheus rules file) has it.
func (g Group) Value() map[string]any {
	rules := make([]any, 0, len(g.Rules))
	for _, r := range g.Rules {
		rules = append(rules, map[string]any{
			"alert":  r.Alert,
			"expr":   r.Expr,
			"for":    r.For,
			"labels": map[string]any{"severity": r.Severity},
			"annotations": map[string]any{
				"summary":     r.Summary,
				"description": r.Description,
			},
		})
	}
	return map[string]any{"name": g.Name, "rules": rules}
}

// Spec is a PrometheusRule's spec with these groups.
func Spec(groups ...Group) map[string]any {
	out := make([]any, 0, len(groups))
	for _, g := range groups {
		out = append(out, g.Value())
	}
	return map[string]any{"groups": out}
}
