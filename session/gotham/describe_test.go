package gotham_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/feedscope/feedscope/geo"
	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/gotham"
	st "github.com/feedscope/feedscope/session/sessiontest"
)

// The decoder names each observation's track, its name, heading and speed, so no
// reader parses the observation again.
func TestObservationsCarryTheirTrack(t *testing.T) {
	srv := st.StartDemo(t, 20)
	_, c := st.Connect(t, session.Profile{Name: "g", Dialect: gotham.Name, URL: srv.URL(gotham.Name), Token: "demo", Subs: []json.RawMessage{st.JSON(`{}`)}})
	e, _ := c.WaitKind(t, 0, session.DirIn, "data")
	var obs gotham.Observation
	if err := json.Unmarshal(e.Raw, &obs); err != nil {
		t.Fatal(err)
	}
	k, ok := geo.ParseTrackKey(e.Key)
	if !ok || k != obs.Key() || k.TrackID == "" {
		t.Fatalf("key %q → %+v, want %+v", e.Key, k, obs.Key())
	}
	if e.Label != obs.Name || e.Label == "" {
		t.Fatalf("label %q, name %q", e.Label, obs.Name)
	}
	if e.Heading == nil || *e.Heading < 0 || *e.Heading >= 360 || e.Speed == nil || *e.Speed < 0 {
		t.Fatalf("heading %v speed %v", e.Heading, e.Speed)
	}
	var kn float64
	for _, p := range obs.LiveProperties {
		if p.PropertyType == "speed" {
			_ = json.Unmarshal(p.Value, &kn)
		}
	}
	if got := *e.Speed / (1852.0 / 3600); got < kn-1e-9 || got > kn+1e-9 {
		t.Fatalf("speed %v m/s is %v kn, the frame says %v", *e.Speed, got, kn)
	}
}

func TestPolygonCapability(t *testing.T) {
	poly, ok := session.PolygonalOf(gotham.Name)
	if !ok {
		t.Fatal("gotham takes polygons")
	}
	ring := orb.Ring{{-77.0640, 38.9020}, {-77.0605, 38.9020}, {-77.0605, 38.9060}, {-77.0640, 38.9060}, {-77.0640, 38.9020}}
	spec, err := poly.PolygonSub(ring)
	if err != nil {
		t.Fatal(err)
	}
	if back, ok := poly.SubPolygon(spec); !ok || len(back) != 5 || back[1] != ring[1] {
		t.Fatalf("round trip %v", back)
	}
	if _, ok := poly.SubPolygon(st.JSON(`{}`)); ok {
		t.Fatal("{} has no polygon")
	}
	// Applying a ring keeps the query's other parts.
	with, err := poly.WithPolygon(st.JSON(`{"property":{"property":"speed","values":[12]}}`), ring)
	if err != nil || !strings.Contains(string(with), `"speed"`) || !strings.Contains(string(with), `"location"`) {
		t.Fatalf("with polygon: %s %v", with, err)
	}
	// A clockwise ring is sent (the service takes the docs' clockwise sample: a
	// warning, not a refusal); one with too few points is refused in the server's words.
	if _, err := poly.PolygonSub(orb.Ring{ring[0], ring[3], ring[2], ring[1], ring[0]}); err != nil {
		t.Fatalf("clockwise: %v", err)
	}
	if _, err := poly.PolygonSub(orb.Ring{ring[0], ring[1], ring[0]}); err == nil || !strings.Contains(err.Error(), "at least 4 points") {
		t.Fatalf("too few: %v", err)
	}
}

func TestURLCheckAndFix(t *testing.T) {
	d, _ := session.Lookup(gotham.Name)
	p := session.Profile{URL: "wss://g.example/api/ws/gotham/v1/observations/spec1"}
	prob := session.CheckURL(d, &p)
	if prob == nil || prob.Fix == nil || !strings.Contains(prob.Message, "preview=true") {
		t.Fatalf("problem %+v", prob)
	}
	prob.Fix(&p)
	if p.URL != "wss://g.example/api/ws/gotham/v1/observations/spec1?preview=true" || session.CheckURL(d, &p) != nil {
		t.Fatalf("after fix %q", p.URL)
	}
	p.URL = "wss://g.example/api/ws/gotham/v1/"
	if prob := session.CheckURL(d, &p); prob == nil || prob.Fix != nil {
		t.Fatalf("no spec id: %+v", prob)
	}
	if got := session.DescribeSub(d, st.JSON(`{"location":`+box+`,"property":{"property":"speed","values":[12]}}`)); got != "polygon of 5 points and speed ∈ {12}" {
		t.Fatalf("describe %q", got)
	}
}
