package ui

import (
	"encoding/json"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/feedscope/feedscope/session"
	st "github.com/feedscope/feedscope/session/sessiontest"
	ws "github.com/feedscope/feedscope/session/websocket"
)

func TestWebSocketForm(t *testing.T) {
	test.NewTempApp(t)
	f, ok := NewSubForm(ws.Name).(*websocketForm)
	if !ok {
		t.Fatal("the websocket form is not registered")
	}
	if _, err := f.Spec(); err == nil || err.Error() != "the message is empty" {
		t.Fatalf("empty: %v", err)
	}
	// Text goes as typed, even when it looks like JSON.
	test.Type(f.text, `hello {"x"`)
	spec, err := f.Spec()
	if err != nil || string(spec) != `"hello {\"x\""` || !strings.HasPrefix(f.preview.Text, "Sends 10 bytes: text ") {
		t.Fatalf("text: %s %v, preview %q", spec, err, f.preview.Text)
	}
	f.as.SetSelected(wsAsJSON)
	if _, err := f.Spec(); err == nil || !strings.Contains(err.Error(), "line 1, column") || f.preview.Text != "" {
		t.Fatalf("bad JSON: %v, preview %q", err, f.preview.Text)
	}
	f.text.SetText("{\n  \"type\": \"subscribe\",\n  \"channel\": \"ticker\"\n}")
	spec, err = f.Spec()
	if err != nil || compact(t, spec) != `{"channel":"ticker","type":"subscribe"}` || !strings.Contains(f.preview.Text, `Sends 39 bytes: JSON {"type":"subscribe"`) {
		t.Fatalf("JSON: %s %v, preview %q", spec, err, f.preview.Text)
	}
	f.Load(json.RawMessage(`"ping"`))
	if f.as.Selected != wsAsText || f.text.Text != "ping" {
		t.Fatalf("Load text: %q %q", f.as.Selected, f.text.Text)
	}
	f.Load(json.RawMessage(`{"op":"ping"}`))
	if f.as.Selected != wsAsJSON || f.text.Text != "{\n  \"op\": \"ping\"\n}" {
		t.Fatalf("Load JSON: %q %q", f.as.Selected, f.text.Text)
	}
	// The default of a new form is a valid subscription.
	d, _ := session.Lookup(ws.Name)
	f.Load(session.DefaultSub(d))
	if spec, err := f.Spec(); err != nil || d.CheckSub(spec) != nil {
		t.Fatalf("default: %s %v", spec, err)
	}
}

// The profile form shows the kind pointers and the summary template, checks them as
// the session will, and saves only what differs from the defaults.
func TestWebSocketProfileFields(t *testing.T) {
	test.NewTempApp(t)
	f := NewProfileForm(session.Profile{Name: "w", Dialect: ws.Name, URL: "ws://127.0.0.1:9/feed",
		Settings: map[string]string{ws.SettingKind: "/event"}}, nil, "a test store")
	var saved *session.Profile
	f.OnSave = func(p session.Profile) { saved = &p }
	fields, ok := f.Extra.(*websocketFields)
	if !ok || fields.kind.Text != "/event" || fields.summary.Text != "" {
		t.Fatalf("fields %+v", f.Extra)
	}
	fields.kind.SetText("event")
	if !f.Save.Disabled() || !strings.Contains(f.Problem.Text, "must start with /") {
		t.Fatalf("bad pointer accepted: %q", f.Problem.Text)
	}
	fields.kind.SetText(ws.DefaultKind)
	test.Type(fields.summary, "{/user}: {/text")
	if !f.Save.Disabled() || !strings.Contains(f.Problem.Text, "is not closed") {
		t.Fatalf("bad template accepted: %q", f.Problem.Text)
	}
	fields.summary.SetText("{/user}: {/text}")
	fields.key.SetText("symbol")
	if !f.Save.Disabled() || !strings.Contains(f.Problem.Text, "websocket key") {
		t.Fatalf("bad key pointer accepted: %q", f.Problem.Text)
	}
	fields.key.SetText("/symbol")
	fields.label.SetText(ws.DefaultLabel)
	test.Tap(f.Save)
	if saved == nil || len(saved.Settings) != 2 || saved.Settings[ws.SettingSummary] != "{/user}: {/text}" || saved.Settings[ws.SettingKey] != "/symbol" {
		t.Fatalf("saved %+v", saved)
	}
}

// A message added in the subscription manager goes out, its echo counts for its row,
// and it is sent again after a dropped connection.
func TestWebSocketSubManagerAgainstDemo(t *testing.T) {
	srv := st.StartDemo(t, 20)
	a := newTestApp(t, false)
	p, _ := srv.Profile(ws.Name)
	p.Name, p.Subs = "ws", nil
	addProfile(t, a, p)
	m := a.subs
	stepUntil(t, a, "open", func() bool { return a.states["ws"].Status.Phase == session.PhaseOpen })
	f := m.form.(*websocketForm)
	f.text.SetText("hello from the manager")
	test.Tap(m.apply)
	stepUntil(t, a, "the message live and echoed", func() bool {
		subs := a.states["ws"].Subs
		return len(subs) == 1 && subs[0].State == session.SubLive && subs[0].Events > 0
	})
	if saved, _ := a.ctl.Profile("ws"); len(saved.Subs) != 1 || string(saved.Subs[0]) != `"hello from the manager"` {
		t.Fatalf("saved subs %s", saved.Subs)
	}
	before := a.states["ws"].Subs[0].Events
	srv.DropAll()
	stepUntil(t, a, "sent again after the reconnect", func() bool {
		subs := a.states["ws"].Subs
		return len(subs) == 1 && subs[0].Replays == 1 && subs[0].Events > before
	})
}

// The detail pane shows a binary frame as a hex dump, and its raw wrapper as a tree.
func TestWebSocketBinaryDetail(t *testing.T) {
	a := test.NewTempApp(t)
	var dec ws.Decoder
	e := dec.Binary([]byte("FSC\x01\x02\x03"))
	e.Dialect, e.Profile, e.Dir = ws.Name, "w", session.DirIn
	d := NewDetail(a)
	d.Show(&e)
	if !strings.Contains(d.pretty.Text, "00000000  46 53 43 01 02 03") || !strings.Contains(d.header.Text, "6 bytes: 46 53 43 01 02 03") {
		t.Fatalf("detail %q / %q", d.header.Text, d.pretty.Text)
	}
	if d.nodes["/size"] == nil || d.nodes["/binary"] == nil {
		t.Fatalf("tree nodes %v", d.nodes)
	}
}

// The composer sends a plain WebSocket's text as typed, and a subscribing JSON
// message as a tracked subscription.
func TestWebSocketComposer(t *testing.T) {
	srv := st.StartDemo(t, 20)
	a := newTestApp(t, false)
	p, _ := srv.Profile(ws.Name)
	p.Name, p.Subs = "ws", nil
	addProfile(t, a, p)
	stepUntil(t, a, "open", func() bool { return a.states["ws"].Status.Phase == session.PhaseOpen })
	c := a.composer
	c.SetProfile("ws")
	c.templates.SetSelected("text")
	if c.editor.Text != "hello" || c.send.Disabled() || !strings.HasPrefix(c.status.Text, "Looks right.") {
		t.Fatalf("text template: %q, %q", c.editor.Text, c.status.Text)
	}
	c.editor.SetText("not {json} at all")
	if c.send.Disabled() {
		t.Fatalf("plain text refused: %q", c.status.Text)
	}
	test.Tap(c.send)
	stepUntil(t, a, "the echo", func() bool {
		for i := 0; i < a.model.Len(); i++ {
			if e := a.model.Row(i); e.Profile == "ws" && e.Dir == session.DirIn && e.Summary == "not {json} at all" {
				return true
			}
		}
		return false
	})
	c.editor.SetText(`{"type": "subscribe", "channel": "ticker"}`)
	if !strings.Contains(c.status.Text, "tracked subscription") {
		t.Fatalf("subscribe: %q", c.status.Text)
	}
	test.Tap(c.send)
	stepUntil(t, a, "a tracked, live subscription", func() bool {
		subs := a.states["ws"].Subs
		return len(subs) == 1 && string(subs[0].Spec) == `{"type":"subscribe","channel":"ticker"}` && subs[0].State == session.SubLive
	})
}
