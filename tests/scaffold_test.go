package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/example/platform/components/teams/teamplan"
	"github.com/example/platform/internal/cli"
	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/kubeapi"
	"github.com/example/platform/internal/scaffold"
)

// scaffoldStacks are the example stacks as `platform app new` reads them.
func scaffoldStacks(t *testing.T) []scaffold.Stack {
	t.Helper()
	var out []scaffold.Stack
	for _, stack := range []string{"dev", "prod"} {
		cfg := stackConfig(t, stack)
		out = append(out, scaffold.Stack{Name: stack, Domain: cfg.DNS.Domain, Cluster: cfg.Cluster.Name, Region: cfg.Region,
			Replicas: max(1, cfg.Policy().MinReplicas), Teams: cfg.Teams})
	}
	return out
}

var scaffoldApps = map[string]scaffold.App{
	// Every option: an image of its own, a port, a host given as a full name under dev's
	// domain (the label serves every stack), two secrets.
	"full": {Team: "search", Name: "search-api", Image: "ghcr.io/example-org/search-api", Port: 9090, Host: "find.dev.example.org", Secrets: []string{"INDEX_TOKEN", "DB_PASSWORD"}},
	// None: the team's ECR repository (payments declares the image), port 8080, host = name.
	"minimal": {Team: "payments", Name: "payments-api", Account: "111122223333", Port: 8080},
}

// The generated files, golden (`go test ./tests -run TestScaffoldGolden -update`).
func TestScaffoldGolden(t *testing.T) {
	for name, app := range scaffoldApps {
		files, err := app.Files(scaffoldStacks(t))
		if err != nil {
			t.Fatal(err)
		}
		for path, body := range files {
			golden(t, filepath.Join("scaffold", name, path), []byte(body))
		}
		dir := filepath.Join(projectDir(t), "tests", "testdata", "scaffold", name)
		filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				if rel, _ := filepath.Rel(dir, p); files[rel] == "" {
					t.Errorf("%s: golden file %s is no longer generated", name, rel)
				}
			}
			return err
		})
	}
}

// Every overlay, built by kustomize, is accepted by the real kube-apiserver with strict field
// validation and the upstream CRDs; the pod template passes the restricted Pod Security level
// in the team's namespace (a dry-run Pod there, admitted by the server's Pod Security
// admission); and what the app uses is what the Teams component allows.
func TestScaffoldOnAPIServer(t *testing.T) {
	s := kubeapi.Shared(t)
	for _, stack := range []string{"dev", "prod"} {
		p := stackPlan(t, stack)
		for _, o := range kubeObjects(p) {
			if o.Body["kind"] == "Namespace" {
				if err := s.Apply(o); err != nil {
					t.Fatal(err)
				}
			}
		}
		for name, app := range scaffoldApps {
			files, err := app.Files(scaffoldStacks(t))
			if err != nil {
				t.Fatal(err)
			}
			objs := kustomizeBuild(t, files, "teams/"+app.Team+"/apps/"+app.Name+"/overlays/"+stack)
			if n, errs := s.ValidateAll(objs); len(errs) > 0 || n != len(objs) || n < 6 {
				t.Errorf("%s %s: %d of %d objects validated: %v", stack, name, n, len(objs), errs)
			}
			team := p.named(t, "kubernetes:argoproj.io/v1alpha1:AppProject", "teams-"+app.Team+"-project")
			white := strings.Join(flatten(get(team, "spec.namespaceResourceWhitelist")), " ")
			for _, o := range objs {
				kind := o.Body["kind"].(string)
				meta := o.Body["metadata"].(map[string]any)
				if meta["namespace"] != app.Team {
					t.Errorf("%s %s: %s in %v, not the team's namespace", stack, name, kind, meta["namespace"])
				}
				if !strings.Contains(white, "kind="+kind+" ") && !strings.HasSuffix(white, "kind="+kind) {
					t.Errorf("%s %s: the team's project refuses %s", stack, name, kind)
				}
				switch kind {
				case "Deployment":
					pod := kubeapi.Object{ID: stack + "/" + name + " pod", Body: map[string]any{
						"apiVersion": "v1", "kind": "Pod",
						"metadata": map[string]any{"name": app.Name + "-pod", "namespace": app.Team},
						"spec":     o.Body["spec"].(map[string]any)["template"].(map[string]any)["spec"],
					}}
					if err := s.DryRunApply(pod); err != nil {
						t.Errorf("%s %s: the pod template is refused in %s (restricted): %v", stack, name, app.Team, err)
					}
				case "Ingress":
					spec := o.Body["spec"].(map[string]any)
					class := spec["ingressClassName"].(string)
					params, ok := p.Named("kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams", "teams-ingress-class-"+class+"-params")
					if !ok || !slices.Contains(stringsOf(get(params, "spec.namespaceSelector.matchExpressions.0.values")), app.Team) {
						t.Errorf("%s %s: ingress class %s does not admit team %s", stack, name, class, app.Team)
					}
					host := spec["rules"].([]any)[0].(map[string]any)["host"].(string)
					if !strings.HasSuffix(host, "."+stackConfig(t, stack).DNS.Domain) {
						t.Errorf("%s %s: host %s is outside the stack's domain", stack, name, host)
					}
				}
			}
			// The platform's policies in the namespace admit the load balancer and Prometheus.
			for _, policy := range []string{teamplan.PolicyLoadBalancer, teamplan.PolicyMonitoring} {
				if _, ok := p.Named("kubernetes:networking.k8s.io/v1:NetworkPolicy", "teams-"+app.Team+"-"+app.Team+"-"+policy); !ok {
					t.Errorf("%s %s: no %s policy in %s", stack, name, policy, app.Team)
				}
			}
		}
	}
	// The control: a pod template without runAsNonRoot is refused there.
	bad := kubeapi.Object{ID: "root pod", Body: map[string]any{"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": "root", "namespace": "payments"},
		"spec":     map[string]any{"containers": []any{map[string]any{"name": "c", "image": "busybox"}}}}}
	if err := s.DryRunApply(bad); err == nil || !strings.Contains(err.Error(), "restricted") {
		t.Errorf("a root pod in payments: %v, want refused by Pod Security (restricted)", err)
	}
}

// kustomizeBuild builds the overlay at dir from files with kustomize, as Argo CD does.
func kustomizeBuild(t *testing.T, files map[string]string, dir string) []kubeapi.Object {
	t.Helper()
	fs := filesys.MakeFsInMemory()
	for p, body := range files {
		if err := fs.WriteFile("/"+p, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	res, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fs, "/"+dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	var out []kubeapi.Object
	for _, r := range res.Resources() {
		m, err := r.Map()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, kubeapi.Object{ID: dir + ": " + r.CurId().String(), Body: m})
	}
	return out
}

// Bad input is refused naming the flag, and nothing is written; an existing file that
// differs stops the whole scaffold.
func TestAppNewRefuses(t *testing.T) {
	stacks := scaffoldStacks(t)
	ok := scaffoldApps["minimal"]
	for _, c := range []struct {
		name string
		edit func(*scaffold.App)
		want string
	}{
		{"unknown team", func(a *scaffold.App) { a.Team = "billing" }, `--team "billing" is not a team of stack dev`},
		{"name not a label", func(a *scaffold.App) { a.Name = "Web_1" }, `--name "Web_1" is not allowed`},
		{"privileged port", func(a *scaffold.App) { a.Port = 80 }, "--port 80 is not allowed: 1024-65535"},
		{"host outside the domain", func(a *scaffold.App) { a.Host = "web.example.com" }, `--host "web.example.com" is not a name under the stacks' domains (dev.example.org, prod.example.org)`},
		{"host not DNS", func(a *scaffold.App) { a.Host = "we b" }, `--host "we b" is not a name under`},
		{"secret key", func(a *scaffold.App) { a.Secrets = []string{"db-password"} }, `--secret "db-password" is not allowed`},
		{"no account", func(a *scaffold.App) { a.Account = "" }, `--account "" is not an AWS account id`},
		{"image the team has no repository for", func(a *scaffold.App) { a.Name = "web" }, "--image is required: team payments has no ECR repository web"},
		{"image with a tag", func(a *scaffold.App) { a.Image = "ghcr.io/org/web:1.0" }, "--image \"ghcr.io/org/web:1.0\" is not an image repository"},
		{"database not in every stack", func(a *scaffold.App) { a.Database = "ledger" }, `--database "ledger" is not a database of team payments in stack prod (its databases: none)`},
		{"unknown database", func(a *scaffold.App) { a.Database = "orders" }, `--database "orders" is not a database of team payments in stack dev (its databases: ledger)`},
	} {
		a := ok
		c.edit(&a)
		if _, err := a.Files(stacks); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}

	repo := t.TempDir()
	args := []string{"app", "new", "--team", "payments", "--name", "payments-api", "--account", "111122223333", "--repo", repo, "--dir", projectDir(t)}
	if code, _, stderr := runCmd(t, args...); code != 0 {
		t.Fatalf("app new: %d %s", code, stderr)
	}
	if code, _, stderr := runCmd(t, args...); code != 0 {
		t.Fatalf("app new again, nothing changed: %d %s", code, stderr)
	}
	edited := filepath.Join(repo, "teams/payments/apps/payments-api/base/service.yaml")
	if err := os.WriteFile(edited, []byte("# edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCmd(t, args...)
	if code != 1 || !strings.Contains(stderr, "teams/payments/apps/payments-api/base/service.yaml") || !strings.Contains(stderr, "nothing was written") {
		t.Errorf("over an edited file: exit %d %s", code, stderr)
	}
	if b, _ := os.ReadFile(edited); string(b) != "# edited\n" {
		t.Error("the edited file was overwritten")
	}
	// gitops init: one directory per stack and team, and the promotion rule.
	out := t.TempDir()
	if code, _, stderr := runCmd(t, "gitops", "init", out, "--dir", projectDir(t)); code != 0 {
		t.Fatalf("gitops init: %d %s", code, stderr)
	}
	for _, f := range []string{"README.md", "clusters/dev/README.md", "clusters/prod/README.md", "teams/payments/README.md", "teams/search/README.md"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("gitops init did not write %s", f)
		}
	}
	readme, _ := os.ReadFile(filepath.Join(out, "README.md"))
	for _, want := range []string{"teams/*/apps/*/overlays/<stack>", "platform:argocd.revision", "platform:argocd.teamsRevision", "platform app promote --team <team> --name <app>", "platform app rollback"} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("the README does not explain the layout and both promotions (%q):\n%s", want, readme)
		}
	}
}

// stackConfig is a stack's decoded config, as the program and the platform command read it.
func stackConfig(t *testing.T, stack string) *config.Config {
	t.Helper()
	cfg, err := cli.StackConfig(stackInput(t, stack))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// --database wires the app to its database's connection Secret, in the namespace the platform
// delivers it to, and the overlay builds with it.
func TestAppNewWithDatabase(t *testing.T) {
	dev := scaffoldStacks(t)[:1]
	a := scaffoldApps["minimal"]
	a.Database = "ledger"
	files, err := a.Files(dev)
	if err != nil {
		t.Fatal(err)
	}
	var deployment, job map[string]any
	for _, o := range kustomizeBuild(t, files, "teams/payments/apps/"+a.Name+"/overlays/dev") {
		switch o.Body["kind"] {
		case "Deployment":
			deployment = o.Body
		case "Job":
			job = o.Body
		}
	}
	if deployment == nil || job == nil {
		t.Fatalf("the overlay lacks the Deployment (%v) or the login Job (%v)", deployment != nil, job != nil)
	}
	// The app logs in with IAM as the team's user: where the database is comes from the
	// connection Secret, its master password never does (RDS rotates it under a running app).
	b, _ := json.Marshal(deployment)
	for _, want := range []string{`{"name":"PGUSER","value":"payments"}`, `{"name":"PGIAMAUTH","value":"true"}`,
		`{"name":"PGHOST","valueFrom":{"secretKeyRef":{"key":"PGHOST","name":"ledger-postgres"}}}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the Deployment lacks %s: %s", want, b)
		}
	}
	for _, never := range []string{"PGPASSWORD", "DATABASE_URL", `"envFrom"`} {
		if strings.Contains(string(b), never) {
			t.Errorf("the Deployment reads %s, which a rotation invalidates: %s", never, b)
		}
	}
	// The login Job makes that user, before every sync, as the master user of that moment.
	jb, _ := json.Marshal(job)
	for _, want := range []string{`"argocd.argoproj.io/hook":"PreSync"`, `GRANT rds_iam TO \"payments\"`, `"envFrom":[{"secretRef":{"name":"ledger-postgres"}}]`} {
		if !strings.Contains(string(jb), want) {
			t.Errorf("the login Job lacks %s: %s", want, jb)
		}
	}
	// Both pass the real API server, the Job's pod the restricted Pod Security level of the
	// team's namespace.
	srv := kubeapi.Shared(t)
	for _, o := range kubeObjects(stackPlan(t, "dev")) {
		if o.Body["kind"] == "Namespace" {
			if err := srv.Apply(o); err != nil {
				t.Fatal(err)
			}
		}
	}
	objs := kustomizeBuild(t, files, "teams/payments/apps/"+a.Name+"/overlays/dev")
	if n, errs := srv.ValidateAll(objs); len(errs) > 0 || n != len(objs) {
		t.Errorf("%d of %d objects validated: %v", n, len(objs), errs)
	}
	pod := kubeapi.Object{ID: "db-login pod", Body: map[string]any{"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": "db-login", "namespace": "payments"},
		"spec":     job["spec"].(map[string]any)["template"].(map[string]any)["spec"]}}
	if err := srv.DryRunApply(pod); err != nil {
		t.Errorf("the login Job's pod is refused in payments (restricted): %v", err)
	}
	// Without IAM login on the database, the app is refused.
	noIAM := scaffoldStacks(t)[:1]
	noIAM[0].Teams[0].Databases[0].IAMAuthentication = false
	if _, err := a.Files(noIAM); err == nil || !strings.Contains(err.Error(), "has no iamAuthentication in stack dev") {
		t.Errorf("database without IAM login: %v", err)
	}
	// A database delivered to another namespace is out of the app's reach.
	moved := scaffoldStacks(t)[:1]
	moved[0].Teams[0].Databases[0].Namespace = "payments-jobs"
	if _, err := a.Files(moved); err == nil || !strings.Contains(err.Error(), "is delivered to namespace payments-jobs in stack dev, and the app runs in payments") {
		t.Errorf("database in another namespace: %v", err)
	}
}
