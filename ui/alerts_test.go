package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/paulmach/orb"

	"github.com/feedscope/feedscope/control"
	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/sessiontest"
	"github.com/feedscope/feedscope/watch"
)

// A watch rule on the demo's Gotham profile raises alerts: they mark their rows
// in the table, fill the Alerts tab, count in the status bar and notify the
// desktop once however many come; a polygon drawn on the map becomes a
// geofence rule, and choosing a geofence alert shows its track on the map.
func TestAlertsFromWatchRules(t *testing.T) {
	a := newTestApp(t, true)
	var notes []string
	a.alerts.Notify = func(title, body string) { notes = append(notes, title+": "+body) }
	if err := a.ctl.SetRules("demo-gotham", []watch.Rule{{Name: "belle", Kind: watch.KindMatch, Filter: `kind:data "Potomac Belle"`, MaxPerMinute: 3}}); err != nil {
		t.Fatal(err)
	}
	stepUntil(t, a, "three alerts", func() bool { return a.alerts.Count() >= 3 })
	if len(notes) != 1 || !strings.HasPrefix(notes[0], "Feedscope: belle: Potomac Belle") {
		t.Fatalf("notifications %q, want one", notes)
	}
	if !strings.Contains(a.status.Text, "⚑ 3 alerts") {
		t.Fatalf("status bar %q", a.status.Text)
	}
	marked := 0
	for i := 0; i < a.model.Len(); i++ {
		if e := a.model.Row(i); e.Dir == watch.DirAlert {
			marked++
			if dirGlyph(e.Dir) != "⚑" {
				t.Fatal("an alert row is not marked")
			}
		}
	}
	if marked < 3 {
		t.Fatalf("%d alert rows in the table", marked)
	}

	p := a.mapPanel
	p.Update(a.ctl.Profiles(), a.ctl.States())
	p.target.SetSelected("demo-gotham")
	p.Map.SetDraft(orb.Ring{{-77.0660, 38.9000}, {-77.0622, 38.9000}, {-77.0622, 38.9080}, {-77.0660, 38.9080}})
	test.Tap(p.fence)
	rules := a.ctl.Rules("demo-gotham")
	if len(rules) != 2 || rules[1].Kind != watch.KindGeofence || len(rules[1].Polygon) != 5 {
		t.Fatalf("rules after Watch polygon: %+v", rules)
	}

	// A geofence alert chosen in the list centres the map on its track.
	alert := a.alerts.alerts[0]
	alert.Kind = watch.KindGeofence
	a.alerts.alerts[0] = alert
	a.alerts.List.Select(0)
	if a.tabs.Selected().Text != "Map" || a.mapPanel.Map.Scene.Selected.TrackID != "track1" {
		t.Fatalf("tab %q, selected %+v", a.tabs.Selected().Text, a.mapPanel.Map.Scene.Selected)
	}
}

// Selecting a profile narrows the table and says so beside the filter; Escape in
// the table or All profiles brings every profile back. Clear clears what is
// shown, and asks before clearing everything.
func TestScopeAllProfilesAndScopedClear(t *testing.T) {
	a := newTestApp(t, true)
	stepUntil(t, a, "events of two profiles", func() bool {
		seen := map[string]bool{}
		for i := 0; i < a.model.Len(); i++ {
			seen[a.model.Row(i).Profile] = true
		}
		return seen["demo-gotham"] && seen["demo-misskey"]
	})
	a.sidebar.Tree.Select("demo-gotham")
	if a.scope.Text != "Only demo-gotham" || a.model.Scope().Profile != "demo-gotham" {
		t.Fatalf("scope %q", a.scope.Text)
	}
	if !strings.HasPrefix(a.notice.Text, "demo-gotham · open: connected to ws://") {
		t.Fatalf("the profile's whole state is not shown: %q", a.notice.Text)
	}
	a.list.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if a.scope.Text != "All profiles" || a.model.Scope() != (Scope{}) {
		t.Fatalf("after Esc: %q %+v", a.scope.Text, a.model.Scope())
	}
	a.sidebar.Tree.Select("demo-gotham")
	a.onClearTapped()
	a.showAllProfiles()
	gotham, others := 0, 0
	for i := 0; i < a.model.Len(); i++ {
		if a.model.Row(i).Profile == "demo-gotham" {
			gotham++
		} else {
			others++
		}
	}
	if gotham != 0 || others == 0 {
		t.Fatalf("after a scoped clear: %d gotham rows, %d others", gotham, others)
	}
	a.onClearTapped() // everything: a question first
	if a.model.Stored() == 0 {
		t.Fatal("everything was cleared without asking")
	}
	if top := a.win.Canvas().Overlays().Top(); top == nil {
		t.Fatal("no confirmation shown")
	}
}

// Editing a demo profile says its changes do not outlive the run, and Save as new
// profile keeps them in a profile of their own.
func TestDemoProfileEditOffersSaveAsNew(t *testing.T) {
	a := newTestApp(t, true)
	p, _ := a.ctl.Profile("demo-gotham")
	a.editProfile(&p)
	top := a.win.Canvas().Overlays().Top()
	var warned bool
	var saveNew *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			warned = warned || strings.HasPrefix(x.Text, "Demo profile: ")
		case *widget.Button:
			if x.Text == "Save as new profile" {
				saveNew = x
			}
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			r := test.WidgetRenderer(x)
			for _, c := range r.Objects() {
				walk(c)
			}
		}
	}
	walk(top)
	if !warned || saveNew == nil {
		t.Fatalf("warning %v, save as new %v", warned, saveNew != nil)
	}
	test.Tap(saveNew)
	if !a.ctl.Has("demo-gotham (mine)") || a.ctl.IsDemo("demo-gotham (mine)") || !a.ctl.IsDemo("demo-gotham") {
		t.Fatalf("profiles %v", a.ctl.Profiles())
	}
}

// The status bar's notice about a profile's trouble does not outlive it.
func TestStatusNoticeClearsWhenOpenAgain(t *testing.T) {
	a, srv := newLiveMisskey(t)
	stepUntil(t, a, "open", func() bool { return a.states["mk"].Status.Phase == session.PhaseOpen })
	// The session is open once its handshake is answered, which can be before the
	// server has taken the socket into the set DropAll cuts.
	sessiontest.Until(t, "the server cuts the socket", func() bool { return srv.DropAll() > 0 })
	stepUntil(t, a, "the reconnect named and then cleared", func() bool { return a.notice.Text == "mk: open again" })
}

// A drop and reconnect that both fall between two drain cycles still tell the user
// the connection came back; a reconnect the user asked for does not.
func TestStatusNoticeNamesAReconnectNoCycleSaw(t *testing.T) {
	a := newTestApp(t, false)
	at := func(phase, detail string, reconnects int) {
		a.apply(&arrivals{last: a.seenSeq, states: map[string]control.State{
			"mk": {Live: true, Status: session.Status{Phase: phase, Detail: detail, Reconnects: reconnects}}}})
	}
	for _, step := range []struct {
		phase, detail string
		reconnects    int
		notice        string // what the status bar says after it; "-" for whatever it said
	}{
		{session.PhaseOpen, "connected", 0, ""},               // the first open
		{session.PhaseOpen, "connected", 1, "mk: open again"}, // reconnecting came and went unseen
		{session.PhaseReconnecting, "server closed with 1006; reconnecting in 587ms", 1, "mk: server closed with 1006; reconnecting in 587ms"},
		{session.PhaseOpen, "connected", 2, "mk: open again"}, // a reconnect the window saw
		{session.PhaseClosed, session.DetailClosedByUser, 2, "-"},
		{session.PhaseConnecting, "connecting", 2, "-"},
		{session.PhaseOpen, "connected", 3, ""}, // the user connected again: nothing to say
	} {
		if step.phase == session.PhaseClosed {
			a.setNotice("")
		}
		at(step.phase, step.detail, step.reconnects)
		if step.notice != "-" && a.notice.Text != step.notice {
			t.Fatalf("%s (%d reconnects): notice %q, want %q", step.phase, step.reconnects, a.notice.Text, step.notice)
		}
	}
}

// The detail tree opens a frame's first two levels, so a body shows what it holds.
func TestDetailOpensFirstLevels(t *testing.T) {
	d := NewDetail(test.NewTempApp(t))
	d.Show(&session.Event{Dir: session.DirIn, Kind: "note", Raw: []byte(`{"type":"channel","body":{"id":"x","body":{"text":"hi","user":{"name":"a"}}}}`)})
	var body string
	for _, id := range d.childIDs("") {
		if d.isBranch(id) {
			body = id
		}
	}
	if body == "" || !d.tree.IsBranchOpen(body) {
		t.Fatalf("body %q not open", body)
	}
	for _, c := range d.childIDs(body) {
		if d.isBranch(c) && !d.tree.IsBranchOpen(c) {
			t.Fatalf("%q under the body is closed", c)
		}
	}
	if got := plural(1, "profile", "profiles") + " " + plural(2, "profile", "profiles"); got != "profile profiles" {
		t.Fatal(got)
	}
}

// Dragging a header boundary widens a column; the widths are remembered and come
// back with the next window.
func TestColumnsResizeAndAreRemembered(t *testing.T) {
	a := newTestApp(t, false)
	l := a.list
	before := l.Widths()
	kindEdge := theme.Padding()
	for i := 0; i <= 4; i++ { // the kind column's right edge
		kindEdge += float32(before[i]+1) * l.rowSize.Width
	}
	start := fyne.NewPos(kindEdge-l.rowSize.Width/2, l.rowSize.Height/2)
	for i := 1; i <= 10; i++ {
		l.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: start.AddXY(float32(i)*l.rowSize.Width, 0)}, Dragged: fyne.Delta{DX: l.rowSize.Width}})
	}
	l.DragEnd()
	after := l.Widths()
	if after[4] != before[4]+10 {
		t.Fatalf("kind column %d → %d, want +10", before[4], after[4])
	}
	if got := a.fyne.Preferences().String(prefColumns); got != formatWidths(after) {
		t.Fatalf("remembered %q", got)
	}
	l2 := NewEventList(a.model)
	l2.SetWidths(parseWidths(a.fyne.Preferences().String(prefColumns)))
	if l2.Widths()[4] != after[4] {
		t.Fatal("a new table does not take the remembered widths")
	}
	l2.SetWidths([]int{1, 2}) // wrong: ignored
	l2.SetWidths(parseWidths("x,y"))
	if l2.Widths()[4] != after[4] {
		t.Fatal("bad widths were taken")
	}
}

func TestDetailPaneFolds(t *testing.T) {
	a := newTestApp(t, false)
	a.toggleDetail()
	if a.right.Visible() || a.centre.Offset != 1 {
		t.Fatalf("folded: visible %v offset %v", a.right.Visible(), a.centre.Offset)
	}
	a.toggleDetail()
	if !a.right.Visible() || a.centre.Offset != tableShare {
		t.Fatalf("back: visible %v offset %v", a.right.Visible(), a.centre.Offset)
	}
}

// The theme switch flips light and dark, is remembered, and the map follows it.
func TestThemeSwitch(t *testing.T) {
	a := newTestApp(t, false)
	was := isDark()
	a.toggleTheme()
	if isDark() == was || a.fyne.Preferences().String(prefTheme) == "" {
		t.Fatalf("dark %v → %v", was, isDark())
	}
	a.toggleTheme()
	if isDark() != was {
		t.Fatal("the second switch did not come back")
	}
}
