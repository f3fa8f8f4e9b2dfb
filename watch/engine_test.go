package watch_test

import (
	"strings"
	"testing"
	"time"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/watch"
)

var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func fix(at time.Duration, lon, lat float64) session.Event {
	return session.Event{Time: t0.Add(at), Profile: "p", Dir: session.DirIn, Kind: "data", Key: "v/1", Label: "MV Example", Geo: &session.Point{Lon: lon, Lat: lat}}
}

// A track sitting on the fence's edge, a few metres either side, raises nothing;
// once it is clearly inside it raises one "entered", and clearly outside one "left".
func TestGeofenceHysteresisAtTheEdge(t *testing.T) {
	// The fence's west edge is at longitude -77.0; at 38.9° a metre is 1.155e-5°.
	const m = 1.0 / (111_320 * 0.7782)
	fence := [][2]float64{{-77.0, 38.89}, {-76.99, 38.89}, {-76.99, 38.91}, {-77.0, 38.91}, {-77.0, 38.89}}
	e, err := watch.New([]watch.Rule{{Name: "fence", Kind: watch.KindGeofence, Polygon: fence, On: watch.OnBoth, MarginM: 20, MaxPerMinute: 100}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	var got []watch.Alert
	at := time.Duration(0)
	feed := func(dxMetres float64) {
		at += time.Second
		got = append(got, e.Observe(fix(at, -77.0+dxMetres*m, 38.9))...)
	}
	feed(-100) // first seen clearly outside: no alert, the state is known
	for i := 0; i < 50; i++ {
		feed([]float64{-15, 12, -3, 18, 5, -19}[i%6]) // on the edge, inside the margin
	}
	if len(got) != 0 {
		t.Fatalf("an edge-sitter raised %d alerts: %+v", len(got), got)
	}
	feed(30)
	if len(got) != 1 || !strings.Contains(got[0].Text, "MV Example entered fence") {
		t.Fatalf("after moving 30 m in: %+v", got)
	}
	for i := 0; i < 20; i++ {
		feed([]float64{-10, 10}[i%2])
	}
	feed(-25)
	if len(got) != 2 || !strings.Contains(got[1].Text, "left fence") {
		t.Fatalf("after moving 25 m out: %+v", got)
	}
}

// Past the limit alerts are held back and counted; the next one let through,
// after the minute, says how many.
func TestStormLimitCountsWhatItHolds(t *testing.T) {
	e, err := watch.New([]watch.Rule{{Name: "all", Kind: watch.KindMatch, Filter: "kind:data", MaxPerMinute: 3}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	var got []watch.Alert
	for i := 0; i < 1000; i++ { // 1000 matches in ten seconds
		got = append(got, e.Observe(fix(time.Duration(i)*10*time.Millisecond, 0, 0))...)
	}
	if len(got) != 3 {
		t.Fatalf("%d alerts in ten seconds, want 3", len(got))
	}
	got = e.Observe(fix(61*time.Second, 0, 0))
	if len(got) != 1 || got[0].Suppressed != 997 {
		t.Fatalf("after the minute: %+v", got)
	}
}

func TestRateRuleRecovers(t *testing.T) {
	e, err := watch.New([]watch.Rule{{Name: "slow", Kind: watch.KindSilence, MinRate: 2, WindowS: 5}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	var got []watch.Alert
	for s := 0; s < 30; s++ {
		now := t0.Add(time.Duration(s) * time.Second)
		n := 5
		if s >= 10 && s < 20 {
			n = 0 // ten quiet seconds
		}
		for i := 0; i < n; i++ {
			e.Observe(session.Event{Time: now, Dir: session.DirIn, Kind: "data"})
		}
		got = append(got, e.Tick(now.Add(999*time.Millisecond))...)
	}
	if len(got) != 1 || !strings.Contains(got[0].Text, "below 2/s") {
		t.Fatalf("alerts %+v", got)
	}
}

func TestRuleChecks(t *testing.T) {
	for _, c := range []struct {
		rule watch.Rule
		want string
	}{
		{watch.Rule{Kind: watch.KindMatch, Filter: "x"}, "needs a name"},
		{watch.Rule{Name: "a", Kind: "nope"}, "unknown kind"},
		{watch.Rule{Name: "a", Kind: watch.KindMatch}, "needs a filter"},
		{watch.Rule{Name: "a", Kind: watch.KindMatch, Filter: "/[/"}, "filter /[/"},
		{watch.Rule{Name: "a", Kind: watch.KindGeofence, Polygon: [][2]float64{{0, 0}, {1, 1}}}, "polygon"},
		{watch.Rule{Name: "a", Kind: watch.KindGeofence, Polygon: [][2]float64{{0, 0}, {1, 0}, {1, 1}}, On: "inside"}, "on must be"},
		{watch.Rule{Name: "a", Kind: watch.KindSilence}, "for_s"},
		{watch.Rule{Name: "a", Kind: watch.KindState, When: "sad"}, "when must be"},
	} {
		if err := c.rule.Check(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.rule, err, c.want)
		}
	}
	// A clockwise, open ring is repaired rather than refused.
	if err := (watch.Rule{Name: "a", Kind: watch.KindGeofence, Polygon: [][2]float64{{0, 0}, {0, 1}, {1, 1}, {1, 0}}}).Check(); err != nil {
		t.Errorf("repairable polygon: %v", err)
	}
	for _, s := range []string{"match:kind:data MV", "silence:30", "silence:5s", "rate:0.5", "state:rejected", `{"name":"j","kind":"state","when":"reconnecting"}`} {
		if _, err := watch.ParseShorthand(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	for _, s := range []string{"", "bogus", "silence:soon", "state:sad", "geofence:x", `{"kind":`} {
		if _, err := watch.ParseShorthand(s); err == nil {
			t.Errorf("%q was accepted", s)
		}
	}
	rules, err := watch.ParseRules([]byte(`[{"name":"a","kind":"match","filter":"kind:data"},{"name":"b","kind":"silence","for_s":10}]`))
	if err != nil || len(rules) != 2 {
		t.Fatalf("%v %v", rules, err)
	}
	if _, err := watch.ParseRules([]byte(`[{"name":"a","kind":"match"}]`)); err == nil || !strings.HasPrefix(err.Error(), "rule 1:") {
		t.Fatalf("bad rule list: %v", err)
	}
}
