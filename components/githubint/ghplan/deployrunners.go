package ghplan

import (
	"fmt"
	"strings"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/iampolicy"
)

// RunnerService is the service the runner's role is passed to and trusts.
const RunnerService = "codebuild.amazonaws.com"

// codebuildStatements: the stack's runner project and its webhook by the project's fixed name
// (contract.RunnerProjectName), so no other project of the account is created, changed or
// deleted; the GitHub source credential, which CodeBuild keeps one of per account, region and
// server type and authorizes against "*", in the stack's region only.
func codebuildStatements(s Scope, actions []string) []iampolicy.Statement {
	a := s.Account
	project := fmt.Sprintf("arn:%s:codebuild:%s:%s:project/%s", a.Partition, a.Region, a.ID, contract.RunnerProjectName(s.Cluster))
	var projects, credentials []string
	for _, action := range actions {
		if strings.Contains(action, "SourceCredentials") {
			credentials = append(credentials, action)
		} else {
			projects = append(projects, action)
		}
	}
	return nonEmpty([]iampolicy.Statement{
		withRegion(iampolicy.Statement{Sid: "CodebuildRunnerProject", Effect: "Allow", Action: projects, Resource: []string{project}}, "codebuild", a.Region),
		withRegion(iampolicy.Statement{Sid: "CodebuildSourceCredential", Effect: "Allow", Action: credentials, Resource: []string{"*"}}, "codebuild", a.Region),
	})
}
