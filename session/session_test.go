package session_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/feedscope/feedscope/session"
	_ "github.com/feedscope/feedscope/session/misskey"
	st "github.com/feedscope/feedscope/session/sessiontest"
	"github.com/gorilla/websocket"
)

// script is a test server at the Misskey path: each accepted socket runs fn.
func script(t *testing.T, fn func(n int, c *websocket.Conn)) string {
	t.Helper()
	return st.Script(t, fn) + "/streaming"
}

func profile(url string) session.Profile {
	return session.Profile{Name: "test", Dialect: "misskey", URL: url}
}

func TestReadLimitClosesWith1009AndReconnects(t *testing.T) {
	url := script(t, func(n int, c *websocket.Conn) {
		if n == 1 {
			_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"x","body":"`+strings.Repeat("a", 4096)+`"}`))
		}
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	})
	p := profile(url)
	p.ReadLimit = 1024
	_, c := st.Connect(t, p)
	ev, i := c.WaitKind(t, 0, session.DirState, session.StateReconnecting)
	if !strings.Contains(ev.Summary, "1009") || !strings.Contains(ev.Summary, "1024 bytes") {
		t.Fatalf("summary %q", ev.Summary)
	}
	c.WaitKind(t, i, session.DirState, session.StateOpen)
}

func TestBadFramesBecomeErrorEvents(t *testing.T) {
	url := script(t, func(n int, c *websocket.Conn) {
		_ = c.WriteMessage(websocket.TextMessage, []byte("this is not json at all"))
		_ = c.WriteMessage(websocket.BinaryMessage, []byte{1, 2, 3})
		_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"somethingNew","body":{"x":1}}`))
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	})
	s, c := st.Connect(t, profile(url))
	e1, i := c.WaitKind(t, 0, session.DirIn, "error")
	if !strings.Contains(e1.Summary, "not a JSON object") || string(e1.Raw) != `"this is not json at all"` {
		t.Errorf("non-JSON: %q raw %s", e1.Summary, e1.Raw)
	}
	e2, i := c.WaitKind(t, i+1, session.DirIn, "error")
	if !strings.Contains(e2.Summary, "binary frame") {
		t.Errorf("binary: %q", e2.Summary)
	}
	// An unknown type is an event of that kind, never an error.
	e3, _ := c.WaitKind(t, i+1, session.DirIn, "somethingNew")
	if e3.Kind != "somethingNew" {
		t.Errorf("unknown type: %+v", e3)
	}
	if s.Status().Phase != session.PhaseOpen {
		t.Errorf("session should keep going: %+v", s.Status())
	}
}

func TestCloseSends1000(t *testing.T) {
	got := make(chan int, 1)
	url := script(t, func(n int, c *websocket.Conn) {
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				if ce, ok := err.(*websocket.CloseError); ok {
					got <- ce.Code
				} else {
					got <- -1
				}
				return
			}
		}
	})
	s, c := st.Connect(t, profile(url))
	c.WaitKind(t, 0, session.DirState, session.StateOpen)
	s.Close()
	if code := <-got; code != websocket.CloseNormalClosure {
		t.Fatalf("server saw close %d, want 1000", code)
	}
	ev, _ := c.WaitKind(t, 0, session.DirState, session.StateClosed)
	if ev.Summary != "closed by user" {
		t.Fatalf("summary %q", ev.Summary)
	}
}

func TestHeldFramesGoOutAfterOpen(t *testing.T) {
	frames := make(chan string, 4)
	url := script(t, func(n int, c *websocket.Conn) {
		for {
			_, b, err := c.ReadMessage()
			if err != nil {
				return
			}
			frames <- string(b)
		}
	})
	c := st.NewCollector()
	s, err := session.New(profile(url), c)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SendRaw([]byte(`{"type":"readNotification"}`)); err != nil {
		t.Fatal(err)
	}
	s.Start(t.Context())
	defer s.Close()
	if f := <-frames; f != `{"type":"readNotification"}` {
		t.Fatalf("server got %s", f)
	}
}

func TestSecretsNeverInEvents(t *testing.T) {
	const token = "sup3r-s3cret-t0ken"
	p := session.Profile{Name: "x", Dialect: "misskey", URL: "ws://127.0.0.1:1/streaming?i=" + token, Token: token}
	_, c := st.Connect(t, p)
	c.WaitKind(t, 0, session.DirState, session.StateReconnecting)
	for _, e := range c.Events() {
		b, _ := json.Marshal(e)
		if strings.Contains(string(b), token) {
			t.Fatalf("token in event: %s", b)
		}
	}
}

func TestProfileValidate(t *testing.T) {
	cases := []struct {
		p    session.Profile
		want string
	}{
		{session.Profile{Name: "a", Dialect: "misskey", URL: "wss://misskey.io/streaming"}, ""},
		{session.Profile{Name: "", Dialect: "misskey", URL: "wss://x/streaming"}, "name is empty"},
		{session.Profile{Name: "a", Dialect: "irc", URL: "wss://x"}, "unknown dialect"},
		{session.Profile{Name: "a", Dialect: "misskey", URL: "https://x/streaming"}, "scheme must be ws or wss"},
		{session.Profile{Name: "a", Dialect: "misskey", URL: "ws:///streaming"}, "no host"},
	}
	for _, c := range cases {
		err := c.p.Validate()
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%+v: %v, want %q", c.p, err, c.want)
		}
	}
}

func TestProfileJSONHasNoSecrets(t *testing.T) {
	b, _ := json.Marshal(session.Profile{Name: "a", Dialect: "misskey", URL: "wss://x", Token: "tok-123456", Password: "pw-123456"})
	if strings.Contains(string(b), "tok-123456") || strings.Contains(string(b), "pw-123456") {
		t.Fatalf("secret serialised: %s", b)
	}
}

func TestCheckJSON(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"a":1}`, ""},
		{"{\n  \"a\": 1,\n}", "line 3, column 1"},
		{`{"a" 1}`, "line 1, column 6"},
		{``, "empty input"},
		{`{"a":1} x`, "unexpected data after"},
		{"{\"é\":\n tru}", "line 2, column"},
	}
	for _, c := range cases {
		err := session.CheckJSON([]byte(c.in))
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("CheckJSON(%q) = %v, want %q", c.in, err, c.want)
		}
	}
}

func TestRing(t *testing.T) {
	r := session.NewRing(3)
	for i := 0; i < 5; i++ {
		r.Publish(session.Event{Kind: string(rune('a' + i))})
	}
	held, total := r.Len()
	if held != 3 || total != 5 {
		t.Fatalf("Len = %d, %d", held, total)
	}
	got, last, missed := r.Since(0, nil)
	if kinds(got) != "cde" || last != 5 || missed != 2 {
		t.Fatalf("Since(0) = %s %d %d", kinds(got), last, missed)
	}
	got, _, missed = r.Since(4, nil)
	if kinds(got) != "e" || missed != 0 {
		t.Fatalf("Since(4) = %s %d", kinds(got), missed)
	}
	r.Clear()
	r.Publish(session.Event{Kind: "f"})
	got, last, _ = r.Since(5, nil)
	if kinds(got) != "f" || last != 6 {
		t.Fatalf("after Clear: %s %d", kinds(got), last)
	}
}

func kinds(es []session.Event) string {
	var b strings.Builder
	for _, e := range es {
		b.WriteString(e.Kind)
	}
	return b.String()
}

func FuzzCheckJSON(f *testing.F) {
	f.Add([]byte(`{"a":[1,2,{"b":null}]}`))
	f.Add([]byte("{\n\"x\":}"))
	f.Fuzz(func(t *testing.T, b []byte) { _ = session.CheckJSON(b) })
}

func TestScrubHidesHeaderValues(t *testing.T) {
	p := session.Profile{Token: "token-123456", Headers: map[string]string{"Cookie": "session=abcdef123"}}
	got := p.Scrub("dial ws://x?i=token-123456 with Cookie: session=abcdef123")
	if strings.Contains(got, "token-123456") || strings.Contains(got, "abcdef123") {
		t.Fatalf("secret left in %q", got)
	}
}
