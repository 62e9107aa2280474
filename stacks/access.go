package stacks

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/access"
	"github.com/example/platform/components/databases/dbplan"
	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/contract"
)

// newAccess adds the Session Manager access instance and the kube session (nil when
// platform:access.sessionManager is disabled). It comes before the databases, whose security
// groups admit the instance's.
func newAccess(ctx *pulumi.Context, cfg *config.Config, account contract.Account, p *Platform) (*access.Access, error) {
	if !cfg.SessionManager() {
		return nil, nil
	}
	return access.New(ctx, "access", &access.Args{
		Cluster: p.Cluster.Handle(), Endpoint: p.Cluster.Endpoint, Network: p.Network.Handle(), Account: account,
		InstanceType:        cfg.Access.SessionManager.InstanceType,
		PermissionsBoundary: p.Boundary.Arn,
		KubeRoleArns:        cfg.KubeAccessRoleArns(),
	})
}

// accessSecurityGroup is the access instance's security group, which the databases admit
// (nil without Session Manager access).
func (p *Platform) accessSecurityGroup() pulumi.StringInput {
	if p.Access == nil {
		return nil
	}
	return p.Access.SecurityGroupID
}

// newDatabaseAccess adds a Session document per team database and the teams' connect roles
// (nil without Session Manager access or databases). It comes after the databases: the
// documents name their addresses.
func newDatabaseAccess(ctx *pulumi.Context, cfg *config.Config, account contract.Account, p *Platform) (*access.DatabaseAccess, error) {
	if p.Access == nil || p.Databases == nil {
		return nil, nil
	}
	args := &access.DatabaseArgs{Host: p.Access.Handle(), Cluster: cfg.Cluster.Name, Account: account,
		Members: map[string][]string{}, TeamBoundary: p.Boundary.TeamArn}
	for _, t := range cfg.Teams {
		args.Members[t.Name] = t.AccessRoleArns
	}
	for _, db := range cfg.Databases() {
		key := db.Key()
		address := p.Databases.Databases.MapIndex(pulumi.String(key)).ApplyT(func(v any) (string, error) {
			m, _ := v.(map[string]any)
			s, ok := m["address"].(string)
			if !ok {
				return "", fmt.Errorf("database %s has no address output", key)
			}
			return s, nil
		}).(pulumi.StringOutput)
		args.Databases = append(args.Databases, access.Database{Team: db.Team, Name: db.Name, Address: address, Port: dbplan.Port})
	}
	return access.NewDatabases(ctx, "connect", args)
}

// accessOutputs are what `platform connect` and its users need: the instance, the documents
// and the roles to assume.
func accessOutputs(p *Platform) pulumi.Map {
	out := pulumi.Map{
		"instanceId":   p.Access.InstanceID,
		"kubeDocument": p.Access.KubeDocument,
		"kubeRoleArn":  p.Access.KubeRoleArn,
	}
	if p.DatabaseAccess != nil {
		out["databaseDocuments"] = p.DatabaseAccess.Documents
		out["connectRoles"] = p.DatabaseAccess.ConnectRoles
	}
	return out
}
