package cli

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	st "github.com/feedscope/feedscope/session/sessiontest"
)

// tail --ca --cert --key reach a server that wants mutual TLS with an internal CA;
// without them tail stops at once with the certificate problem, no retry loop.
func TestTailTrustFlags(t *testing.T) {
	ca := st.NewCA(t, "Test CA")
	caPEM := ca.PEM
	pair, _, _ := st.Issue(t, ca, "feed.test", time.Now().Add(time.Hour), x509.ExtKeyUsageServerAuth)
	_, cliPEM, cliKey := st.Issue(t, ca, "tail", time.Now().Add(time.Hour), x509.ExtKeyUsageClientAuth)
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
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
