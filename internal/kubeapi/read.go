package kubeapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
)

// ErrNotFound is what Get returns for an object the API server does not have (or whose kind
// it does not serve).
var ErrNotFound = errors.New("not found")

// Get reads one object. A kind the server does not serve (its CRD is gone) is ErrNotFound too.
func (s *Server) Get(apiVersion, kind, namespace, name string) (map[string]any, error) {
	// Discovery is asked afresh: CRDs come and go during a real `up` and `destroy`.
	kinds, err := s.discover(apiVersion)
	if err != nil {
		return nil, err
	}
	r, ok := kinds[kind]
	if !ok {
		return nil, ErrNotFound
	}
	path := gvPath(apiVersion)
	if r.Namespaced {
		if namespace == "" {
			namespace = "default"
		}
		path += "/namespaces/" + url.PathEscape(namespace)
	}
	raw, code, err := s.do(http.MethodGet, path+"/"+r.Name+"/"+url.PathEscape(name), nil, "", nil)
	if code == http.StatusNotFound {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	var obj map[string]any
	return obj, json.Unmarshal(raw, &obj)
}

// List reads every object of a kind, in every namespace, that matches labelSelector ("" for
// all).
func (s *Server) List(apiVersion, kind, labelSelector string) ([]map[string]any, error) {
	r, err := s.lookup(apiVersion, kind)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if labelSelector != "" {
		q.Set("labelSelector", labelSelector)
	}
	raw, _, err := s.do(http.MethodGet, gvPath(apiVersion)+"/"+r.Name, q, "", nil)
	if err != nil {
		return nil, err
	}
	var list struct {
		Items []map[string]any `json:"items"`
	}
	return list.Items, json.Unmarshal(raw, &list)
}
