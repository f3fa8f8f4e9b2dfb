package ui

import (
	"encoding/json"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/feedscope/feedscope/session"
	st "github.com/feedscope/feedscope/session/sessiontest"
)

func compact(t *testing.T, s json.RawMessage) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(s, &v); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func TestHypothesisForm(t *testing.T) {
	test.NewTempApp(t)
	f := newHypothesisForm()
	row := f.clauses.add()
	row[0].(*widget.Select).SetSelected("/uri")
	test.Type(row[1].(*widget.Entry), "https://example.com/post, https://example.org/")
	f.delete.SetChecked(false)
	spec, err := f.Spec()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"actions":{"create":true,"delete":false,"update":true},"clauses":[{"field":"/uri","operator":"one_of","value":["https://example.com/post","https://example.org/"]}],"match_policy":"include_any"}`
	if got := compact(t, spec); got != want {
		t.Fatalf("spec %s\nwant %s", got, want)
	}
	row2 := f.clauses.add()
	row2[0].(*widget.Select).SetSelected("/group")
	if _, err := f.Spec(); err == nil || err.Error() != "clause 2 (/group): give at least one value" {
		t.Fatalf("empty clause: %v", err)
	}
	f.Load(json.RawMessage(`{"match_policy":"include_any","clauses":[{"field":"/id","value":"a1"}],"actions":{"create":true}}`))
	if len(f.clauses.rows) != 1 || f.clauses.rows[0][1].(*widget.Entry).Text != "a1" || f.update.Checked {
		t.Fatal("Load did not fill the form")
	}
}

func TestMisskeyForm(t *testing.T) {
	test.NewTempApp(t)
	f := newMisskeyForm()
	f.flags["withRenotes"].SetChecked(false)
	f.flags["withFiles"].SetChecked(true)
	spec, _ := f.Spec()
	if got := compact(t, spec); got != `{"channel":"localTimeline","params":{"withFiles":true,"withRenotes":false}}` {
		t.Fatalf("timeline: %s", got)
	}
	f.channel.SetSelected("hashtag")
	if _, err := f.Spec(); err == nil || err.Error() != "hashtag needs at least one tag" {
		t.Fatalf("empty hashtag: %v", err)
	}
	test.Type(f.hashtags, "go #fyne\nmisskey")
	spec, _ = f.Spec()
	if got := compact(t, spec); got != `{"channel":"hashtag","params":{"q":[["go","fyne"],["misskey"]]}}` {
		t.Fatalf("hashtag: %s", got)
	}
	f.channel.SetSelected("userList (login)")
	if _, err := f.Spec(); err == nil || err.Error() != "userList needs listId" {
		t.Fatalf("userList: %v", err)
	}
	test.Type(f.ids["listId"], "9l1st")
	spec, _ = f.Spec()
	if got := compact(t, spec); got != `{"channel":"userList","params":{"listId":"9l1st"}}` {
		t.Fatalf("userList: %s", got)
	}
	f.channel.SetSelected("serverStats")
	spec, _ = f.Spec()
	if got := compact(t, spec); got != `{"channel":"serverStats"}` {
		t.Fatalf("serverStats: %s (params must be omitted, never null)", got)
	}
}

func TestGothamForm(t *testing.T) {
	test.NewTempApp(t)
	f := newGothamForm()
	spec, err := f.Spec()
	if err != nil || string(spec) != `{}` {
		t.Fatalf("empty form: %s %v", spec, err)
	}
	test.Type(f.start, "2025-03-01T00:00:00Z")
	test.Type(f.end, "2025-03-02T00:00:00Z")
	test.Type(f.property, "callsign")
	test.Type(f.values, `"WDX1234", 12.5`)
	spec, err = f.Spec()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"property":{"property":"callsign","values":["WDX1234",12.5]},"time":{"end":"2025-03-02T00:00:00Z","start":"2025-03-01T00:00:00Z"}}`
	if got := compact(t, spec); got != want {
		t.Fatalf("spec %s\nwant %s", got, want)
	}
	// The docs' sample polygon, typed as it is: clockwise, which the service takes,
	// so it is sent with a warning (and Repair turns it), never refused.
	f.location.SetText("-77.0597, 38.9033\n-77.0613, 38.9028\n-77.0628, 38.9052\n-77.0601, 38.9052\n-77.0597, 38.9033")
	if _, err := f.Spec(); err != nil || !f.warn.Visible() || !strings.Contains(f.warn.Text, "runs clockwise") {
		t.Fatalf("clockwise: %v, warning %q", err, f.warn.Text)
	}
	f.location.SetText("-77.0597, 38.9033\n-77.0613, 38.9028\n-77.0628, 38.9052\n-77.0601, 38.9052")
	if _, err := f.Spec(); err == nil || !strings.Contains(err.Error(), "polygon must be closed") {
		t.Fatalf("unclosed: %v", err)
	}
	test.Tap(f.repair)
	if _, err := f.Spec(); err != nil {
		t.Fatalf("after repair: %v\n%s", err, f.location.Text)
	}
	f.start.SetText("yesterday")
	if _, err := f.Spec(); err == nil || !strings.Contains(err.Error(), "time.start") {
		t.Fatalf("bad time: %v", err)
	}
}

func TestISymphonyForm(t *testing.T) {
	test.NewTempApp(t)
	f := newISymphonyForm()
	for _, pv := range [][2]string{{"type", "userLogin"}, {"type", "userLogout"}, {"username", "mikey"}} {
		row := f.rows.add()
		test.Type(row[0].(*widget.Entry), pv[0])
		test.Type(row[1].(*widget.Entry), pv[1])
	}
	if f.explain.Text != "Passes: type is userLogin or userLogout, and username is mikey" {
		t.Fatalf("explanation %q", f.explain.Text)
	}
	spec, _ := f.Spec()
	if got := compact(t, spec); got != `[{"property":"type","value":"userLogin"},{"property":"type","value":"userLogout"},{"property":"username","value":"mikey"}]` {
		t.Fatalf("spec %s", got)
	}
	f.rows.rows[2][0].(*widget.Entry).SetText("")
	if _, err := f.Spec(); err == nil || err.Error() != "filter 3: the property is empty" {
		t.Fatalf("empty property: %v", err)
	}
}

func TestComposerParseErrors(t *testing.T) {
	a := newTestApp(t, false)
	if err := a.ctl.Put("", session.Profile{Name: "g", Dialect: "gotham", URL: "ws://127.0.0.1:1/api/ws/gotham/v1/observations/x?preview=true"}); err != nil {
		t.Fatal(err)
	}
	c := a.composer
	c.SetProfile("g")
	cases := []struct{ text, want string }{
		{"{\n  \"type\": \"subscribe\",\n  \"query\": {\n}", "JSON: line 4, column 2: the input ends early"},
		{"{\"type\": \"subscribe\" \"query\": {}}", "JSON: line 1, column 22"},
		{`{"type":"subscribe","query":{"location":[{"longitude":1,"latitude":1},{"longitude":2,"latitude":1},{"longitude":2,"latitude":2},{"longitude":1,"latitude":2}]}}`,
			"gotham subscribe: location: polygon must be closed (first point = last point)"},
		{`{"type":"subscribe","query":{}}`, "Looks right. Sent as a tracked subscription"},
		{`{"type":"hello"}`, `gotham: unknown message type "hello"`},
	}
	for _, cs := range cases {
		c.editor.SetText(cs.text)
		if !strings.HasPrefix(c.status.Text, cs.want) {
			t.Errorf("%q:\n got %q\nwant %q", cs.text, c.status.Text, cs.want)
		}
		// Only a message the check finds wrong offers the unchecked send, in a
		// warning's colour; one that looks right has one button, Send.
		right := strings.HasPrefix(cs.want, "Looks right")
		if c.send.Disabled() == right || c.sendRaw.Visible() == right {
			t.Errorf("%q: send disabled %v, send anyway shown %v", cs.text, c.send.Disabled(), c.sendRaw.Visible())
		}
		if c.sendRaw.Importance != widget.WarningImportance || c.send.Importance != widget.HighImportance {
			t.Errorf("importance: send anyway %v, send %v", c.sendRaw.Importance, c.send.Importance)
		}
	}
	c.editor.SetText("")
	if !c.send.Disabled() || c.sendRaw.Visible() {
		t.Fatal("an empty editor offers no send")
	}
	c.templates.SetSelected("subscribe polygon")
	if c.send.Disabled() || c.sendRaw.Visible() {
		t.Fatalf("template refused: %s", c.status.Text)
	}
}

// Forms applied against the real demo server: the subscription goes live, events
// arrive for it, a replay after a dropped connection keeps the row and its counter
// goes on, and everything is saved with the profile.
func TestSubManagerAgainstDemo(t *testing.T) {
	srv := st.StartDemo(t, 20)
	a := newTestApp(t, false)
	p := session.Profile{Name: "mk", Dialect: "misskey", URL: srv.URL("misskey"), Token: "t0ken-123456"}
	addProfile(t, a, p)
	m := a.subs
	stepUntil(t, a, "open", func() bool { return a.states["mk"].Status.Phase == session.PhaseOpen })
	f := m.form.(*misskeyForm)
	f.channel.SetSelected("serverStats")
	test.Tap(m.apply)
	stepUntil(t, a, "serverStats live with events", func() bool {
		subs := a.states["mk"].Subs
		return len(subs) == 1 && subs[0].State == session.SubLive && subs[0].Events > 0
	})
	if saved, _ := a.ctl.Profile("mk"); len(saved.Subs) != 1 || string(saved.Subs[0]) != `{"channel":"serverStats"}` {
		t.Fatalf("saved subs %s", saved.Subs)
	}
	// History fills the chart from the reply.
	d, _ := session.Lookup("misskey")
	history := session.SubCommandsOf(d, json.RawMessage(`{"channel":"serverStats"}`), "1")
	if len(history) != 1 || history[0].Label != "History" {
		t.Fatalf("serverStats commands %+v", history)
	}
	m.run(history[0])
	stepUntil(t, a, "stats history", func() bool { return len(m.chart.Series) == 2 && len(m.chart.Series[0].Values) > 0 })

	before := a.states["mk"].Subs[0].Events
	srv.DropAll()
	stepUntil(t, a, "replayed and counting on", func() bool {
		subs := a.states["mk"].Subs
		return len(subs) == 1 && subs[0].ID == "1" && subs[0].Replays == 1 && subs[0].State == session.SubLive && subs[0].Events > before
	})
	if line := HealthLine(a.states["mk"].Subs[0], nil); !strings.Contains(line, "replayed 1×") {
		t.Fatalf("health line %q", line)
	}

	// Edit in place: the row keeps its id.
	m.edit("1")
	f.channel.SetSelected("localTimeline")
	f.flags["withRenotes"].SetChecked(false)
	test.Tap(m.apply)
	stepUntil(t, a, "row 1 now a timeline", func() bool {
		subs := a.states["mk"].Subs
		return len(subs) == 1 && subs[0].ID == "1" && strings.Contains(string(subs[0].Spec), "localTimeline") && subs[0].State == session.SubLive
	})
	m.remove("1")
	if saved, _ := a.ctl.Profile("mk"); len(saved.Subs) != 0 {
		t.Fatal("removed subscription still saved")
	}
}

func TestHypothesisPingAndWhoami(t *testing.T) {
	srv := st.StartDemo(t, 1)
	a := newTestApp(t, false)
	p := session.Profile{Name: "h", Dialect: "hypothesis", URL: srv.URL("hypothesis"), Token: "t0ken-123456"}
	addProfile(t, a, p)
	stepUntil(t, a, "open", func() bool { return a.states["h"].Status.Phase == session.PhaseOpen })
	test.Tap(a.subs.extras.Objects[0].(*widget.Button))
	stepUntil(t, a, "pong", func() bool { return strings.HasPrefix(a.subs.reply.Text, "Ping: pong after ") })
	test.Tap(a.subs.extras.Objects[1].(*widget.Button))
	stepUntil(t, a, "whoyouare", func() bool { return a.subs.reply.Text == "The server knows this socket as acct:demo@localhost" })
}
