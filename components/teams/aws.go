package teams

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecr"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/githubint/ghplan"
	"github.com/example/platform/components/teams/teamplan"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/helmkit"
	"github.com/example/platform/internal/iampolicy"
	"github.com/example/platform/internal/pulumix"
)

// awsSide is a team's AWS resources its namespaces and outputs refer to.
type awsSide struct {
	secretsRole     pulumi.StringOutput
	secretsRoleName pulumi.StringOutput
	writerRole      pulumi.StringOutput // zero when the team has no access roles
	workload        *iam.Role           // nil when the team's config grants its workloads nothing
	workloadRole    pulumi.StringOutput
	pushRole        pulumi.StringOutput
	repositories    pulumi.StringMap
}

// awsSide creates the team's secrets role, workload role, image repositories with their push
// role, and its members' access entries.
func (b *builder) awsSide(t teamplan.Team) (awsSide, error) {
	var out awsSide
	a, prefix := b.args, b.name+"-"+t.Name
	// The secrets role: External Secrets assumes it for the team's SecretStores; it reads the
	// team's parameters and secrets only.
	secrets, err := iam.NewRole(b.ctx, prefix+"-secrets-role", &iam.RoleArgs{
		Path: pulumi.String(teamplan.SecretsRolePath(a.Cluster.Name)),
		AssumeRolePolicy: pulumix.Policy(a.Addons.ExternalSecretsRoleArn.ToStringOutput(), func(eso string) iampolicy.Document {
			return teamplan.SecretsTrust(eso)
		}),
		Description:         pulumi.String(fmt.Sprintf("Team %s's secrets on %s, read by External Secrets", t.Name, a.Cluster.Name)),
		PermissionsBoundary: a.PermissionsBoundary,
		Tags:                teamTags(t.Name),
	}, b.parent)
	if err != nil {
		return out, err
	}
	if _, err := iam.NewRolePolicy(b.ctx, prefix+"-secrets-policy", &iam.RolePolicyArgs{
		Role: secrets.ID(),
		Policy: pulumix.Policy(a.Cluster.SecretsKeyArn.ToStringOutput(), func(key string) iampolicy.Document {
			return teamplan.SecretsPolicy(a.Account, a.Cluster.Name, t.Name, key)
		}),
	}, b.parent); err != nil {
		return out, err
	}
	out.secretsRole, out.secretsRoleName = secrets.Arn, secrets.Name
	if len(t.AccessRoleArns) > 0 {
		if out.writerRole, err = b.secretsWriter(t); err != nil {
			return out, err
		}
	}

	if len(t.Policies.ManagedPolicyArns) > 0 || t.Policies.Document != "" {
		role, err := iam.NewRole(b.ctx, prefix+"-workload-role", &iam.RoleArgs{
			Path:                pulumi.String(contract.TeamRolePath(a.Cluster.Name)),
			AssumeRolePolicy:    pulumi.String(helmkit.PodIdentityTrust(a.Account, a.Cluster.Name).JSON()),
			Description:         pulumi.String(fmt.Sprintf("Team %s's workloads on %s (service account %s)", t.Name, a.Cluster.Name, t.Name)),
			PermissionsBoundary: a.PermissionsBoundary,
			Tags:                teamTags(t.Name),
		}, b.parent)
		if err != nil {
			return out, err
		}
		if t.Policies.Document != "" {
			if _, err := iam.NewRolePolicy(b.ctx, prefix+"-workload-policy", &iam.RolePolicyArgs{
				Role: role.ID(), Policy: pulumi.String(t.Policies.Document),
			}, b.parent); err != nil {
				return out, err
			}
		}
		for _, arn := range t.Policies.ManagedPolicyArns {
			if _, err := iam.NewRolePolicyAttachment(b.ctx, prefix+"-workload-"+teamplan.RepoName(arn), &iam.RolePolicyAttachmentArgs{
				Role: role.Name, PolicyArn: pulumi.String(arn),
			}, b.parent); err != nil {
				return out, err
			}
		}
		out.workload, out.workloadRole = role, role.Arn
	}

	if len(t.Images) > 0 {
		if err := b.images(t, &out); err != nil {
			return out, err
		}
	}
	for _, arn := range t.AccessRoleArns {
		if _, err := eks.NewAccessEntry(b.ctx, prefix+"-access-"+teamplan.RepoName(arn), &eks.AccessEntryArgs{
			ClusterName:      a.Cluster.ClusterName,
			PrincipalArn:     pulumi.String(arn),
			KubernetesGroups: pulumi.StringArray{pulumi.String(teamplan.Group(t.Name))},
			Type:             pulumi.String("STANDARD"),
		}, b.parent); err != nil {
			return out, err
		}
	}
	return out, nil
}

// secretsWriter creates the role the team's members write its secrets with (`platform secret
// set`): assumed from their access roles, it puts and deletes the team's parameters only.
// It is a team role (the team boundary, the team tag) under the teams' path, not under the
// secrets roles' path, which External Secrets may assume roles under. Its logical name is no
// longer than "-workload-role", the longest a team's derived names allow for
// (teamplan.MaxNameLength).
func (b *builder) secretsWriter(t teamplan.Team) (pulumi.StringOutput, error) {
	a, prefix := b.args, b.name+"-"+t.Name
	role, err := iam.NewRole(b.ctx, prefix+"-writer-role", &iam.RoleArgs{
		Path:                pulumi.String(contract.TeamRolePath(a.Cluster.Name)),
		AssumeRolePolicy:    pulumi.String(teamplan.SecretsWriterTrust(t.AccessRoleArns).JSON()),
		Description:         pulumi.String(fmt.Sprintf("Team %s's members writing its secrets on %s (platform secret set)", t.Name, a.Cluster.Name)),
		MaxSessionDuration:  pulumi.Int(3600),
		PermissionsBoundary: a.PermissionsBoundary,
		Tags:                teamTags(t.Name),
	}, b.parent)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	if _, err := iam.NewRolePolicy(b.ctx, prefix+"-writer-policy", &iam.RolePolicyArgs{
		Role: role.ID(),
		Policy: pulumix.Policy(a.Cluster.SecretsKeyArn.ToStringOutput(), func(key string) iampolicy.Document {
			return teamplan.SecretsWriterPolicy(a.Account, a.Cluster.Name, t.Name, key)
		}),
	}, b.parent); err != nil {
		return pulumi.StringOutput{}, err
	}
	return role.Arn, nil
}

// images creates an immutable, scanned repository per image with a lifecycle policy, and the
// role the team's repositories' workflows push with.
func (b *builder) images(t teamplan.Team, out *awsSide) error {
	a, prefix := b.args, b.name+"-"+t.Name
	out.repositories = pulumi.StringMap{}
	var arns pulumi.StringArray
	for _, img := range t.Images {
		repo, err := ecr.NewRepository(b.ctx, prefix+"-ecr-"+img, &ecr.RepositoryArgs{
			Name:                       pulumi.String(teamplan.ECRRepositoryName(a.Cluster.Name, t.Name, img)),
			ImageTagMutability:         pulumi.String("IMMUTABLE"),
			ImageScanningConfiguration: ecr.RepositoryImageScanningConfigurationArgs{ScanOnPush: pulumi.Bool(true)},
			ForceDelete:                pulumi.Bool(a.ForceDelete),
		}, b.parent)
		if err != nil {
			return err
		}
		if _, err := ecr.NewLifecyclePolicy(b.ctx, prefix+"-ecr-"+img+"-lifecycle", &ecr.LifecyclePolicyArgs{
			Repository: repo.Name, Policy: pulumi.String(teamplan.ECRLifecyclePolicy),
		}, b.parent); err != nil {
			return err
		}
		out.repositories[img] = repo.RepositoryUrl
		arns = append(arns, repo.Arn)
	}
	push, err := iam.NewRole(b.ctx, prefix+"-push-role", &iam.RoleArgs{
		Path: pulumi.String(contract.TeamRolePath(a.Cluster.Name)),
		AssumeRolePolicy: pulumix.Policy(a.GitHub.OIDCProviderArn.ToStringOutput(), func(provider string) iampolicy.Document {
			return teamplan.PushTrust(provider, teamplan.PushSubjects(a.GitHub.Owner, t.Repos, a.Stack), ghplan.OIDCHost, ghplan.OIDCAudience)
		}),
		Description:         pulumi.String(fmt.Sprintf("GitHub Actions of team %s's repositories pushing images to %s", t.Name, a.Cluster.Name)),
		MaxSessionDuration:  pulumi.Int(3600),
		PermissionsBoundary: a.PermissionsBoundary,
		Tags:                teamTags(t.Name),
	}, b.parent)
	if err != nil {
		return err
	}
	if _, err := iam.NewRolePolicy(b.ctx, prefix+"-push-policy", &iam.RolePolicyArgs{
		Role: push.ID(),
		Policy: arns.ToStringArrayOutput().ApplyT(func(repos []string) string {
			return teamplan.PushPolicy(repos).JSON()
		}).(pulumi.StringOutput),
	}, b.parent); err != nil {
		return err
	}
	out.pushRole = push.Arn
	return b.pushEnvironments(t, push.Arn)
}

// workloadIdentity binds the team's service account in ns to its workload role.
func (b *builder) workloadIdentity(t teamplan.Team, ns string, created *corev1.Namespace, aws awsSide) error {
	if aws.workload == nil {
		return nil
	}
	_, err := eks.NewPodIdentityAssociation(b.ctx, b.name+"-"+t.Name+"-"+ns+"-pod-identity", &eks.PodIdentityAssociationArgs{
		ClusterName:    b.args.Cluster.ClusterName,
		Namespace:      created.Metadata.Name().Elem(),
		ServiceAccount: pulumi.String(t.Name),
		RoleArn:        aws.workloadRole,
	}, b.parent)
	return err
}

// teamTags name a team role's team: the team boundary reads it (contract.TeamTag), so a role
// reaches its own team's resources and no other's.
func teamTags(team string) pulumi.StringMap {
	return pulumi.StringMap{contract.TeamTag: pulumi.String(team)}
}
