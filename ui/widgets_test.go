package ui

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/feedscope/feedscope/session"
	_ "github.com/feedscope/feedscope/session/gotham"
	_ "github.com/feedscope/feedscope/session/hypothesis"
	_ "github.com/feedscope/feedscope/session/isymphony"
	_ "github.com/feedscope/feedscope/session/misskey"
)

func fill(m *Model, n int) {
	for i := 0; i < n; i++ {
		m.ring.Publish(ev("p", "in", "note", "row"))
	}
	_, last := m.ring.Bounds()
	m.Advance(last)
}

// The long-table trap: at the ring's full size, scroll-to-row and follow-tail must
// land exactly.
func TestEventListAtFullSize(t *testing.T) {
	test.NewTempApp(t)
	m := NewModel(session.NewRing(session.DefaultRingCap))
	fill(m, session.DefaultRingCap)
	l := NewEventList(m)
	w := test.NewWindow(l)
	defer w.Close()
	w.Resize(fyne.NewSize(900, 600))
	vis := l.VisibleRows()
	if vis < 10 {
		t.Fatalf("only %d rows visible", vis)
	}
	if !l.Following() || l.Offset() != m.Len()-vis {
		t.Fatalf("following: offset %d, want %d", l.Offset(), m.Len()-vis)
	}
	l.ScrollToRow(50_000)
	if l.Following() || l.Offset() != 50_000-vis/2 {
		t.Fatalf("ScrollToRow(50000): offset %d, want %d", l.Offset(), 50_000-vis/2)
	}
	l.Select(50_000)
	if l.Selected() != 50_000 {
		t.Fatalf("selected %d", l.Selected())
	}
	// New events evict old ones: the view keeps its place on the same events.
	seq := m.Seq(l.Offset())
	fill(m, 1000)
	l.Appended(1000)
	if m.Seq(l.Offset()) != seq || l.Selected() != 49_000 {
		t.Fatalf("view moved: seq %d → %d, selected %d", seq, m.Seq(l.Offset()), l.Selected())
	}
	l.SetFollowing(true)
	fill(m, 1000)
	l.Appended(1000)
	if l.Offset() != m.Len()-vis {
		t.Fatalf("follow at full size: offset %d, want %d", l.Offset(), m.Len()-vis)
	}
}

func TestEventListScrollingStopsFollowing(t *testing.T) {
	test.NewTempApp(t)
	m := NewModel(session.NewRing(1000))
	fill(m, 500)
	l := NewEventList(m)
	w := test.NewWindow(l)
	defer w.Close()
	w.Resize(fyne.NewSize(900, 400))
	changes := 0
	l.OnFollowChanged = func(bool) { changes++ }
	test.Scroll(w.Canvas(), fyne.NewPos(100, 100), 0, 120)
	if l.Following() || changes != 1 {
		t.Fatalf("scrolling up should stop following (following=%v changes=%d)", l.Following(), changes)
	}
	before := l.Offset()
	fill(m, 10)
	l.Appended(0)
	if l.Offset() != before {
		t.Fatalf("scrolled-back view moved from %d to %d", before, l.Offset())
	}
	test.Scroll(w.Canvas(), fyne.NewPos(100, 100), 0, -100000)
	if !l.Following() {
		t.Fatal("scrolling to the bottom should follow again")
	}
	var picked *session.Event
	l.OnSelected = func(e *session.Event) { picked = e }
	test.TapCanvas(w.Canvas(), fyne.NewPos(100, l.rowSize.Height*2.5))
	if picked == nil || l.Following() || l.Selected() != l.Offset()+1 {
		t.Fatalf("tap: picked %v following %v selected %d offset %d", picked, l.Following(), l.Selected(), l.Offset())
	}
}

func TestProfileForm(t *testing.T) {
	test.NewTempApp(t)
	taken := func(n string) bool { return n == "existing" }
	cases := []struct {
		name            string
		profile         session.Profile
		want            string
		fix, afterFix   bool
		wantURLAfterFix string
	}{
		{"valid misskey", session.Profile{Name: "m", Dialect: "misskey", URL: "wss://misskey.io/streaming"}, "", false, false, ""},
		{"name taken", session.Profile{Name: "existing", Dialect: "misskey", URL: "wss://misskey.io/streaming"}, "already called", false, false, ""},
		{"http URL", session.Profile{Name: "m", Dialect: "misskey", URL: "https://misskey.io/streaming"}, "scheme must be ws or wss", false, false, ""},
		{"gotham without preview", session.Profile{Name: "g", Dialect: "gotham", URL: "wss://gotham.example/api/ws/gotham/v1/observations/spec1"}, "needs preview=true", true, true,
			"wss://gotham.example/api/ws/gotham/v1/observations/spec1?preview=true"},
		{"gotham without spec", session.Profile{Name: "g", Dialect: "gotham", URL: "wss://gotham.example/api/ws/gotham/v1/"}, "observationSpecId", false, false, ""},
		{"isymphony creds in URL", session.Profile{Name: "i", Dialect: "isymphony", URL: "ws://manager:pw@pbx:58080/communication_manager/ws/event"}, "move them to User and Password", true, true,
			"ws://pbx:58080/communication_manager/ws/event"},
		{"bad subscription", session.Profile{Name: "m", Dialect: "misskey", URL: "wss://x/streaming", Subs: []json.RawMessage{json.RawMessage(`{"channel":"main","params":null}`)}}, `line 1: misskey sub: "params" must be an object`, false, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := NewProfileForm(c.profile, taken, "a test store")
			if c.want == "" {
				if f.Save.Disabled() || f.Problem.Text != "" {
					t.Fatalf("valid profile refused: %q", f.Problem.Text)
				}
				return
			}
			if !f.Save.Disabled() || !strings.Contains(f.Problem.Text, c.want) {
				t.Fatalf("problem %q (save disabled %v), want %q", f.Problem.Text, f.Save.Disabled(), c.want)
			}
			if c.fix != f.Fix.Visible() {
				t.Fatalf("fix visible %v, want %v", f.Fix.Visible(), c.fix)
			}
			if c.fix {
				test.Tap(f.Fix)
				if f.URL.Text != c.wantURLAfterFix || f.Save.Disabled() != !c.afterFix {
					t.Fatalf("after fix: URL %q, save disabled %v (problem %q)", f.URL.Text, f.Save.Disabled(), f.Problem.Text)
				}
			}
		})
	}
}

func TestProfileFormTyping(t *testing.T) {
	test.NewTempApp(t)
	f := NewProfileForm(session.Profile{Dialect: "misskey"}, nil, "a test store")
	var saved *session.Profile
	f.OnSave = func(p session.Profile) { saved = &p }
	test.Type(f.Name, "work")
	test.Type(f.URL, "ws://")
	if !f.Save.Disabled() {
		t.Fatal("an incomplete URL was accepted")
	}
	test.Type(f.URL, "127.0.0.1:9/streaming")
	test.Type(f.Token, "tok-abcdef")
	f.VerifyTLS.SetChecked(false)
	if f.Save.Disabled() || !strings.Contains(f.Problem.Text, "will not be verified") {
		t.Fatalf("TLS warning missing: %q", f.Problem.Text)
	}
	test.Tap(f.Save)
	if saved == nil || saved.Name != "work" || saved.Token != "tok-abcdef" || !saved.InsecureSkipVerify || saved.ReadLimit != session.DefaultReadLimit {
		t.Fatalf("saved %+v", saved)
	}
}

func TestDetailTree(t *testing.T) {
	a := test.NewTempApp(t)
	d := NewDetail(a)
	w := test.NewWindow(d.Content)
	defer w.Close()
	e := ev("p", "in", "note", "@alice: hi")
	e.Raw = json.RawMessage(`{"type":"channel","body":{"id":"1","type":"note","body":{"id":"9zx8c7v6b5","tags":["demo","go"]}}}`)
	d.Show(&e)
	if got := d.childIDs(""); strings.Join(got, ",") != "/body,/type" {
		t.Fatalf("root children %v", got)
	}
	if !d.isBranch("/body/body/tags") || d.isBranch("/body/id") {
		t.Fatal("branch detection")
	}
	d.SelectPath("/body/body/id")
	if d.Value() != "9zx8c7v6b5" {
		t.Fatalf("value %q", d.Value())
	}
	test.Tap(d.copyVal)
	if got := a.Clipboard().Content(); got != "9zx8c7v6b5" {
		t.Fatalf("clipboard %q", got)
	}
	test.Tap(d.copyRaw)
	if got := a.Clipboard().Content(); got != string(e.Raw) {
		t.Fatalf("clipboard %q", got)
	}
	if !strings.Contains(d.pretty.Text, "\n  \"body\": {") {
		t.Fatalf("pretty text:\n%s", d.pretty.Text)
	}
}

func TestExport(t *testing.T) {
	e := ev("demo-gotham", "in", "data", "MV Example, \"quoted\"")
	e.Geo = &session.Point{Lon: -77.06, Lat: 38.9}
	e.Raw = json.RawMessage(`{"trackId":"track0"}`)
	events := []session.Event{e, ev("demo-misskey", "state", "open", "connected")}
	var nd bytes.Buffer
	if err := Export(&nd, FormatNDJSON, events, nil, nil); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(nd.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	var back session.Event
	if err := json.Unmarshal([]byte(lines[0]), &back); err != nil || back.Geo.Lon != -77.06 || string(back.Raw) != `{"trackId":"track0"}` {
		t.Fatalf("round trip: %v %+v", err, back)
	}
	var csvb bytes.Buffer
	if err := Export(&csvb, FormatCSV, events, nil, nil); err != nil {
		t.Fatal(err)
	}
	want := "time,profile,dialect,dir,sub,kind,summary,lon,lat,raw\n1970-01-01T00:00:00Z,demo-gotham,misskey,in,1,data,\"MV Example, \"\"quoted\"\"\",-77.06,38.9,\"{\"\"trackId\"\":\"\"track0\"\"}\"\n"
	if !strings.HasPrefix(csvb.String(), want) {
		t.Fatalf("csv:\n%s", csvb.String())
	}
	cancel := make(chan struct{})
	close(cancel)
	if err := Export(&bytes.Buffer{}, FormatCSV, make([]session.Event, 10), nil, cancel); err == nil {
		t.Fatal("cancel ignored")
	}
}

// Headers and subprotocols are every dialect's; header values are secrets, typed
// into password entries; a dialect's own fields land in Settings.
func TestProfileFormHeadersAndDialectFields(t *testing.T) {
	test.NewTempApp(t)
	saved := profileFields["misskey"]
	registerProfileFields("misskey", func() ProfileFields { return &testFields{entry: widget.NewEntry()} })
	defer func() { profileFields["misskey"] = saved }()
	f := NewProfileForm(session.Profile{Name: "w", Dialect: "misskey", URL: "ws://127.0.0.1:9/streaming",
		Settings: map[string]string{"kind": "/op"}}, nil, "a test store")
	var got *session.Profile
	f.OnSave = func(p session.Profile) { got = &p }
	if f.Extra == nil || f.Extra.(*testFields).entry.Text != "/op" {
		t.Fatal("the dialect's fields were not loaded from Settings")
	}
	test.Tap(f.Headers.content.Objects[1].(*fyne.Container).Objects[0].(*widget.Button))
	row := f.Headers.rows[0]
	if !row[1].(*widget.Entry).Password {
		t.Fatal("a header value is typed in the clear")
	}
	test.Type(row[0].(*widget.Entry), "x api key")
	if !f.Save.Disabled() || !strings.Contains(f.Problem.Text, "not a header name") {
		t.Fatalf("bad header name accepted: %q", f.Problem.Text)
	}
	row[0].(*widget.Entry).SetText("x-api-key")
	test.Type(row[1].(*widget.Entry), "hdr-secret")
	test.Type(f.Subprotocols, "v1.feed, json")
	f.Extra.(*testFields).entry.SetText("/type")
	test.Tap(f.Save)
	if got == nil || got.Headers["X-Api-Key"] != "hdr-secret" || strings.Join(got.Subprotocols, "|") != "v1.feed|json" || got.Settings["kind"] != "/type" {
		t.Fatalf("saved %+v", got)
	}
	f.Dialect.SetSelected("hypothesis")
	if f.Extra != nil {
		t.Fatal("hypothesis has no fields of its own")
	}
}

// Gotham's subscribe timeout is a profile setting, checked as a duration.
func TestProfileFormDialectTimeout(t *testing.T) {
	test.NewTempApp(t)
	f := NewProfileForm(session.Profile{Name: "g", Dialect: "gotham", URL: "wss://g.example/api/ws/gotham/v1/observations/s?preview=true",
		Settings: map[string]string{"subscribeTimeout": "20s"}}, nil, "a test store")
	e := f.Extra.(*durationField).entry
	if e.Text != "20s" {
		t.Fatalf("loaded %q", e.Text)
	}
	test.Type(e, "x")
	if !f.Save.Disabled() || !strings.Contains(f.Problem.Text, "subscribe timeout must be a duration such as 10s") {
		t.Fatalf("bad duration: %q", f.Problem.Text)
	}
	e.SetText("3s")
	p, err := f.Profile()
	if err != nil || p.Settings["subscribeTimeout"] != "3s" {
		t.Fatalf("%v %+v", err, p.Settings)
	}
}

// The trust fields: CA bundle, client certificate and its key (shown only as
// "loaded"), proxy; a certificate needs its key, a proxy must be a URL or direct.
func TestProfileFormTrustFields(t *testing.T) {
	test.NewTempApp(t)
	const key = "-----BEGIN EC PRIVATE KEY-----\nc2VjcmV0LWtleQ==\n-----END EC PRIVATE KEY-----\n"
	f := NewProfileForm(session.Profile{Name: "t", Dialect: "misskey", URL: "wss://feed.example/streaming"}, nil, "a test store")
	var saved *session.Profile
	f.OnSave = func(p session.Profile) { saved = &p }
	test.Type(f.CAFile, "/etc/ssl/internal-ca.pem")
	test.Type(f.CertFile, "/etc/feedscope/client.pem")
	if !f.Save.Disabled() || !strings.Contains(f.Problem.Text, "needs both its certificate file and its key") {
		t.Fatalf("certificate without key: %q", f.Problem.Text)
	}
	f.SetClientKey(key)
	if strings.Contains(f.KeyStatus.Text, "c2VjcmV0") || !strings.HasPrefix(f.KeyStatus.Text, "key loaded") {
		t.Fatalf("key status %q", f.KeyStatus.Text)
	}
	test.Type(f.Proxy, "proxy.example:3128")
	if !f.Save.Disabled() || !strings.Contains(f.Problem.Text, "proxy must be a URL") {
		t.Fatalf("bad proxy: %q", f.Problem.Text)
	}
	f.Proxy.SetText("http://proxy.example:3128")
	test.Tap(f.Save)
	if saved == nil || saved.CAFile != "/etc/ssl/internal-ca.pem" || saved.CertFile != "/etc/feedscope/client.pem" ||
		saved.ClientKey != key || saved.Proxy != "http://proxy.example:3128" {
		t.Fatalf("saved %+v", saved)
	}
	// Reopened, the form holds the same without showing the key.
	g := NewProfileForm(*saved, nil, "a test store")
	if g.CAFile.Text != saved.CAFile || !strings.HasPrefix(g.KeyStatus.Text, "key loaded") || g.Proxy.Text != saved.Proxy {
		t.Fatalf("reopened: %q %q %q", g.CAFile.Text, g.KeyStatus.Text, g.Proxy.Text)
	}
}

type testFields struct {
	onChange
	entry *widget.Entry
}

func (f *testFields) Items() []*widget.FormItem {
	return []*widget.FormItem{widget.NewFormItem("Kind", f.entry)}
}
func (f *testFields) Load(s map[string]string) {
	f.entry.SetText(s["kind"])
	f.entry.OnChanged = func(string) { f.changed() }
}
func (f *testFields) Settings() (map[string]string, error) {
	return map[string]string{"kind": f.entry.Text}, nil
}

// Cancel may be tapped again while the export winds down: the second tap once
// closed the channel twice and panicked.
func TestExportCancelTwice(t *testing.T) {
	test.NewTempApp(t)
	run := newExportRun(10_000)
	test.Tap(run.stop)
	test.Tap(run.stop) // disabled: a tap does nothing
	run.abort()        // nor does a second abort
	if !run.stop.Disabled() || run.stop.Text != "Cancelling…" {
		t.Fatalf("after cancel: disabled %v, text %q", run.stop.Disabled(), run.stop.Text)
	}
	err := Export(&bytes.Buffer{}, FormatNDJSON, make([]session.Event, 10_000), nil, run.cancel)
	if err == nil || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("export after cancel: %v", err)
	}
}
