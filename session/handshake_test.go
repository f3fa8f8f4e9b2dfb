package session_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/feedscope/feedscope/session"
	st "github.com/feedscope/feedscope/session/sessiontest"
	"github.com/gorilla/websocket"
)

// handshakes serves sockets that offer protocol "chat.v1" and reports every accepted
// handshake's request.
func handshakes(t *testing.T, fn func(c *websocket.Conn)) (string, <-chan *http.Request) {
	t.Helper()
	got := make(chan *http.Request, 8)
	up := websocket.Upgrader{Subprotocols: []string{"chat.v1"}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		got <- r
		fn(c)
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/streaming", got
}

func drain(c *websocket.Conn) {
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			return
		}
	}
}

// Every dialect's handshake carries the profile's own headers and subprotocols, and
// a header's value (a secret) never shows in an event.
func TestProfileHeadersAndSubprotocolsReachTheHandshake(t *testing.T) {
	url, got := handshakes(t, drain)
	const secret = "k3y-0f-the-kingdom"
	p := profile(url)
	p.Token = "t0ken-123456"
	p.Headers = map[string]string{"x-api-key": secret, "Cookie": "sid=c00kie-jar-1"}
	p.Subprotocols = []string{"chat.v1", " ", "chat.v1"}
	_, c := st.Connect(t, p)
	c.WaitKind(t, 0, session.DirState, session.StateOpen)
	r := <-got
	if r.Header.Get("X-Api-Key") != secret || r.Header.Get("Cookie") != "sid=c00kie-jar-1" {
		t.Errorf("headers %v", r.Header)
	}
	if r.Header.Get("Authorization") != "Bearer t0ken-123456" {
		t.Errorf("the dialect's own header is gone: %v", r.Header)
	}
	if sp := r.Header.Values("Sec-Websocket-Protocol"); len(sp) != 1 || sp[0] != "chat.v1" {
		t.Errorf("subprotocols %q", sp)
	}
	for _, e := range c.Events() {
		b, _ := json.Marshal(e)
		if strings.Contains(string(b), secret) || strings.Contains(string(b), "c00kie-jar-1") {
			t.Fatalf("header value in event: %s", b)
		}
	}
}

// A header the handshake writes itself ends the session with a sentence naming it,
// before any dial; retrying would not help.
func TestHandshakeOwnedHeaderIsRefused(t *testing.T) {
	url, got := handshakes(t, drain)
	for _, c := range []struct{ name, want string }{
		{"sec-websocket-protocol", "subprotocol"},
		{"Upgrade", "Upgrade is the WebSocket handshake's own"},
		{"Bad Name", "not a valid HTTP header"},
	} {
		p := profile(url)
		p.Headers = map[string]string{c.name: "v4lue-secret-1"}
		s, col := st.Connect(t, p)
		ev, _ := col.WaitKind(t, 0, session.DirState, session.StateClosed)
		if !strings.Contains(ev.Summary, c.want) || strings.Contains(ev.Summary, "v4lue-secret-1") || s.Status().Phase != session.PhaseRejected {
			t.Errorf("%s: %q, phase %s", c.name, ev.Summary, s.Status().Phase)
		}
	}
	select {
	case <-got:
		t.Error("a refused profile dialled")
	default:
	}
}

// binaryDialect is the plain misskey dialect with a client that takes binary frames.
type binaryDialect struct{ session.Dialect }

func (binaryDialect) Name() string                { return "binary-test" }
func (d binaryDialect) NewClient() session.Client { return binaryClient{d.Dialect.NewClient()} }

type binaryClient struct{ session.Client }

func (binaryClient) DecodeBinary(w *session.Wire, frame []byte) {
	w.Emit(session.Event{Kind: "bytes", Summary: strings.Repeat("#", len(frame))})
}

func TestBinaryFramesGoToABinaryDecoder(t *testing.T) {
	mk, _ := session.Lookup("misskey")
	session.Register(binaryDialect{mk})
	url, _ := handshakes(t, func(c *websocket.Conn) {
		_ = c.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3})
		_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"hello","body":{}}`))
		drain(c)
	})
	p := profile(url)
	p.Dialect = "binary-test"
	_, c := st.Connect(t, p)
	e, i := c.WaitKind(t, 0, session.DirIn, "bytes")
	if e.Summary != "###" {
		t.Errorf("binary frame: %+v", e)
	}
	// Text frames still go to Decode.
	c.WaitKind(t, i, session.DirIn, "hello")
}

// configuredDialect is the plain misskey dialect whose clients read the profile.
type configuredDialect struct{ session.Dialect }

func (configuredDialect) Name() string { return "configured-test" }

func (configuredDialect) CheckSettings(s map[string]string) error {
	if v, ok := s["greeting"]; ok && v == "" {
		return errors.New("greeting: must not be empty")
	}
	return nil
}

func (d configuredDialect) NewClientFor(p *session.Profile) session.Client {
	return greeter{d.Dialect.NewClient(), p.Settings["greeting"]}
}

type greeter struct {
	session.Client
	greeting string
}

func (g greeter) Open(w *session.Wire) { w.Send("", "greeting", []byte(g.greeting)) }

func TestConfiguredDialectGetsTheProfile(t *testing.T) {
	mk, _ := session.Lookup("misskey")
	session.Register(configuredDialect{mk})
	got := make(chan string, 1)
	url, _ := handshakes(t, func(c *websocket.Conn) {
		if _, b, err := c.ReadMessage(); err == nil {
			got <- string(b)
		}
		drain(c)
	})
	p := profile(url)
	p.Dialect = "configured-test"
	p.Settings = map[string]string{"greeting": ""}
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "greeting: must not be empty") {
		t.Fatalf("Validate: %v", err)
	}
	p.Settings["greeting"] = "hi there"
	st.Connect(t, p)
	select {
	case g := <-got:
		if g != "hi there" {
			t.Errorf("server got %q", g)
		}
	case <-time.After(st.Timeout):
		t.Fatal("no greeting")
	}
}

// A frame sent as plain text keeps its bytes on the wire, and its event's Raw is
// still JSON (the tail line format relies on it).
func TestPlainTextOutEventKeepsRawJSON(t *testing.T) {
	got := make(chan string, 1)
	url, _ := handshakes(t, func(c *websocket.Conn) {
		if _, b, err := c.ReadMessage(); err == nil {
			got <- string(b)
		}
		drain(c)
	})
	s, c := st.Connect(t, profile(url))
	c.WaitKind(t, 0, session.DirState, session.StateOpen)
	if err := s.SendRaw([]byte("ping me")); err != nil {
		t.Fatal(err)
	}
	e, _ := c.WaitKind(t, 0, session.DirOut, "raw")
	if string(e.Raw) != `"ping me"` || e.Summary != "ping me" {
		t.Errorf("out event %+v", e)
	}
	select {
	case g := <-got:
		if g != "ping me" {
			t.Errorf("server got %q", g)
		}
	case <-time.After(st.Timeout):
		t.Fatal("the server got nothing")
	}
}

// detailDialect is the plain misskey dialect with its own view of a frame.
type detailDialect struct{ session.Dialect }

func (detailDialect) Name() string { return "detail-test" }

func (detailDialect) DetailText(e *session.Event) (string, bool) {
	return "own view of " + e.Kind, e.Kind == "x"
}

func TestDetailTextAsksTheDialect(t *testing.T) {
	mk, _ := session.Lookup("misskey")
	session.Register(detailDialect{mk})
	if s, ok := session.DetailText(&session.Event{Dialect: "detail-test", Kind: "x"}); !ok || s != "own view of x" {
		t.Errorf("%q %v", s, ok)
	}
	for _, e := range []session.Event{{Dialect: "detail-test", Kind: "y"}, {Dialect: "misskey", Kind: "x"}, {Dialect: "nonesuch"}} {
		if _, ok := session.DetailText(&e); ok {
			t.Errorf("%+v has a view of its own", e)
		}
	}
}

type plainDialect struct{ session.Dialect }

func (plainDialect) PlainText() {}

func TestTakesPlainText(t *testing.T) {
	mk, _ := session.Lookup("misskey")
	if session.TakesPlainText(mk) || !session.TakesPlainText(plainDialect{mk}) {
		t.Error("TakesPlainText")
	}
}

func (detailDialect) RawFrame(e *session.Event) ([]byte, bool) {
	return []byte("frame of " + e.Kind), e.Kind == "x"
}

func TestRawFrameOfAsksTheDialect(t *testing.T) {
	mk, _ := session.Lookup("misskey")
	session.Register(detailDialect{mk})
	if f, ok := session.RawFrameOf(&session.Event{Dialect: "detail-test", Kind: "x"}); !ok || string(f) != "frame of x" {
		t.Errorf("%q %v", f, ok)
	}
	if _, ok := session.RawFrameOf(&session.Event{Dialect: "misskey", Kind: "x"}); ok {
		t.Error("misskey's Raw is its frame")
	}
}
