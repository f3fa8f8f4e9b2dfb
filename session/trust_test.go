package session_test

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/feedscope/feedscope/session"
	st "github.com/feedscope/feedscope/session/sessiontest"
	"github.com/gorilla/websocket"
)

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// wssServer serves a silent Misskey-like endpoint over TLS with cfg.
func wssServer(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	up := websocket.Upgrader{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	}))
	srv.TLS = cfg
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return "wss" + strings.TrimPrefix(srv.URL, "https") + "/streaming"
}

// final waits for the session to end and returns its last state event, failing
// when it tried to reconnect: a certificate problem is as final as a 401.
func final(t *testing.T, s *session.Session, c *st.Collector) session.Event {
	t.Helper()
	ev, _ := c.WaitKind(t, 0, session.DirState, session.StateClosed)
	select {
	case <-s.Done():
	case <-time.After(st.Timeout):
		t.Fatal("the session did not end")
	}
	for _, e := range c.Events() {
		if e.Kind == session.StateReconnecting {
			t.Fatalf("a certificate failure was retried: %q", e.Summary)
		}
	}
	if ph := s.Status().Phase; ph != session.PhaseRejected {
		t.Fatalf("phase %s, want rejected", ph)
	}
	return ev
}

func TestTLSSelfSignedRefusedWithAdvice(t *testing.T) {
	pair, _, _ := st.Issue(t, nil, "feed.test", time.Now().Add(time.Hour), x509.ExtKeyUsageServerAuth)
	url := wssServer(t, &tls.Config{Certificates: []tls.Certificate{pair}})
	s, c := st.Connect(t, profile(url))
	ev := final(t, s, c)
	if !strings.Contains(ev.Summary, "rejected: certificate is self-signed (CN=feed.test)") || !strings.Contains(ev.Summary, "CA bundle (tail --ca FILE)") {
		t.Fatalf("summary %q", ev.Summary)
	}
}

func TestTLSAcceptedWithCAFile(t *testing.T) {
	ca := st.NewCA(t, "Feedscope Test CA")
	pair, _, _ := st.Issue(t, ca, "feed.test", time.Now().Add(time.Hour), x509.ExtKeyUsageServerAuth)
	url := wssServer(t, &tls.Config{Certificates: []tls.Certificate{pair}})

	s, c := st.Connect(t, profile(url)) // without the CA: an unknown authority
	if ev := final(t, s, c); !strings.Contains(ev.Summary, "signed by an unknown authority (CN=feed.test)") {
		t.Fatalf("without the CA: %q", ev.Summary)
	}
	p := profile(url)
	p.CAFile = writeFile(t, "ca.PEM", ca.PEM)
	_, c = st.Connect(t, p)
	c.WaitKind(t, 0, session.DirState, session.StateOpen)
}

func TestTLSExpiredRefused(t *testing.T) {
	ca := st.NewCA(t, "Feedscope Test CA")
	pair, _, _ := st.Issue(t, ca, "feed.test", time.Now().Add(-time.Hour), x509.ExtKeyUsageServerAuth)
	url := wssServer(t, &tls.Config{Certificates: []tls.Certificate{pair}})
	p := profile(url)
	p.CAFile = writeFile(t, "ca.PEM", ca.PEM)
	s, c := st.Connect(t, p)
	if ev := final(t, s, c); !strings.Contains(ev.Summary, "rejected: certificate expired on ") || !strings.Contains(ev.Summary, "CN=feed.test") {
		t.Fatalf("summary %q", ev.Summary)
	}
}

func TestMutualTLS(t *testing.T) {
	ca := st.NewCA(t, "Feedscope Test CA")
	clients := st.NewCA(t, "Feedscope Client CA")
	pair, _, _ := st.Issue(t, ca, "feed.test", time.Now().Add(time.Hour), x509.ExtKeyUsageServerAuth)
	pool := x509.NewCertPool()
	pool.AddCert(clients.Cert)
	url := wssServer(t, &tls.Config{Certificates: []tls.Certificate{pair}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool})
	p := profile(url)
	p.CAFile = writeFile(t, "ca.PEM", ca.PEM)

	s, c := st.Connect(t, p) // no client certificate
	if ev := final(t, s, c); !strings.Contains(ev.Summary, "requires a client certificate") || !strings.Contains(ev.Summary, "tail --cert FILE --key FILE") {
		t.Fatalf("without a client certificate: %q", ev.Summary)
	}

	_, certPEM, keyPEM := st.Issue(t, clients, "feedscope-client", time.Now().Add(time.Hour), x509.ExtKeyUsageClientAuth)
	p.CertFile, p.ClientKey = writeFile(t, "client.pem", certPEM), string(keyPEM)
	s, c = st.Connect(t, p)
	c.WaitKind(t, 0, session.DirState, session.StateOpen)
	s.Close()
	// The key is a secret: no event carries it, and the profile's JSON leaves it out.
	for _, e := range c.Events() {
		if strings.Contains(e.Summary+string(e.Raw), "PRIVATE KEY") {
			t.Fatalf("the key leaked into %+v", e)
		}
	}
	if b, _ := jsonOf(p); strings.Contains(b, "PRIVATE KEY") || !strings.Contains(b, `"certFile"`) {
		t.Fatalf("profile JSON %s", b)
	}
}

// connectProxy is an HTTP CONNECT proxy on 127.0.0.1 that sends every tunnel to
// target, whatever host was asked for, and counts the tunnels and their hosts.
func connectProxy(t *testing.T, target string) (string, *atomic.Int32, chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var n atomic.Int32
	hosts := make(chan string, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				req, err := http.ReadRequest(br)
				if err != nil || req.Method != http.MethodConnect {
					_, _ = io.WriteString(c, "HTTP/1.1 405 Method Not Allowed\r\n\r\n")
					return
				}
				n.Add(1)
				hosts <- req.Host
				up, err := net.Dial("tcp", target)
				if err != nil {
					_, _ = io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\n\r\n")
					return
				}
				defer up.Close()
				_, _ = io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
				go func() { _, _ = io.Copy(up, br) }()
				_, _ = io.Copy(c, up)
			}()
		}
	}()
	return "http://" + ln.Addr().String(), &n, hosts
}

// HTTPS_PROXY (and HTTP_PROXY for ws://) are honoured, read at each dial, and a
// profile's own proxy wins over them. The feed's host name is one the proxy alone
// resolves (loopback addresses are never proxied).
func TestProxyFromEnvironmentAndProfile(t *testing.T) {
	ca := st.NewCA(t, "Feedscope Test CA")
	pair, _, _ := st.Issue(t, ca, "feed.test", time.Now().Add(time.Hour), x509.ExtKeyUsageServerAuth)
	url := wssServer(t, &tls.Config{Certificates: []tls.Certificate{pair}})
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "wss://"), "/streaming")
	_, port, _ := net.SplitHostPort(addr)
	proxy, count, hosts := connectProxy(t, addr)

	t.Setenv("HTTPS_PROXY", proxy)
	t.Setenv("NO_PROXY", "")
	p := profile("wss://feed.test:" + port + "/streaming")
	p.CAFile = writeFile(t, "ca.PEM", ca.PEM)
	s, c := st.Connect(t, p)
	c.WaitKind(t, 0, session.DirState, session.StateOpen)
	s.Close()
	if h := <-hosts; count.Load() != 1 || h != "feed.test:"+port {
		t.Fatalf("tunnels %d, host %q", count.Load(), h)
	}

	t.Setenv("HTTPS_PROXY", "http://127.0.0.1:1") // a dead proxy: the profile's must win
	p.Proxy = proxy
	s, c = st.Connect(t, p)
	c.WaitKind(t, 0, session.DirState, session.StateOpen)
	s.Close()
	if count.Load() != 2 {
		t.Fatalf("tunnels %d, want the profile's proxy used", count.Load())
	}
}

func jsonOf(p session.Profile) (string, error) {
	b, err := json.Marshal(p)
	return string(b), err
}
