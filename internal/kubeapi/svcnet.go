package kubeapi

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ServiceNetwork stands in for the cluster's Service network, which a test API server has
// none of: the API server calls admission webhooks at <service>.<namespace>.svc:443, where in
// a cluster a controller's pod answers. Here no pod runs, so a chart's webhook with
// failurePolicy Fail (the Load Balancer Controller's, for IngressClassParams) would refuse
// every object it matches.
//
// The API server reaches it as its HTTPS proxy (StartCluster sets HTTPS_PROXY for it; Go's
// transport sends every webhook call through it, with a CONNECT to the service's name). A
// webhook answers when its namespace holds a TLS Secret whose certificate is valid for the
// service's name (charts that generate their webhook's certificate store it there): the stand-in
// serves that certificate, so the API server verifies it against the caBundle the chart
// registered, and admits every request unchanged. It proves that objects reach the webhook and
// that its registration (service, path, certificate) is coherent; it does not run the
// controller's own validation. A service with no such Secret is refused, as an unreachable
// webhook would be. A chart that leaves the certificate to a controller gets one from the
// ServiceNetwork's CA instead (svcnet_ca.go).
type ServiceNetwork struct {
	// Addr is host:port of the proxy, on 127.0.0.1.
	Addr string

	server   atomic.Pointer[Server] // set once the API server runs (the proxy starts before it)
	listener net.Listener
	tlsLn    *chanListener
	web      *http.Server

	ca   *serviceCA
	stop chan struct{}

	mu       sync.Mutex
	admitted map[string]int // "service.namespace.svc/path" -> requests admitted
	refused  map[string]string
	injected map[string]bool // services whose webhooks got the CA
}

func newServiceNetwork() (*ServiceNetwork, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ca, err := newServiceCA()
	if err != nil {
		l.Close()
		return nil, err
	}
	n := &ServiceNetwork{Addr: l.Addr().String(), listener: l, ca: ca, stop: make(chan struct{}),
		admitted: map[string]int{}, refused: map[string]string{}, injected: map[string]bool{}}
	n.tlsLn = &chanListener{conns: make(chan net.Conn), done: make(chan struct{}), addr: l.Addr()}
	n.web = &http.Server{
		Handler:   http.HandlerFunc(n.admit),
		TLSConfig: &tls.Config{GetCertificate: n.certificate, NextProtos: []string{"http/1.1"}},
	}
	go n.web.ServeTLS(n.tlsLn, "", "")
	go (&http.Server{Handler: http.HandlerFunc(n.connect)}).Serve(l)
	// A controller injects its CA within seconds of the chart's install; so does this.
	go n.injectCABundles(n.stop, 250*time.Millisecond)
	return n, nil
}

// Close stops the proxy and the stand-ins.
func (n *ServiceNetwork) Close() {
	close(n.stop)
	n.listener.Close()
	n.web.Close()
}

// Admitted reports how many admission requests each webhook (service name and path) admitted.
func (n *ServiceNetwork) Admitted() map[string]int {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make(map[string]int, len(n.admitted))
	for k, v := range n.admitted {
		out[k] = v
	}
	return out
}

// Refused lists the services a webhook call was refused for and that were not answered since,
// with why.
func (n *ServiceNetwork) Refused() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for k, v := range n.refused {
		out = append(out, k+": "+v)
	}
	sort.Strings(out)
	return out
}

// connect answers the API server's CONNECT to a service and hands the tunnel to the stand-in.
func (n *ServiceNetwork) connect(w http.ResponseWriter, r *http.Request) {
	host, port, err := net.SplitHostPort(r.Host)
	if r.Method != http.MethodConnect || err != nil || port != "443" || !strings.HasSuffix(host, ".svc") {
		http.Error(w, "only CONNECT to <service>.<namespace>.svc:443 is served", http.StatusForbidden)
		return
	}
	// A refusal is reported until the service is answered: a call in the moment between a
	// chart's install and its CA's injection is refused, as it would be in a cluster while
	// the controller starts, and its failure policy decides.
	_, err = n.lookupCertificate(host)
	n.mu.Lock()
	if err != nil {
		n.refused[host] = err.Error()
	} else {
		delete(n.refused, host)
	}
	n.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "no hijacking", http.StatusInternalServerError)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	if _, err := conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n")); err != nil {
		conn.Close()
		return
	}
	n.tlsLn.push(&bufferedConn{Conn: conn, r: buf.Reader})
}

// certificate serves, for the name the API server asks for, the certificate the chart stored.
func (n *ServiceNetwork) certificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	return n.lookupCertificate(hello.ServerName)
}

// lookupCertificate finds a TLS Secret in the service's namespace valid for host
// (<service>.<namespace>.svc).
func (n *ServiceNetwork) lookupCertificate(host string) (*tls.Certificate, error) {
	parts := strings.Split(host, ".")
	if len(parts) != 3 || parts[2] != "svc" {
		return nil, fmt.Errorf("%q is not <service>.<namespace>.svc", host)
	}
	server := n.server.Load()
	if server == nil {
		return nil, errors.New("the API server is not up yet")
	}
	n.mu.Lock()
	injected := n.injected[host]
	n.mu.Unlock()
	raw, _, err := server.do(http.MethodGet, "/api/v1/namespaces/"+parts[1]+"/secrets", nil, "", nil)
	if err != nil {
		return nil, fmt.Errorf("listing secrets of %s: %v", parts[1], err)
	}
	var list struct {
		Items []struct {
			Data map[string]string `json:"data"`
		} `json:"items"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, err
	}
	for _, s := range list.Items {
		crt, err1 := base64.StdEncoding.DecodeString(s.Data["tls.crt"])
		key, err2 := base64.StdEncoding.DecodeString(s.Data["tls.key"])
		if err1 != nil || err2 != nil || len(crt) == 0 || len(key) == 0 {
			continue
		}
		pair, err := tls.X509KeyPair(crt, key)
		if err != nil {
			continue
		}
		leaf, err := x509.ParseCertificate(pair.Certificate[0])
		if err != nil || leaf.VerifyHostname(host) != nil {
			continue
		}
		return &pair, nil
	}
	if injected {
		n.mu.Lock()
		defer n.mu.Unlock()
		return n.ca.leaf(host)
	}
	return nil, fmt.Errorf("no TLS Secret in namespace %s is valid for %s: nothing serves this webhook", parts[1], host)
}

// admissionReview is the part of an AdmissionReview the stand-in reads.
type admissionReview struct {
	APIVersion string `json:"apiVersion"`
	Request    struct {
		UID string `json:"uid"`
	} `json:"request"`
}

// admit allows every admission request, unchanged.
func (n *ServiceNetwork) admit(w http.ResponseWriter, r *http.Request) {
	var review admissionReview
	if err := json.NewDecoder(io.LimitReader(r.Body, 8<<20)).Decode(&review); err != nil || review.Request.UID == "" {
		http.Error(w, "not an AdmissionReview", http.StatusBadRequest)
		return
	}
	n.mu.Lock()
	n.admitted[r.TLS.ServerName+r.URL.Path]++
	n.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"apiVersion": review.APIVersion, "kind": "AdmissionReview",
		"response": map[string]any{"uid": review.Request.UID, "allowed": true},
	})
}

// chanListener is a net.Listener fed with the proxy's tunnels.
type chanListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
	addr  net.Addr
}

func (l *chanListener) push(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.done:
		c.Close()
	}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *chanListener) Addr() net.Addr { return l.addr }

// bufferedConn keeps what the proxy's reader buffered past the CONNECT request.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
