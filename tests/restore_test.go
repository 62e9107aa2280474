package tests

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/example/platform/components/addons"
	"github.com/example/platform/components/databases/dbplan"
	"github.com/example/platform/internal/cli"
	"github.com/example/platform/internal/kubeapi"
	"github.com/example/platform/internal/restore"
)

// restorePlan is the stack's plan with payments' database ledger and restores of it: one as of
// a time, one of the latest restorable time, one from a snapshot.
func restorePlan(t *testing.T, stack string) *plan {
	t.Helper()
	at := time.Now().UTC().Add(-2 * time.Hour).Truncate(time.Second).Format(time.RFC3339)
	in := stackInput(t, stack)
	edit(kTeams, "0.databases", []any{
		map[string]any{"name": "ledger", "storageGiB": 100},
		map[string]any{"name": "ledger-at", "storageGiB": 100, "restoreFrom": map[string]any{"pointInTime": map[string]any{"database": "ledger", "time": at}}},
		map[string]any{"name": "ledger-now", "storageGiB": 120, "instanceClass": "db.t4g.large", "restoreFrom": map[string]any{"pointInTime": map[string]any{"database": "ledger", "latest": true}}},
		map[string]any{"name": "orders", "dbName": "orders", "storageGiB": 100, "restoreFrom": map[string]any{"snapshot": "arn:aws:rds:eu-north-1:111122223333:snapshot:platform-old-payments-orders-final"}},
	})(t, in.Config)
	edit(kTeams, "0.databaseSlot", 0)(t, in.Config)
	p, err := runNoPanic(t, in)
	if err != nil {
		t.Fatal(err)
	}
	return &plan{Plan: p}
}

// A restored database is a new rds.Instance that RDS makes from its source: SnapshotIdentifier
// or RestoreToPointInTime, no database name, master user, key or encryption of its own (RDS
// takes them from the source), the entry's class, storage, version and the environment's
// settings otherwise, and every instance ignores those inputs after creation, so that removing
// restoreFrom does not replace it. Its connection Secret names the source's database.
func TestRestoredDatabasePlan(t *testing.T) {
	for _, stack := range []string{"dev", "prod"} {
		t.Run(stack, func(t *testing.T) {
			p := restorePlan(t, stack)
			cluster := "platform-" + stack
			instance := func(name string) map[string]any {
				r := p.named(t, "aws:rds/instance:Instance", "databases-payments-"+name)
				if !slices.Equal(r.IgnoreChanges, dbplan.RestoreIgnoredInputs) {
					t.Errorf("%s ignores %v, want %v", name, r.IgnoreChanges, dbplan.RestoreIgnoredInputs)
				}
				if r.Protect != (stack == "prod") {
					t.Errorf("%s: protect %v", name, r.Protect)
				}
				return r.Inputs
			}
			ledger := instance("ledger")
			if ledger["dbName"] != "ledger" || ledger["username"] != dbplan.MasterUsername || ledger["snapshotIdentifier"] != nil || ledger["restoreToPointInTime"] != nil {
				t.Errorf("ledger is no restore: %v", ledger)
			}
			for name, want := range map[string]map[string]any{
				"ledger-at":  {"sourceDbInstanceIdentifier": cluster + "-payments-ledger", "restoreTime": nil},
				"ledger-now": {"sourceDbInstanceIdentifier": cluster + "-payments-ledger", "useLatestRestorableTime": true},
			} {
				in := instance(name)
				pit, _ := in["restoreToPointInTime"].(map[string]any)
				if pit["sourceDbInstanceIdentifier"] != want["sourceDbInstanceIdentifier"] || (want["useLatestRestorableTime"] != nil) != (pit["useLatestRestorableTime"] == true) {
					t.Errorf("%s: restoreToPointInTime = %v", name, pit)
				}
				if name == "ledger-at" {
					if at, err := time.Parse(time.RFC3339, pit["restoreTime"].(string)); err != nil || !at.Before(time.Now()) || pit["useLatestRestorableTime"] != nil {
						t.Errorf("%s: restoreTime %v (%v)", name, pit["restoreTime"], err)
					}
				}
			}
			orders := instance("orders")
			if orders["snapshotIdentifier"] != "arn:aws:rds:eu-north-1:111122223333:snapshot:platform-old-payments-orders-final" || orders["restoreToPointInTime"] != nil {
				t.Errorf("orders: %v", orders)
			}
			now := instance("ledger-now")
			for _, in := range []map[string]any{instance("ledger-at"), now, orders} {
				for _, k := range []string{"dbName", "username", "kmsKeyId", "storageEncrypted", "password"} {
					if in[k] != nil {
						t.Errorf("%s: %s = %v; RDS takes it from the source", in["identifier"], k, in[k])
					}
				}
				// The rest is the entry's and the environment's, as for any database.
				if in["engine"] != "postgres" || in["engineVersion"] != dbplan.DefaultVersion || in["manageMasterUserPassword"] != true || in["storageType"] != "gp3" ||
					in["multiAz"] != (stack == "prod") || in["deletionProtection"] != (stack == "prod") || in["publiclyAccessible"] != false {
					t.Errorf("%s inputs = %v", in["identifier"], in)
				}
			}
			if now["identifier"] != cluster+"-payments-ledger-now" || now["instanceClass"] != "db.t4g.large" || now["allocatedStorage"] != 120.0 {
				t.Errorf("ledger-now: %v", now)
			}
			// The Secret of a restore names the database the restore brought.
			for name, db := range map[string]string{"ledger-at": "ledger", "ledger-now": "ledger", "orders": "orders", "ledger": "ledger"} {
				es := p.named(t, "kubernetes:external-secrets.io/v1:ExternalSecret", "databases-payments-"+name+"-connection")
				if got := getString(es, "spec.target.template.data.PGDATABASE"); got != db {
					t.Errorf("%s's Secret: PGDATABASE %q, want %q", name, got, db)
				}
			}
		})
	}
}

// `platform restore volume`'s PersistentVolume and claim are accepted by a real kube-apiserver
// (applied, not dry-run: the claim names the volume and the volume the claim), with the
// volume's id and size as the printed commands fill them.
func TestRestoredVolumeManifestsAgainstAPIServer(t *testing.T) {
	if restore.StorageClass != addons.GP3StorageClass {
		t.Fatalf("restore claims from %q, the platform's class is %q", restore.StorageClass, addons.GP3StorageClass)
	}
	s := kubeapi.Shared(t)
	cfg, err := cli.StackConfig(stackInput(t, "prod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ ns, claim string }{{"payments", "data-payments-0"}, {"monitoring", "prometheus-db-0"}} {
		p, err := restore.PlanVolume(cfg, restore.VolumeRequest{Stack: "prod", Namespace: tt.ns, Claim: tt.claim,
			RecoveryPoint: "arn:aws:ec2:eu-north-1::snapshot/snap-0123456789abcdef0", AZ: "eu-north-1b"})
		if err != nil {
			t.Fatal(err)
		}
		manifests := p.Manifests("vol-0123456789abcdef0", "60")
		if !strings.Contains(p.VolumeText(), strings.ReplaceAll(strings.ReplaceAll(manifests, "vol-0123456789abcdef0", "${VOLUME_ID}"), "60Gi", "${SIZE_GIB}Gi")) {
			t.Fatalf("the printed manifests are not these with the shell's variables:\n%s", p.VolumeText())
		}
		// As the platform makes a team's namespace: the shared API server may already run the
		// platform's admission policies, which require the Pod Security labels.
		ns := map[string]any{"name": tt.ns, "labels": map[string]any{"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest"}}
		if err := s.Apply(kubeapi.Object{Body: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": ns}}); err != nil {
			t.Fatal(err)
		}
		for _, doc := range strings.Split(manifests, "\n---\n") {
			var body map[string]any
			if err := yaml.Unmarshal([]byte(doc), &body); err != nil {
				t.Fatal(err)
			}
			if err := s.Apply(kubeapi.Object{Body: body}); err != nil {
				t.Errorf("%s/%s: %v", tt.ns, tt.claim, err)
			}
		}
		pv, err := s.Get("v1", "PersistentVolume", "", p.PVName)
		if err != nil {
			t.Fatal(err)
		}
		pvc, err := s.Get("v1", "PersistentVolumeClaim", tt.ns, tt.claim)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(map[string]any{"pv": pv["spec"], "pvc": pvc["spec"]})
		for _, want := range []string{`"volumeHandle":"vol-0123456789abcdef0"`, `"driver":"ebs.csi.aws.com"`, `"key":"topology.kubernetes.io/zone"`,
			`"values":["eu-north-1b"]`, `"claimRef":{"name":"` + tt.claim + `","namespace":"` + tt.ns + `"}`, `"volumeName":"` + p.PVName + `"`,
			`"storageClassName":"gp3"`, `"persistentVolumeReclaimPolicy":"Retain"`, `"storage":"60Gi"`} {
			if !strings.Contains(string(raw), want) {
				t.Errorf("%s: the server's objects lack %s: %s", tt.claim, want, raw)
			}
		}
	}
}
