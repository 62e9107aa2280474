package restore

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/contract"
)

// StorageClass is the gp3 class the restored claim names (components/addons.GP3StorageClass:
// a test keeps them equal), so the claim matches how the platform's volumes are claimed.
const StorageClass = "gp3"

// Driver is the EBS CSI driver, which attaches the restored volume.
const Driver = "ebs.csi.aws.com"

// ZoneKey is the node label the PersistentVolume's affinity names: the well-known zone label,
// which every EKS node carries and the EBS CSI driver reports as its topology (an EBS volume
// attaches only to an instance in its own AZ).
const ZoneKey = "topology.kubernetes.io/zone"

// VolumeRequest is `platform restore volume`.
type VolumeRequest struct {
	Stack, Namespace, Claim string
	// RecoveryPoint is an AWS Backup recovery point of an EBS volume: its snapshot's ARN.
	RecoveryPoint string
	// AZ is where the volume is made: a zone the cluster's nodes run in.
	AZ string
	// SizeGiB is the new volume's size (at least the recovery point's); 0 keeps its size.
	SizeGiB int
}

// VolumePlan is a planned volume restore.
type VolumePlan struct {
	Request                      VolumeRequest
	Cluster, Region, Partition   string
	RoleName, Vault, PVName      string
	PlatformNamespace, KnownZone bool
}

var (
	ebsRecoveryPoint = regexp.MustCompile(`^arn:([a-z-]+):ec2:([a-z0-9-]+)::snapshot/snap-[0-9a-f]{8,17}$`)
	dnsLabel         = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	dnsSubdomain     = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$`)
)

// MaxVolumeGiB is gp3's largest volume.
const MaxVolumeGiB = 65536

// PlanVolume judges req against the stack's config.
func PlanVolume(cfg *config.Config, req VolumeRequest) (VolumePlan, error) {
	p := VolumePlan{Request: req, Cluster: cfg.Cluster.Name, Region: cfg.Region, Partition: contract.PartitionOfRegion(cfg.Region),
		RoleName: contract.BackupRoleName(cfg.Cluster.Name), Vault: contract.BackupVaultName(cfg.Cluster.Name)}
	platform := platformNamespaces()
	allowed := append(slices.Clone(platform), teamNamespaces(cfg)...)
	p.PlatformNamespace = slices.Contains(platform, req.Namespace)
	switch {
	case !slices.Contains(allowed, req.Namespace):
		return p, flagErr("--namespace", "%q is not a namespace of stack %s: a team's (%s) or the platform's (%s)",
			req.Namespace, req.Stack, strings.Join(teamNamespaces(cfg), ", "), strings.Join(platform, ", "))
	case !dnsSubdomain.MatchString(req.Claim):
		return p, flagErr("--claim", "%q is not a PersistentVolumeClaim name (lowercase letters, digits, '-' and '.', at most 253)", req.Claim)
	}
	if m := ebsRecoveryPoint.FindStringSubmatch(req.RecoveryPoint); m == nil {
		hint := "an EBS recovery point's ARN, arn:" + p.Partition + ":ec2:" + cfg.Region + "::snapshot/snap-<id> (aws backup list-recovery-points-by-backup-vault --backup-vault-name " + p.Vault + ")"
		if strings.Contains(req.RecoveryPoint, ":rds:") {
			hint = "a database's recovery point: restore it with `platform restore db --snapshot " + req.RecoveryPoint + "`; this command takes " + hint
		}
		return p, flagErr("--recovery-point", "%q is not %s", req.RecoveryPoint, hint)
	} else if m[1] != p.Partition || m[2] != cfg.Region {
		return p, flagErr("--recovery-point", "%q is in %s; the stack's volumes are restored in %s: copy it back to vault %s there first (aws backup start-copy-job --region %s --source-backup-vault-name %s --destination-backup-vault-arn <vault %s's ARN in %s> --recovery-point-arn %s --iam-role-arn <role %s's ARN>), then restore the copy",
			req.RecoveryPoint, m[2], cfg.Region, p.Vault, m[2], p.Vault, p.Vault, cfg.Region, req.RecoveryPoint, p.RoleName)
	}
	zones := cfg.Network.AvailabilityZones
	switch {
	case len(zones) > 0 && !slices.Contains(zones, req.AZ):
		return p, flagErr("--az", "%q is not a zone of stack %s (%s): the volume must be where the cluster's nodes run", req.AZ, req.Stack, strings.Join(zones, ", "))
	case len(zones) == 0 && !regexp.MustCompile(`^`+regexp.QuoteMeta(cfg.Region)+`[a-z]$`).MatchString(req.AZ):
		return p, flagErr("--az", "%q is not an availability zone of %s (e.g. %sa); give one of the zones the cluster's nodes run in", req.AZ, cfg.Region, cfg.Region)
	case req.SizeGiB < 0 || req.SizeGiB > MaxVolumeGiB:
		return p, flagErr("--size", "%d is not a gp3 size: 1 to %d GiB, at least the recovery point's (0 or no --size keeps its size)", req.SizeGiB, MaxVolumeGiB)
	}
	p.KnownZone = len(zones) > 0
	p.PVName = "restored-" + req.Namespace + "-" + req.Claim
	if len(p.PVName) > 253 {
		return p, flagErr("--claim", "%q makes the PersistentVolume name %d characters long; Kubernetes allows 253", req.Claim, len(p.PVName))
	}
	return p, nil
}

// platformNamespaces are the platform's own namespaces: Kubernetes' (default, kube-*) hold no
// volume of the platform's and are refused.
func platformNamespaces() []string {
	var out []string
	for _, ns := range contract.PlatformNamespaces {
		if ns != "default" && !strings.HasPrefix(ns, "kube-") {
			out = append(out, ns)
		}
	}
	return out
}

func teamNamespaces(cfg *config.Config) []string {
	var out []string
	for _, t := range cfg.Teams {
		out = append(out, t.Namespaces...)
	}
	return out
}

// Metadata is the restore job's metadata for an EBS volume: the AZ, gp3, encrypted. No KMS key:
// the restored volume keeps the recovery point's (the gp3 class encrypts with the account's
// default EBS key), and naming another would need the backup role to use it.
func (p VolumePlan) Metadata() string {
	m := map[string]string{"availabilityZone": p.Request.AZ, "volumeType": "gp3", "encrypted": "true"}
	if p.Request.SizeGiB > 0 {
		m["volumeSize"] = fmt.Sprint(p.Request.SizeGiB)
	}
	b, _ := json.Marshal(m) // a map of strings always encodes
	return string(b)
}

// VolumeTags are what the restored volume must carry: the EBS CSI driver's managed policy
// (AmazonEBSCSIDriverPolicyV2) attaches only volumes tagged ebs.csi.aws.com/cluster=true; the
// cluster tag lets a destroy's sweep find it; the backup tag puts it back in the backup plan.
func (p VolumePlan) VolumeTags() [][2]string {
	return [][2]string{{"ebs.csi.aws.com/cluster", "true"}, {"kubernetes.io/cluster/" + p.Cluster, "owned"}, {contract.BackupTag, contract.BackupTagValue}}
}

// Manifests are the PersistentVolume of the restored volume and the claim bound to it. The
// volume's id and size are what the restore job made: pass the shell variables the printed
// commands set ("${VOLUME_ID}", "${SIZE_GIB}") or, in tests, real values.
func (p VolumePlan) Manifests(volumeID, size string) string {
	r := p.Request
	return fmt.Sprintf(`apiVersion: v1
kind: PersistentVolume
metadata:
  name: %[1]s
  labels:
    app.kubernetes.io/managed-by: platform-restore
  annotations:
    platform.example.org/recovery-point: %[2]q
spec:
  capacity:
    storage: %[3]sGi
  accessModes: [ReadWriteOnce]
  volumeMode: Filesystem
  # Retain: the restored data outlives its claim until someone decides otherwise.
  persistentVolumeReclaimPolicy: Retain
  storageClassName: %[4]s
  claimRef:
    namespace: %[5]s
    name: %[6]s
  csi:
    driver: %[7]s
    volumeHandle: %[8]s
    fsType: ext4
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions:
            - key: %[9]s
              operator: In
              values: [%[10]s]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: %[6]s
  namespace: %[5]s
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: %[4]s
  volumeName: %[1]s
  resources:
    requests:
      storage: %[3]sGi
`, p.PVName, r.RecoveryPoint, size, StorageClass, r.Namespace, r.Claim, Driver, volumeID, ZoneKey, r.AZ)
}
