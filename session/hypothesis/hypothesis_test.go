package hypothesis_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/demo"
	"github.com/feedscope/feedscope/session/hypothesis"
	st "github.com/feedscope/feedscope/session/sessiontest"
	"github.com/gorilla/websocket"
)

const worldFilter = `{"match_policy":"include_any","clauses":[{"field":"/group","operator":"equals","value":"__world__","case_sensitive":false}],"actions":{"create":true,"update":true,"delete":true}}`

func TestServerReplies(t *testing.T) {
	srv := st.StartDemo(t, 1)
	url := srv.URL("hypothesis")
	r := st.Dial(t, url, nil)
	cases := []struct {
		name, send string
		want       map[string]any
	}{
		{"ping", `{"id":1,"type":"ping"}`, map[string]any{"type": "pong", "ok": true, "reply_to": 1.0}},
		{"whoami anonymous", `{"id":2,"type":"whoami"}`, map[string]any{"type": "whoyouare", "userid": nil, "ok": true, "reply_to": 2.0}},
		{"unknown type", `{"id":9,"type":"subscribe"}`, map[string]any{"type": "error", "ok": false, "reply_to": 9.0,
			"error": map[string]any{"type": "invalid_type", "description": `invalid message type: "subscribe"`}}},
		{"missing type", `{"id":10}`, map[string]any{"type": "error", "ok": false, "reply_to": 10.0,
			"error": map[string]any{"type": "invalid_type", "description": "invalid message type: null"}}},
		{"filter missing", `{"id":3,"type":"filter"}`, map[string]any{"type": "error", "ok": false, "reply_to": 3.0,
			"error": map[string]any{"type": "invalid_data", "description": `"filter" is missing`}}},
		{"filter schema", `{"id":4,"type":"filter","filter":{"clauses":[]}}`, map[string]any{"type": "error", "ok": false, "reply_to": 4.0,
			"error": map[string]any{"type": "invalid_data", "description": "failed to parse filter"}}},
		{"clause without value", `{"id":5,"type":"filter","filter":{"match_policy":"include_any","clauses":[{"field":"/uri"}],"actions":{}}}`,
			map[string]any{"type": "error", "ok": false, "reply_to": 5.0, "error": map[string]any{"type": "invalid_data", "description": `"value" is missing`}}},
		{"client_id without value", `{"id":11,"type":"client_id"}`, map[string]any{"type": "error", "ok": false, "reply_to": 11.0,
			"error": map[string]any{"type": "invalid_data", "description": `"value" is missing`}}},
		{"legacy whoami", `{"type":"whoami","id":6}`, map[string]any{"type": "whoyouare", "userid": nil, "ok": true, "reply_to": 6.0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r.Send(c.send)
			got := r.Next(nil)
			assertJSON(t, got, c.want)
		})
	}
}

func assertJSON(t *testing.T, got, want map[string]any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("got  %s\nwant %s", g, w)
	}
}

// Messages without a numeric id, and valid JSON that is not an object, get no reply:
// the next reply on the socket answers the ping sent after them.
func TestServerSilentCases(t *testing.T) {
	srv := st.StartDemo(t, 1)
	r := st.Dial(t, srv.URL("hypothesis"), nil)
	for _, msg := range []string{
		`{"type":"ping"}`, `{"id":"7","type":"ping"}`, `{"type":"nonsense"}`,
		`{"messageType":"client_id","value":"0123456789abcdef0123456789abcdef"}`,
		`{"filter":` + worldFilter + `}`, `[]`, `1`, `{"type":"filter","filter":{}}`,
	} {
		r.Send(msg)
	}
	r.Send(`{"id":42,"type":"ping"}`)
	got := r.Next(func(m map[string]any) bool { return m["type"] != "annotation-notification" })
	assertJSON(t, got, map[string]any{"type": "pong", "ok": true, "reply_to": 42.0})
}

func TestServerClosesOnNonJSON(t *testing.T) {
	srv := st.StartDemo(t, 1)
	r := st.Dial(t, srv.URL("hypothesis"), nil)
	r.Send("h")
	ce := r.ExpectClose()
	if ce.Code != websocket.CloseNormalClosure || ce.Text != "invalid message format" {
		t.Fatalf("close = %d %q, want 1000 \"invalid message format\"", ce.Code, ce.Text)
	}
}

func TestServerIdentity(t *testing.T) {
	srv := st.StartDemo(t, 1)
	cases := []struct {
		name   string
		query  string
		header string
		want   any
	}{
		{"none", "", "", nil},
		{"bearer", "", "Bearer s3cret-token", "acct:demo@localhost"},
		{"bad bearer", "", "Bearer bad", nil},
		{"access_token", "?access_token=abc", "", "acct:demo@localhost"},
		{"access_token wins", "?access_token=bad", "Bearer good", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{}
			if c.header != "" {
				h.Set("Authorization", c.header)
			}
			r := st.Dial(t, srv.URL("hypothesis")+c.query, h)
			r.Send(`{"id":1,"type":"whoami"}`)
			if got := r.NextType("whoyouare")["userid"]; got != c.want {
				t.Fatalf("userid = %v, want %v", got, c.want)
			}
		})
	}
}

func TestFilterMatches(t *testing.T) {
	ann := &hypothesis.Annotation{ID: "a1", URI: "https://Example.com/post/", Group: "__world__", References: []string{"p1"}}
	cases := []struct {
		name   string
		filter string // "" = no filter sent
		want   bool
	}{
		{"no filter", "", false},
		{"empty clauses", `{"match_policy":"include_any","clauses":[],"actions":{}}`, false},
		{"group", worldFilter, true},
		{"other group", `{"match_policy":"include_any","clauses":[{"field":"/group","value":"private"}],"actions":{}}`, false},
		{"uri normalised", `{"match_policy":"include_any","clauses":[{"field":"/uri","value":["http://example.com/post#x"]}],"actions":{}}`, true},
		{"id in list", `{"match_policy":"include_any","clauses":[{"field":"/id","value":["zz","a1"]}],"actions":{}}`, true},
		{"references", `{"match_policy":"include_any","clauses":[{"field":"/references","value":"p1"}],"actions":{}}`, true},
		{"unhonoured field skipped", `{"match_policy":"include_any","clauses":[{"field":"/text","value":"a1"}],"actions":{}}`, false},
		{"OR across clauses", `{"match_policy":"include_any","clauses":[{"field":"/group","value":"x"},{"field":"/id","value":"a1"}],"actions":{}}`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var f *hypothesis.Filter
			if c.filter != "" {
				var err error
				if f, err = hypothesis.ParseFilter(json.RawMessage(c.filter)); err != nil {
					t.Fatal(err)
				}
			}
			if got := f.Matches(ann); got != c.want {
				t.Fatalf("Matches = %v, want %v", got, c.want)
			}
		})
	}
}

func demoProfile(srv interface{ URL(string) string }) session.Profile {
	return session.Profile{Name: "demo-hypothesis", Dialect: "hypothesis", URL: srv.URL("hypothesis"), Token: "demo-token-1234",
		Subs: []json.RawMessage{json.RawMessage(worldFilter)}}
}

func TestClientRoundTrip(t *testing.T) {
	srv := st.StartDemo(t, 20)
	s, c := st.Connect(t, demoProfile(srv))
	_, i := c.WaitKind(t, 0, session.DirState, session.StateOpen)
	who, _ := c.WaitKind(t, i, session.DirIn, "whoyouare")
	if who.Summary != "acct:demo@localhost" {
		t.Errorf("whoyouare summary = %q", who.Summary)
	}
	ev, _ := c.WaitFor(t, i, "an annotation", func(e session.Event) bool { return strings.HasPrefix(e.Kind, "annotation-notification:") })
	if ev.Sub != "1" || ev.Summary == "" {
		t.Errorf("annotation event sub=%q summary=%q", ev.Sub, ev.Summary)
	}
	s.Do(func(cl session.Client, w *session.Wire) { cl.(*hypothesis.Client).Ping(w) })
	pong, _ := c.WaitKind(t, i, session.DirIn, "pong")
	if !strings.HasPrefix(pong.Summary, "pong after ") {
		t.Errorf("pong summary = %q, want a round-trip time", pong.Summary)
	}
	for _, e := range c.Events() {
		if strings.Contains(string(e.Raw)+e.Summary, "demo-token-1234") {
			t.Fatalf("token leaked into an event: %+v", e)
		}
	}
}

func TestClientFilterErrorMarksSub(t *testing.T) {
	srv := st.StartDemo(t, 1)
	p := demoProfile(srv)
	p.Subs = nil
	s, c := st.Connect(t, p)
	_, i := c.WaitKind(t, 0, session.DirState, session.StateOpen)
	// A clause missing its value passes our check only when sent raw; the server
	// answers with invalid_data, which the client pins on no sub.
	if err := s.SendRaw([]byte(`{"id":99,"type":"filter","filter":{"match_policy":"include_any","clauses":[{"field":"/uri"}],"actions":{}}}`)); err != nil {
		t.Fatal(err)
	}
	ev, _ := c.WaitKind(t, i, session.DirIn, "error")
	if ev.Summary != `invalid_data: "value" is missing` {
		t.Fatalf("error summary = %q", ev.Summary)
	}
}

func TestClientReconnectReplaysFilter(t *testing.T) {
	srv := st.StartDemo(t, 1)
	s, c := st.Connect(t, demoProfile(srv))
	// A reply proves the server is serving the socket (and so can drop it).
	_, i := c.WaitKind(t, 0, session.DirIn, "whoyouare")
	if n := srv.DropAll(); n == 0 {
		t.Fatal("no connection to drop")
	}
	re, i := c.WaitKind(t, i, session.DirState, session.StateReconnecting)
	if !strings.Contains(re.Summary, "reconnecting in 2s") {
		t.Errorf("first retry should wait 2 s: %q", re.Summary)
	}
	_, i = c.WaitKind(t, i, session.DirState, session.StateOpen)
	out, _ := c.WaitKind(t, i, session.DirOut, "filter")
	if out.Sub != "1" {
		t.Errorf("replayed filter sub = %q, want 1", out.Sub)
	}
	subs := s.Subs()
	if len(subs) != 1 || subs[0].ID != "1" || subs[0].Replays != 1 || subs[0].State != session.SubLive {
		t.Errorf("subs after reconnect = %+v", subs)
	}
	if got := s.Status().Reconnects; got != 1 {
		t.Errorf("Reconnects = %d", got)
	}
}

// A server closing normally ends the session: the official client does not reconnect.
func TestClientEndsOnNormalClose(t *testing.T) {
	srv := st.StartDemo(t, 1)
	s, c := st.Connect(t, demoProfile(srv))
	_, i := c.WaitKind(t, 0, session.DirState, session.StateOpen)
	s.SendRaw([]byte("not json"))
	ev, _ := c.WaitKind(t, i, session.DirState, session.StateClosed)
	if !strings.Contains(ev.Summary, "1000") || !strings.Contains(ev.Summary, "invalid message format") {
		t.Errorf("closed summary = %q", ev.Summary)
	}
	select {
	case <-s.Done():
	case <-time.After(st.Timeout):
		t.Fatal("session did not end")
	}
}

func TestPolicy(t *testing.T) {
	p := hypothesis.Dialect{}.Policy()
	for n, want := range map[int]time.Duration{1: 2 * time.Second, 2: 4 * time.Second, 9: 512 * time.Second} {
		if got := p.Delay(n); got != want {
			t.Errorf("Delay(%d) = %s, want %s", n, got, want)
		}
	}
	if p.MaxAttempts != 10 || !p.EndOnNormalClose || p.ResetAfter != 0 {
		t.Errorf("policy = %+v", p)
	}
}

func FuzzParseFilter(f *testing.F) {
	f.Add([]byte(worldFilter))
	f.Add([]byte(`{"match_policy":"include_any","clauses":[{"field":"/uri"}],"actions":{}}`))
	f.Add([]byte(`{"clauses":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		flt, err := hypothesis.ParseFilter(b)
		if err == nil {
			flt.Matches(&hypothesis.Annotation{ID: "x", URI: "https://a/b"})
		}
	})
}

func FuzzClientDecode(f *testing.F) {
	for _, s := range []string{
		`{"type":"pong","ok":true,"reply_to":1}`,
		`{"type":"whoyouare","userid":"acct:alice@hypothes.is","ok":true,"reply_to":2}`,
		`{"type":"error","error":{"type":"invalid_type","description":"invalid message type: \"subscribe\""},"ok":false,"reply_to":9}`,
		`{"type":"annotation-notification","options":{"action":"create"},"payload":[{"id":"Qk7n3X1aEe","user":"acct:alice@hypothes.is","uri":"https://example.com/post","text":"Nice point"}]}`,
		`{"type":"annotation-notification","options":{"action":"delete"},"payload":[{"id":"Qk7n3X1aEe"}]}`,
		`{"type":"session-change","action":"group-join","model":{"userid":"acct:a","groups":[]}}`,
		`not json`, `[]`, `{"type":5}`,
	} {
		f.Add([]byte(s))
	}
	s, err := session.New(session.Profile{Name: "f", Dialect: "hypothesis", URL: "ws://127.0.0.1:1/ws"}, session.SinkFunc(func(session.Event) {}))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s.Do(func(c session.Client, w *session.Wire) { c.Decode(w, b) })
	})
}

// The real server sends an unsolicited pong ("beep") every 30 s; the demo does too,
// and the client tolerates it (the session stays open across several).
func TestServerUnsolicitedPong(t *testing.T) {
	srv, err := demo.Start(demo.Options{PongEvery: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	r := st.Dial(t, srv.URL("hypothesis"), nil)
	got := make(chan string, 8)
	r.Conn.SetPongHandler(func(data string) error {
		select {
		case got <- data:
		default:
		}
		return nil
	})
	go func() {
		for {
			if _, _, err := r.Conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	select {
	case data := <-got:
		if data != "beep" {
			t.Fatalf("pong payload %q", data)
		}
	case <-time.After(st.Timeout):
		t.Fatal("no unsolicited pong")
	}
	s, c := st.Connect(t, demoProfile(srv))
	_, i := c.WaitKind(t, 0, session.DirState, session.StateOpen)
	s.Do(func(cl session.Client, w *session.Wire) { cl.(*hypothesis.Client).Ping(w) })
	c.WaitKind(t, i, session.DirIn, "pong")
	if s.Status().Phase != session.PhaseOpen {
		t.Fatalf("phase %s", s.Status().Phase)
	}
}
