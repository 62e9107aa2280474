package access

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ssm"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/components/access/accessplan"
	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
	"github.com/example/platform/internal/pulumix"
)

// Database is one team database to open sessions to.
type Database struct {
	Team, Name string
	// Address is the database's host name (RDS's endpoint address); Port its port.
	Address pulumi.StringOutput
	Port    int
}

// DatabaseArgs configure the databases' sessions.
type DatabaseArgs struct {
	// Host is the access instance (Access.Handle).
	Host    Host
	Cluster string
	Account contract.Account
	// Databases get one Session document each, forwarding to their address only.
	Databases []Database
	// Members are each team's access roles (platform:teams[].accessRoleArns): a team with
	// members gets a connect role, assumable by them only, with its own databases' documents.
	Members map[string][]string
	// TeamBoundary is the team boundary: the connect roles are team roles.
	TeamBoundary pulumi.StringInput
}

// DatabaseAccess is the component.
type DatabaseAccess struct {
	pulumi.ResourceState

	// Documents are the Session documents' names, by "<team>-<name>".
	Documents pulumi.StringMapOutput `pulumi:"documents"`
	// ConnectRoles are the teams' connect roles' ARNs, by team.
	ConnectRoles pulumi.StringMapOutput `pulumi:"connectRoles"`
}

func (a *DatabaseArgs) validate() error {
	if a == nil {
		return errors.New("access databases: Args are required")
	}
	var errs []error
	if a.Cluster == "" || a.Account.ID == "" || a.TeamBoundary == nil || a.Host.InstanceID == (pulumi.StringOutput{}) {
		errs = append(errs, errors.New("access databases: Host, Cluster, Account and TeamBoundary are required"))
	}
	if len(a.Databases) == 0 {
		errs = append(errs, errors.New("access databases: no Databases: create the component only when a team has a database"))
	}
	seen := map[string]bool{}
	for _, d := range a.Databases {
		name := contract.DatabaseDocumentName(a.Cluster, d.Team, d.Name)
		if err := accessplan.CheckDocumentName(name); err != nil {
			errs = append(errs, fmt.Errorf("access databases: %s-%s: %w", d.Team, d.Name, err))
		}
		if seen[name] {
			errs = append(errs, fmt.Errorf("access databases: %s-%s is listed twice", d.Team, d.Name))
		}
		seen[name] = true
		if d.Port < 1 || d.Port > 65535 {
			errs = append(errs, fmt.Errorf("access databases: %s-%s: port %d", d.Team, d.Name, d.Port))
		}
	}
	return errors.Join(errs...)
}

// NewDatabases creates a Session document per database and a connect role per team with
// members. Nothing is created when an argument is invalid.
func NewDatabases(ctx *pulumi.Context, name string, args *DatabaseArgs, opts ...pulumi.ResourceOption) (*DatabaseAccess, error) {
	if err := args.validate(); err != nil {
		return nil, err
	}
	c := &DatabaseAccess{}
	if err := ctx.RegisterComponentResource("platform:index:DatabaseAccess", name, c, opts...); err != nil {
		return nil, err
	}
	a, parent := *args, pulumi.Parent(c)
	documents, byTeam := pulumi.StringMap{}, map[string][]string{}
	for _, d := range a.Databases {
		docName := contract.DatabaseDocumentName(a.Cluster, d.Team, d.Name)
		description := fmt.Sprintf("Team %s's database %s on %s", d.Team, d.Name, a.Cluster)
		content := d.Address.ApplyT(func(host string) string {
			return accessplan.PortForwardDocument(description, host, d.Port)
		}).(pulumi.StringOutput)
		doc, err := ssm.NewDocument(ctx, name+"-"+d.Team+"-"+d.Name+"-document", &ssm.DocumentArgs{
			Name: pulumi.String(docName), DocumentType: pulumi.String("Session"), DocumentFormat: pulumi.String("JSON"), Content: content,
		}, parent)
		if err != nil {
			return nil, err
		}
		documents[d.Team+"-"+d.Name] = doc.Name
		byTeam[d.Team] = append(byTeam[d.Team], docName)
	}
	roles := pulumi.StringMap{}
	for _, team := range slices.Sorted(maps.Keys(byTeam)) {
		members := a.Members[team]
		if len(members) == 0 {
			continue
		}
		docs := byTeam[team]
		// A team role, like its secrets writer: the team path, the team boundary, the team tag
		// (the boundary reads it: its own documents only). "<name>-<team>-role" ("connect" in
		// the stack) with Pulumi's suffix stays within IAM's 64 characters for every allowed
		// team name (tests/names_test.go's longest team).
		role, err := sessionRole(ctx, name+"-"+team, sessionRoleArgs{
			path: contract.TeamRolePath(a.Cluster), members: members, boundary: a.TeamBoundary,
			description: fmt.Sprintf("Team %s's members: Session Manager tunnels to its databases on %s (platform connect db)", team, a.Cluster),
			policy: pulumix.Policy(a.Host.InstanceID, func(id string) iampolicy.Document {
				return accessplan.SessionPolicy(a.Account, id, docs)
			}),
			tags: pulumi.StringMap{contract.TeamTag: pulumi.String(team)},
		}, parent)
		if err != nil {
			return nil, err
		}
		roles[team] = role.Arn
	}
	c.Documents, c.ConnectRoles = documents.ToStringMapOutput(), roles.ToStringMapOutput()
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"documents": c.Documents, "connectRoles": c.ConnectRoles}); err != nil {
		return nil, err
	}
	return c, nil
}
