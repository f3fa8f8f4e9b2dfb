package geo_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/feedscope/feedscope/geo"
)

func TestViewRoundTrip(t *testing.T) {
	v := geo.View{Center: orb.Point{-77.06, 38.9}, Zoom: 12.5, Width: 1280, Height: 800}
	cases := []orb.Point{{-77.06, 38.9}, {-77.1, 38.95}, {179.9, -10}, {0, 0}}
	for _, p := range cases {
		x, y := v.ToScreen(p)
		back := v.FromScreen(x, y)
		if math.Abs(back[0]-p[0]) > 1e-9 || math.Abs(back[1]-p[1]) > 1e-9 {
			t.Errorf("%v → (%.1f, %.1f) → %v", p, x, y, back)
		}
	}
	if x, y := v.ToScreen(v.Center); x != 640 || y != 400 {
		t.Errorf("centre drawn at %.2f, %.2f", x, y)
	}
}

func TestViewZoomKeepsAnchor(t *testing.T) {
	v := geo.View{Center: orb.Point{-77.06, 38.9}, Zoom: 10, Width: 800, Height: 600}
	anchor := v.FromScreen(100, 500)
	z := v.ZoomAt(100, 500, 2)
	if z.Zoom != 12 {
		t.Fatalf("zoom %v", z.Zoom)
	}
	x, y := z.ToScreen(anchor)
	if math.Abs(x-100) > 0.01 || math.Abs(y-500) > 0.01 {
		t.Fatalf("anchor moved to %.2f, %.2f", x, y)
	}
	if p := v.Pan(50, 0); p.Center[0] >= v.Center[0] {
		t.Fatal("dragging the map right should move the view west")
	}
}

func TestViewFit(t *testing.T) {
	b := orb.Bound{Min: orb.Point{-77.07, 38.89}, Max: orb.Point{-77.05, 38.91}}
	v := geo.View{Width: 800, Height: 600}.Fit(b)
	for _, p := range []orb.Point{b.Min, b.Max} {
		x, y := v.ToScreen(p)
		if x < 0 || y < 0 || x > 800 || y > 600 {
			t.Fatalf("%v drawn outside the view at %.0f, %.0f (zoom %.2f)", p, x, y, v.Zoom)
		}
	}
	if v.Zoom < 13 {
		t.Fatalf("fit zoom %v is too far out for a 2 km box", v.Zoom)
	}
}

func TestGeoJSON(t *testing.T) {
	cases := []struct {
		name, doc string
		rings     int
		err       bool
	}{
		{"polygon", `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`, 1, false},
		{"feature", `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"properties":{}}`, 1, false},
		{"multipolygon in a collection", `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]]},"properties":{}}]}`, 2, false},
		{"a point only", `{"type":"Point","coordinates":[1,2]}`, 0, true},
		{"not json", `nope`, 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rings, err := geo.RingsFromGeoJSON([]byte(c.doc))
			if (err != nil) != c.err || len(rings) != c.rings {
				t.Fatalf("rings %d err %v", len(rings), err)
			}
		})
	}
	r := orb.Ring{{-77.0597, 38.9033}, {-77.0601, 38.9052}, {-77.0628, 38.9052}, {-77.0613, 38.9028}, {-77.0597, 38.9033}}
	b, err := geo.RingToGeoJSON(r, map[string]any{"name": "sample"})
	if err != nil {
		t.Fatal(err)
	}
	back, err := geo.RingsFromGeoJSON(b)
	if err != nil || !back[0].Equal(r) {
		t.Fatalf("round trip: %v %v", back, err)
	}
}

func TestTracks(t *testing.T) {
	s := geo.NewTracks(3, 2)
	k := geo.TrackKey{SourceSystemID: "ais", CollectionID: "vessels", ObservationSpecID: "demo-vessels", TrackID: "track0"}
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	fix := func(sec int, lon float64) geo.Fix {
		return geo.Fix{At: t0.Add(time.Duration(sec) * time.Second), Point: orb.Point{lon, 0}}
	}
	for _, f := range []geo.Fix{fix(1, 1), fix(3, 3), fix(2, 2), fix(4, 4)} { // 2 arrives late
		s.Add(k, "MV Example", f, 0, t0)
	}
	tr := s.All()[0]
	if len(tr.Trail) != 3 || tr.Latest().Point[0] != 4 || tr.Trail[0].Point[0] != 2 {
		t.Fatalf("trail %v", tr.Trail)
	}
	s.Add(geo.TrackKey{TrackID: "b"}, "", fix(1, 0), 0, t0.Add(time.Second))
	s.Add(geo.TrackKey{TrackID: "c"}, "", fix(1, 0), 0, t0.Add(2*time.Second))
	if s.Len() != 2 {
		t.Fatalf("%d tracks kept, cap 2", s.Len())
	}
	for _, tr := range s.All() {
		if tr.Key == k {
			t.Fatal("the stalest track should have gone")
		}
	}
	if st := geo.Stale(tr, t0.Add(45*time.Second), time.Minute); st != 0.75 {
		t.Fatalf("stale %v", st)
	}
}

// BenchmarkIndex100 measures observation × subscription tests with 100 polygons.
func BenchmarkIndex100(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	var x geo.Index
	for i := 0; i < 100; i++ {
		cx, cy := -77+r.Float64(), 38.5+r.Float64()
		ring := orb.Ring{}
		for a := 0.0; a < 2*math.Pi; a += math.Pi / 8 {
			ring = append(ring, orb.Point{cx + 0.05*math.Cos(a), cy + 0.05*math.Sin(a)})
		}
		x.Add(fmt.Sprint(i), append(ring, ring[0]))
	}
	pts := make([]orb.Point, 1024)
	for i := range pts {
		pts[i] = orb.Point{-77 + r.Float64(), 38.5 + r.Float64()}
	}
	hits := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		x.Each(pts[i%len(pts)], func(string) { hits++ })
	}
	b.ReportMetric(float64(b.N)*100/b.Elapsed().Seconds(), "tests/s")
}
