package ui

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/feedscope/feedscope/control"
	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/demo"
	st "github.com/feedscope/feedscope/session/sessiontest"
)

// testStore is a profile store in a temporary directory.
func testStore(t *testing.T) *control.ProfileStore {
	dir := t.TempDir()
	return &control.ProfileStore{Path: filepath.Join(dir, "profiles.json"), Secrets: control.FileSecrets(filepath.Join(dir, "secrets.json"))}
}

// newTestApp builds the window on a controller of its own, with the demo
// server's profiles when demo is set, as cmd/feedscope wires them.
func newTestApp(t *testing.T, demo bool) *App {
	t.Helper()
	return newTestAppWith(t, testStore(t), demo)
}

func newTestAppWith(t *testing.T, store *control.ProfileStore, demo bool) *App {
	t.Helper()
	a := test.NewTempApp(t)
	ctl := control.New(control.Options{Store: store})
	t.Cleanup(ctl.Close)
	if err := ctl.Load(); err != nil {
		t.Fatal(err)
	}
	if demo {
		ctl.AddDemo(st.StartDemo(t, 1).Profiles())
	}
	fa := New(a, ctl, Options{Version: "test", ManualDrain: true})
	t.Cleanup(fa.Shutdown)
	fa.win.Resize(fyne.NewSize(1280, 800))
	return fa
}

// addProfile adds p to the app, connects it and selects it in the sidebar.
func addProfile(t *testing.T, a *App, p session.Profile) {
	t.Helper()
	if err := a.ctl.Put("", p); err != nil {
		t.Fatal(err)
	}
	if err := a.ctl.Connect(p.Name); err != nil {
		t.Fatal(err)
	}
	a.refreshSide()
	a.sidebar.Tree.Select(p.Name)
}

// newLiveMisskey is an app with the demo's Misskey profile as "mk", connected
// and selected.
func newLiveMisskey(t *testing.T) (*App, *demo.Server) {
	t.Helper()
	srv := st.StartDemo(t, 20)
	a := newTestApp(t, false)
	p, _ := srv.Profile("misskey")
	p.Name = "mk"
	addProfile(t, a, p)
	return a, srv
}

// stepUntil drains until cond holds, polling; the drain is what a real app runs
// 30 times a second.
func stepUntil(t *testing.T, a *App, what string, cond func() bool) {
	t.Helper()
	st.Until(t, what, func() bool { a.Step(); return cond() })
}

// The demo opens a live feed per dialect, and every one of them reaches the table.
func TestDemoShowsEveryLiveFeed(t *testing.T) {
	a := newTestApp(t, true)
	n := len(a.ctl.Profiles())
	if n != len(session.Dialects()) {
		t.Fatalf("%d demo profiles for %d dialects", n, len(session.Dialects()))
	}
	stepUntil(t, a, "every profile open with events", func() bool {
		seen := map[string]bool{}
		for i := 0; i < a.model.Len(); i++ {
			if e := a.model.Row(i); e.Dir == session.DirIn {
				seen[e.Profile] = true
			}
		}
		open := 0
		for _, s := range a.states {
			if s.Status.Phase == session.PhaseOpen {
				open++
			}
		}
		return open == n && len(seen) == n
	})
	if !strings.Contains(a.status.Text, fmt.Sprintf("%d profiles · %d open", n, n)) {
		t.Fatalf("status %q", a.status.Text)
	}

	// Pause freezes the view while events keep arriving.
	test.Tap(a.pause)
	frozen := a.model.Stored()
	stepUntil(t, a, "events held while paused", func() bool { return a.heldCount > 0 })
	if a.model.Stored() != frozen || !strings.Contains(a.status.Text, "held") {
		t.Fatalf("paused view changed: %d → %d, status %q", frozen, a.model.Stored(), a.status.Text)
	}
	held := a.heldCount
	test.Tap(a.pause)
	if a.model.Stored() != frozen+int(held) || !a.list.Following() {
		t.Fatalf("resume: stored %d, want %d", a.model.Stored(), frozen+int(held))
	}

	// The filter applies to what is held, instantly.
	test.Type(a.filter, "profile:demo-gotham kind:data")
	if a.model.Len() == 0 {
		t.Fatal("filter hid every gotham row")
	}
	for i := 0; i < a.model.Len(); i++ {
		if e := a.model.Row(i); e.Profile != "demo-gotham" || e.Kind != "data" {
			t.Fatalf("filter let %s %s through", e.Profile, e.Kind)
		}
	}
	for _, e := range a.model.Visible() {
		if strings.Contains(string(e.Raw)+e.Summary, "manag3rpa55word") {
			t.Fatal("a password reached the table")
		}
	}
}

// A profile edited in the form is saved, found again after a restart, and its secret
// stays out of the profiles file.
func TestProfilesSurviveRestart(t *testing.T) {
	store := testStore(t)
	a := newTestAppWith(t, store, false)
	p := session.Profile{Name: "work", Dialect: "misskey", URL: "wss://misskey.example/streaming", Token: "tok-123456789"}
	if err := a.ctl.Put("", p); err != nil {
		t.Fatal(err)
	}
	a.ctl.Flush()
	b := newTestAppWith(t, store, false)
	if len(b.profiles) != 1 || b.profiles[0].Token != "tok-123456789" {
		t.Fatalf("after restart: %+v", b.profiles)
	}
}

// A rejected profile shows why in the sidebar and the status bar, without a storm
// of reconnects, and can be edited and connected again.
func TestRejectedProfileIsExplained(t *testing.T) {
	srv := st.StartDemo(t, 1)
	a := newTestApp(t, false)
	p := session.Profile{Name: "bad-token", Dialect: "misskey", URL: srv.URL("misskey"), Token: "bad"}
	addProfile(t, a, p)
	stepUntil(t, a, "rejected", func() bool { return a.states["bad-token"].Status.Phase == session.PhaseRejected })
	text, _ := ProfileLine(p, a.states["bad-token"], 0)
	if !strings.Contains(text, "rejected: 401 invalid_token") {
		t.Fatalf("sidebar line %q", text)
	}
	if a.ctl.Live("bad-token") || a.connect.Text != "Connect" {
		t.Fatalf("a rejected profile still counts as connected (button %q)", a.connect.Text)
	}
	p.Token = "good"
	if err := a.ctl.Put("bad-token", p); err != nil {
		t.Fatal(err)
	}
	test.Tap(a.connect)
	stepUntil(t, a, "open after fixing the token", func() bool { return a.states["bad-token"].Status.Phase == session.PhaseOpen })
}

// Golden image of the main window with fixed data.
func TestMainWindowImage(t *testing.T) {
	a := newTestApp(t, false)
	for _, p := range []session.Profile{
		{Name: "demo-misskey", Dialect: "misskey", URL: "ws://127.0.0.1:1/streaming"},
		{Name: "prod-gotham", Dialect: "gotham", URL: "wss://gotham.example/api/ws/gotham/v1/observations/spec?preview=true", InsecureSkipVerify: true},
	} {
		if err := a.ctl.Put("", p); err != nil {
			t.Fatal(err)
		}
	}
	base := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for i := 0; i < 30; i++ {
		e := session.Event{Time: base.Add(time.Duration(i) * 137 * time.Millisecond), Profile: "demo-misskey", Dialect: "misskey", Dir: "in", Sub: "1", Kind: "note",
			Summary: fmt.Sprintf("@alice: hello #demo number %d", i)}
		if i%5 == 0 {
			e.Dir, e.Kind, e.Sub, e.Summary = "state", "reconnecting", "", "connection lost; reconnecting in 2s"
		}
		a.ctl.Ring().Publish(e)
	}
	a.Step()
	a.refreshSide()
	a.list.Select(3)
	test.AssertImageMatches(t, "main_window.png", a.win.Canvas().Capture())
}
