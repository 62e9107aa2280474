// Command argocd-engine answers whether Argo CD would deploy an Application and its resources,
// with Argo CD's own project code (github.com/argoproj/argo-cd/v3, package
// pkg/apis/application/v1alpha1, and util/security for the enabled application namespaces).
// The platform's tests (tests/argocd_projects_test.go) send it the plan's AppProjects and the
// Applications an attacker or a team would write, as JSON on stdin, and read one verdict per
// case on stdout.
//
// It is a module of its own so that Argo CD's dependencies (Kubernetes 0.34, go-git, ...) stay
// out of the platform program's. v3.3.19, not the v3.4.4 the chart runs: from v3.4 the module
// needs a gitops-engine pseudo-version the Go module proxy does not serve. What differs between
// the two in these checks is in the README ("Tests").
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/util/security"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Input is what the tests send.
type Input struct {
	// ControllerNamespace is where Argo CD runs; ApplicationNamespaces the other namespaces it
	// reads Applications from (configs.params application.namespaces).
	ControllerNamespace   string                `json:"controllerNamespace"`
	ApplicationNamespaces []string              `json:"applicationNamespaces"`
	Projects              []v1alpha1.AppProject `json:"projects"`
	Cases                 []Case                `json:"cases"`
}

// Case is one Application and the resources its source renders.
type Case struct {
	Name        string               `json:"name"`
	Application v1alpha1.Application `json:"application"`
	Resources   []Resource           `json:"resources"`
}

// Resource is one rendered object; Namespaced says what the API server's discovery would.
type Resource struct {
	Group      string `json:"group"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Namespace  string `json:"namespace"`
	Namespaced bool   `json:"namespaced"`
}

// Verdict is Argo CD's answer: allowed, or the first refusal in the order Argo CD checks.
type Verdict struct {
	Name    string `json:"name"`
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason,omitempty"`
}

// inCluster is the cluster record Argo CD's database returns for its own cluster: server and
// name both set, and both matched against a project's destinations.
var inCluster = &v1alpha1.Cluster{Server: "https://kubernetes.default.svc", Name: "in-cluster"}

func main() {
	var in Input
	dec := json.NewDecoder(os.Stdin)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "argocd-engine: reading the input:", err)
		os.Exit(2)
	}
	projects := map[string]v1alpha1.AppProject{}
	for _, p := range in.Projects {
		if err := p.ValidateProject(); err != nil {
			fmt.Fprintf(os.Stderr, "argocd-engine: project %s is invalid for Argo CD: %v\n", p.Name, err)
			os.Exit(1)
		}
		projects[p.Name] = p
	}
	out := make([]Verdict, 0, len(in.Cases))
	for _, c := range in.Cases {
		v := Verdict{Name: c.Name, Allowed: true}
		if reason := judge(in, projects, c); reason != "" {
			v.Allowed, v.Reason = false, reason
		}
		out = append(out, v)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "argocd-engine:", err)
		os.Exit(2)
	}
}

// judge walks Argo CD's checks in its order: the Application's namespace is one Argo CD reads
// (util/security.IsNamespaceEnabled) and its project admits Applications from there
// (AppProject.IsAppNamespacePermitted, as util/argo.GetAppProject); its source and destination
// are the project's (IsSourcePermitted, IsDestinationPermitted, as util/argo.ValidatePermissions);
// then every resource, as the controller's sync does (controller/sync.go,
// validateSyncPermissions: IsGroupKindNamePermitted, then IsDestinationPermitted for namespaced
// ones). It returns "" when Argo CD deploys everything.
func judge(in Input, projects map[string]v1alpha1.AppProject, c Case) string {
	app := c.Application
	if !security.IsNamespaceEnabled(app.Namespace, in.ControllerNamespace, in.ApplicationNamespaces) {
		return fmt.Sprintf("Argo CD does not read Applications in namespace %s", app.Namespace)
	}
	proj, ok := projects[app.Spec.GetProject()]
	if !ok {
		return fmt.Sprintf("project %s does not exist", app.Spec.GetProject())
	}
	if !proj.IsAppNamespacePermitted(&app, in.ControllerNamespace) {
		return fmt.Sprintf("application in namespace %s is not allowed in project %s", app.Namespace, proj.Name)
	}
	if src := app.Spec.GetSource(); !proj.IsSourcePermitted(src) {
		return fmt.Sprintf("application repo %s is not permitted in project %s", src.RepoURL, proj.Name)
	}
	dest := app.Spec.Destination
	if ok, err := proj.IsDestinationPermitted(inCluster, dest.Namespace, noProjectClusters); err != nil || !ok {
		return fmt.Sprintf("application destination namespace %s is not permitted in project %s (%v)", dest.Namespace, proj.Name, err)
	}
	for _, r := range c.Resources {
		gk := schema.GroupKind{Group: r.Group, Kind: r.Kind}
		if !proj.IsGroupKindNamePermitted(gk, r.Name, r.Namespaced) {
			return fmt.Sprintf("resource %s:%s %s is not permitted in project %s", r.Group, r.Kind, r.Name, proj.Name)
		}
		if r.Namespaced {
			ns := r.Namespace
			if ns == "" {
				ns = dest.Namespace // Argo CD puts a namespaced object without one there
			}
			if ok, err := proj.IsDestinationPermitted(inCluster, ns, noProjectClusters); err != nil || !ok {
				return fmt.Sprintf("namespace %s is not permitted in project %s (%s:%s %s)", ns, proj.Name, r.Group, r.Kind, r.Name)
			}
		}
	}
	return ""
}

// noProjectClusters: no project here scopes clusters (permitOnlyProjectScopedClusters).
func noProjectClusters(string) ([]*v1alpha1.Cluster, error) { return nil, nil }
