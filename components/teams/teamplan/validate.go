package teamplan

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/example/platform/internal/contract"
)

// Problem is one thing wrong with one team, at Path inside platform:teams ("[0].quota.cpu").
type Problem struct{ Path, Msg string }

// Rules are what teams are judged against: the rest of the stack's config.
type Rules struct {
	// PlatformNamespaces are reserved for the platform.
	PlatformNamespaces []string
	// Owner is platform:github.owner: team repositories must be its.
	Owner string
	// AdminRoleArns already have access entries (platform:cluster.adminRoleArns).
	AdminRoleArns []string
	// Account is where the stack deploys: its partition and region (config knows them), and its
	// ID once known ("" at config time: team documents may then name any account, and the
	// component, which knows it, checks again).
	Account contract.Account
	// Cluster names the team's resources (contract.TeamResources).
	Cluster string
	// PlatformDestinations are the namespaces (or prefixes, "apps-*") the platform's Argo CD
	// project deploys into (platform:argocd.destinationNamespaces): no team's namespace.
	PlatformDestinations []string
}

var (
	dnsLabel     = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	slugPattern  = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	repoPattern  = regexp.MustCompile(`^([A-Za-z0-9-]+/)?[A-Za-z0-9._-]+$`)
	roleArn      = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$`)
	imagePattern = regexp.MustCompile(`^[a-z0-9]+([._-][a-z0-9]+)*$`)
	quantity     = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$`)
)

// AllowedManagedPolicies are the AWS managed policies a team's workloads may have: ones that
// reach nothing another team or the platform owns (tests check each exists in
// ../shared/fixtures/iam/aws-managed-policies.txt). Not AmazonS3ReadOnlyAccess or
// ReadOnlyAccess: they read every bucket and parameter of the account, the platform's log
// buckets (every team's logs) among them. A team reaches its own data through a document.
var AllowedManagedPolicies = []string{
	"CloudWatchAgentServerPolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonEC2ContainerRegistryReadOnly",
	"AmazonRoute53ReadOnlyAccess",
}

// ReservedNames are names a team may not have: Kubernetes' own prefix, the shared ingress
// class and group (SharedIngressClass), the platform's Argo CD project and Loki tenant, the
// tenants Loki ("fake") and Tempo ("single-tenant") use without one, and Grafana's main
// organization, and the platform's buckets' keys (<cluster>-loki-..., <cluster>-tempo-...:
// a team's buckets are <cluster>-<team>-..., contract.TeamResources).
var ReservedNames = []string{"kube", "system", SharedIngressClass, "platform", "default", "admin", "main", "fake", "single-tenant", "loki", "tempo"}

// Validate judges the teams; every problem names its path.
func Validate(teams []Team, r Rules) []Problem {
	var out []Problem
	add := func(path, format string, a ...any) { out = append(out, Problem{path, fmt.Sprintf(format, a...)}) }
	names, namespaces, roles, hosts, repos := map[string]int{}, map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{}
	for _, a := range r.AdminRoleArns {
		roles[a] = "platform:cluster.adminRoleArns"
	}
	for i, t := range teams {
		p := fmt.Sprintf("[%d]", i)
		nameOK := false
		switch {
		case t.Name == "":
			add(p+".name", "is required: a DNS label naming the team, e.g. payments")
		case !dnsLabel.MatchString(t.Name) || len(t.Name) > MaxNameLength:
			add(p+".name", "%q is not allowed: a DNS label (lowercase letters, digits, '-') of at most %d characters, the longest the names derived from it allow", t.Name, MaxNameLength)
		case t.Name[0] < 'a' || t.Name[0] > 'z':
			// YAML reads "1234" as a number (a kustomization's namespace, a label value), and
			// Services and Grafana logins take names that start with a letter.
			add(p+".name", "%q is not allowed: a team's name starts with a letter", t.Name)
		case slices.Contains(ReservedNames, t.Name) || slices.Contains(contract.PlatformHosts, t.Name):
			add(p+".name", "%q is reserved (%s, and the platform's hosts %s); choose another name", t.Name, strings.Join(ReservedNames, ", "), strings.Join(contract.PlatformHosts, ", "))
		default:
			if j, dup := names[t.Name]; dup {
				add(p+".name", "%q is already the name of team [%d]; team names are unique", t.Name, j)
			} else {
				nameOK = true
			}
			names[t.Name] = i
		}
		for j, ns := range t.Namespaces {
			np := fmt.Sprintf("%s.namespaces[%d]", p, j)
			switch {
			case !dnsLabel.MatchString(ns):
				add(np, "%q is not a namespace name: a DNS label of at most 63 characters", ns)
			case slices.Contains(r.PlatformNamespaces, ns) || strings.HasPrefix(ns, "kube-"):
				add(np, "%q is a platform namespace; the platform's are %s", ns, strings.Join(r.PlatformNamespaces, ", "))
			case slices.ContainsFunc(r.PlatformDestinations, func(p string) bool { return contract.MatchesNamespace(p, ns) }):
				add(np, "%q is inside platform:argocd.destinationNamespaces (%s): the platform's Argo CD project could deploy into it; choose a name outside them", ns, strings.Join(r.PlatformDestinations, ", "))
			case namespaces[ns] != "":
				add(np, "%q is already a namespace of %s; a namespace belongs to one team", ns, namespaces[ns])
			default:
				namespaces[ns] = fmt.Sprintf("team %q", t.Name)
			}
		}
		switch t.PodSecurity {
		case Restricted, Baseline:
		case "privileged":
			add(p+".podSecurity", "\"privileged\" is not allowed for a team (it would let pods take over nodes); use %q (default) or %q", Restricted, Baseline)
		default:
			add(p+".podSecurity", "%q is not a Pod Security level a team may have; use %q (default) or %q", t.PodSecurity, Restricted, Baseline)
		}
		for _, q := range []struct{ key, v string }{{"quota.cpu", t.Quota.CPU}, {"quota.memory", t.Quota.Memory}, {"quota.storage", t.Quota.Storage},
			{"limits.defaultCpu", t.Limits.DefaultCPU}, {"limits.defaultMemory", t.Limits.DefaultMemory},
			{"limits.defaultRequestCpu", t.Limits.DefaultRequestCPU}, {"limits.defaultRequestMemory", t.Limits.DefaultRequestMemory}} {
			if _, err := ParseQuantity(q.v); err != nil {
				add(p+"."+q.key, "%v", err)
			}
		}
		if t.Quota.Pods < 1 {
			add(p+".quota.pods", "%d is not allowed: at least 1", t.Quota.Pods)
		}
		if t.Quota.LoadBalancers < 0 {
			add(p+".quota.loadBalancers", "%d is not allowed: 0 or more", t.Quota.LoadBalancers)
		}
		for _, pair := range [][3]string{{"limits.defaultRequestCpu", t.Limits.DefaultRequestCPU, t.Limits.DefaultCPU}, {"limits.defaultRequestMemory", t.Limits.DefaultRequestMemory, t.Limits.DefaultMemory}} {
			req, err1 := ParseQuantity(pair[1])
			lim, err2 := ParseQuantity(pair[2])
			if err1 == nil && err2 == nil && req > lim {
				add(p+"."+pair[0], "%s is more than the default limit %s; a request cannot exceed its limit", pair[1], pair[2])
			}
		}
		for j, a := range t.AccessRoleArns {
			ap := fmt.Sprintf("%s.accessRoleArns[%d]", p, j)
			switch {
			case !roleArn.MatchString(a):
				add(ap, "%q is not an IAM role ARN; use e.g. arn:aws:iam::111122223333:role/payments-developers", a)
			case roles[a] != "":
				add(ap, "%q already has an access entry (%s); EKS allows one per principal", a, roles[a])
			default:
				roles[a] = fmt.Sprintf("team %q", t.Name)
			}
		}
		if t.GitHubTeam != "" && !slugPattern.MatchString(t.GitHubTeam) {
			add(p+".githubTeam", "%q is not a GitHub team slug; use e.g. payments-devs (lowercase, as in the team's URL)", t.GitHubTeam)
		}
		for j, repo := range t.Repos {
			rp := fmt.Sprintf("%s.repos[%d]", p, j)
			owner, _, hasOwner := strings.Cut(repo, "/")
			switch {
			case !repoPattern.MatchString(repo):
				add(rp, "%q is not a repository name; use a name in %s, e.g. payments-api", repo, ownerOr(r.Owner))
			case r.Owner == "":
				// The missing owner is reported on its own key (config.validateTeams).
			case hasOwner && !strings.EqualFold(owner, r.Owner):
				add(rp, "%q is outside platform:github.owner (%s): teams deploy and push from the organization's repositories only", repo, r.Owner)
			case repos[strings.ToLower(RepoName(repo))] != "":
				add(rp, "%q is already a repository of %s: a repository belongs to one team (its workflows push that team's images)", repo, repos[strings.ToLower(RepoName(repo))])
			default:
				repos[strings.ToLower(RepoName(repo))] = fmt.Sprintf("team %q", t.Name)
			}
		}
		for j, h := range t.Hosts {
			hp := fmt.Sprintf("%s.hosts[%d]", p, j)
			switch {
			case !dnsLabel.MatchString(h):
				add(hp, "%q is not allowed: one DNS label under the stack's domain (e.g. shop for shop.<domain>), which its wildcard certificate covers", h)
			case slices.Contains(contract.PlatformHosts, h):
				add(hp, "%q is the platform's (%s.<domain>); teams serve other names", h, h)
			case hosts[h] != "":
				add(hp, "%q is already %s; a host belongs to one team", h, hosts[h])
			default:
				hosts[h] = fmt.Sprintf("a host of team %q", t.Name)
			}
		}
		switch t.Ingress {
		case SharedIngress, DedicatedIngress:
		default:
			add(p+".ingress", "%q is not allowed; use %q (default: one ALB every sharing team uses) or %q (the team's own ALB)", t.Ingress, SharedIngress, DedicatedIngress)
		}
		for j, arn := range t.Policies.ManagedPolicyArns {
			name, ok := strings.CutPrefix(arn, "arn:"+r.Account.Partition+":iam::aws:policy/")
			if !ok || !slices.Contains(AllowedManagedPolicies, name) {
				add(fmt.Sprintf("%s.policies.managedPolicyArns[%d]", p, j), "%q is not a managed policy teams may have; allowed: %s (as arn:%s:iam::aws:policy/<name>)", arn, strings.Join(AllowedManagedPolicies, ", "), r.Account.Partition)
			}
		}
		if t.Policies.Document != "" {
			team := t.Name
			if !nameOK {
				team = ""
			}
			for _, msg := range CheckDocument(t.Policies.Document, DocumentScope{Account: r.Account, Cluster: r.Cluster, Team: team}) {
				add(p+".policies.document", "%s", msg)
			}
		}
		seen := map[string]bool{}
		for j, img := range t.Images {
			ip := fmt.Sprintf("%s.images[%d]", p, j)
			switch {
			case !imagePattern.MatchString(img) || len(img) > 64:
				add(ip, "%q is not an image name: lowercase letters and digits separated by '.', '_' or '-', at most 64 characters", img)
			case seen[img]:
				add(ip, "%q is listed twice", img)
			}
			seen[img] = true
		}
		for j, w := range t.SyncWindows {
			wp := fmt.Sprintf("%s.syncWindows[%d]", p, j)
			if w.Kind != "allow" && w.Kind != "deny" {
				add(wp+".kind", "%q is not allowed; use \"allow\" or \"deny\"", w.Kind)
			}
			if len(strings.Fields(w.Schedule)) != 5 {
				add(wp+".schedule", "%q is not a cron schedule of 5 fields, e.g. \"0 17 * * 5\" (Fridays at 17:00)", w.Schedule)
			}
			if d, err := time.ParseDuration(w.Duration); err != nil || d <= 0 {
				add(wp+".duration", "%q is not a duration, e.g. 1h or 64h", w.Duration)
			}
			if w.TimeZone != "" {
				if _, err := time.LoadLocation(w.TimeZone); err != nil {
					add(wp+".timeZone", "%q is not a time zone name, e.g. Europe/Oslo", w.TimeZone)
				}
			}
		}
		if len(t.Images) > 0 && len(t.Repos) == 0 {
			add(p+".images", "needs repos: the repositories whose workflows push the images")
		}
	}
	// Names derived as <team>-<rest> (Argo CD applications <team>-<app>, hosts <team>-<name>,
	// and the AWS resources contract.TeamResources gives a team, <cluster>-<team>-*) are one
	// team's only if no team's name starts with another's and "-": teams a and a-b would both
	// make a-b-c (team a's app b-c, team a-b's app c), and team a's roles would reach team
	// a-b's buckets, tables and databases.
	for i, t := range teams {
		for _, o := range teams {
			if o.Name != "" && strings.HasPrefix(t.Name, o.Name+"-") {
				rest := strings.TrimPrefix(t.Name, o.Name+"-")
				add(fmt.Sprintf("[%d].name", i), "%q starts with team %q's name and \"-\": the names made as <team>-<name> would collide (team %s's application %s-x and team %s's application x are both %s-x, and so are their hosts), and team %[2]s's AWS resources (<cluster>-%[2]s-*) would include its; choose a name that does not start with %[7]q",
					t.Name, o.Name, o.Name, rest, t.Name, t.Name, o.Name+"-")
			}
		}
	}
	// A listed host must not be another team's by name (<team>, <team>-*): checked once every
	// team's name is known.
	for i, t := range teams {
		for j, h := range t.Hosts {
			for _, o := range teams {
				if o.Name != "" && o.Name != t.Name && OwnsHost(Team{Name: o.Name}, h) {
					add(fmt.Sprintf("[%d].hosts[%d]", i, j), "%q is team %q's by its name (%s and %s-*); choose a name no team is called by", h, o.Name, o.Name, o.Name)
				}
			}
		}
	}
	return out
}

func ownerOr(owner string) string {
	if owner == "" {
		return "platform:github.owner"
	}
	return owner
}

var suffixes = map[string]float64{"": 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
	"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40, "Pi": 1 << 50, "Ei": 1 << 60}

// ParseQuantity reads a Kubernetes quantity ("500m", "16Gi", "2") as a number.
func ParseQuantity(s string) (float64, error) {
	m := quantity.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("%q is not a Kubernetes quantity; use e.g. 500m or 2 (CPU), 512Mi or 16Gi (memory, storage)", s)
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, err
	}
	return f * suffixes[m[3]], nil
}
