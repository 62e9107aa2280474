package kubeapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// CRDTimeout bounds the wait for applied CRDs to become Established and discoverable.
var CRDTimeout = 60 * time.Second

// InstallCRDs server-side applies every CustomResourceDefinition in the *.yaml/*.yml
// files under dir (recursively, in lexical order) and waits until each is Established
// and served by discovery. Server-side apply is required: client-side apply would copy
// the object into the last-applied annotation, which is capped at 256 KiB, and several
// upstream CRDs are larger.
func (s *Server) InstallCRDs(dir string) error {
	objs, err := ReadManifests(dir)
	if err != nil {
		return err
	}
	if len(objs) == 0 {
		return fmt.Errorf("no CRDs found under %s", dir)
	}
	var errs []error
	var applied []Object
	for _, o := range objs {
		if !isCRD(o.Body) {
			// a stray non-CRD manifest in a fixture dir is a mistake, not something to apply
			errs = append(errs, fmt.Errorf("%s: not a CustomResourceDefinition", o.ID))
			continue
		}
		if err := s.Apply(o); err != nil {
			errs = append(errs, err)
			continue
		}
		applied = append(applied, o)
	}
	errs = append(errs, s.waitCRDs(applied)...)
	return errors.Join(errs...)
}

// ReadManifests decodes every YAML document in the *.yaml/*.yml files under dir
// (recursively); each Object's ID is "<path>#<document index>".
func ReadManifests(dir string) ([]Object, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var objs []Object
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		dec := yaml.NewDecoder(bytes.NewReader(raw))
		for i := 0; ; i++ {
			var body map[string]any
			if err := dec.Decode(&body); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return nil, fmt.Errorf("%s: document %d: %v", f, i, err)
			}
			if len(body) == 0 { // empty document, e.g. a leading "---"
				continue
			}
			objs = append(objs, Object{ID: fmt.Sprintf("%s#%d", f, i), Body: body})
		}
	}
	return objs, nil
}

func isCRD(body map[string]any) bool {
	apiVersion, kind, _, _ := identity(body)
	return kind == "CustomResourceDefinition" && strings.HasPrefix(apiVersion, "apiextensions.k8s.io/")
}

func isNamespace(body map[string]any) bool {
	apiVersion, kind, _, _ := identity(body)
	return kind == "Namespace" && apiVersion == "v1"
}

// waitCRDs waits until each CRD is Established and its kind is listed by discovery for
// every served version. Established alone is not enough: the discovery document is
// updated by a separate controller, and lookups right after could miss the kind.
func (s *Server) waitCRDs(crds []Object) []error {
	deadline := time.Now().Add(CRDTimeout)
	var errs []error
	for _, o := range crds {
		_, _, name, _ := identity(o.Body)
		for {
			ok, why := s.crdReady(o.Body, name)
			if ok {
				break
			}
			if time.Now().After(deadline) {
				errs = append(errs, fmt.Errorf("%s: CRD %s not ready after %s: %s", o.ID, name, CRDTimeout, why))
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	s.forgetDiscovery()
	return errs
}

func (s *Server) crdReady(body map[string]any, name string) (bool, string) {
	data, _, err := s.do(http.MethodGet, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"+name, nil, "", nil)
	if err != nil {
		return false, err.Error()
	}
	var crd struct {
		Status struct {
			Conditions []struct{ Type, Status, Reason, Message string } `json:"conditions"`
		} `json:"status"`
	}
	if err := json.Unmarshal(data, &crd); err != nil {
		return false, err.Error()
	}
	established, conds := false, []string{}
	for _, c := range crd.Status.Conditions {
		established = established || (c.Type == "Established" && c.Status == "True")
		conds = append(conds, fmt.Sprintf("%s=%s %s %s", c.Type, c.Status, c.Reason, c.Message))
	}
	if !established {
		return false, "not Established; conditions: [" + strings.Join(conds, "; ") + "]"
	}
	group, kind, versions := crdNames(body)
	for _, v := range versions {
		kinds, err := s.discover(group + "/" + v)
		if err != nil {
			return false, err.Error()
		}
		if _, ok := kinds[kind]; !ok {
			return false, fmt.Sprintf("Established, but kind %s not yet in discovery of %s/%s", kind, group, v)
		}
	}
	return true, ""
}

// crdNames returns group, kind and the served versions of a CRD manifest.
func crdNames(body map[string]any) (group, kind string, served []string) {
	spec, _ := body["spec"].(map[string]any)
	group, _ = spec["group"].(string)
	names, _ := spec["names"].(map[string]any)
	kind, _ = names["kind"].(string)
	versions, _ := spec["versions"].([]any)
	for _, v := range versions {
		m, _ := v.(map[string]any)
		name, _ := m["name"].(string)
		if s, _ := m["served"].(bool); s && name != "" {
			served = append(served, name)
		}
	}
	return group, kind, served
}

// order splits objs into CRDs, Namespaces and the rest, keeping the input order in
// each, because custom resources need their CRD and namespaced objects their Namespace.
func order(objs []Object) (crds, namespaces, rest []Object) {
	for _, o := range objs {
		switch {
		case isCRD(o.Body):
			crds = append(crds, o)
		case isNamespace(o.Body):
			namespaces = append(namespaces, o)
		default:
			rest = append(rest, o)
		}
	}
	return crds, namespaces, rest
}

// ValidateAll checks objs in dependency order: CRDs and Namespaces are really applied
// (later objects need them to exist), then every other object is dry-run applied. It
// returns how many objects the server accepted and one error per rejected object.
func (s *Server) ValidateAll(objs []Object) (validated int, errs []error) {
	crds, namespaces, rest := order(objs)
	var applied []Object
	for _, o := range crds {
		if err := s.Apply(o); err != nil {
			errs = append(errs, err)
			continue
		}
		applied = append(applied, o)
	}
	if waitErrs := s.waitCRDs(applied); len(waitErrs) > 0 {
		errs = append(errs, waitErrs...)
		validated -= len(waitErrs) // applied, but unusable: not counted as valid
	}
	validated += len(applied)
	for _, o := range namespaces {
		if err := s.Apply(o); err != nil {
			errs = append(errs, err)
			continue
		}
		validated++
	}
	for _, o := range rest {
		if err := s.DryRunApply(o); err != nil {
			errs = append(errs, err)
			continue
		}
		validated++
	}
	return validated, errs
}
