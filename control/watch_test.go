package control_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/feedscope/feedscope/control"
	"github.com/feedscope/feedscope/session"
	st "github.com/feedscope/feedscope/session/sessiontest"
	"github.com/feedscope/feedscope/watch"
)

// A geofence set on the demo's Gotham profile puts its alerts into the ring next
// to the events; rules saved with a profile come back with it on the next run.
func TestWatchRulesRaiseAlertsIntoTheRing(t *testing.T) {
	c := control.New(control.Options{})
	t.Cleanup(c.Close)
	srv := st.StartDemo(t, 50)
	p, _ := srv.Profile("gotham")
	p.Subs = []json.RawMessage{st.JSON(`{}`)}
	c.AddDemo([]session.Profile{p})
	fence := watch.Rule{Name: "west waterfront", Kind: watch.KindGeofence, On: watch.OnEnter, MarginM: 5, MaxPerMinute: 100,
		Polygon: [][2]float64{{-77.0660, 38.9000}, {-77.0622, 38.9000}, {-77.0622, 38.9080}, {-77.0660, 38.9080}}}
	if err := c.SetRules(p.Name, []watch.Rule{fence}); err != nil {
		t.Fatal(err)
	}
	if got := c.Rules(p.Name); len(got) != 1 || got[0].Profile != p.Name {
		t.Fatalf("rules %+v", got)
	}
	var last uint64
	st.Until(t, "a geofence alert in the ring", func() bool {
		evs, seq, _ := c.Ring().Since(last, nil)
		last = seq
		for _, e := range evs {
			if e.Dir == watch.DirAlert && e.Kind == watch.KindGeofence && strings.Contains(e.Summary, "entered west waterfront") && e.Geo != nil {
				return true
			}
		}
		return false
	})
	if err := c.SetRules(p.Name, []watch.Rule{{Name: "broken", Kind: watch.KindMatch}}); err == nil {
		t.Fatal("a rule without a filter was accepted")
	}

	store := newStore(t)
	c1 := newController(t, store)
	work := session.Profile{Name: "work", Dialect: "misskey", URL: "wss://misskey.example/streaming"}
	if err := c1.Put("", work); err != nil {
		t.Fatal(err)
	}
	if err := c1.SetRules("work", []watch.Rule{{Name: "quiet", Kind: watch.KindSilence, ForS: 60}}); err != nil {
		t.Fatal(err)
	}
	c1.Close() // the next run starts after this one ended: no late save of c1's races it
	c2 := newController(t, store)
	if got := c2.Rules("work"); len(got) != 1 || got[0].Name != "quiet" || got[0].ForS != 60 {
		t.Fatalf("rules after a restart: %+v", got)
	}
}
