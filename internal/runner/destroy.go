package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/contract"
)

// destroy is the guarded destroy of one stack:
//  1. read the stack's config, state and outputs (a failure to read is an error, never
//     "nothing deployed");
//  2. show what will be deleted (counts by type) and what is protected;
//  3. refuse a destroy that protected resources would stop halfway (the cluster kept, the
//     workloads around it deleted), naming what to unprotect; refuse a production stack, or
//     one holding protected resources, unless the operator named it with --confirm-destroy
//     (--yes alone is never enough for prod), and ask at a terminal;
//  4. with the cluster still running: turn Argo CD's automated sync off, delete Ingresses and
//     LoadBalancer Services and wait for their load balancers to go, delete the persistent
//     volume claims and wait for their volumes to go;
//  5. pulumi destroy;
//  6. list (or, with --sweep, delete) what is still tagged as owned by the cluster in the
//     stack's account, region and VPC: after a failed destroy too, since that is when a
//     leftover load balancer, ENI or security group blocks the VPC's deletion.
func (r *Runner) destroy(ctx context.Context, name string, st Stack) (Result, error) {
	cfg, err := st.Config(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("reading the stack's config: %w", err)
	}
	state, err := st.Resources(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("reading the stack's state: %w", err)
	}
	// Unset, the environment is the config's default: production.
	env := cfg[environmentKey]
	if env == "" {
		env = string(config.Defaults(r.Project, name).Environment)
	}
	deployed := deployedResources(state)
	prot := protection(state)
	r.previewDestroy(name, deployed, prot)
	if err := prot.halfway(name); err != nil {
		return Result{}, err
	}
	if err := r.guardDestroy(name, env, prot.Protected); err != nil {
		return Result{}, err
	}
	if r.Terminal && !r.Yes {
		if err := r.askByName(name); err != nil {
			return Result{}, err
		}
	}
	if len(deployed) == 0 {
		fmt.Fprintln(r.Out, "nothing deployed: no load balancers, volumes or leftovers to look for")
		return st.Destroy(ctx, nil, r.Out)
	}
	scope, kubeconfig, err := r.destroyScope(ctx, name, st, cfg, deployed)
	if err != nil {
		return Result{}, err
	}
	var sweeper Sweeper
	if scope.Cluster != "" {
		if r.NewSweeper == nil {
			return Result{}, errors.New("no sweeper configured")
		}
		// Before anything is deleted: credentials of another account must stop the destroy.
		if sweeper, err = r.NewSweeper(ctx, scope); err != nil {
			return Result{}, fmt.Errorf("the sweep's AWS scope (%s): %w", describeScope(scope), err)
		}
	}
	if err := r.beforeDestroy(ctx, scope, kubeconfig, sweeper); err != nil {
		// Not destroyed: what is left is listed (never deleted) to show where it stopped.
		return Result{}, errors.Join(err, r.listLeftovers(ctx, scope, sweeper))
	}
	// The protected resources (which keep nothing else: see halfway) stay, and the destroy
	// succeeds around them instead of failing at them.
	res, destroyErr := st.Destroy(ctx, prot.Kept, r.Out)
	if destroyErr != nil {
		fmt.Fprintf(r.Out, "destroy failed: looking for what blocks it (%v)\n", destroyErr)
	}
	return res, errors.Join(destroyErr, r.afterDestroy(ctx, scope, sweeper))
}

// deployedResources are the state's resources other than the stack itself, providers and stack
// references (a read of a stack's outputs: nothing in the cloud).
func deployedResources(state []StateResource) []StateResource {
	var out []StateResource
	for _, s := range state {
		if s.Type == "pulumi:pulumi:Stack" || s.Type == "pulumi:pulumi:StackReference" || strings.HasPrefix(s.Type, "pulumi:providers:") {
			continue
		}
		out = append(out, s)
	}
	return out
}

// previewDestroy prints what the destroy will delete, by type, and what it leaves.
func (r *Runner) previewDestroy(name string, deployed []StateResource, prot Protection) {
	counts := map[string]int{}
	kept := 0
	var retained []string
	for _, s := range deployed {
		if slices.Contains(prot.Kept, s.URN) {
			kept++
			continue
		}
		if s.RetainOnDelete {
			kept++
			retained = append(retained, s.Name())
			continue
		}
		counts[s.Type]++
	}
	slices.Sort(retained)
	fmt.Fprintf(r.Out, "destroy %s deletes %d resource(s):\n", name, len(deployed)-kept)
	types := make([]string, 0, len(counts))
	for t := range counts {
		types = append(types, t)
	}
	slices.Sort(types)
	for _, t := range types {
		fmt.Fprintf(r.Out, "  %4d %s\n", counts[t], t)
	}
	if len(prot.Protected) > 0 {
		fmt.Fprintf(r.Out, "and leaves %d protected resource(s): %s\n", len(prot.Protected), strings.Join(prot.Protected, ", "))
	}
	if len(retained) > 0 {
		fmt.Fprintf(r.Out, "and keeps %d resource(s) in the cloud, out of the state (retainOnDelete): %s\n", len(retained), strings.Join(retained, ", "))
	}
}

// guardDestroy refuses a production stack, or one with protected resources, unless the
// operator repeated its name with --confirm-destroy.
func (r *Runner) guardDestroy(name, env string, protected []string) error {
	if env != string(config.EnvProd) && len(protected) == 0 {
		return nil
	}
	if slices.Contains(r.ConfirmDestroy, name) {
		return nil
	}
	var why []string
	if env == string(config.EnvProd) {
		why = append(why, fmt.Sprintf("is a production stack (%s: %s)", environmentKey, env))
	}
	if len(protected) > 0 {
		why = append(why, fmt.Sprintf("holds %d protected resource(s)", len(protected)))
	}
	return fmt.Errorf("refusing to destroy %s: it %s; pass --confirm-destroy %s to confirm (--yes alone is not enough). "+
		"Protected resources stay: `pulumi state unprotect` them first to delete them too", name, strings.Join(why, " and "), name)
}

func (r *Runner) askByName(name string) error {
	if r.Ask == nil {
		return errors.New("cannot ask for confirmation: pass --yes")
	}
	answer, err := r.Ask(fmt.Sprintf("Type the stack name (%s) to destroy it: ", name))
	if err != nil {
		return fmt.Errorf("asking for confirmation: %w", err)
	}
	if strings.TrimSpace(answer) != name {
		return fmt.Errorf("not confirmed (answered %q, not %q): nothing was destroyed", strings.TrimSpace(answer), name)
	}
	return nil
}

// destroyScope finds the cluster, region, account and VPC the destroy steps and the sweep
// work in, from the stack's own config, state and outputs: never from the ambient AWS profile.
func (r *Runner) destroyScope(ctx context.Context, name string, st Stack, cfg map[string]string, state []StateResource) (Scope, string, error) {
	scope := Scope{Stack: name, Region: cfg[config.RegionKey]}
	cluster, err := st.Output(ctx, contract.OutputClusterName)
	if err != nil {
		return scope, "", fmt.Errorf("reading the %s output: %w", contract.OutputClusterName, err)
	}
	hasCluster := false
	for _, s := range state {
		switch s.Type {
		case "aws:ec2/vpc:Vpc":
			scope.VPC = s.ID
		case "eks:index:Cluster", "aws:eks/cluster:Cluster":
			hasCluster = true
		}
		if scope.Account == "" {
			scope.Account = accountOf(s.Outputs)
		}
	}
	if cluster == "" && hasCluster {
		// A first `up` that failed after creating the cluster exported no outputs: the
		// cluster's name is the config's.
		cluster = r.clusterNameFromConfig(cfg, name)
		fmt.Fprintf(r.Out, "no %s output (an unfinished up?): the cluster is %s, from the config\n", contract.OutputClusterName, cluster)
	}
	scope.Cluster = cluster
	if cluster == "" {
		return scope, "", nil
	}
	if scope.Region == "" {
		return scope, "", fmt.Errorf("the stack has no %s: the sweep would not know the cluster's region", config.RegionKey)
	}
	kubeconfig, err := st.Output(ctx, contract.OutputKubeconfig)
	if err != nil {
		return scope, "", fmt.Errorf("reading the %s output: %w", contract.OutputKubeconfig, err)
	}
	return scope, kubeconfig, nil
}

// accountOf finds the AWS account in a resource's outputs: an ARN's, or a VPC's ownerId.
func accountOf(outputs map[string]any) string {
	if id, ok := outputs["ownerId"].(string); ok && len(id) == 12 {
		return id
	}
	if arn, ok := outputs["arn"].(string); ok {
		if parts := strings.Split(arn, ":"); len(parts) >= 6 && len(parts[4]) == 12 {
			return parts[4]
		}
	}
	return ""
}

func (r *Runner) clusterNameFromConfig(cfg map[string]string, stack string) string {
	var c struct{ Name string }
	if raw, ok := cfg[config.Namespace+":cluster"]; ok && json.Unmarshal([]byte(raw), &c) == nil && c.Name != "" {
		return c.Name
	}
	return config.Defaults(r.Project, stack).Cluster.Name
}

const environmentKey = config.Namespace + ":environment"

func describeScope(s Scope) string {
	return fmt.Sprintf("cluster %s, account %s, region %s, VPC %s", s.Cluster, orNone(s.Account), s.Region, orNone(s.VPC))
}

func orNone(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

// beforeDestroy runs the Kubernetes steps while the cluster and its controllers still run.
func (r *Runner) beforeDestroy(ctx context.Context, scope Scope, kubeconfig string, sweeper Sweeper) error {
	if scope.Cluster == "" {
		return nil
	}
	if kubeconfig == "" {
		fmt.Fprintf(r.Out, "no %s output: cannot remove %s's Ingresses, LoadBalancer Services and volumes first; the sweep lists what they leave\n",
			contract.OutputKubeconfig, scope.Cluster)
		return nil
	}
	if r.Kubernetes == nil {
		return errors.New("no Kubernetes steps configured")
	}
	timeout := r.BeforeDestroyTimeout
	if timeout == 0 {
		timeout = 20 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	steps := []struct {
		what string
		run  func() error
	}{
		{"turning Argo CD's automated sync off", func() error { return r.Kubernetes.StopGitOps(ctx, kubeconfig, r.Out) }},
		{"deleting Ingresses and LoadBalancer Services", func() error { return r.Kubernetes.RemoveLoadBalancers(ctx, kubeconfig, r.Out) }},
		{"waiting for their load balancers to be deleted", func() error { return sweeper.WaitForNoLoadBalancers(ctx, r.Out) }},
		{"deleting persistent volume claims and their volumes", func() error { return r.Kubernetes.RemoveVolumes(ctx, kubeconfig, r.Out) }},
	}
	for _, s := range steps {
		fmt.Fprintf(r.Out, "%s: %s\n", scope.Cluster, s.what)
		if err := s.run(); err != nil {
			return fmt.Errorf("before destroy, %s: %w (nothing was destroyed)", s.what, err)
		}
	}
	return nil
}

// listLeftovers prints what the sweep would find, without deleting anything.
func (r *Runner) listLeftovers(ctx context.Context, scope Scope, sweeper Sweeper) error {
	_, err := r.findLeftovers(ctx, scope, sweeper)
	return err
}

// findLeftovers finds and prints what is still owned by the cluster (nothing without a
// sweeper: no cluster was deployed).
func (r *Runner) findLeftovers(ctx context.Context, scope Scope, sweeper Sweeper) ([]Leftover, error) {
	if sweeper == nil {
		return nil, nil
	}
	left, err := sweeper.Find(ctx)
	if err != nil {
		return nil, fmt.Errorf("looking for leftovers of %s: %w", scope.Cluster, err)
	}
	r.printLeftovers(scope, left)
	return left, nil
}

func (r *Runner) afterDestroy(ctx context.Context, scope Scope, sweeper Sweeper) error {
	found, err := r.findLeftovers(ctx, scope, sweeper)
	if err != nil {
		return err
	}
	// Kept volumes are what the stack means to leave: they are no leftover.
	left := slices.DeleteFunc(slices.Clone(found), func(l Leftover) bool { return l.Kind == KindKeptVolume })
	if len(left) == 0 {
		return nil
	}
	if !r.Sweep {
		fmt.Fprintln(r.Out, "re-run with --sweep to delete them")
		return ErrLeftovers
	}
	if err := sweeper.Delete(ctx, left); err != nil {
		return fmt.Errorf("sweeping: %w", err)
	}
	fmt.Fprintf(r.Out, "deleted %d leftover(s)\n", len(left))
	return nil
}

func (r *Runner) printLeftovers(scope Scope, found []Leftover) {
	var kept []string
	var left []Leftover
	for _, l := range found {
		if l.Kind == KindKeptVolume {
			kept = append(kept, l.ID)
		} else {
			left = append(left, l)
		}
	}
	if len(kept) > 0 {
		slices.Sort(kept)
		fmt.Fprintf(r.Out, "%d EBS volume(s) of %s are kept (tag %s=%s, reclaimPolicy Retain): %s; the sweep never deletes them (README, \"Kept on destroy\")\n",
			len(kept), scope.Cluster, contract.KeepTag, contract.KeepTagValue, strings.Join(kept, ", "))
	}
	if len(left) == 0 {
		fmt.Fprintf(r.Out, "no AWS resources owned by %s are left (%s)\n", scope.Cluster, describeScope(scope))
		return
	}
	slices.SortFunc(left, func(a, b Leftover) int { return strings.Compare(a.Kind+a.ID, b.Kind+b.ID) })
	fmt.Fprintf(r.Out, "%d AWS resource(s) owned by %s are left (%s):\n", len(left), scope.Cluster, describeScope(scope))
	for _, l := range left {
		fmt.Fprintf(r.Out, "  %s %s\n", l.Kind, l.ID)
	}
}
