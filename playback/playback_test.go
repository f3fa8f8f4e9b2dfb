package playback

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feedscope/feedscope/geo"
	"github.com/feedscope/feedscope/record"
	"github.com/feedscope/feedscope/session"
)

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// fakeWall is a wall clock the test moves by hand.
type fakeWall struct{ t time.Time }

func (w *fakeWall) now() time.Time      { return w.t }
func (w *fakeWall) add(d time.Duration) { w.t = w.t.Add(d) }

func TestClockPlaysPausesSeeksAndStopsAtTheEnd(t *testing.T) {
	w := &fakeWall{t: time.Unix(1000, 0)}
	c := NewClock(t0, t0.Add(60*time.Second), w.now)
	if !c.Now().Equal(t0) || c.Playing() || c.Fraction() != 0 {
		t.Fatalf("a new clock: %v playing %v", c.Now(), c.Playing())
	}
	c.Play()
	w.add(2 * time.Second)
	if !c.Now().Equal(t0.Add(2 * time.Second)) {
		t.Fatalf("after 2 s at 1×: %v", c.Now())
	}
	if err := c.SetSpeed(10); err != nil {
		t.Fatal(err)
	}
	if !c.Now().Equal(t0.Add(2 * time.Second)) {
		t.Fatal("a speed change jumped the clock")
	}
	w.add(time.Second)
	if !c.Now().Equal(t0.Add(12 * time.Second)) {
		t.Fatalf("after 1 s more at 10×: %v", c.Now())
	}
	c.Pause()
	w.add(time.Hour)
	if !c.Now().Equal(t0.Add(12*time.Second)) || c.Playing() {
		t.Fatalf("paused clock moved to %v", c.Now())
	}
	c.SeekFraction(0.5)
	if !c.Now().Equal(t0.Add(30 * time.Second)) {
		t.Fatalf("seek to the middle: %v", c.Now())
	}
	c.Seek(t0.Add(-time.Hour))
	if !c.Now().Equal(t0) {
		t.Fatalf("seek before the start: %v", c.Now())
	}
	c.Seek(t0.Add(50 * time.Second))
	c.Play()
	w.add(5 * time.Second) // 50 s at 10×: past the end
	if !c.Now().Equal(t0.Add(60*time.Second)) || c.Playing() || c.Fraction() != 1 {
		t.Fatalf("past the end: %v playing %v", c.Now(), c.Playing())
	}
	c.Play() // from the end, play starts over
	if !c.Now().Equal(t0) || !c.Playing() {
		t.Fatalf("play at the end: %v", c.Now())
	}
	c.ToEnd()
	if !c.Now().Equal(t0.Add(60*time.Second)) || c.Playing() {
		t.Fatalf("to the end: %v playing %v", c.Now(), c.Playing())
	}
	for _, x := range []float64{0, 0.1, 101, math.NaN(), -1} {
		if c.SetSpeed(x) == nil {
			t.Fatalf("speed %g accepted", x)
		}
	}
	for _, x := range []float64{MinSpeed, 1, MaxSpeed} {
		if err := c.SetSpeed(x); err != nil {
			t.Fatalf("speed %g: %v", x, err)
		}
	}
}

const vessels = 3

// harbour is a minute of a made-up Gotham-like feed: three vessels reporting once
// a second, each heading east by 0.001° a report, plus states and a subscribe.
func harbour(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "harbour.ndjson.gz")
	p := session.Profile{Name: "harbour", Dialect: "playbacktest", URL: "wss://feed.example/x", Token: "secret-token-xyz",
		Subs: []json.RawMessage{json.RawMessage(`{"area":"harbour"}`)}}
	w, err := record.Create(path, p, record.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pub := func(e session.Event) {
		e.Profile, e.Dialect = "harbour", "playbacktest"
		w.Publish(e)
	}
	pub(session.Event{Time: t0, Dir: session.DirState, Kind: session.StateConnecting, Summary: "connecting to wss://feed.example/x"})
	pub(session.Event{Time: t0.Add(10 * time.Millisecond), Dir: session.DirState, Kind: session.StateOpen, Summary: "connected to wss://feed.example/x"})
	pub(session.Event{Time: t0.Add(11 * time.Millisecond), Dir: session.DirOut, Sub: "1", Kind: "subscribe", Raw: json.RawMessage(`{"type":"subscribe","query":{"area":"harbour"}}`)})
	for s := 1; s <= 60; s++ {
		at := t0.Add(time.Duration(s) * time.Second)
		for v := 0; v < vessels; v++ {
			h := 90.0
			lon, lat := -77.06+float64(s)*0.001, 38.90+float64(v)*0.01
			pub(session.Event{Time: at, Dir: session.DirIn, Sub: "1", Kind: "data", Summary: fmt.Sprintf("vessel %d at %d s", v, s),
				Geo: &session.Point{Lon: lon, Lat: lat}, Key: geo.TrackKey{SourceSystemID: "ais", CollectionID: "vessels", ObservationSpecID: "spec", TrackID: fmt.Sprint("track", v)}.String(),
				Label: fmt.Sprint("MV ", v), Heading: &h, Raw: json.RawMessage(fmt.Sprintf(`{"trackId":"track%d","s":%d}`, v, s))})
		}
		if s == 30 {
			pub(session.Event{Time: at.Add(time.Millisecond), Dir: session.DirState, Kind: session.StateReconnecting, Summary: "connection lost; reconnecting in 1s"})
			pub(session.Event{Time: at.Add(2 * time.Millisecond), Dir: session.DirState, Kind: session.StateOpen, Summary: "connected to wss://feed.example/x"})
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

type playbackDialect struct{}

func (playbackDialect) Name() string { return "playbacktest" }
func (playbackDialect) Dial(*session.Profile) (session.DialSpec, error) {
	return session.DialSpec{}, nil
}
func (playbackDialect) Policy() session.Policy         { return session.DefaultPolicy() }
func (playbackDialect) CheckSub(json.RawMessage) error { return nil }
func (playbackDialect) NewClient() session.Client      { return nil }
func (playbackDialect) Templates() []session.Template  { return nil }
func (playbackDialect) CheckMessage([]byte) error      { return nil }
func (playbackDialect) SubscriptionOf(frame []byte) (json.RawMessage, bool) {
	var m struct {
		Query json.RawMessage `json:"query"`
	}
	return m.Query, json.Unmarshal(frame, &m) == nil && m.Query != nil
}

func init() { session.Register(playbackDialect{}) }

func TestSourceAtTheMiddleShowsThatMoment(t *testing.T) {
	src, err := Open(harbour(t))
	if err != nil {
		t.Fatal(err)
	}
	if src.Err != nil || src.Len() != 3+60*vessels+2 || !strings.HasPrefix(src.Name, "rec: harbour") {
		t.Fatalf("source %q: %d events, %v", src.Name, src.Len(), src.Err)
	}
	for _, e := range src.Events() {
		if e.Profile != src.Name {
			t.Fatalf("an event of profile %q in source %q", e.Profile, src.Name)
		}
	}
	start, end := src.Clock.Span()
	if !start.Before(t0.Add(time.Second)) || !end.Equal(t0.Add(60*time.Second)) {
		t.Fatalf("span %v – %v", start, end)
	}
	if p := src.Profile(); p.Dialect != "playbacktest" || p.Name != src.Name || p.URL != "wss://feed.example/x" {
		t.Fatalf("profile %+v", p)
	}

	// The 20th second: each vessel at its 20th report, its trail the 5 before.
	at := t0.Add(20 * time.Second)
	src.Clock.Seek(at)
	tracks := src.Tracks(src.Clock.Now(), 5)
	if len(tracks) != vessels {
		t.Fatalf("%d tracks at 20 s", len(tracks))
	}
	for v, tr := range tracks {
		l := tr.Latest()
		if !l.At.Equal(at) || math.Abs(l.Point[0]-(-77.06+0.020)) > 1e-9 || math.Abs(l.Point[1]-(38.90+float64(v)*0.01)) > 1e-9 || l.Heading != 90 {
			t.Fatalf("vessel %d at 20 s: %+v", v, l)
		}
		if len(tr.Trail) != 5 || !tr.Trail[0].At.Equal(t0.Add(16*time.Second)) || tr.Name != fmt.Sprint("MV ", v) {
			t.Fatalf("vessel %d trail %+v", v, tr.Trail)
		}
	}
	if st := src.Status(at); st.Phase != session.PhaseOpen || st.Reconnects != 0 {
		t.Fatalf("status at 20 s %+v", st)
	}
	subs := src.Subs(at)
	if len(subs) != 1 || subs[0].ID != "1" || subs[0].Events != 20*vessels || subs[0].State != session.SubLive ||
		!subs[0].LastSeen.Equal(at) || string(subs[0].Spec) != `{"area":"harbour"}` {
		t.Fatalf("subs at 20 s %+v", subs)
	}
	if st := src.Status(t0.Add(30*time.Second + 1500*time.Microsecond)); st.Phase != session.PhaseReconnecting {
		t.Fatalf("status in the reconnect %+v", st)
	}
	if st := src.Status(end); st.Phase != session.PhaseOpen || st.Reconnects != 1 {
		t.Fatalf("status at the end %+v", st)
	}
}

func TestStepHandsOutTheClocksEventsAndResetsOnASeekBack(t *testing.T) {
	src, err := Open(harbour(t))
	if err != nil {
		t.Fatal(err)
	}
	w := &fakeWall{t: time.Unix(1000, 0)}
	start, end := src.Clock.Span()
	src.Clock = NewClock(start, end, w.now)
	_ = src.Clock.SetSpeed(10)
	src.Clock.Play()
	var held []session.Event // what a table would hold
	step := func() {
		evs, reset := src.Step()
		if reset {
			held = held[:0]
		}
		held = append(held, evs...)
	}
	step()
	if len(held) != src.Index(start) || len(held) != 1 {
		t.Fatalf("%d events before the clock moved; the first is at the start", len(held))
	}
	w.add(time.Second) // 10 s of recording
	step()
	if want := src.Index(t0.Add(10 * time.Second)); len(held) != want || held[len(held)-1].Time.After(t0.Add(10*time.Second)) {
		t.Fatalf("after 10 s: %d events, want %d", len(held), want)
	}
	w.add(2 * time.Second) // 30 s
	step()
	if want := src.Index(t0.Add(30 * time.Second)); len(held) != want {
		t.Fatalf("after 30 s: %d events, want %d", len(held), want)
	}
	src.Clock.Seek(t0.Add(5 * time.Second))
	step()
	if want := src.Index(t0.Add(5 * time.Second)); len(held) != want {
		t.Fatalf("after the seek back: %d events, want %d", len(held), want)
	}
	for i := range held {
		if held[i].Summary != src.Events()[i].Summary {
			t.Fatalf("held event %d is %q", i, held[i].Summary)
		}
	}
	src.Clock.ToEnd()
	step()
	if len(held) != src.Len() {
		t.Fatalf("at the end: %d of %d events", len(held), src.Len())
	}
}

func TestDamagedRecordingOpensUpToTheBadLine(t *testing.T) {
	path := harbour(t)
	rec, err := record.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	lines = append(lines, `{"format":"feedscope-recording","version":1,"start":"2026-12-01T09:00:00Z","profile":{"name":"harbour","dialect":"playbacktest","url":""}}`)
	for _, e := range rec.Events[:20] {
		lines = append(lines, string(e.AppendJSON(nil)))
	}
	lines = append(lines, `{"time":"2026-12-01T09:00:30Z","dir":"in",`)
	bad := filepath.Join(t.TempDir(), "bad.ndjson")
	if err := os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := Open(bad)
	if err != nil {
		t.Fatal(err)
	}
	if src.Err == nil || src.Err.Line != 22 || src.Len() != 20 {
		t.Fatalf("%d events, error %v", src.Len(), src.Err)
	}
}

// The state a screen asks for as the clock moves, forward or back, is the state a
// fresh look at the same moment finds.
func TestStateFollowsTheClockBothWays(t *testing.T) {
	path := harbour(t)
	rec, err := record.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	moving := New(rec, "moving", path)
	for _, s := range []int{1, 5, 29, 31, 30, 60, 2, 45, 45, 0, 61} {
		at := t0.Add(time.Duration(s) * time.Second)
		fresh := New(rec, "fresh", path)
		if got, want := moving.Status(at), fresh.Status(at); got != want {
			t.Fatalf("status at %d s: %+v, a fresh look says %+v", s, got, want)
		}
		got, want := moving.Subs(at), fresh.Subs(at)
		if len(got) != len(want) {
			t.Fatalf("subs at %d s: %d, a fresh look says %d", s, len(got), len(want))
		}
		for i := range got {
			if got[i].Events != want[i].Events || got[i].State != want[i].State || !got[i].LastSeen.Equal(want[i].LastSeen) {
				t.Fatalf("sub %d at %d s: %+v, a fresh look says %+v", i, s, got[i], want[i])
			}
		}
	}
}

// Before its first event a recording is simply not connected: it said "closed:
// nothing recorded yet at this moment", which the sidebar shows as an error.
func TestStatusBeforeTheFirstEventIsNotAnError(t *testing.T) {
	path := harbour(t)
	rec, err := record.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if st := New(rec, "early", path).Status(t0.Add(-time.Second)); st.Phase != session.PhaseClosed || st.Detail != "" {
		t.Fatalf("before the start: %+v", st)
	}
}
