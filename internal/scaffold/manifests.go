package scaffold

import (
	"fmt"
	"strings"

	"github.com/example/platform/components/databases/dbplan"
	"github.com/example/platform/components/teams/teamplan"
)

// Sync waves: the app's secrets exist before its pods start; its Ingress comes last, once
// something answers behind it.
const (
	waveSecrets  = "-1"
	waveWorkload = "0"
	waveIngress  = "1"
)

// ImageTag is the tag a new app's overlays start at; the release workflow bumps it.
const ImageTag = "v0.1.0"

// base is the app's kustomize base, by file name.
func (a App) base(t teamplan.Team) map[string]string {
	n := a.Name
	labels := fmt.Sprintf("app.kubernetes.io/name: %s\n      app.kubernetes.io/part-of: %s", n, a.Team)
	resources := []string{"deployment.yaml", "service.yaml", "ingress.yaml", "pdb.yaml", "hpa.yaml", "servicemonitor.yaml",
		"alerts.yaml", "alertmanagerconfig.yaml", "alert-receiver.yaml"}
	files := a.alertFiles()
	var envFrom string
	if len(a.Secrets) > 0 {
		resources = append(resources, "externalsecret.yaml")
		var data []string
		for _, k := range a.Secrets {
			data = append(data, fmt.Sprintf("    - secretKey: %s\n      remoteRef: {key: %s/%s}", k, n, k))
		}
		files["externalsecret.yaml"] = fmt.Sprintf(`# The app's secrets: SSM parameters /<cluster>/teams/%s/%s/<KEY>, read through the team's
# SecretStore (its role reads the team's parameters only).
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: %s
  annotations: {argocd.argoproj.io/sync-wave: "%s"}
spec:
  refreshInterval: 1h
  secretStoreRef: {kind: SecretStore, name: %s}
  target: {name: %s-secrets}
  data:
%s
`, a.Team, n, n, waveSecrets, teamplan.SecretStoreName, n, strings.Join(data, "\n"))
		envFrom = fmt.Sprintf("\n            - secretRef: {name: %s-secrets}", n)
	}
	var env string
	if a.Database != "" {
		// IAM login: where the database is comes from the platform's connection Secret
		// (dbplan.ConnectionSecretSpec), never its master password, which RDS rotates under a
		// running app; the app signs a 15-minute token with its workload role instead, for
		// every new connection (README "Databases").
		db := dbplan.Instance{Database: dbplan.Database{Name: a.Database}}
		for _, k := range []string{"PGHOST", "PGPORT", "PGDATABASE", "PGSSLMODE"} {
			env += fmt.Sprintf("\n            - name: %s\n              valueFrom: {secretKeyRef: {name: %s, key: %s}}", k, db.SecretName(), k)
		}
		env += fmt.Sprintf("\n            - {name: PGUSER, value: %s}\n            - {name: PGIAMAUTH, value: \"true\"}", a.Team)
		env = "\n          env:" + env
		resources = append(resources, "db-login.yaml")
		files["db-login.yaml"] = a.dbLoginJob(db)
	}
	// Traces: OTLP over HTTP to Tempo, as the team's tenant (the OpenTelemetry SDKs read these).
	otel := fmt.Sprintf("\n            - {name: OTEL_SERVICE_NAME, value: %s}\n            - {name: OTEL_EXPORTER_OTLP_ENDPOINT, value: \"%s\"}\n            - {name: OTEL_EXPORTER_OTLP_PROTOCOL, value: http/protobuf}\n            - {name: OTEL_EXPORTER_OTLP_HEADERS, value: \"%s\"}",
		n, teamplan.OTLPEndpoint, teamplan.OTLPHeaders(a.Team))
	if env == "" {
		env = "\n          env:"
	}
	env += otel
	if envFrom != "" {
		envFrom = "\n          envFrom:" + envFrom
	}
	envFrom = env + envFrom
	files["kustomization.yaml"] = fmt.Sprintf("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - %s\n",
		strings.Join(resources, "\n  - "))
	files["deployment.yaml"] = fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
  labels:
      %[2]s
  annotations: {argocd.argoproj.io/sync-wave: "%[3]s"}
spec:
  selector:
    matchLabels: {app.kubernetes.io/name: %[1]s}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: %[1]s
        app.kubernetes.io/part-of: %[4]s
    spec:
      serviceAccountName: %[4]s
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels: {app.kubernetes.io/name: %[1]s}
      containers:
        - name: %[1]s
          image: %[1]s
          ports:
            - {name: http, containerPort: %[5]d}%[6]s
          readinessProbe:
            httpGet: {path: /healthz, port: http}
            periodSeconds: 5
          livenessProbe:
            httpGet: {path: /healthz, port: http}
            initialDelaySeconds: 10
            periodSeconds: 10
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: 256Mi}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            runAsNonRoot: true
            capabilities: {drop: [ALL]}
`, n, labels, waveWorkload, a.Team, a.Port, envFrom)
	files["service.yaml"] = fmt.Sprintf(`apiVersion: v1
kind: Service
metadata:
  name: %[1]s
  labels: {app.kubernetes.io/name: %[1]s}
spec:
  selector: {app.kubernetes.io/name: %[1]s}
  ports:
    - {name: http, port: 80, targetPort: http}
`, n)
	files["ingress.yaml"] = fmt.Sprintf(`# The team's IngressClass (its ALB, the stack's certificate); each overlay sets the host.
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: %[1]s
  annotations:
    argocd.argoproj.io/sync-wave: "%[2]s"
    alb.ingress.kubernetes.io/target-type: ip
    alb.ingress.kubernetes.io/listen-ports: '[{"HTTPS": 443}]'
    alb.ingress.kubernetes.io/healthcheck-path: /healthz
spec:
  ingressClassName: %[3]s        # each overlay sets the stack's class
  rules:
    - host: HOST
      http:
        paths:
          - path: /
            pathType: Prefix
            backend: {service: {name: %[1]s, port: {name: http}}}
`, n, waveIngress, t.IngressClass())
	files["pdb.yaml"] = fmt.Sprintf(`apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: %[1]s
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {app.kubernetes.io/name: %[1]s}
`, n)
	files["hpa.yaml"] = fmt.Sprintf(`apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: %[1]s
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: %[1]s}
  minReplicas: 1
  maxReplicas: 5
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: {type: Utilization, averageUtilization: 70}
`, n)
	files["servicemonitor.yaml"] = fmt.Sprintf(`# Prometheus scrapes /metrics (the platform's policies admit it from monitoring).
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: %[1]s
spec:
  selector:
    matchLabels: {app.kubernetes.io/name: %[1]s}
  endpoints:
    - {port: http, path: /metrics, interval: 30s}
`, n)
	return files
}

// overlay is a stack's kustomization: the team's namespace, the HPA's floor, the image at its
// tag, the host under the stack's domain, the team's IngressClass there. It sets no replicas:
// the HPA owns the Deployment's replica count (from minReplicas up), and a count in Git would
// fight it on every sync.
func (a App) overlay(s Stack, t teamplan.Team, host string) string {
	return fmt.Sprintf(`# %[1]s in %[2]s: the ApplicationSet deploys this directory at %[2]s's revision.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: %[3]s
resources:
  - ../../base
images:
  - {name: %[1]s, newName: %[5]s, newTag: %[6]s}
patches:
  - target: {kind: Ingress, name: %[1]s}
    patch: |-
      - {op: replace, path: /spec/rules/0/host, value: %[7]s}
      - {op: replace, path: /spec/ingressClassName, value: %[8]s}
  - target: {kind: HorizontalPodAutoscaler, name: %[1]s}
    patch: |-
      - {op: replace, path: /spec/minReplicas, value: %[4]d}
`, a.Name, s.Name, t.Name, s.Replicas, a.image(s), ImageTag, host, t.IngressClass())
}
