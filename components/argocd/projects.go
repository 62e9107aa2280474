package argocd

import (
	"regexp"
	"strings"

	"github.com/example/platform/internal/contract"
)

// Git is a way into the cluster for anyone who can merge to the GitOps repository, so what
// each part of it may deploy is decided by Argo CD's projects (checked by Argo CD's own code in
// tests/engines/argocd) and, behind them, by admission policies on the API server:
//   - the root app (project platform-root) writes Applications into AppsNamespace and nothing
//     else: not Argo CD's namespace, its ConfigMaps, Secrets or projects;
//   - Argo CD reads Applications in AppsNamespace (application.namespaces) and admits them to
//     the platform project only (its sourceNamespaces; no other project lists the namespace):
//     an Application under clusters/<stack>/ that names a team's project, or any other, is
//     refused by Argo CD itself;
//   - the platform project deploys into destinationNamespaces and creates only namespaces of
//     those names (clusterResourceWhitelist by name), nothing else cluster-wide;
//   - the teams' Applications are the ApplicationSet's, in Argo CD's own namespace, each in its
//     team's project (components/teams).
// NamespacePolicy stands behind the projects on the API server.

// AppsNamespace holds the platform's Applications the root app writes from Git.
const AppsNamespace = contract.ArgoCDAppsNamespace

// ProjectSpec allows the GitOps repository only, into the listed namespaces of this cluster
// (never argocd: config refuses a pattern that reaches a platform namespace), with namespaces
// of those names as its only cluster-scoped kind, for Applications in AppsNamespace.
func ProjectSpec(repoURL string, namespaces []string) map[string]any {
	dests, created := []any{}, []any{}
	for _, n := range namespaces {
		if n == Namespace {
			continue
		}
		dests = append(dests, map[string]any{"server": InCluster, "namespace": n})
		// The name is a filepath.Match pattern, as destination namespaces' "apps-*" is.
		created = append(created, map[string]any{"group": "", "kind": "Namespace", "name": n})
	}
	return map[string]any{
		"description":              "Platform applications from the GitOps repository",
		"sourceRepos":              []any{repoURL},
		"destinations":             dests,
		"clusterResourceWhitelist": created,
		"sourceNamespaces":         []any{AppsNamespace},
	}
}

// RootProject is the app-of-apps' own project.
const RootProject = "platform-root"

// RootProjectSpec lets the app-of-apps create Applications in AppsNamespace and nothing else:
// not Argo CD's ConfigMaps or Secrets, not AppProjects (which would widen what Git may reach),
// not Applications in Argo CD's own namespace (which may name any project).
func RootProjectSpec(repoURL string) map[string]any {
	return map[string]any{
		"description":                "The app-of-apps: Applications in " + AppsNamespace + ", nothing else",
		"sourceRepos":                []any{repoURL},
		"destinations":               []any{map[string]any{"server": InCluster, "namespace": AppsNamespace}},
		"clusterResourceWhitelist":   []any{},
		"namespaceResourceWhitelist": []any{map[string]any{"group": "argoproj.io", "kind": "Application"}},
	}
}

// LockedProjectSpec is Argo CD's default project with nothing allowed: an Application that
// names no other project deploys nowhere.
func LockedProjectSpec() map[string]any {
	return map[string]any{
		"description":              "Locked: use a team's or the platform's project",
		"sourceRepos":              []any{},
		"destinations":             []any{},
		"clusterResourceWhitelist": []any{},
	}
}

// ControllerUser is the identity Argo CD's application controller applies Git's objects as
// (the chart's service account).
const ControllerUser = "system:serviceaccount:" + Namespace + ":argocd-application-controller"

// Admission policies on namespaces, whoever writes them.
const (
	// NamespacePolicy: every namespace enforces Pod Security restricted or baseline at the
	// latest version, but Kubernetes' own and the platform's privileged ones
	// (contract.UnrestrictedNamespaces). EKS does not let a cluster set the API server's Pod
	// Security defaults, so a namespace without the label would enforce nothing.
	NamespacePolicy = "platform-namespaces"
	// GitNamespacePolicy: Argo CD's controller (anything from Git) creates, changes or deletes
	// only namespaces of platform:argocd.destinationNamespaces, and never with the platform's
	// labels or annotations (a team's label would make a namespace the team's).
	GitNamespacePolicy = "platform-gitops-namespaces"
)

const (
	enforceLabel        = "pod-security.kubernetes.io/enforce"
	enforceVersionLabel = "pod-security.kubernetes.io/enforce-version"
)

// NamespacePolicySpec is NamespacePolicy's spec.
func NamespacePolicySpec() map[string]any {
	return map[string]any{
		"failurePolicy":    "Fail",
		"matchConstraints": namespaceWrites("CREATE", "UPDATE"),
		"variables": []any{map[string]any{"name": "labels",
			"expression": `has(object.metadata.labels) ? object.metadata.labels : {}`}},
		"validations": []any{map[string]any{
			"expression": `object.metadata.name in ` + celList(contract.UnrestrictedNamespaces) +
				` || ('` + enforceLabel + `' in variables.labels && variables.labels['` + enforceLabel + `'] in ['restricted', 'baseline'] &&` +
				` (!('` + enforceVersionLabel + `' in variables.labels) || variables.labels['` + enforceVersionLabel + `'] == 'latest'))`,
			"message": "a namespace enforces Pod Security restricted or baseline at the latest version (labels " + enforceLabel + " and, if set, " +
				enforceVersionLabel + ": latest); only " + strings.Join(contract.UnrestrictedNamespaces, ", ") + " are exempt",
		}},
	}
}

// GitNamespacePolicySpec is GitNamespacePolicy's spec for the platform project's destination
// namespaces (names or "prefix-*" patterns).
func GitNamespacePolicySpec(destinations []string) map[string]any {
	var alternatives []string
	for _, d := range destinations {
		alternatives = append(alternatives, strings.ReplaceAll(regexp.QuoteMeta(d), `\*`, `.*`))
	}
	names := `^(` + strings.Join(alternatives, "|") + `)$`
	const platform = "platform.example.org/"
	return map[string]any{
		"failurePolicy":    "Fail",
		"matchConstraints": namespaceWrites("CREATE", "UPDATE", "DELETE"),
		"matchConditions": []any{map[string]any{"name": "argocd-controller",
			"expression": `request.userInfo.username == '` + ControllerUser + `'`}},
		"validations": []any{
			map[string]any{
				"expression": `(request.operation == 'DELETE' ? oldObject : object).metadata.name.matches('` + names + `')`,
				"message":    "Argo CD creates, changes or deletes only the namespaces of platform:argocd.destinationNamespaces (" + strings.Join(destinations, ", ") + ")",
			},
			map[string]any{
				"expression": `request.operation == 'DELETE' || ((!has(object.metadata.labels) || object.metadata.labels.all(k, !k.startsWith('` + platform + `'))) && (!has(object.metadata.annotations) || object.metadata.annotations.all(k, !k.startsWith('` + platform + `'))))`,
				"message":    "Argo CD sets no " + platform + " label or annotation on a namespace: the platform's (a team's label makes a namespace the team's)",
			},
		},
	}
}

// PolicyBindingSpec binds a policy to every request it matches: refused requests are denied.
func PolicyBindingSpec(policy string) map[string]any {
	return map[string]any{"policyName": policy, "validationActions": []any{"Deny"}}
}

func namespaceWrites(operations ...string) map[string]any {
	ops := make([]any, len(operations))
	for i, o := range operations {
		ops[i] = o
	}
	return map[string]any{"resourceRules": []any{map[string]any{
		"apiGroups": []any{""}, "apiVersions": []any{"v1"}, "operations": ops, "resources": []any{"namespaces"},
	}}}
}

func celList(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = "'" + s + "'"
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}
