package kubeapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"time"
)

// JobStandIn completes every Job as soon as it exists, as a pod that ran and exited 0 would:
// no kubelet runs beside the test API server, and Helm waits for a chart's hook Jobs
// (kube-prometheus-stack's webhook certificate Jobs, Argo CD's Redis secret Job) whether or
// not the release is awaited. What those Jobs would have done is not done: the
// ServiceNetwork's CA stands in for the webhook certificates they make.
type JobStandIn struct {
	server *Server
	stop   chan struct{}

	mu        sync.Mutex
	completed []string
	errs      map[string]string
}

func startJobStandIn(s *Server, interval time.Duration) *JobStandIn {
	j := &JobStandIn{server: s, stop: make(chan struct{}), errs: map[string]string{}}
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-j.stop:
				return
			case <-t.C:
				j.completeAll()
			}
		}
	}()
	return j
}

// Close stops it.
func (j *JobStandIn) Close() { close(j.stop) }

// Completed lists the Jobs it completed (namespace/name), and Errors why it could not.
func (j *JobStandIn) Completed() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := append([]string(nil), j.completed...)
	sort.Strings(out)
	return out
}

// Errors are the Jobs it could not complete, with the API server's answer.
func (j *JobStandIn) Errors() map[string]string {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := map[string]string{}
	for k, v := range j.errs {
		out[k] = v
	}
	return out
}

func (j *JobStandIn) completeAll() {
	jobs, err := j.server.List("batch/v1", "Job", "")
	if err != nil {
		return
	}
	for _, item := range jobs {
		var job struct {
			Metadata struct{ Name, Namespace string }
			Spec     struct{ Completions *int }
			Status   struct {
				Conditions []struct{ Type string }
			}
		}
		raw, _ := json.Marshal(item)
		if json.Unmarshal(raw, &job) != nil || len(job.Status.Conditions) > 0 {
			continue
		}
		n := 1
		if job.Spec.Completions != nil {
			n = *job.Spec.Completions
		}
		now := time.Now().UTC().Format(time.RFC3339)
		cond := func(typ string) map[string]any {
			return map[string]any{"type": typ, "status": "True", "lastProbeTime": now, "lastTransitionTime": now}
		}
		body, _ := json.Marshal(map[string]any{"status": map[string]any{
			"startTime": now, "completionTime": now, "succeeded": n, "ready": 0,
			"conditions": []any{cond("SuccessCriteriaMet"), cond("Complete")},
		}})
		id := job.Metadata.Namespace + "/" + job.Metadata.Name
		path := "/apis/batch/v1/namespaces/" + url.PathEscape(job.Metadata.Namespace) + "/jobs/" + url.PathEscape(job.Metadata.Name) + "/status"
		_, _, err := j.server.do(http.MethodPatch, path, nil, "application/merge-patch+json", body)
		j.mu.Lock()
		if err != nil {
			j.errs[id] = err.Error()
		} else {
			j.completed = append(j.completed, id)
			delete(j.errs, id)
		}
		j.mu.Unlock()
	}
}
