package ui

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/feedscope/feedscope/control"

	"github.com/feedscope/feedscope/geo"
	"github.com/feedscope/feedscope/playback"
	"github.com/feedscope/feedscope/session"
	st "github.com/feedscope/feedscope/session/sessiontest"
)

// positionsAt is where every track stood at t, from the recording's events alone.
func positionsAt(src *playback.Source, t time.Time) map[string]session.Point {
	out := map[string]session.Point{}
	for _, e := range src.Events() {
		if !e.Time.After(t) && e.Dir == session.DirIn && e.Geo != nil && e.Key != "" {
			out[e.Key] = *e.Geo
		}
	}
	return out
}

// checkMoment asserts that the table holds the recording up to the clock's moment
// and the map shows every track where it was then.
func checkMoment(t *testing.T, a *App, src *playback.Source, what string) {
	t.Helper()
	now := src.Clock.Now()
	want := src.Upto(now)
	var rows []*session.Event
	for i := 0; i < a.model.Len(); i++ {
		if e := a.model.Row(i); e.Profile == src.Name {
			rows = append(rows, e)
		}
	}
	if len(rows) != len(want) {
		t.Fatalf("%s: the table holds %d of the recording's events, want the %d up to %s", what, len(rows), len(want), now)
	}
	for i := range want {
		if rows[i].Summary != want[i].Summary || !rows[i].Time.Equal(want[i].Time) {
			t.Fatalf("%s: row %d is %q at %s, want %q at %s", what, i, rows[i].Summary, rows[i].Time, want[i].Summary, want[i].Time)
		}
	}
	pos := positionsAt(src, now)
	tracks := a.mapPanel.tracks.All()
	if len(pos) == 0 || len(tracks) != len(pos) {
		t.Fatalf("%s: %d tracks on the map, %d in the recording so far", what, len(tracks), len(pos))
	}
	for _, tr := range tracks {
		p, ok := pos[tr.Key.String()]
		l := tr.Latest()
		if !ok || math.Abs(l.Point[0]-p.Lon) > 1e-12 || math.Abs(l.Point[1]-p.Lat) > 1e-12 || l.At.After(now) {
			t.Fatalf("%s: track %s at %v (%s), the recording has it at %+v", what, tr.Key.TrackID, l.Point, l.At, p)
		}
	}
}

// A recorded Gotham session opens beside the live profiles; seeking to the middle
// shows the table and the map as they were then, seeking back shows the earlier
// moment, and playing to the end brings every event.
func TestRecordingOpensAndFollowsTheReplayClock(t *testing.T) {
	srv := st.StartDemo(t, 10)
	p, _ := srv.Profile("gotham")
	path := filepath.Join(t.TempDir(), "harbour.ndjson.gz")
	st.Record(t, p, path, 12)

	a := newTestApp(t, false)
	src, err := a.ctl.OpenRecording(path)
	if err != nil {
		t.Fatal(err)
	}
	a.sourceOpened(src)
	if !a.replay.Content.Visible() || a.replay.pick.Selected != src.Name {
		t.Fatal("the timeline bar does not show the opened recording")
	}
	found := false
	for _, q := range a.profiles {
		found = found || q.Name == src.Name
	}
	if !found || a.states[src.Name].Status.Phase == "" {
		t.Fatalf("the sidebar does not list %s: %v", src.Name, a.profiles)
	}

	// The middle of the recording, by a click on the bar.
	a.replay.slider.SetValue(sliderSteps / 2) // as a click or a drag sets it
	a.Step()
	if f := src.Clock.Fraction(); math.Abs(f-0.5) > 0.001 {
		t.Fatalf("the bar put the clock at %.3f", f)
	}
	checkMoment(t, a, src, "the middle")
	mid := a.states[src.Name]
	if mid.Status.Phase != session.PhaseOpen || len(mid.Subs) != 1 || mid.Subs[0].Events == 0 || mid.Subs[0].Events >= uint64(src.Len()) {
		t.Fatalf("subscription health at the middle %+v", mid)
	}

	// Back to a quarter of the observations: the state then, not what came after.
	var data []session.Event
	for _, e := range src.Upto(src.Clock.Now()) {
		if e.Key != "" {
			data = append(data, e)
		}
	}
	src.Clock.Seek(data[len(data)/2].Time)
	a.Step()
	checkMoment(t, a, src, "a quarter")
	if a.states[src.Name].Subs[0].Events >= mid.Subs[0].Events {
		t.Fatal("the subscription's count did not go back with the clock")
	}

	// The filter works on the recording as on live data.
	a.filter.SetText("kind:subscribed")
	subscribed := 0
	for _, e := range src.Upto(src.Clock.Now()) {
		if e.Kind == "subscribed" {
			subscribed++
		}
	}
	if a.model.Len() != subscribed || subscribed == 0 || a.model.Row(0).Profile != src.Name {
		t.Fatalf("filtered to %d rows, %d subscribed events so far", a.model.Len(), subscribed)
	}
	a.filter.SetText("")

	// Play at 100× to the end.
	a.replay.speed.SetSelected("100×")
	test.Tap(a.replay.play)
	if !(src.Clock.Playing() || src.Clock.Fraction() == 1) || src.Clock.Speed() != 100 { // at 100× the rest takes milliseconds
		t.Fatalf("play: playing %v at %g×", src.Clock.Playing(), src.Clock.Speed())
	}
	stepUntil(t, a, "the end of the recording", func() bool { return !src.Clock.Playing() })
	a.Step()
	checkMoment(t, a, src, "the end")
	if !strings.Contains(a.replay.when.Text, "/") || a.replay.slider.Value != sliderSteps {
		t.Fatalf("at the end the bar shows %q at %g", a.replay.when.Text, a.replay.slider.Value)
	}

	// Closing it takes its events away.
	test.Tap(a.replay.closeBtn)
	for i := 0; i < a.model.Len(); i++ {
		if a.model.Row(i).Profile == src.Name {
			t.Fatal("a closed recording's events are still in the table")
		}
	}
	if a.replay.Content.Visible() || len(a.ctl.Sources()) != 0 {
		t.Fatal("the timeline bar outlived its recording")
	}
}

// Two recordings and a live profile at once: each recording has its own clock.
func TestSeveralRecordingsBesideALiveProfile(t *testing.T) {
	srv := st.StartDemo(t, 10)
	g, _ := srv.Profile("gotham")
	dir := t.TempDir()
	st.Record(t, g, filepath.Join(dir, "one.ndjson"), 4)
	st.Record(t, g, filepath.Join(dir, "two.ndjson"), 8)
	a := newTestApp(t, false)
	live, _ := srv.Profile("misskey")
	addProfile(t, a, live)
	var srcs []*playback.Source
	for _, f := range []string{"one.ndjson", "two.ndjson"} {
		s, err := a.ctl.OpenRecording(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		a.sourceOpened(s)
		srcs = append(srcs, s)
	}
	a.sidebar.Tree.UnselectAll() // every profile in the table
	srcs[0].Clock.ToEnd()
	srcs[1].Clock.SeekFraction(0.5)
	stepUntil(t, a, "live events beside the recordings", func() bool {
		for i := 0; i < a.model.Len(); i++ {
			if a.model.Row(i).Profile == live.Name && a.model.Row(i).Dir == session.DirIn {
				return true
			}
		}
		return false
	})
	count := map[string]int{}
	for i := 0; i < a.model.Len(); i++ {
		count[a.model.Row(i).Profile]++
	}
	if count[srcs[0].Name] != srcs[0].Len() || count[srcs[1].Name] != len(srcs[1].Upto(srcs[1].Clock.Now())) {
		t.Fatalf("rows per profile %v; recordings %d and %d up to their clocks", count, srcs[0].Len(), len(srcs[1].Upto(srcs[1].Clock.Now())))
	}
	// The map holds the tracks of both, keyed as the feed keys them.
	keys := map[string]bool{}
	for _, tr := range a.mapPanel.tracks.All() {
		keys[tr.Key.String()] = true
	}
	for k := range positionsAt(srcs[0], srcs[0].Clock.Now()) {
		if _, ok := geo.ParseTrackKey(k); ok && !keys[k] {
			t.Fatalf("track %s of the first recording is not on the map", k)
		}
	}
}

// Record a live profile from the toolbar: the red indicator shows the growing size.
func TestRecordToggleShowsTheGrowingFile(t *testing.T) {
	srv := st.StartDemo(t, 10)
	a := newTestAppRecording(t, t.TempDir())
	g, _ := srv.Profile("gotham")
	addProfile(t, a, g)
	if a.rec.box.Visible() || a.rec.toggle.Disabled() {
		t.Fatalf("before recording: indicator %v, toggle disabled %v", a.rec.box.Visible(), a.rec.toggle.Disabled())
	}
	test.Tap(a.rec.toggle)
	stepUntil(t, a, "the recording indicator", func() bool { return a.rec.box.Visible() })
	var first string
	stepUntil(t, a, "a growing size", func() bool {
		if first == "" {
			first = a.rec.label.Text
		}
		return a.rec.label.Text != first && a.ctl.Recording(g.Name).Size > 0
	})
	if !strings.HasPrefix(a.rec.label.Text, "REC 1 · ") || a.rec.toggle.Text != "Stop recording" || a.rec.label.Color != recRed {
		t.Fatalf("indicator %q, toggle %q", a.rec.label.Text, a.rec.toggle.Text)
	}
	path := a.ctl.Recording(g.Name).Path
	test.Tap(a.rec.toggle)
	stepUntil(t, a, "the indicator to go", func() bool { return !a.rec.box.Visible() })
	src, err := a.ctl.OpenRecording(path)
	if err != nil || src.Err != nil || src.Len() == 0 {
		t.Fatalf("the recording opens with %v %v, %d events", err, src, src.Len())
	}
	a.sourceOpened(src)
	a.sidebar.Tree.Select(src.Name)
	if !a.rec.toggle.Disabled() || !a.connect.Disabled() {
		t.Fatal("a recording can be recorded or connected")
	}
	test.Tap(a.rec.all)
	stepUntil(t, a, "record all", func() bool { n, _ := a.ctl.Recordings(); return len(n) == 1 })
	test.Tap(a.rec.all)
	stepUntil(t, a, "stop all", func() bool { n, _ := a.ctl.Recordings(); return len(n) == 0 })
}

// newTestAppRecording is newTestApp with recordings going to dir.
func newTestAppRecording(t *testing.T, dir string) *App {
	t.Helper()
	ctl := control.New(control.Options{Store: testStore(t), RecordDir: dir})
	t.Cleanup(ctl.Close)
	fa := New(test.NewTempApp(t), ctl, Options{Version: "test", ManualDrain: true, RecordDir: dir})
	t.Cleanup(fa.Shutdown)
	fa.win.Resize(fyne.NewSize(1280, 800))
	return fa
}
