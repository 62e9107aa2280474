package kubeapi

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"
)

// Server is a running test kube-apiserver plus a minimal client for it.
type Server struct {
	URL        string // https://127.0.0.1:PORT
	Kubeconfig string // path of the kubeconfig the script wrote (for kubectl when debugging)
	StateDir   string // logs and PKI; removed with the test's temp dir

	token string
	http  *http.Client

	mu sync.Mutex
	// group/version -> kind -> resource; a missing group/version means "not fetched yet".
	discovery map[string]map[string]resource
}

type resource struct {
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	Namespaced bool   `json:"namespaced"`
}

// kubeconfig holds the fields of the script's kubeconfig this package needs.
type kubeconfig struct {
	CurrentContext string `yaml:"current-context"`
	Clusters       []struct {
		Name    string `yaml:"name"`
		Cluster struct {
			Server                   string `yaml:"server"`
			CertificateAuthorityData string `yaml:"certificate-authority-data"`
			CertificateAuthority     string `yaml:"certificate-authority"`
		} `yaml:"cluster"`
	} `yaml:"clusters"`
	Users []struct {
		Name string `yaml:"name"`
		User struct {
			Token string `yaml:"token"`
		} `yaml:"user"`
	} `yaml:"users"`
	Contexts []struct {
		Name    string `yaml:"name"`
		Context struct {
			Cluster string `yaml:"cluster"`
			User    string `yaml:"user"`
		} `yaml:"context"`
	} `yaml:"contexts"`
}

// loadKubeconfig returns server URL, CA PEM and bearer token of the current context.
func loadKubeconfig(path string) (server string, caPEM []byte, token string, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", nil, "", err
	}
	var kc kubeconfig
	if err := yaml.Unmarshal(raw, &kc); err != nil {
		return "", nil, "", fmt.Errorf("kubeconfig %s: %v", path, err)
	}
	if len(kc.Contexts) == 0 {
		return "", nil, "", fmt.Errorf("kubeconfig %s: no contexts", path)
	}
	ctx := kc.Contexts[0].Context
	for _, c := range kc.Contexts {
		if c.Name == kc.CurrentContext {
			ctx = c.Context
		}
	}
	found := false
	for _, c := range kc.Clusters {
		if c.Name != ctx.Cluster {
			continue
		}
		found = true
		server = c.Cluster.Server
		switch {
		case c.Cluster.CertificateAuthorityData != "":
			caPEM, err = base64.StdEncoding.DecodeString(c.Cluster.CertificateAuthorityData)
		case c.Cluster.CertificateAuthority != "":
			ca := c.Cluster.CertificateAuthority
			if !filepath.IsAbs(ca) {
				ca = filepath.Join(filepath.Dir(path), ca)
			}
			caPEM, err = os.ReadFile(ca)
		}
		if err != nil {
			return "", nil, "", fmt.Errorf("kubeconfig %s: CA of cluster %q: %v", path, c.Name, err)
		}
	}
	if !found || server == "" {
		return "", nil, "", fmt.Errorf("kubeconfig %s: no server for cluster %q", path, ctx.Cluster)
	}
	for _, u := range kc.Users {
		if u.Name == ctx.User {
			token = u.User.Token
		}
	}
	if token == "" {
		return "", nil, "", fmt.Errorf("kubeconfig %s: no token for user %q", path, ctx.User)
	}
	return server, caPEM, token, nil
}

func newServerFromKubeconfig(path string) (*Server, error) {
	server, caPEM, token, err := loadKubeconfig(path)
	if err != nil {
		return nil, err
	}
	// Verify TLS: an insecure client would hide a kubeconfig that points somewhere else.
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("kubeconfig %s: no usable CA certificate", path)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	tr.Proxy = nil // loopback only; an HTTPS_PROXY in CI must not intercept it
	s := newServer(server, token, &http.Client{Transport: tr, Timeout: 2 * time.Minute})
	s.Kubeconfig = path
	return s, nil
}

func newServer(url, token string, hc *http.Client) *Server {
	return &Server{URL: strings.TrimRight(url, "/"), token: token, http: hc}
}

// do sends one request and returns the body of a 2xx answer, else an error carrying the
// message of the server's Status object.
func (s *Server) do(method, path string, query url.Values, contentType string, body []byte) ([]byte, int, error) {
	return s.doAs(nil, method, path, query, contentType, body)
}

// Identity is someone the tests act as (the server's Impersonate-* headers): the admin the
// tests connect as may impersonate anyone, and the server then authorizes and admits the
// request as that user and groups.
type Identity struct {
	User   string
	Groups []string
}

func (s *Server) doAs(as *Identity, method, path string, query url.Values, contentType string, body []byte) ([]byte, int, error) {
	u := s.URL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	if as != nil {
		req.Header.Set("Impersonate-User", as.User)
		for _, g := range as.Groups {
			req.Header.Add("Impersonate-Group", g)
		}
	}
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, resp.StatusCode, err
	}
	if resp.StatusCode/100 != 2 {
		return data, resp.StatusCode, fmt.Errorf("%s", statusMessage(resp.StatusCode, data))
	}
	return data, resp.StatusCode, nil
}

func statusMessage(code int, body []byte) string {
	var st struct {
		Kind    string `json:"kind"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &st) == nil && st.Kind == "Status" && st.Message != "" {
		return st.Message
	}
	msg := strings.TrimSpace(string(body))
	if len(msg) > 500 {
		msg = msg[:500] + "..."
	}
	return fmt.Sprintf("HTTP %d: %s", code, msg)
}

func gvPath(apiVersion string) string {
	if strings.Contains(apiVersion, "/") {
		return "/apis/" + apiVersion
	}
	return "/api/" + apiVersion
}

// lookup maps apiVersion+kind to its REST resource via API discovery. A cache miss
// refetches the group/version, since a CRD may have been applied since it was filled.
func (s *Server) lookup(apiVersion, kind string) (resource, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.discovery[apiVersion][kind]; ok {
		return r, nil
	}
	kinds, err := s.discover(apiVersion)
	if err != nil {
		return resource{}, err
	}
	if s.discovery == nil {
		s.discovery = map[string]map[string]resource{}
	}
	s.discovery[apiVersion] = kinds
	if r, ok := kinds[kind]; ok {
		return r, nil
	}
	return resource{}, fmt.Errorf("no matches for kind %q in version %q (not served by the API server: missing CRD or wrong apiVersion?)", kind, apiVersion)
}

// discover returns kind -> resource for one group/version; a group/version the server does
// not serve yields an empty map, not an error, so that the caller reports the kind.
func (s *Server) discover(apiVersion string) (map[string]resource, error) {
	data, code, err := s.do(http.MethodGet, gvPath(apiVersion), nil, "", nil)
	if code == http.StatusNotFound {
		return map[string]resource{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("discovery of %s: %v", apiVersion, err)
	}
	var list struct {
		Resources []resource `json:"resources"`
	}
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("discovery of %s: %v", apiVersion, err)
	}
	kinds := map[string]resource{}
	for _, r := range list.Resources {
		if !strings.Contains(r.Name, "/") { // skip subresources such as deployments/scale
			kinds[r.Kind] = r
		}
	}
	return kinds, nil
}

func (s *Server) forgetDiscovery() {
	s.mu.Lock()
	s.discovery = nil
	s.mu.Unlock()
}

// Apply server-side applies obj for real (meant for Namespaces and CRDs that later
// objects depend on).
func (s *Server) Apply(obj Object) error { return s.apply(nil, obj, false) }

// DryRunApply server-side applies obj with dryRun=All and fieldValidation=Strict: the
// server runs its full validation and admission but stores nothing. The error reads
// "<ID>: <server message>".
func (s *Server) DryRunApply(obj Object) error { return s.apply(nil, obj, true) }

// DryRunApplyAs is DryRunApply as someone else: their RBAC and the admission policies that
// match them decide.
func (s *Server) DryRunApplyAs(as Identity, obj Object) error { return s.apply(&as, obj, true) }

// DryRunDeleteAs asks whether as may delete obj (dryRun=All: nothing is deleted).
func (s *Server) DryRunDeleteAs(as Identity, obj Object) error {
	id := objectID(obj)
	path, _, err := s.applyRequest(obj)
	if err != nil {
		return fmt.Errorf("%s: %v", id, err)
	}
	if _, _, err := s.doAs(&as, http.MethodDelete, path, url.Values{"dryRun": {"All"}}, "", nil); err != nil {
		return fmt.Errorf("%s: %v", id, err)
	}
	return nil
}

func (s *Server) apply(as *Identity, obj Object, dryRun bool) error {
	id := objectID(obj)
	path, body, err := s.applyRequest(obj)
	if err != nil {
		return fmt.Errorf("%s: %v", id, err)
	}
	q := url.Values{"fieldManager": {"platform-test"}, "force": {"true"}}
	if dryRun {
		q.Set("dryRun", "All")
		q.Set("fieldValidation", "Strict")
	}
	// JSON is YAML, so the apply-patch+yaml content type takes the JSON body as is.
	if _, _, err := s.doAs(as, http.MethodPatch, path, q, "application/apply-patch+yaml", body); err != nil {
		return fmt.Errorf("%s: %v", id, err)
	}
	if !dryRun && isCRD(obj.Body) {
		s.forgetDiscovery()
	}
	return nil
}

// applyRequest builds the URL path and JSON body; namespaced objects without a
// namespace go to "default", as kubectl would do.
func (s *Server) applyRequest(obj Object) (string, []byte, error) {
	apiVersion, kind, name, ns := identity(obj.Body)
	if apiVersion == "" || kind == "" || name == "" {
		return "", nil, fmt.Errorf("apiVersion, kind and metadata.name are required (got %q, %q, %q)", apiVersion, kind, name)
	}
	r, err := s.lookup(apiVersion, kind)
	if err != nil {
		return "", nil, err
	}
	body := obj.Body
	path := gvPath(apiVersion)
	if r.Namespaced {
		if ns == "" {
			ns = "default"
			body = withNamespace(obj.Body, ns)
		}
		path += "/namespaces/" + url.PathEscape(ns)
	}
	path += "/" + r.Name + "/" + url.PathEscape(name)
	data, err := json.Marshal(body)
	if err != nil {
		return "", nil, fmt.Errorf("encoding body: %v", err)
	}
	return path, data, nil
}

// withNamespace copies just enough of body to set metadata.namespace without touching
// the caller's maps.
func withNamespace(body map[string]any, ns string) map[string]any {
	out := make(map[string]any, len(body))
	for k, v := range body {
		out[k] = v
	}
	meta := map[string]any{}
	if m, ok := body["metadata"].(map[string]any); ok {
		for k, v := range m {
			meta[k] = v
		}
	}
	meta["namespace"] = ns
	out["metadata"] = meta
	return out
}

func identity(body map[string]any) (apiVersion, kind, name, namespace string) {
	apiVersion, _ = body["apiVersion"].(string)
	kind, _ = body["kind"].(string)
	if m, ok := body["metadata"].(map[string]any); ok {
		name, _ = m["name"].(string)
		namespace, _ = m["namespace"].(string)
	}
	return
}

func objectID(obj Object) string {
	if obj.ID != "" {
		return obj.ID
	}
	_, kind, name, ns := identity(obj.Body)
	if ns != "" {
		return kind + "/" + ns + "/" + name
	}
	return kind + "/" + name
}
