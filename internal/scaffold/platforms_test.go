package scaffold

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/components/cluster/clusterplan"
	"github.com/example/platform/internal/images"
)

// Every architecture a node group may declare has its platform in every app image; QEMU
// emulates all but the runner's.
func TestPlatformsCoverEveryNodeArchitecture(t *testing.T) {
	for _, arch := range []string{clusterplan.ArchX86, clusterplan.ArchARM} {
		if p := "linux/" + images.GoArch(arch); !slices.Contains(Platforms, p) {
			t.Errorf("node architecture %s: the app images lack %s (Platforms %v)", arch, p, Platforms)
		}
	}
	if got := emulated(); got != "arm64" {
		t.Errorf("emulated %q, want arm64 (the runner builds amd64 natively)", got)
	}
}

type ociEntry struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Platform    map[string]string `json:"platform,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// ociArchive writes image.tar into a new directory as buildx's oci exporter lays it out:
// index.json naming one image index (of mediaType top), whose blob lists entries.
func ociArchive(t *testing.T, top string, entries []ociEntry) string {
	t.Helper()
	index, err := json.Marshal(map[string]any{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(index)
	digest := "sha256:" + hex.EncodeToString(sum[:])
	outer, err := json.Marshal(map[string]any{"schemaVersion": 2, "manifests": []ociEntry{{MediaType: top, Digest: digest}}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "image.tar"))
	if err != nil {
		t.Fatal(err)
	}
	w := tar.NewWriter(f)
	for name, body := range map[string][]byte{"oci-layout": []byte(`{"imageLayoutVersion":"1.0.0"}`), "index.json": outer, "blobs/sha256/" + hex.EncodeToString(sum[:]): index} {
		if err := w.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// runCheck runs PlatformCheck in dir as the build job does (the runner's bash options).
func runCheck(t *testing.T, dir string) (string, error) {
	t.Helper()
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", PlatformCheck)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PLATFORMS="+strings.Join(Platforms, ","))
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// The check passes an archive with every platform (attestations and an arm64 variant
// besides) and fails, naming what is missing, every archive that lacks one.
func TestPlatformCheck(t *testing.T) {
	if _, err := exec.LookPath("jq"); err != nil {
		t.Skip("no jq (the runner has it)")
	}
	const index, manifest = "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json"
	image := func(arch string) ociEntry {
		p := map[string]string{"os": "linux", "architecture": arch}
		if arch == "arm64" {
			p["variant"] = "v8"
		}
		return ociEntry{MediaType: manifest, Digest: "sha256:" + strings.Repeat("a", 64), Platform: p}
	}
	attestation := ociEntry{MediaType: manifest, Digest: "sha256:" + strings.Repeat("b", 64),
		Platform: map[string]string{"os": "unknown", "architecture": "unknown"}, Annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest"}}
	out, err := runCheck(t, ociArchive(t, index, []ociEntry{image("arm64"), image("amd64"), attestation, attestation}))
	if err != nil || !strings.Contains(out, "built for linux/amd64,linux/arm64") {
		t.Errorf("both platforms: %v\n%s", err, out)
	}
	for name, c := range map[string]struct {
		top     string
		entries []ociEntry
		want    string
	}{
		"amd64 only":             {index, []ociEntry{image("amd64"), attestation}, "built for linux/amd64, the nodes run linux/amd64,linux/arm64"},
		"arm instead of arm64":   {index, []ociEntry{image("amd64"), image("arm")}, "built for linux/amd64,linux/arm,"},
		"a third platform":       {index, []ociEntry{image("amd64"), image("arm64"), image("s390x")}, "linux/s390x"},
		"no platform at all":     {index, []ociEntry{attestation}, "built for no platform"},
		"one image, no index":    {manifest, nil, "no multi-platform image index"},
		"an index of no entries": {index, []ociEntry{}, "built for no platform"},
	} {
		out, err := runCheck(t, ociArchive(t, c.top, c.entries))
		if err == nil || !strings.Contains(out, c.want) {
			t.Errorf("%s: %v, want a failure with %q:\n%s", name, err, c.want, out)
		}
	}
	if out, err := runCheck(t, t.TempDir()); err == nil {
		t.Errorf("no archive: passed\n%s", out)
	}
}
