package addons

import (
	"encoding/json"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	storagev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/storage/v1"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/example/platform/internal/contract"
	"github.com/example/platform/internal/helmkit"
)

// EBS CSI driver: the aws-ebs-csi-driver EKS managed addon (no Helm chart) and the default
// StorageClass gp3. Monitoring, Loki and Tempo claim their volumes from it.

// EBSCSI is the addon's block.
type EBSCSI struct {
	Enabled bool
	// ReclaimPolicy of the gp3 StorageClass: "Delete" (default) or "Retain".
	ReclaimPolicy string
}

// EBSCSIServiceAccount is the managed addon's controller service account.
const EBSCSIServiceAccount = "ebs-csi-controller-sa"

// EBSCSIManagedPolicy is the AWS managed policy of the driver's role. V2 acts only on volumes
// the driver tagged as its own (AWS, April 2026). Unlike V1 it is not under service-role/: its
// ARN is arn:aws:iam::aws:policy/AmazonEBSCSIDriverPolicyV2 (tests/managedpolicies_test.go
// checks every managed ARN the program attaches against the list of those that exist).
const EBSCSIManagedPolicy = "AmazonEBSCSIDriverPolicyV2"

// GP3StorageClass is the default StorageClass: encrypted gp3 through the EBS CSI driver, whose
// volumes the stack's AWS Backup plan backs up (they carry contract.BackupTag). A volume that
// needs no backup (a cache, regenerable data) claims contract.NoBackupStorageClass instead.
const GP3StorageClass = "gp3"

// StorageClassGenerationAnnotation carries the gp3 class's generation: a random id renewed
// whenever a field Kubernetes cannot update changes (see ebsCSI).
const StorageClassGenerationAnnotation = "platform.example.org/generation"

// EBSCSIConfiguration tags every volume the driver creates as owned by the cluster
// (kubernetes.io/cluster/<cluster>=owned): a volume a destroy left behind (a StatefulSet's PVC
// survives `helm uninstall`) is then found, and only then, by the runner's sweep. It also
// carries the stack's tag (contract.StackTag), which the backup plan's selection and its role
// require beside the backup tag: a volume of another cluster is never selected.
func EBSCSIConfiguration(cluster string) string {
	b, _ := json.Marshal(map[string]any{"controller": map[string]any{
		"extraVolumeTags": map[string]string{"kubernetes.io/cluster/" + cluster: "owned", contract.StackTag: cluster},
	}})
	return string(b)
}

// StorageClassParameters are the parameters of the gp3 classes: encrypted gp3 with ext4; the
// backed-up class also tags its volumes with contract.BackupTag, through the driver's
// tagSpecification_<n> parameters ("key=value", applied to every volume it provisions). A
// class whose reclaim policy is Retain tags them with contract.KeepTag too: the runner's sweep
// reads it to keep such a volume after a destroy, when no PersistentVolume says so any more.
func StorageClassParameters(backedUp bool, reclaim string) map[string]string {
	p := map[string]string{"type": "gp3", "encrypted": "true", "csi.storage.k8s.io/fstype": "ext4"}
	// The driver reads every parameter whose key starts with tagSpecification (the numbers
	// need not follow on), so each tag keeps its own key.
	if backedUp {
		p["tagSpecification_1"] = contract.BackupTag + "=" + contract.BackupTagValue
	}
	if reclaim == contract.KeepTagValue {
		p["tagSpecification_2"] = contract.KeepTag + "=" + contract.KeepTagValue
	}
	return p
}

func (c *Addons) ebsCSI(ctx *pulumi.Context) error {
	name := c.name + "-ebs-csi"
	cl := c.args.Cluster
	role, _, err := helmkit.NewPodIdentity(ctx, name, helmkit.PodIdentity{
		Account: c.args.Account, Cluster: cl.Name, ClusterName: cl.ClusterName,
		Namespace: "kube-system", ServiceAccount: EBSCSIServiceAccount,
		Managed: []string{EBSCSIManagedPolicy},
		// The managed addon binds its own service account to the role.
		SkipAssociation:     true,
		PermissionsBoundary: c.args.PermissionsBoundary,
	}, pulumi.Parent(c))
	if err != nil {
		return err
	}
	version, err := c.addonVersion(ctx, "aws-ebs-csi-driver")
	if err != nil {
		return err
	}
	addon, err := eks.NewAddon(ctx, name, &eks.AddonArgs{
		ClusterName:              cl.ClusterName,
		AddonName:                pulumi.String("aws-ebs-csi-driver"),
		AddonVersion:             pulumi.String(version),
		ConfigurationValues:      pulumi.String(EBSCSIConfiguration(cl.Name)),
		ResolveConflictsOnCreate: pulumi.String("OVERWRITE"),
		PodIdentityAssociations: eks.AddonPodIdentityAssociationArray{eks.AddonPodIdentityAssociationArgs{
			RoleArn:        role.Arn,
			ServiceAccount: pulumi.String(EBSCSIServiceAccount),
		}},
	}, pulumi.Parent(c), pulumi.DependsOn(append(c.base(), cl.NodeGroups...)))
	if err != nil {
		return err
	}
	reclaim := c.args.Config.EBSCSI.ReclaimPolicy
	if reclaim == "" {
		reclaim = "Delete"
	}
	const binding = "WaitForFirstConsumer"
	// The API server refuses to change a class's reclaim policy or binding mode, so the class
	// is replaced when either changes (delete first: the name is fixed). The provider previews a
	// replacement by a dry-run apply over the existing class, which the API server refuses too
	// ("updates to reclaimPolicy are forbidden": pulumi-kubernetes issue 3767; its workaround
	// catches only "field is immutable"). A generation that changes with them is unknown in
	// that preview, and the provider does not dry-run an object with unknown inputs.
	generation, err := random.NewRandomId(ctx, name+"-gp3-generation", &random.RandomIdArgs{
		ByteLength: pulumi.Int(4),
		Keepers:    pulumi.StringMap{"reclaimPolicy": pulumi.String(reclaim), "volumeBindingMode": pulumi.String(binding)},
	}, pulumi.Parent(c))
	if err != nil {
		return err
	}
	class := func(suffix, className string, backedUp bool, annotations pulumi.StringMap) (*storagev1.StorageClass, error) {
		return storagev1.NewStorageClass(ctx, name+"-"+suffix, &storagev1.StorageClassArgs{
			Metadata:    metav1.ObjectMetaArgs{Name: pulumi.String(className), Annotations: annotations},
			Provisioner: pulumi.String("ebs.csi.aws.com"),
			Parameters:  pulumi.ToStringMap(StorageClassParameters(backedUp, reclaim)),
			// Bind where the pod lands: an EBS volume lives in one AZ.
			VolumeBindingMode:    pulumi.String(binding),
			AllowVolumeExpansion: pulumi.Bool(true),
			ReclaimPolicy:        pulumi.String(reclaim),
			// The provider itself replaces a class only on parameters and provisioner, and would
			// try an update: the engine test on the real provider found it.
		}, pulumi.Parent(c), pulumi.DependsOn([]pulumi.Resource{addon}),
			pulumi.ReplaceOnChanges([]string{"reclaimPolicy", "volumeBindingMode"}), pulumi.DeleteBeforeReplace(true))
	}
	if c.storage, err = class("gp3", GP3StorageClass, true, pulumi.StringMap{
		"storageclass.kubernetes.io/is-default-class": pulumi.String("true"),
		StorageClassGenerationAnnotation:              generation.Hex,
	}); err != nil {
		return err
	}
	// The opt-out: the same volume without the backup tag, never the default.
	_, err = class("gp3-no-backup", contract.NoBackupStorageClass, false, pulumi.StringMap{
		StorageClassGenerationAnnotation: generation.Hex,
	})
	return err
}
