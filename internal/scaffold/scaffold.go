// Package scaffold writes a team application's manifests into the GitOps repository, the way
// okctl's most used command did: a kustomize base and one overlay per stack, which the
// ApplicationSet (components/teams/teamplan.ApplicationSetSpec) discovers at each stack's
// revision. It is pure: files in, files out; the platform command writes them.
package scaffold

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/example/platform/components/teams/teamplan"
)

// Stack is what an overlay needs of one stack.
type Stack struct {
	Name, Domain, Cluster, Region string
	// Replicas of the app in this stack (HPA minimum too): 1 in dev, 2 in prod.
	Replicas int
	// Teams are the stack's teams.
	Teams []teamplan.Team
}

// App is `platform app new`'s input.
type App struct {
	Team, Name string
	// Image is the image repository; empty uses the team's ECR repository in Account.
	Image, Account string
	Port           int
	// Host is the host's label(s) under each stack's domain (default the app's name), or a
	// full name under one of them.
	Host    string
	Secrets []string
	// Database is one of the team's databases (platform:teams[].databases): the app gets its
	// connection Secret (<name>-postgres: PGHOST... and DATABASE_URL) as environment.
	Database string
}

var (
	dnsLabel  = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	secretKey = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	imageRef  = regexp.MustCompile(`^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)+$`)
)

// Validate checks the input against the stacks, naming the flag of each problem.
func (a App) Validate(stacks []Stack) error {
	var errs []error
	bad := func(flag, format string, v ...any) { errs = append(errs, fmt.Errorf("--"+flag+" "+format, v...)) }
	if len(stacks) == 0 {
		errs = append(errs, errors.New("no stack: the project has no Pulumi.<stack>.yaml"))
	}
	for _, s := range stacks {
		if t, err := teamplan.Find(s.Teams, a.Team); err == nil {
			if err := teamNamespace(t); err != nil {
				errs = append(errs, fmt.Errorf("--team %w", err))
			}
		} else {
			var names []string
			for _, t := range s.Teams {
				names = append(names, t.Name)
			}
			bad("team", "%q is not a team of stack %s (platform:teams: %s)", a.Team, s.Name, strings.Join(names, ", "))
		}
	}
	if !dnsLabel.MatchString(a.Name) || len(a.Name) > 40 {
		bad("name", "%q is not allowed: a DNS label of at most 40 characters (it names the app's objects)", a.Name)
	}
	if a.Port < 1024 || a.Port > 65535 {
		bad("port", "%d is not allowed: 1024-65535 (the restricted Pod Security level runs as non-root)", a.Port)
	}
	switch {
	case a.Image != "" && !imageRef.MatchString(a.Image):
		bad("image", "%q is not an image repository (registry/path, without a tag: overlays set the tag)", a.Image)
	case a.Image == "" && !regexp.MustCompile(`^[0-9]{12}$`).MatchString(a.Account):
		bad("account", "%q is not an AWS account id: without --image the image is the team's ECR repository, <account>.dkr.ecr.<region>.amazonaws.com/<cluster>/<team>/<name>", a.Account)
	case a.Image == "":
		for _, s := range stacks {
			if t, err := teamplan.Find(s.Teams, a.Team); err == nil && !slices.Contains(t.Images, a.Name) {
				bad("image", "is required: team %s has no ECR repository %s in stack %s (add it to the team's images, or pass --image)", a.Team, a.Name, s.Name)
				break
			}
		}
	}
	for _, s := range stacks {
		if _, err := a.host(s, stacks); err != nil {
			bad("host", "%v", err)
			break
		}
	}
	for i, k := range a.Secrets {
		if !secretKey.MatchString(k) || slices.Index(a.Secrets, k) != i {
			bad("secret", "%q is not allowed: an environment variable name (A-Z, 0-9, _), each once", k)
		}
	}
	if a.Database != "" {
		for _, s := range stacks {
			if err := a.database(s); err != nil {
				bad("database", "%v", err)
			}
		}
	}
	return errors.Join(errs...)
}

// host is the app's host in a stack: <host>.<domain>. --host is one DNS label, the same in
// every stack under its own domain; a full name under one of the stacks' domains gives its
// label. The team must own it (teamplan.OwnsHost: <team>, <team>-<name> or one of its hosts),
// or the teams' admission policy refuses the Ingress. The default is the app's name where the
// team owns it in every stack, else <team>-<app>. Any other name is outside the stacks'
// domains, where ExternalDNS publishes nothing.
func (a App) host(s Stack, all []Stack) (string, error) {
	h := a.Host
	if h == "" {
		h = a.defaultHost(all)
	}
	for _, o := range all {
		if label, ok := strings.CutSuffix(h, "."+o.Domain); ok {
			h = label
			break
		}
	}
	if !dnsLabel.MatchString(h) {
		var domains []string
		for _, o := range all {
			domains = append(domains, o.Domain)
		}
		return "", fmt.Errorf("%q is not a name under the stacks' domains (%s): give its first label, e.g. %s-%s", a.Host, strings.Join(domains, ", "), a.Team, a.Name)
	}
	if t, err := teamplan.Find(s.Teams, a.Team); err == nil && !teamplan.OwnsHost(t, h) {
		return "", fmt.Errorf("%q is not team %s's in stack %s: a team serves %s, %s-<name> and its own hosts (platform:teams[].hosts: %s)", h, a.Team, s.Name, a.Team, a.Team, cmp.Or(strings.Join(t.Hosts, ", "), "none"))
	}
	return h + "." + s.Domain, nil
}

// defaultHost is the app's name where its team owns that name in every stack, else
// <team>-<app>, which the team always owns.
func (a App) defaultHost(all []Stack) string {
	for _, s := range all {
		if t, err := teamplan.Find(s.Teams, a.Team); err != nil || !teamplan.OwnsHost(t, a.Name) {
			return a.Team + "-" + a.Name
		}
	}
	return a.Name
}

// database checks that the app's database exists for its team in stack s and is delivered to
// the namespace the app runs in: a Secret in another namespace is out of the pods' reach.
func (a App) database(s Stack) error {
	t, err := teamplan.Find(s.Teams, a.Team)
	if err != nil {
		return nil // --team says so
	}
	var names []string
	for _, db := range t.Databases {
		if db.Name != a.Database {
			names = append(names, db.Name)
			continue
		}
		if ns := cmp.Or(db.Namespace, t.Namespaces[0]); ns != t.Name {
			return fmt.Errorf("%q of team %s is delivered to namespace %s in stack %s, and the app runs in %s: set the database's namespace to %s", a.Database, a.Team, ns, s.Name, t.Name, t.Name)
		}
		if !db.IAMAuthentication {
			return fmt.Errorf("%q of team %s has no iamAuthentication in stack %s: an app logs in with IAM, which survives the rotation of the master password (RDS rotates it every 7 days): set platform:teams[].databases[].iamAuthentication: true there", a.Database, a.Team, s.Name)
		}
		return nil
	}
	if len(names) == 0 {
		names = []string{"none"}
	}
	return fmt.Errorf("%q is not a database of team %s in stack %s (its databases: %s): add it to the team's platform:teams[].databases there first", a.Database, a.Team, s.Name, strings.Join(names, ", "))
}

// image is the app's image repository in a stack.
func (a App) image(s Stack) string {
	if a.Image != "" {
		return a.Image
	}
	return fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s", a.Account, s.Region, teamplan.ECRRepositoryName(s.Cluster, a.Team, a.Name))
}

// Files are the app's files, by path in the GitOps repository.
func (a App) Files(stacks []Stack) (map[string]string, error) {
	if err := a.Validate(stacks); err != nil {
		return nil, err
	}
	team, _ := teamplan.Find(stacks[0].Teams, a.Team)
	dir := "teams/" + a.Team + "/apps/" + a.Name
	files := map[string]string{}
	for name, body := range a.base(team) {
		files[dir+"/base/"+name] = body
	}
	for _, s := range stacks {
		t, _ := teamplan.Find(s.Teams, a.Team)
		host, _ := a.host(s, stacks)
		files[dir+"/overlays/"+s.Name+"/kustomization.yaml"] = a.overlay(s, t, host)
	}
	return files, nil
}

// teamNamespace checks the ApplicationSet's convention: an app deploys into the namespace
// named after its team.
func teamNamespace(t teamplan.Team) error {
	if !slices.Contains(t.Namespaces, t.Name) {
		return fmt.Errorf("team %s has no namespace named %s: the ApplicationSet deploys each team's apps there (add it to platform:teams[].namespaces)", t.Name, t.Name)
	}
	return nil
}

// Init is the GitOps repository's skeleton for the project's stacks and their teams.
func Init(stacks []Stack) map[string]string {
	files := map[string]string{"README.md": repoReadme(stacks)}
	seen := map[string]bool{}
	for _, s := range stacks {
		files["clusters/"+s.Name+"/README.md"] = fmt.Sprintf("# %s\n\nThe root Application of stack %s follows this directory (platform:argocd.path): put the\nplatform's own Applications here, in namespace `argocd-apps` and project `platform` (Argo CD\nrefuses any other). Team applications live under `teams/`.\n", s.Name, s.Name)
		for _, t := range s.Teams {
			if seen[t.Name] {
				continue
			}
			seen[t.Name] = true
			files["teams/"+t.Name+"/README.md"] = fmt.Sprintf("# Team %s\n\nOne directory per application under `apps/` (`platform app new --team %s --name <app>`):\n`base/` and `overlays/<stack>/`. Argo CD deploys them in project `team-%s`.\n", t.Name, t.Name, t.Name)
		}
	}
	return files
}

func repoReadme(stacks []Stack) string {
	var names, revisions []string
	for _, s := range stacks {
		names = append(names, s.Name)
		revisions = append(revisions, "`overlays/"+s.Name+"/`")
	}
	return fmt.Sprintf(`# GitOps repository

Argo CD deploys this repository into the platform's stacks (%s).

    clusters/<stack>/                  the platform's Applications (the root app of <stack>)
    teams/<team>/apps/<app>/base/      an app's manifests (kustomize)
    teams/<team>/apps/<app>/overlays/<stack>/   what differs per stack: the HPA's floor, image tag, host

Every directory teams/*/apps/*/overlays/<stack> becomes the Application <team>-<app> in
project team-<team> (ApplicationSet team-apps), deployed into the namespace <team>.

## Promotion

The platform's Applications (clusters/<stack>/) follow the stack's revision: main in dev, a
release tag in prod (platform:argocd.revision in the infrastructure repository); a platform
release is a new tag and a pulumi up of prod.

A team's apps follow main in every stack (platform:argocd.teamsRevision), each stack its own
overlay, so a team promotes one app by a pull request that changes that app's prod overlay:

- merging to main deploys the overlays' changes: CI proposes each build's tag in the dev
  overlay (%s);
- platform app promote --team <team> --name <app> --commit copies dev's image tag into the
  prod overlay on a new branch; the team's code owners approve the pull request, and its
  merge deploys it to prod within the team's sync windows;
- platform app rollback --team <team> --name <app> --commit sets the previous tag back.

base/ is shared by every stack: a change there reaches prod when it merges.
`, strings.Join(names, ", "), revisions[0])
}
