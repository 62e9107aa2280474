package tests

import "strings"

// podImages are the container images a rendered object runs: the containers, init containers
// and ephemeral containers of any pod template; spec.image of the Prometheus Operator's
// Prometheus and Alertmanager resources (the operator makes those pods); and the images the
// operator is told to inject by flag (--prometheus-config-reloader=, --thanos-default-base-image=).
func podImages(o map[string]any) []string {
	var out []string
	if k, _ := o["kind"].(string); k == "Prometheus" || k == "Alertmanager" || k == "ThanosRuler" {
		if spec, ok := o["spec"].(map[string]any); ok {
			if img, ok := spec["image"].(string); ok && img != "" {
				out = append(out, img)
			}
		}
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, key := range []string{"containers", "initContainers", "ephemeralContainers"} {
				cs, _ := x[key].([]any)
				for _, c := range cs {
					m, _ := c.(map[string]any)
					if img, ok := m["image"].(string); ok && img != "" {
						out = append(out, img)
					}
					args, _ := m["args"].([]any)
					for _, a := range args {
						s, _ := a.(string)
						for _, flag := range []string{"--prometheus-config-reloader=", "--thanos-default-base-image="} {
							if v, ok := strings.CutPrefix(s, flag); ok {
								out = append(out, v)
							}
						}
					}
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(o)
	return out
}
