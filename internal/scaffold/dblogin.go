package scaffold

import (
	"fmt"
	"strings"

	"github.com/example/platform/components/databases/dbplan"
)

// DBClientImage is the PostgreSQL client the login Job runs (Docker's official image through
// ECR Public, which has no pull rate limit; its postgres user is uid 70).
const DBClientImage = "public.ecr.aws/docker/library/postgres:17-alpine"

// dbLoginJob makes the database user the app logs in as with IAM: the team's name, granted
// rds_iam (RDS then accepts only IAM tokens for it) and the use of the app's database. An Argo
// CD PreSync hook, so it runs, idempotently, before every sync, as the master user from the
// connection Secret at that moment: a rotated master password is read afresh each time.
func (a App) dbLoginJob(db dbplan.Instance) string {
	sql := fmt.Sprintf(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%[1]s') THEN CREATE ROLE "%[1]s" LOGIN; END IF; END $$;
GRANT rds_iam TO "%[1]s";
GRANT CONNECT, CREATE, TEMPORARY ON DATABASE "%[2]s" TO "%[1]s";
GRANT ALL ON SCHEMA public TO "%[1]s";`, a.Team, db.DBName())
	return fmt.Sprintf(`# The database user %[2]s logs in as with IAM (README "Databases"): created before every sync.
apiVersion: batch/v1
kind: Job
metadata:
  name: %[1]s-db-login
  annotations:
    argocd.argoproj.io/hook: PreSync
    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation,HookSucceeded
spec:
  backoffLimit: 3
  template:
    spec:
      restartPolicy: Never
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 70
        runAsGroup: 70
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: psql
          image: %[3]s
          command: [psql, -X, -v, ON_ERROR_STOP=1, -c]
          args:
            - |
              %[4]s
          envFrom:
            - secretRef: {name: %[5]s}
          resources:
            requests: {cpu: 50m, memory: 64Mi}
            limits: {cpu: 200m, memory: 128Mi}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
`, a.Name, a.Team, DBClientImage, indent(sql, "              "), db.SecretName())
}

func indent(s, prefix string) string { return strings.ReplaceAll(s, "\n", "\n"+prefix) }
