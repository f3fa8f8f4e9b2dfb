package websocket_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/feedscope/feedscope/session"
	st "github.com/feedscope/feedscope/session/sessiontest"
	ws "github.com/feedscope/feedscope/session/websocket"
	gws "github.com/gorilla/websocket"
)

// demoProfile is the demo's ready profile, at 20× speed.
func demoProfile(t *testing.T) (session.Profile, interface{ DropAll() int }) {
	t.Helper()
	srv := st.StartDemo(t, 20)
	p, ok := srv.Profile(ws.Name)
	if !ok {
		t.Fatal("the demo serves no plain WebSocket")
	}
	return p, srv
}

func isJSON(t *testing.T, e session.Event) {
	t.Helper()
	if len(e.Raw) == 0 || !json.Valid(e.Raw) {
		t.Errorf("%s event's Raw is not JSON: %q", e.Kind, e.Raw)
	}
	line := e.AppendJSON(nil)
	if !json.Valid(line) {
		t.Errorf("tail line is not JSON: %s", line)
	}
}

// The demo's ticker carries every shape: kinds under /type, /event and /op, JSON
// with no kind, plain text and binary; each shows, none is an error.
func TestDemoTickerShowsEveryShape(t *testing.T) {
	p, _ := demoProfile(t)
	_, c := st.Connect(t, p)
	welcome, _ := c.WaitKind(t, 0, session.DirIn, "welcome")
	if !strings.Contains(welcome.Summary, "subprotocol="+ws.Subprotocol) {
		t.Errorf("the subprotocol did not reach the server: %q", welcome.Summary)
	}
	sent, _ := c.WaitKind(t, 0, session.DirOut, "message")
	if sent.Sub != "1" || string(sent.Raw) != `{"type":"subscribe","channel":"ticker"}` {
		t.Errorf("subscription sent as %+v", sent)
	}
	echo, _ := c.WaitKind(t, 0, session.DirIn, "subscribe")
	if echo.Sub != "1" {
		t.Errorf("the echo of subscription 1 counts for %q", echo.Sub)
	}
	tick, _ := c.WaitKind(t, 0, session.DirIn, "tick")
	if !strings.HasPrefix(tick.Summary, "seq=") || !strings.Contains(tick.Summary, "symbol=FSC-USD price=") || strings.Contains(tick.Summary, "type=") {
		t.Errorf("tick summary %q", tick.Summary)
	}
	c.WaitKind(t, 0, session.DirIn, "trade")
	hb, _ := c.WaitKind(t, 0, session.DirIn, "heartbeat")
	text, _ := c.WaitFor(t, 0, "plain text", func(e session.Event) bool {
		return e.Kind == ws.KindText && strings.HasPrefix(e.Summary, "plain text #")
	})
	var s string
	if json.Unmarshal(text.Raw, &s) != nil || s != text.Summary {
		t.Errorf("plain text raw %s, summary %q", text.Raw, text.Summary)
	}
	nokind, _ := c.WaitFor(t, 0, "JSON without a kind", func(e session.Event) bool {
		return e.Kind == ws.KindText && strings.Contains(e.Summary, "temperature=")
	})
	bin, _ := c.WaitKind(t, 0, session.DirIn, ws.KindBinary)
	if !strings.HasPrefix(bin.Summary, "16 bytes: 46 53 43 01 ") {
		t.Errorf("binary summary %q", bin.Summary)
	}
	var b struct {
		Binary []byte `json:"binary"`
		Size   int    `json:"size"`
	}
	if err := json.Unmarshal(bin.Raw, &b); err != nil || b.Size != 16 || string(b.Binary[:4]) != "FSC\x01" {
		t.Errorf("binary raw %s: %v", bin.Raw, err)
	}
	for _, e := range []session.Event{welcome, sent, echo, tick, hb, text, nokind, bin} {
		isJSON(t, e)
	}
	for _, e := range c.Events() {
		if e.Kind == "error" {
			t.Errorf("error event: %+v", e)
		}
	}
}

// The kind pointer and summary template come from the profile's settings.
func TestKindPointerAndSummaryTemplate(t *testing.T) {
	p, _ := demoProfile(t)
	p.Settings = map[string]string{ws.SettingKind: "/symbol /side /nested/ok", ws.SettingSummary: "#{/seq} {/price}"}
	_, c := st.Connect(t, p)
	tick, _ := c.WaitKind(t, 0, session.DirIn, "FSC-USD")
	if !regexp.MustCompile(`^#[0-9]+ [0-9]+(\.[0-9]+)?$`).MatchString(tick.Summary) {
		t.Errorf("templated summary %q", tick.Summary)
	}
	c.WaitFor(t, 0, "a trade's side as kind", func(e session.Event) bool { return e.Kind == "buy" || e.Kind == "sell" })
	c.WaitKind(t, 0, session.DirIn, "true")
	// Frames the pointers miss fall back to text, or binary.
	c.WaitFor(t, 0, "a heartbeat without a kind", func(e session.Event) bool {
		return e.Kind == ws.KindText && strings.HasPrefix(e.Summary, "#") && e.Dir == session.DirIn
	})

	p.Settings[ws.SettingKind] = "type"
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "must start with /") {
		t.Errorf("Validate: %v", err)
	}
}

// Key and Label come from /id and /name (or /title) unless the profile names
// other pointers; the settings reach a live session.
func TestKeyAndLabelPointers(t *testing.T) {
	var def ws.Decoder
	if e := def.Text([]byte(`{"type":"order","id":42,"name":"first\norder"}`)); e.Key != "42" || e.Label != "first order" {
		t.Errorf("defaults: key %q label %q", e.Key, e.Label)
	}
	if e := def.Text([]byte(`{"id":{"nested":1},"title":"t"}`)); e.Key != "" || e.Label != "t" {
		t.Errorf("object id: key %q label %q", e.Key, e.Label)
	}
	if e := def.Text([]byte("plain")); e.Key != "" || e.Label != "" {
		t.Errorf("text: key %q label %q", e.Key, e.Label)
	}
	long := strings.Repeat("k", 100)
	if e := def.Text([]byte(`{"id":"` + long + `"}`)); len([]rune(e.Key)) > 65 || !strings.HasSuffix(e.Key, "…") {
		t.Errorf("key not bounded: %d runes", len([]rune(e.Key)))
	}

	p, _ := demoProfile(t)
	p.Settings = map[string]string{ws.SettingKey: "/symbol /op", ws.SettingLabel: "/side"}
	_, c := st.Connect(t, p)
	tick, _ := c.WaitKind(t, 0, session.DirIn, "tick")
	if tick.Key != "FSC-USD" || tick.Label != "" {
		t.Errorf("tick: key %q label %q", tick.Key, tick.Label)
	}
	trade, _ := c.WaitKind(t, 0, session.DirIn, "trade")
	if trade.Key != "" || trade.Label != "buy" && trade.Label != "sell" {
		t.Errorf("trade: key %q label %q", trade.Key, trade.Label)
	}
	if hb, _ := c.WaitKind(t, 0, session.DirIn, "heartbeat"); hb.Key != "heartbeat" {
		t.Errorf("heartbeat key %q", hb.Key)
	}
	for _, k := range []string{ws.SettingKey, ws.SettingLabel} {
		p.Settings = map[string]string{k: "id"}
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "websocket "+k+": ") {
			t.Errorf("Validate %s: %v", k, err)
		}
	}
}

// Every subscription's message goes out as it is (a JSON string as its text, other
// JSON compact) and the demo echoes it; its echo counts for that subscription.
func TestMessagesAreSentAndEchoed(t *testing.T) {
	p, _ := demoProfile(t)
	p.Subs = []json.RawMessage{st.JSON(`"hello there"`), st.JSON("{ \"type\": \"note\",\n \"text\": \"x\" }")}
	s, c := st.Connect(t, p)
	hello, _ := c.WaitFor(t, 0, "echo of the text", func(e session.Event) bool { return e.Dir == session.DirIn && e.Summary == "hello there" })
	note, _ := c.WaitKind(t, 0, session.DirIn, "note")
	if hello.Sub != "1" || hello.Kind != ws.KindText || note.Sub != "2" || string(note.Raw) != `{"type":"note","text":"x"}` {
		t.Errorf("echoes %+v and %+v", hello, note)
	}
	// A composed message goes out as it is too, and comes back.
	if err := s.SendRaw([]byte("composed <text>")); err != nil {
		t.Fatal(err)
	}
	c.WaitFor(t, 0, "echo of a composed text", func(e session.Event) bool { return e.Dir == session.DirIn && e.Summary == "composed <text>" })
	st.Until(t, "both subscriptions live", func() bool {
		subs := s.Subs()
		return len(subs) == 2 && subs[0].State == session.SubLive && subs[1].State == session.SubLive && subs[0].Events > 0
	})
	// Editing a subscription sends its new message.
	if err := s.Replace("1", st.JSON(`"hello again"`)); err != nil {
		t.Fatal(err)
	}
	again, _ := c.WaitFor(t, 0, "echo of the edit", func(e session.Event) bool { return e.Dir == session.DirIn && e.Summary == "hello again" })
	if again.Sub != "1" {
		t.Errorf("edited echo counts for %q", again.Sub)
	}
}

// After an abrupt drop the session reconnects (with backoff) and sends every
// subscription's message again.
func TestReplayOnReconnectAfterDrop(t *testing.T) {
	p, srv := demoProfile(t)
	p.Subs = append(p.Subs, st.JSON(`"remember me"`))
	s, c := st.Connect(t, p)
	_, i := c.WaitFor(t, 0, "first echo", func(e session.Event) bool { return e.Dir == session.DirIn && e.Summary == "remember me" })
	c.WaitKind(t, 0, session.DirIn, "subscribed")
	if n := srv.DropAll(); n == 0 {
		t.Fatal("nothing to drop")
	}
	re, i := c.WaitKind(t, i, session.DirState, session.StateReconnecting)
	if !strings.Contains(re.Summary, "reconnecting in") {
		t.Errorf("reconnecting summary %q", re.Summary)
	}
	_, i = c.WaitKind(t, i, session.DirState, session.StateOpen)
	c.WaitFor(t, i, "echo after the reconnect", func(e session.Event) bool { return e.Dir == session.DirIn && e.Summary == "remember me" })
	c.WaitKind(t, i, session.DirIn, "subscribed")
	c.WaitKind(t, i, session.DirIn, "tick")
	for _, sub := range s.Subs() {
		if sub.Replays < 1 || sub.State != session.SubLive {
			t.Errorf("sub %s: %d replays, %s", sub.ID, sub.Replays, sub.State)
		}
	}
}

// A refused handshake ends the session at once, with the server's words and no
// secret.
func TestUnauthorizedEndsRetrying(t *testing.T) {
	p, _ := demoProfile(t)
	p.Headers = map[string]string{"Authorization": "Bearer wrong-key-123456"}
	s, c := st.Connect(t, p)
	ev, _ := c.WaitKind(t, 0, session.DirState, session.StateClosed)
	<-s.Done()
	if s.Status().Phase != session.PhaseRejected || !strings.Contains(ev.Summary, "401") || !strings.Contains(ev.Summary, "invalid_token") {
		t.Errorf("%s: %q", s.Status().Phase, ev.Summary)
	}
	for _, e := range c.Events() {
		if b, _ := json.Marshal(e); strings.Contains(string(b), "wrong-key-123456") {
			t.Errorf("secret in event %s", b)
		}
	}
	// A token becomes the Bearer header when no header says otherwise.
	p.Headers, p.Token = nil, ws.DemoKey
	_, c = st.Connect(t, p)
	c.WaitKind(t, 0, session.DirIn, "welcome")
}

// The server echoes binary frames as binary, and text as text; unknown JSON and
// garbage are echoed, never answered with an error.
func TestServerEchoesBinaryAndText(t *testing.T) {
	p, _ := demoProfile(t)
	h := http.Header{"Authorization": {p.Headers["Authorization"]}}
	r := st.Dial(t, p.URL, h, ws.Subprotocol)
	if r.Conn.Subprotocol() != ws.Subprotocol {
		t.Errorf("subprotocol %q", r.Conn.Subprotocol())
	}
	r.NextType("welcome")
	if err := r.Conn.WriteMessage(gws.BinaryMessage, []byte{0, 1, 2, 255}); err != nil {
		t.Fatal(err)
	}
	typ, data, err := r.Conn.ReadMessage()
	if err != nil || typ != gws.BinaryMessage || string(data) != "\x00\x01\x02\xff" {
		t.Fatalf("binary echo %d %q %v", typ, data, err)
	}
	r.Send("{not json")
	typ, data, err = r.Conn.ReadMessage()
	if err != nil || typ != gws.TextMessage || string(data) != "{not json" {
		t.Fatalf("text echo %d %q %v", typ, data, err)
	}
	if _, err := st.TryDial(t, p.URL, nil); err == nil {
		t.Error("no key, yet the handshake passed")
	}
}

func TestMessageAndSpec(t *testing.T) {
	cases := []struct {
		spec, frame, err string
	}{
		{`"hello"`, "hello", ""},
		{`"{\"a\":1}"`, `{"a":1}`, ""},
		{"{ \"a\" : [1, 2] }", `{"a":[1,2]}`, ""},
		{`42`, `42`, ""},
		{`""`, "", "the text is empty"},
		{`{"a":`, "", "line 1, column 6"},
		{`"a" "b"`, "", "unexpected data after"},
	}
	for _, c := range cases {
		got, err := ws.Message(json.RawMessage(c.spec))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.spec, err, c.err)
			}
			continue
		}
		if err != nil || string(got) != c.frame {
			t.Errorf("%s: %q, %v", c.spec, got, err)
		}
		// SpecOf is the way back.
		if back, err := ws.Message(ws.SpecOf(got)); err != nil || string(back) != c.frame {
			t.Errorf("SpecOf(%q) = %s", got, ws.SpecOf(got))
		}
	}
}

func TestSubscriptionOfAndCheckMessage(t *testing.T) {
	d := ws.Dialect{}
	for frame, want := range map[string]bool{
		`{"type":"subscribe","channel":"ticker"}`: true,
		`{"method":"SUBSCRIBE","params":["x"]}`:   true,
		`{"event":"subscribe"}`:                   true,
		`{"op":"unsubscribe"}`:                    false,
		`{"type":"ping"}`:                         false,
		`subscribe`:                               false,
	} {
		spec, ok := d.SubscriptionOf([]byte(frame))
		if ok != want || ok && string(spec) != frame {
			t.Errorf("%s: %s %v", frame, spec, ok)
		}
	}
	if d.CheckMessage([]byte("anything at all")) != nil || d.CheckMessage(nil) == nil {
		t.Error("CheckMessage")
	}
	for _, tpl := range d.Templates() {
		// Each is a frame as the composer sends it, and a subscription once quoted as
		// the frame's spec.
		if err := d.CheckMessage([]byte(tpl.JSON)); err != nil {
			t.Errorf("template %s: %v", tpl.Name, err)
		}
		if msg, err := ws.Message(ws.SpecOf([]byte(tpl.JSON))); err != nil || string(msg) != tpl.JSON {
			t.Errorf("template %s as a subscription: %q %v", tpl.Name, msg, err)
		}
	}
}

func TestSettingsChecked(t *testing.T) {
	d := ws.Dialect{}
	for _, c := range []struct {
		s    map[string]string
		want string
	}{
		{nil, ""},
		{map[string]string{ws.SettingKind: "/a/b~1c /0", ws.SettingSummary: "{/a}: {} {/x~0y}"}, ""},
		{map[string]string{ws.SettingKind: "/a~2"}, "~ must be followed by 0 or 1"},
		{map[string]string{ws.SettingSummary: "{/a} {/b"}, "is not closed"},
		{map[string]string{ws.SettingSummary: "{a}"}, "must start with /"},
	} {
		err := d.CheckSettings(c.s)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%v: %v, want %q", c.s, err, c.want)
		}
	}
}

func TestDecoder(t *testing.T) {
	kind, _ := ws.ParsePointer("/meta/a~1b")
	idx, _ := ws.ParsePointer("/items/1/name")
	tpl, err := ws.ParseTemplate("{/items/1/name} ({/items}) {/missing}!")
	if err != nil {
		t.Fatal(err)
	}
	d := ws.Decoder{Kind: []ws.Pointer{kind, idx}, Summary: tpl}
	cases := []struct {
		name         string
		frame        string
		binary       bool
		kind, prefix string
	}{
		{"pointer with escape", `{"meta":{"a/b":"hit"},"items":[]}`, false, "hit", " ([]) !"},
		{"array index", `{"items":[{"name":"x"},{"name":"second"}]}`, false, "second", `second ([{"name":"x"},{"name":"second"}]) !`},
		{"no kind", `{"z":1}`, false, ws.KindText, " () !"},
		{"binary JSON", `{"items":[0,{"name":"b"}]}`, true, "b", "b ("},
		{"not JSON", "tru", false, ws.KindText, "tru"},
		{"multi-line text", "a\nb\tc", false, ws.KindText, "a b c"},
		{"bytes", "\x00\x01", true, ws.KindBinary, "2 bytes: 00 01"},
		{"empty binary", "", true, ws.KindBinary, "0 bytes"},
		{"invalid UTF-8 text", "\xff\xfe", false, ws.KindText, "\xff\xfe"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e session.Event
			if c.binary {
				e = d.Binary([]byte(c.frame))
			} else {
				e = d.Text([]byte(c.frame))
			}
			if e.Kind != c.kind || !strings.HasPrefix(e.Summary, c.prefix) {
				t.Errorf("kind %q summary %q", e.Kind, e.Summary)
			}
			isJSON(t, e)
		})
	}
	var def ws.Decoder
	e := def.Text([]byte(`{"op":"x","a":"` + strings.Repeat("y", 100) + `","b":{"c":1},"n":null,"t":true,"f":1.50,"g":2}`))
	if e.Kind != "x" || e.Summary != "a="+strings.Repeat("y", 60)+"… n=null t=true f=1.50" {
		t.Errorf("default summary %q (kind %q)", e.Summary, e.Kind)
	}
	if e := def.Text([]byte(`[1,2]`)); e.Summary != "[2 items] [1,2]" {
		t.Errorf("array summary %q", e.Summary)
	}
	if e := def.Text([]byte(`{"type":{"nested":1}, "x":{}}`)); e.Kind != ws.KindText || e.Summary != `{"type":{"nested":1},"x":{}}` {
		t.Errorf("object kind: %q %q", e.Kind, e.Summary)
	}
	if e := def.Binary([]byte(strings.Repeat("\x01", 20))); !strings.HasSuffix(e.Summary, "01 …") {
		t.Errorf("long binary %q", e.Summary)
	}
}

// FuzzDecoder: any frame, text or binary, makes one event whose Raw is JSON and whose
// kind is set; never an error event, never a panic.
func FuzzDecoder(f *testing.F) {
	for _, s := range []string{`{"type":"a","b":[1,{"c":2}]}`, `"str"`, `[`, "plain", "\xff", `{"op":null}`, `1e999`, `{"a":1}{}`} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	kind, _ := ws.ParsePointer("/b/1/c")
	tpl, _ := ws.ParseTemplate("{/type}{}{/b/0}")
	decs := []ws.Decoder{{}, {Kind: []ws.Pointer{kind}, Summary: tpl}}
	f.Fuzz(func(t *testing.T, b []byte, binary bool) {
		for _, d := range decs {
			e := d.Text(b)
			if binary {
				e = d.Binary(b)
			}
			if e.Kind == "" || e.Kind == "error" || !json.Valid(e.Raw) || !json.Valid(e.AppendJSON(nil)) {
				t.Fatalf("%q: %+v", b, e)
			}
		}
		// The one-pass scan agrees with encoding/json on the default kind.
		var m map[string]any
		if json.Unmarshal(b, &m) == nil && !binary {
			e := decs[0].Text(b)
			if typ, ok := m["type"].(string); ok && typ != "" && !strings.ContainsAny(typ, "\r\n\t") && e.Kind != session.Shorten(typ, 64) {
				t.Fatalf("%q: kind %q, encoding/json says /type is %q", b, e.Kind, typ)
			}
		}
	})
}

func TestDescribeSub(t *testing.T) {
	d := ws.Dialect{}
	for spec, want := range map[string]string{
		`"hello"`:                `text "hello"`,
		`{"type": "subscribe"}`:  `JSON {"type":"subscribe"}`,
		`"{\"looks\":\"json\"}"`: `JSON {"looks":"json"}`,
		`{`:                      ``,
	} {
		if got := d.DescribeSub(json.RawMessage(spec)); got != want {
			t.Errorf("%s: %q, want %q", spec, got, want)
		}
	}
	if err := d.CheckSub(d.DefaultSub()); err != nil {
		t.Error(err)
	}
}

func TestDetailTextDumpsBinary(t *testing.T) {
	var dec ws.Decoder
	d := ws.Dialect{}
	e := dec.Binary([]byte("FSC\x01\x00\xffabc"))
	e.Dialect = ws.Name
	got, ok := d.DetailText(&e)
	if !ok || !strings.HasPrefix(got, "9 bytes (binary frame)\n\n00000000  46 53 43 01 00 ff 61 62  63 ") || !strings.Contains(got, "|FSC...abc|") {
		t.Fatalf("%v %q", ok, got)
	}
	big := dec.Binary(make([]byte, 5000))
	if got, ok := d.DetailText(&big); !ok || !strings.HasSuffix(got, "… 904 more bytes\n") {
		t.Fatalf("big: %q", got[len(got)-40:])
	}
	for _, e := range []session.Event{dec.Text([]byte(`{"binary":"AAE=","size":2}`)), dec.Binary([]byte(`{"x":1}`))} {
		if _, ok := d.DetailText(&e); ok {
			t.Errorf("%s %s dumped", e.Kind, e.Raw)
		}
	}
}

// Backoff: exponential from 0.5 s to 30 s, with jitter so clients do not reconnect in
// step.
func TestPolicyBacksOffWithJitter(t *testing.T) {
	pol := ws.Dialect{}.Policy()
	seen := map[time.Duration]bool{}
	for range 20 {
		d := pol.Delay(1)
		if d < 500*time.Millisecond || d > 625*time.Millisecond {
			t.Fatalf("first delay %s", d)
		}
		seen[d] = true
	}
	if len(seen) < 2 {
		t.Error("no jitter")
	}
	if d := pol.Delay(4); d < 4*time.Second || d > 5*time.Second {
		t.Errorf("fourth delay %s", d)
	}
	if d := pol.Delay(30); d < 30*time.Second || d > 37500*time.Millisecond {
		t.Errorf("capped delay %s", d)
	}
}

// A 403 is as final as a 401.
func TestForbiddenEndsRetrying(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not for you", http.StatusForbidden)
	}))
	defer srv.Close()
	s, c := st.Connect(t, session.Profile{Name: "f", Dialect: ws.Name, URL: "ws" + strings.TrimPrefix(srv.URL, "http") + "/feed"})
	ev, _ := c.WaitKind(t, 0, session.DirState, session.StateClosed)
	if s.Status().Phase != session.PhaseRejected || !strings.Contains(ev.Summary, "403") {
		t.Errorf("%s: %q", s.Status().Phase, ev.Summary)
	}
}

func TestRawFrameUndoesTheTextWrapper(t *testing.T) {
	var dec ws.Decoder
	d := ws.Dialect{}
	for frame, want := range map[string]string{"plain text": "plain text", `"quoted"`: `"quoted"`} {
		e := dec.Text([]byte(frame))
		e.Dir = session.DirIn
		if got, ok := d.RawFrame(&e); !ok || string(got) != want {
			t.Errorf("%q: %q %v", frame, got, ok)
		}
	}
	for _, e := range []session.Event{dec.Text([]byte(`{"a":1}`)), dec.Binary([]byte{1, 2})} {
		e.Dir = session.DirIn
		if _, ok := d.RawFrame(&e); ok {
			t.Errorf("%s: its Raw is its frame", e.Raw)
		}
	}
}
