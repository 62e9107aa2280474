package kubeapi

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"time"
)

// A chart whose controller makes its webhook's certificate at run time (External Secrets'
// cert-controller, kube-prometheus-stack's certgen Job) registers the webhook with an empty
// caBundle and leaves the rest to a pod. The ServiceNetwork does that pod's part: it injects
// its own CA into every webhook of a service that has an empty caBundle, as those controllers
// do, and serves that service a certificate from the CA.

// serviceCA is the ServiceNetwork's CA.
type serviceCA struct {
	cert  *x509.Certificate
	key   *ecdsa.PrivateKey
	pem   []byte
	leafs map[string]*tls.Certificate // host -> its certificate
}

func newServiceCA() (*serviceCA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kubeapi service network CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &serviceCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), leafs: map[string]*tls.Certificate{}}, nil
}

// leaf is the CA's certificate for host (callers hold the ServiceNetwork's lock).
func (ca *serviceCA) leaf(host string) (*tls.Certificate, error) {
	if c, ok := ca.leafs[host]; ok {
		return c, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(int64(len(ca.leafs) + 2)), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, err
	}
	c := &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	ca.leafs[host] = c
	return c, nil
}

// webhookKinds are the configurations whose webhooks the ServiceNetwork injects its CA into.
var webhookKinds = []string{"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"}

// injectCABundles runs until stop, every interval: each webhook that calls a service and has
// no caBundle gets the CA's.
func (n *ServiceNetwork) injectCABundles(stop <-chan struct{}, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		if n.server.Load() == nil {
			continue
		}
		for _, kind := range webhookKinds {
			if err := n.injectInto(kind); err != nil {
				n.mu.Lock()
				n.refused[kind] = "injecting the CA: " + err.Error()
				n.mu.Unlock()
			}
		}
	}
}

func (n *ServiceNetwork) injectInto(kind string) error {
	server := n.server.Load()
	items, err := server.List("admissionregistration.k8s.io/v1", kind, "")
	if err != nil {
		return err
	}
	for _, item := range items {
		var cfg struct {
			Metadata struct{ Name string }
			Webhooks []struct {
				ClientConfig struct {
					CABundle string `json:"caBundle"`
					Service  *struct{ Name, Namespace string }
				} `json:"clientConfig"`
			}
		}
		raw, _ := json.Marshal(item)
		if err := json.Unmarshal(raw, &cfg); err != nil {
			return err
		}
		var patch []map[string]any
		for i, w := range cfg.Webhooks {
			if w.ClientConfig.Service == nil || w.ClientConfig.CABundle != "" {
				continue
			}
			host := w.ClientConfig.Service.Name + "." + w.ClientConfig.Service.Namespace + ".svc"
			n.mu.Lock()
			n.injected[host] = true
			n.mu.Unlock()
			patch = append(patch, map[string]any{"op": "add", "path": fmt.Sprintf("/webhooks/%d/clientConfig/caBundle", i),
				"value": base64.StdEncoding.EncodeToString(n.ca.pem)})
		}
		if len(patch) == 0 {
			continue
		}
		body, _ := json.Marshal(patch)
		path := "/apis/admissionregistration.k8s.io/v1/" + map[string]string{
			"ValidatingWebhookConfiguration": "validatingwebhookconfigurations",
			"MutatingWebhookConfiguration":   "mutatingwebhookconfigurations"}[kind] + "/" + cfg.Metadata.Name
		if _, _, err := server.do(http.MethodPatch, path, nil, "application/json-patch+json", body); err != nil {
			return fmt.Errorf("%s %s: %v", kind, cfg.Metadata.Name, err)
		}
	}
	return nil
}
