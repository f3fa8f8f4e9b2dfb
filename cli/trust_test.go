package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// pemPair makes a certificate for 127.0.0.1 signed by parent (itself when nil) and
// returns it with its key, as PEM.
func pemPair(t *testing.T, cn string, isCA bool, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey, []byte, []byte) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: isCA, BasicConstraintsValid: true,
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	kder, _ := x509.MarshalECPrivateKey(key)
	return cert, key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

// tail --ca --cert --key reach a server that wants mutual TLS with an internal CA;
// without them tail stops at once with the certificate problem, no retry loop.
func TestTailTrustFlags(t *testing.T) {
	ca, caKey, caPEM, _ := pemPair(t, "Test CA", true, nil, nil)
	_, _, srvPEM, srvKey := pemPair(t, "feed.test", false, ca, caKey)
	_, _, cliPEM, cliKey := pemPair(t, "tail", false, ca, caKey)
	pair, _ := tls.X509KeyPair(srvPEM, srvKey)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	up := websocket.Upgrader{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"connected","body":{"id":"1"}}`))
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	url := "wss" + strings.TrimPrefix(srv.URL, "https") + "/streaming"
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		_ = os.WriteFile(p, b, 0o600)
		return p
	}
	caFile, certFile, keyFile := write("ca.pem", caPEM), write("client.pem", cliPEM), write("client.key", cliKey)

	out, _, code := runTail(t, "", "--dialect", "misskey", "--url", url, "--duration", "10s")
	if code != ExitFailed || !strings.Contains(out, "rejected: certificate is signed by an unknown authority") || strings.Contains(out, "reconnecting") {
		t.Fatalf("without --ca: exit %d\n%s", code, out)
	}
	out, _, code = runTail(t, "", "--dialect", "misskey", "--url", url, "--ca", caFile, "--duration", "10s")
	if code != ExitFailed || !strings.Contains(out, "requires a client certificate") {
		t.Fatalf("without --cert: exit %d\n%s", code, out)
	}
	out, _, code = runTail(t, "", "--dialect", "misskey", "--url", url, "--ca", caFile, "--cert", certFile, "--key", keyFile, "--count", "2", "--duration", "10s")
	if code != ExitOK || !strings.Contains(out, `"kind":"open"`) || strings.Contains(out, "PRIVATE KEY") {
		t.Fatalf("with --ca --cert --key: exit %d\n%s", code, out)
	}
}
