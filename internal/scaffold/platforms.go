package scaffold

import "strings"

// Platforms are the platforms an app's image is built for: every architecture a node group may
// run (platform:cluster.nodeGroups[].architecture: x86_64 or arm64), not only those the stacks
// run today. The workflow is written once into the team's repository and `platform app ci`
// never rewrites it, while a stack's architecture is a cost setting that changes under it
// (dev moved to Graviton): an image built for today's architectures only would fail with
// "exec format error" on the first node of another. The scheduler does not know what an
// image supports, so a stack running both architectures needs both anyway.
var Platforms = []string{"linux/amd64", "linux/arm64"}

// runnerArch is the architecture of the runner (ubuntu-latest) that builds the image: the
// others run emulated (QEMU).
const runnerArch = "amd64"

// emulated are the architectures QEMU runs during the build, as setup-qemu-action names them.
func emulated() string {
	var out []string
	for _, p := range Platforms {
		if arch := strings.TrimPrefix(p, "linux/"); arch != runnerArch {
			out = append(out, arch)
		}
	}
	return strings.Join(out, ",")
}

// PlatformCheck is the build job's check of the archive buildx wrote (image.tar, an OCI layout):
// it holds one image index with an image for each of $PLATFORMS, or the job fails, before any
// push. buildx already fails when one platform's build fails; this catches a build that lost
// --platform or a platform in an edit, which would otherwise surface only as pods failing on
// one architecture's nodes. Attestation entries (platform unknown/unknown) are not platforms;
// a variant (arm64/v8) is not compared.
const PlatformCheck = `top=$(tar -xOf image.tar index.json)
digest=$(jq -r 'if (.manifests | length) == 1 and .manifests[0].mediaType == "application/vnd.oci.image.index.v1+json" then .manifests[0].digest else "" end' <<<"$top")
if ! [[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]]; then
  echo "::error file=image.tar::no multi-platform image index: build with --platform $PLATFORMS"
  exit 1
fi
got=$(tar -xOf image.tar "blobs/sha256/${digest#sha256:}" | jq -r '[.manifests[] | select(.annotations["vnd.docker.reference.type"] != "attestation-manifest") | .platform.os + "/" + .platform.architecture] | sort | join(",")')
want=$(tr ',' '\n' <<<"$PLATFORMS" | sort | paste -sd, -)
if [ "$got" != "$want" ]; then
  echo "::error file=image.tar::the image is built for ${got:-no platform}, the nodes run $want: a pod fails with exec format error where its platform is missing"
  exit 1
fi
echo "The image is built for $got"`
