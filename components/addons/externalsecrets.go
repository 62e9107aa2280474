package addons

import (
	"fmt"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/helmkit"
	"github.com/example/platform/internal/iampolicy"
	"github.com/example/platform/internal/pulumix"
)

// External Secrets syncs the cluster's SSM parameters (and Secrets Manager secrets) into
// Kubernetes Secrets through ClusterSecretStores named in internal/contract. Chart pin:
// helmkit.Charts.ExternalSecrets.

// ExternalSecrets is the addon's block.
type ExternalSecrets struct {
	Helm
	// SecretsManager adds a ClusterSecretStore for AWS Secrets Manager besides SSM.
	SecretsManager bool
	// Protect keeps `pulumi destroy` from deleting the release: its CRDs are chart templates,
	// and deleting them deletes every team's ExternalSecret.
	Protect bool
}

// ExternalSecretsServiceAccount is the service account the chart creates and Pod Identity binds.
const ExternalSecretsServiceAccount = "external-secrets"

// ExternalSecretsPolicy lets External Secrets read the cluster's parameters (and, when enabled,
// its Secrets Manager secrets) and decrypt them with the platform key through SSM/Secrets
// Manager only. Upstream grants ssm:GetParameter* on a prefix; the three actions are spelled
// out here (no wildcard actions).
//
// Its own role reads the platform's parameters only (/<cluster>/platform/); with teams, it
// may also assume the teams' roles (IAM path /<cluster>/teams/), which is how a team's
// SecretStore reads the team's parameters and nothing else.
func ExternalSecretsPolicy(a contract.Account, cluster, keyArn string, secretsManager, teams bool) iampolicy.Document {
	params := fmt.Sprintf("arn:%s:ssm:%s:%s:parameter%s*", a.Partition, a.Region, a.ID, contract.PlatformParameterPath(cluster))
	stmts := []iampolicy.Statement{
		iampolicy.Allow([]string{"ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"}, params),
	}
	services := []string{fmt.Sprintf("ssm.%s.amazonaws.com", a.Region)}
	if secretsManager {
		stmts = append(stmts, iampolicy.Allow(
			[]string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"},
			fmt.Sprintf("arn:%s:secretsmanager:%s:%s:secret:%s*", a.Partition, a.Region, a.ID, contract.PlatformSecretsManagerPrefix(cluster))))
		services = append(services, fmt.Sprintf("secretsmanager.%s.amazonaws.com", a.Region))
	}
	decrypt := iampolicy.Allow([]string{"kms:Decrypt"}, keyArn)
	decrypt.Condition = map[string]map[string][]string{"StringEquals": {"kms:ViaService": services}}
	stmts = append(stmts, decrypt)
	if teams {
		stmts = append(stmts, iampolicy.Allow([]string{"sts:AssumeRole", "sts:TagSession"},
			fmt.Sprintf("arn:%s:iam::%s:role%s*", a.Partition, a.ID, contract.TeamSecretsRolePath(cluster))))
	}
	return iampolicy.New(stmts...)
}

// ExternalSecretsValues install the CRDs with the chart, so the ClusterSecretStore can follow.
func ExternalSecretsValues(replicas int) map[string]any {
	v := map[string]any{
		"installCRDs":    true,
		"replicaCount":   replicas,
		"leaderElect":    replicas > 1,
		"serviceAccount": map[string]any{"create": true, "name": ExternalSecretsServiceAccount},
		"resources":      helmkit.Resources("50m", "64Mi", "256Mi"),
		"webhook": map[string]any{
			"replicaCount": replicas,
			"resources":    helmkit.Resources("25m", "32Mi", "128Mi"),
		},
		"certController": map[string]any{
			"replicaCount": replicas,
			"resources":    helmkit.Resources("25m", "32Mi", "128Mi"),
		},
	}
	if replicas > 1 {
		v["podDisruptionBudget"] = map[string]any{"enabled": true, "maxUnavailable": 1}
		v["webhook"].(map[string]any)["podDisruptionBudget"] = map[string]any{"enabled": true, "maxUnavailable": 1}
		v["certController"].(map[string]any)["podDisruptionBudget"] = map[string]any{"enabled": true, "maxUnavailable": 1}
	}
	return v
}

// SecretStores are the ClusterSecretStores for the enabled AWS services: the AWS service
// name each store reads, keyed by the store's name.
func SecretStores(secretsManager bool) map[string]string {
	out := map[string]string{contract.ParameterStore: "ParameterStore"}
	if secretsManager {
		out[contract.SecretsManager] = "SecretsManager"
	}
	return out
}

// ClusterSecretStoreSpec uses the controller's own Pod Identity credentials (no auth block),
// for the platform's namespaces only: a team's ExternalSecret naming the store is refused, so
// no team reads the platform's secrets (teams have their own SecretStore and role).
func ClusterSecretStoreSpec(service, region string) map[string]any {
	namespaces := make([]any, len(contract.PlatformNamespaces))
	for i, n := range contract.PlatformNamespaces {
		namespaces[i] = n
	}
	return map[string]any{
		"provider":   map[string]any{"aws": map[string]any{"service": service, "region": region}},
		"conditions": []any{map[string]any{"namespaces": namespaces}},
	}
}

func (c *Addons) externalSecrets(ctx *pulumi.Context) error {
	cfg := c.args.Config.ExternalSecrets
	policy := pulumix.Policy(c.args.Cluster.SecretsKeyArn, func(key string) iampolicy.Document {
		return ExternalSecretsPolicy(c.args.Account, c.args.Cluster.Name, key, cfg.SecretsManager, len(c.args.Tenants) > 0)
	})
	release, err := c.install(ctx, addon{
		key: "external-secrets", namespace: "external-secrets", podSecurity: helmkit.Baseline,
		chart: helmkit.Charts.ExternalSecrets, serviceAccount: ExternalSecretsServiceAccount, policy: policy,
		values: ExternalSecretsValues(cfg.Replicas), extra: cfg.ExtraValues,
		needs: c.withLBC(c.base()), protect: cfg.Protect,
	})
	if err != nil {
		return err
	}
	c.ExternalSecrets, c.ExternalSecretsRole = release, release.Role.Arn
	// The stores are custom resources of CRDs the release installs: they wait for it.
	for store, service := range SecretStores(cfg.SecretsManager) {
		cr, err := apiextensions.NewCustomResource(ctx, c.name+"-store-"+store, &apiextensions.CustomResourceArgs{
			ApiVersion:  pulumi.String("external-secrets.io/v1"),
			Kind:        pulumi.String("ClusterSecretStore"),
			Metadata:    metav1.ObjectMetaArgs{Name: pulumi.String(store)},
			OtherFields: map[string]any{"spec": ClusterSecretStoreSpec(service, c.args.Account.Region)},
		}, pulumi.Parent(c), pulumi.DependsOn([]pulumi.Resource{release}))
		if err != nil {
			return err
		}
		if store == contract.ParameterStore {
			c.ParameterStore = cr
		}
	}
	return nil
}
