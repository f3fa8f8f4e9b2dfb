package misskey_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/misskey"
	st "github.com/feedscope/feedscope/session/sessiontest"
	"github.com/gorilla/websocket"
)

func authed(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

func TestServerRejectsBadTokenBeforeUpgrade(t *testing.T) {
	srv := st.StartDemo(t, 1)
	for _, c := range []struct {
		name, url string
		h         http.Header
	}{
		{"query", srv.URL("misskey") + "?i=bad", nil},
		{"header wins", srv.URL("misskey") + "?i=good", authed("bad")},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := st.TryDial(t, c.url, c.h)
			if err == nil || r.Resp == nil || r.Resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("want HTTP 401, got %v %v", err, r.Resp)
			}
			if !strings.Contains(r.Resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
				t.Errorf("WWW-Authenticate = %q", r.Resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

// connect variants: those a newer server drops get no `connected`; the probe after
// them (a valid connect with pong) is the first reply.
func TestServerConnectValidation(t *testing.T) {
	srv := st.StartDemo(t, 1)
	r := st.Dial(t, srv.URL("misskey"), nil)
	for _, bad := range []string{
		`{"type":"connect","body":{"channel":"localTimeline","id":1,"pong":true}}`,
		`{"type":"connect","body":{"channel":"localTimeline","id":"a","pong":"yes"}}`,
		`{"type":"connect","body":{"channel":"localTimeline","id":"b","params":null,"pong":true}}`,
		`{"type":"connect","body":{"channel":"localTimeline","id":"c","params":[1],"pong":true}}`,
		`{"type":"connect","body":{"channel":"noSuchChannel","id":"d","pong":true}}`,
		`{"type":"connect","body":{"channel":"main","id":"e","pong":true}}`, // needs login
		`{"type":"connect","body":{"channel":"localTimeline","id":"f"}}`,    // valid, but no pong asked
		`h`, `ping`, `{"type":"bogus"}`, `{"type":"ch"}`,
	} {
		r.Send(bad)
	}
	r.Send(`{"type":"connect","body":{"channel":"serverStats","id":"probe","pong":null}}`)
	r.Send(`{"type":"connect","body":{"channel":"globalTimeline","id":"ok","params":{"withRenotes":false},"pong":true}}`)
	got := r.NextType("connected")
	if id := got["body"].(map[string]any)["id"]; id != "ok" {
		t.Fatalf("first connected is for %v, want ok", id)
	}
}

func TestServerSharedChannelJoinedOnce(t *testing.T) {
	srv := st.StartDemo(t, 1)
	r := st.Dial(t, srv.URL("misskey"), nil)
	r.Send(`{"type":"connect","body":{"channel":"serverStats","id":"1","pong":true}}`)
	r.Send(`{"type":"connect","body":{"channel":"serverStats","id":"2","pong":true}}`)
	r.Send(`{"type":"connect","body":{"channel":"localTimeline","id":"3","pong":true}}`)
	ids := []any{r.NextType("connected")["body"].(map[string]any)["id"], r.NextType("connected")["body"].(map[string]any)["id"]}
	if ids[0] != "1" || ids[1] != "3" {
		t.Fatalf("connected ids = %v, want [1 3]", ids)
	}
}

func TestServerRequestLog(t *testing.T) {
	srv := st.StartDemo(t, 400) // queueStats ticks every 25 ms
	r := st.Dial(t, srv.URL("misskey"), nil)
	r.Send(`{"type":"connect","body":{"channel":"queueStats","id":"q","pong":true}}`)
	r.NextType("connected")
	// Wait for at least 50 ticks of history.
	for i := 0; i < 55; i++ {
		r.Next(func(m map[string]any) bool { return m["type"] == "channel" })
	}
	// Newer queueStats ignores a requestLog without a numeric length (and one
	// without a body at all); the probe after them is the first answer.
	r.Send(`{"type":"ch","body":{"id":"q","type":"requestLog","body":{"id":"a1b2"}}}`)
	r.Send(`{"type":"ch","body":{"id":"q","type":"requestLog"}}`)
	r.Send(`{"type":"ch","body":{"id":"q","type":"requestLog","body":{"id":"probe","length":7}}}`)
	log := r.Next(func(m map[string]any) bool {
		return m["type"] == "channel" && m["body"].(map[string]any)["type"] == "statsLog"
	})
	if n := len(log["body"].(map[string]any)["body"].([]any)); n != 7 {
		t.Fatalf("first queueStats log has %d entries, want the probe's 7", n)
	}
	r.Send(`{"type":"connect","body":{"channel":"serverStats","id":"s","pong":true}}`)
	r.NextType("connected")
	r.Send(`{"type":"channel","body":{"id":"s","type":"requestLog","body":{"id":"x","length":3}}}`)
	log = r.Next(func(m map[string]any) bool {
		b := m["body"].(map[string]any)
		return m["type"] == "channel" && b["type"] == "statsLog" && b["id"] == "s"
	})
	entries := log["body"].(map[string]any)["body"].([]any)
	if len(entries) != 3 {
		t.Fatalf("serverStats log length 3 gave %d", len(entries))
	}
	// Without length, serverStats slices nothing off: the whole log (up to 200).
	for i := 0; i < 60; i++ {
		r.Next(func(m map[string]any) bool { return m["type"] == "channel" && m["body"].(map[string]any)["id"] == "s" })
	}
	r.Send(`{"type":"ch","body":{"id":"s","type":"requestLog","body":{"id":"y"}}}`)
	log = r.Next(func(m map[string]any) bool {
		b := m["body"].(map[string]any)
		return m["type"] == "channel" && b["type"] == "statsLog" && b["id"] == "s"
	})
	if n := len(log["body"].(map[string]any)["body"].([]any)); n < 60 || n > 200 {
		t.Fatalf("serverStats log without length has %d entries, want all of them (60..200)", n)
	}
	if _, ok := entries[0].(map[string]any)["cpu"]; !ok {
		t.Errorf("stats entry lacks cpu: %v", entries[0])
	}
}

// subNote is reference-counted and the aliases work: two captures and one release
// keep updates coming.
func TestServerNoteCaptureAliases(t *testing.T) {
	srv := st.StartDemo(t, 20)
	r := st.Dial(t, srv.URL("misskey"), nil)
	r.Send(`{"type":"s","body":{"id":"9zx8c7v6b5"}}`)
	r.Send(`{"type":"sr","body":{"id":"9zx8c7v6b5"}}`)
	r.Send(`{"type":"un","body":{"id":"9zx8c7v6b5"}}`)
	up := r.NextType("noteUpdated")
	if id := up["body"].(map[string]any)["id"]; id != "9zx8c7v6b5" {
		t.Fatalf("noteUpdated for %v", id)
	}
}

// unsubNote stops a note's updates, also after a sub/unsub/sub/unsub cycle: once an
// update for the probe note (captured after the releases) arrives, none for the
// released note may follow.
func TestServerUnsubNoteStopsUpdates(t *testing.T) {
	srv := st.StartDemo(t, 20)
	r := st.Dial(t, srv.URL("misskey"), nil)
	r.Send(`{"type":"subNote","body":{"id":"released00"}}`)
	r.NextType("noteUpdated")
	r.Send(`{"type":"unsubNote","body":{"id":"released00"}}`)
	r.Send(`{"type":"subNote","body":{"id":"released00"}}`)
	r.Send(`{"type":"unsubNote","body":{"id":"released00"}}`)
	r.Send(`{"type":"subNote","body":{"id":"probe00000"}}`)
	r.Next(func(m map[string]any) bool {
		return m["type"] == "noteUpdated" && m["body"].(map[string]any)["id"] == "probe00000"
	})
	for i := 0; i < 5; i++ {
		up := r.NextType("noteUpdated")
		if id := up["body"].(map[string]any)["id"]; id != "probe00000" {
			t.Fatalf("update %d after the release is for %v", i, id)
		}
	}
}

// A hashtag query's tags are compared as given: "#demo" matches no note's tag.
func TestServerHashtagKeepsHash(t *testing.T) {
	srv := st.StartDemo(t, 20)
	r := st.Dial(t, srv.URL("misskey"), nil)
	r.Send(`{"type":"connect","body":{"channel":"hashtag","id":"hash","params":{"q":[["#demo"],["#go"],["#misskey"],["#fyne"]]}}}`)
	r.Send(`{"type":"connect","body":{"channel":"globalTimeline","id":"all"}}`)
	for i := 0; i < 8; i++ {
		m := r.NextType("channel")
		if id := m["body"].(map[string]any)["id"]; id != "all" {
			t.Fatalf("a note reached the '#'-tag query: %v", m)
		}
	}
}

func TestHashtagQuery(t *testing.T) {
	cases := []struct {
		name string
		q    [][]string
		tags []string
		want bool
	}{
		{"single", [][]string{{"go"}}, []string{"go", "fyne"}, true},
		{"AND group needs all", [][]string{{"go", "misskey"}}, []string{"go", "fyne"}, false},
		{"OR of groups", [][]string{{"go", "misskey"}, {"fyne"}}, []string{"go", "fyne"}, true},
		{"case-insensitive", [][]string{{"Go"}}, []string{"go"}, true},
		{"empty query", nil, []string{"go"}, false},
		{"empty group", [][]string{{}}, []string{"go"}, false},
		{"a '#' is part of the tag", [][]string{{"#go"}}, []string{"go"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := misskey.MatchHashtags(c.q, c.tags); got != c.want {
				t.Fatalf("MatchHashtags(%v, %v) = %v", c.q, c.tags, got)
			}
		})
	}
}

func TestParseSub(t *testing.T) {
	cases := []struct{ spec, err string }{
		{`{"channel":"localTimeline"}`, ""},
		{`{"channel":"hashtag","params":{"q":[["go","fyne"],["misskey"]]}}`, ""},
		{`{"note":"9zx8c7v6b5"}`, ""},
		{`{"channel":"localTimeline","params":null}`, `"params" must be an object`},
		{`{"channel":"hashtag","params":{"q":"go"}}`, "params.q must be a list of lists"},
		{`{}`, `"channel" (or "note") is missing`},
		{`{"channel":"main","note":"x"}`, "not both"},
	}
	for _, c := range cases {
		_, err := misskey.ParseSub(json.RawMessage(c.spec))
		if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("ParseSub(%s) = %v, want %q", c.spec, err, c.err)
		}
	}
}

func TestClientRejectedNoRetry(t *testing.T) {
	srv := st.StartDemo(t, 1)
	s, c := st.Connect(t, session.Profile{Name: "m", Dialect: "misskey", URL: srv.URL("misskey"), Token: "bad"})
	ev, _ := c.WaitKind(t, 0, session.DirState, session.StateClosed)
	if ev.Summary != "rejected: 401 invalid_token" {
		t.Fatalf("summary = %q", ev.Summary)
	}
	<-s.Done()
	if st := s.Status(); st.Phase != session.PhaseRejected {
		t.Fatalf("phase = %s", st.Phase)
	}
	for _, e := range c.Events() {
		if e.Kind == session.StateReconnecting {
			t.Fatal("a rejected token must not be retried")
		}
	}
}

func TestClientChannelsAndReconnect(t *testing.T) {
	srv := st.StartDemo(t, 20)
	p := session.Profile{Name: "demo-misskey", Dialect: "misskey", URL: srv.URL("misskey"), Token: "demo-token",
		Subs: []json.RawMessage{st.JSON(`{"channel":"localTimeline","params":{"withRenotes":false}}`), st.JSON(`{"channel":"serverStats"}`)}}
	s, c := st.Connect(t, p)
	connected := func(from int, sub string) int {
		_, i := c.WaitFor(t, from, "connected "+sub, func(e session.Event) bool { return e.Kind == "connected" && e.Sub == sub })
		return i
	}
	i := connected(0, "1")
	connected(0, "2")
	note, _ := c.WaitKind(t, i, session.DirIn, "note")
	if note.Sub != "1" || !strings.HasPrefix(note.Summary, "@") {
		t.Errorf("note event sub=%q summary=%q", note.Sub, note.Summary)
	}
	stats, _ := c.WaitKind(t, i, session.DirIn, "stats")
	if stats.Sub != "2" || !strings.Contains(stats.Summary, "cpu") {
		t.Errorf("stats event sub=%q summary=%q", stats.Sub, stats.Summary)
	}
	// Shared channels are replayed first, with the same ids.
	id, err := s.Subscribe(st.JSON(`{"note":"9zx8c7v6b5"}`))
	if err != nil {
		t.Fatal(err)
	}
	up, _ := c.WaitFor(t, i, "noteUpdated", func(e session.Event) bool { return strings.HasPrefix(e.Kind, "noteUpdated:") })
	if up.Sub != id {
		t.Errorf("noteUpdated sub = %q, want %q", up.Sub, id)
	}
	mark := c.Mark()
	srv.DropAll()
	_, j := c.WaitKind(t, mark, session.DirState, session.StateOpen)
	var order []string
	for k := 0; k < 3; k++ {
		var e session.Event
		e, j = c.WaitFor(t, j+1, "replayed frame", func(e session.Event) bool { return e.Dir == session.DirOut })
		order = append(order, e.Kind+":"+e.Sub)
	}
	if strings.Join(order, " ") != "connect:2 connect:1 subNote:3" {
		t.Errorf("replay order = %v", order)
	}
	connected(j, "1")
	st.Until(t, "subs live again", func() bool {
		for _, sub := range s.Subs() {
			if sub.State != session.SubLive || sub.Replays != 1 {
				return false
			}
		}
		return true
	})
}

func TestClientRefusesSecondSharedConnection(t *testing.T) {
	srv := st.StartDemo(t, 1)
	s, c := st.Connect(t, session.Profile{Name: "m", Dialect: "misskey", URL: srv.URL("misskey"),
		Subs: []json.RawMessage{st.JSON(`{"channel":"serverStats"}`)}})
	c.WaitKind(t, 0, session.DirIn, "connected")
	id, err := s.Subscribe(st.JSON(`{"channel":"serverStats"}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, sub := range s.Subs() {
		if sub.ID == id && (sub.State != session.SubError || !strings.Contains(sub.Error, "shared channel")) {
			t.Fatalf("second shared connection: %+v", sub)
		}
	}
}

func TestPolicy(t *testing.T) {
	p := misskey.Dialect{}.Policy()
	if p.Delay(1) != time.Millisecond || p.Delay(100) != 10*time.Second || p.MaxAttempts != 0 || p.ResetAfter != 5*time.Second || p.DialTimeout != 4*time.Second {
		t.Fatalf("policy: delay(1)=%s delay(100)=%s %+v", p.Delay(1), p.Delay(100), p)
	}
}

func FuzzParseSub(f *testing.F) {
	for _, s := range []string{`{"channel":"hashtag","params":{"q":[["go"]]}}`, `{"note":"x"}`, `{"channel":"main","params":null}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = misskey.ParseSub(b) })
}

func FuzzClientDecode(f *testing.F) {
	for _, s := range []string{
		`{"type":"connected","body":{"id":"1"}}`,
		`{"type":"channel","body":{"id":"1","type":"note","body":{"id":"9zx8c7v6b5","user":{"id":"1","username":"alice","host":null},"text":"hello #demo","cw":null}}}`,
		`{"type":"noteUpdated","body":{"id":"9zx8c7v6b5","type":"reacted","body":{"reaction":":like@.:","emoji":null,"userId":"9abc000001"}}}`,
		`{"type":"channel","body":{"id":"2","type":"stats","body":{"cpu":0.123,"mem":{"used":3.2e9,"active":2.9e9},"net":{"rx":1520.4,"tx":830.1},"fs":{"r":2.1,"w":5.7}}}}`,
		`{"type":"emojiAdded","body":{"emoji":{}}}`, `h`, `{"type":"channel","body":null}`,
	} {
		f.Add([]byte(s))
	}
	s, err := session.New(session.Profile{Name: "f", Dialect: "misskey", URL: "ws://127.0.0.1:1/streaming",
		Subs: []json.RawMessage{st.JSON(`{"channel":"localTimeline"}`)}}, session.SinkFunc(func(session.Event) {}))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s.Do(func(c session.Client, w *session.Wire) { c.Decode(w, b) })
	})
}

// The token goes both ways the server reads it, ?i= (the documented way, all that
// forks read) and the Bearer header, and no event a user sees carries it.
func TestClientSendsTokenInQueryAndHeader(t *testing.T) {
	const token = "s3cret-misskey-token"
	got := make(chan [2]string, 4)
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- [2]string{r.URL.Query().Get("i"), r.Header.Get("Authorization")}
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		c.Close() // abnormal: the session reconnects, showing the URL again
	}))
	defer srv.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/streaming"
	s, c := st.Connect(t, session.Profile{Name: "m", Dialect: "misskey", URL: url, Token: token})
	if g := <-got; g[0] != token || g[1] != "Bearer "+token {
		t.Fatalf("server saw i=%q Authorization=%q", g[0], g[1])
	}
	c.WaitKind(t, 0, session.DirState, session.StateReconnecting)
	s.Close()
	for _, e := range c.Events() {
		if strings.Contains(e.Summary, token) || strings.Contains(string(e.Raw), token) {
			t.Fatalf("the token leaked into %+v", e)
		}
	}
}
