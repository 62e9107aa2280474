package kubeapi

import (
	"encoding/json"
	"fmt"
)

// Access is one question for the server's authorizer: may this user, in these groups, do verb
// on resource (of API group, in namespace; "" for cluster-scoped)?
type Access struct {
	User                             string
	Groups                           []string
	Verb, Group, Resource, Namespace string
}

// Can asks the server's authorizer (RBAC) with a SubjectAccessReview, the question
// `kubectl auth can-i --as` asks: the answer is the server's, not a re-implementation of RBAC.
func (s *Server) Can(a Access) (bool, error) {
	review := map[string]any{
		"apiVersion": "authorization.k8s.io/v1",
		"kind":       "SubjectAccessReview",
		"spec": map[string]any{
			"user":   a.User,
			"groups": a.Groups,
			"resourceAttributes": map[string]any{
				"verb": a.Verb, "group": a.Group, "resource": a.Resource, "namespace": a.Namespace,
			},
		},
	}
	body, err := json.Marshal(review)
	if err != nil {
		return false, err
	}
	out, _, err := s.do("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", nil, "application/json", body)
	if err != nil {
		return false, fmt.Errorf("SubjectAccessReview: %w", err)
	}
	var res struct {
		Status struct {
			Allowed bool `json:"allowed"`
		} `json:"status"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return false, err
	}
	return res.Status.Allowed, nil
}
