package geo_test

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/feedscope/feedscope/geo"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// The reference's sample (clockwise on a north-up map) and its reversal.
var (
	sampleCW  = orb.Ring{{-77.0597, 38.9033}, {-77.0613, 38.9028}, {-77.0628, 38.9052}, {-77.0601, 38.9052}, {-77.0597, 38.9033}}
	sampleCCW = orb.Ring{{-77.0597, 38.9033}, {-77.0601, 38.9052}, {-77.0628, 38.9052}, {-77.0613, 38.9028}, {-77.0597, 38.9033}}
)

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		ring orb.Ring
		want []error
	}{
		{"sample reversed is valid", sampleCCW, nil},
		{"sample is clockwise", sampleCW, []error{geo.ErrClockwise}},
		{"unclosed", sampleCCW[:4], []error{geo.ErrNotClosed}},
		//   3 ──── 2
		//     ╲  ╱
		//      ╳        a bow-tie: edges 0 and 2 cross
		//     ╱  ╲
		//   0 ──── 1 … drawn as 0 → 2 → 1 → 3
		{"bow-tie", orb.Ring{{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}, []error{geo.ErrSelfIntersecting}},
		{"too few", orb.Ring{{0, 0}, {1, 0}, {0, 0}}, []error{geo.ErrTooFewPoints}},
		{"out of range", orb.Ring{{179, 0}, {181, 0}, {181, 1}, {179, 0}}, []error{geo.ErrOutOfRange}},
		{"antimeridian-adjacent, valid", orb.Ring{{179.5, -1}, {180, -1}, {180, 1}, {179.5, 1}, {179.5, -1}}, nil},
		{"flat", orb.Ring{{0, 0}, {1, 0}, {2, 0}, {0, 0}}, []error{geo.ErrDegenerate}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := geo.Validate(c.ring)
			if len(got) != len(c.want) {
				t.Fatalf("faults = %v, want %v", got, c.want)
			}
			for i := range got {
				if !errors.Is(got[i], c.want[i]) {
					t.Fatalf("fault %d = %v, want %v", i, got[i], c.want[i])
				}
			}
		})
	}
}

func TestRepair(t *testing.T) {
	r := geo.Repair(orb.Ring{{-77.0597, 38.9033}, {-77.0613, 38.9028}, {-77.0613, 38.9028}, {-77.0628, 38.9052}, {-77.0601, 38.9052}})
	if f := geo.Validate(r); len(f) != 0 {
		t.Fatalf("repaired ring still has %v: %v", f, r)
	}
	if len(r) != 5 {
		t.Fatalf("repaired ring has %d points", len(r))
	}
}

func TestIndex(t *testing.T) {
	var x geo.Index
	x.Add("sample", sampleCCW)
	x.Add("box", orb.Ring{{-78, 38}, {-76, 38}, {-76, 40}, {-78, 40}, {-78, 38}})
	var hits []string
	x.Each(orb.Point{-77.061, 38.904}, func(k string) { hits = append(hits, k) })
	if fmt.Sprint(hits) != "[sample box]" {
		t.Fatalf("hits = %v", hits)
	}
	hits = nil
	x.Each(orb.Point{-77.5, 39.5}, func(k string) { hits = append(hits, k) })
	if fmt.Sprint(hits) != "[box]" {
		t.Fatalf("hits = %v", hits)
	}
}

func ExampleValidate() {
	for _, f := range geo.Validate(orb.Ring{{-77.0597, 38.9033}, {-77.0613, 38.9028}, {-77.0628, 38.9052}, {-77.0601, 38.9052}}) {
		fmt.Println(f)
	}
	// Output:
	// polygon must be closed (first point = last point)
	// polygon runs clockwise; the docs ask for counter-clockwise (Repair turns it)
}

func ExampleRepair() {
	r := geo.Repair(orb.Ring{{0, 0}, {0, 1}, {1, 1}, {1, 0}})
	fmt.Println(r, geo.Check(r))
	// Output:
	// [[0 0] [1 0] [1 1] [0 1] [0 0]] <nil>
}

func TestReadLayer(t *testing.T) {
	data := []byte(`{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[-78,38],[-76,38],[-76,40],[-78,40],[-78,38]]]},"properties":{"kind":"cover"}},
{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[-77.2,38.8],[-77,38.8],[-77,39],[-77.2,38.8]]]},"properties":{"kind":"land"}},
{"type":"Feature","geometry":{"type":"LineString","coordinates":[[-77.1,38.9],[-77,38.85]]},"properties":{"kind":"riverband","width_m":500}},
{"type":"Feature","geometry":{"type":"Point","coordinates":[-77.04,38.9]},"properties":{"kind":"place","name":"Arlington","population":200000}},
{"type":"Feature","geometry":{"type":"Point","coordinates":[-77.04,38.9]},"properties":{"kind":"place","name":"Washington","population":700000}}]}`)
	l, err := geo.ReadLayer(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Land) != 1 || len(l.Bands) != 1 || l.Bands[0].Width != 500 || len(l.Places) != 2 || l.Places[0].Name != "Washington" {
		t.Fatalf("layer %+v", l)
	}
	if !l.Cover.Contains(geo.World(orb.Point{-77, 39})) {
		t.Fatalf("cover %v is not in world units", l.Cover)
	}
	if _, err := geo.ReadLayer([]byte(`{"type":"FeatureCollection","features":[]}`)); err == nil {
		t.Fatal("a layer without its cover was accepted")
	}
	if _, err := geo.ReadLayer([]byte(`nope`)); err == nil {
		t.Fatal("garbage was accepted")
	}
}

func TestTracksToGeoJSON(t *testing.T) {
	ts := geo.NewTracks(10, 10)
	at := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	k := geo.TrackKey{SourceSystemID: "ais", CollectionID: "vessels", ObservationSpecID: "v", TrackID: "t1"}
	ts.Add(k, "MV Example", geo.Fix{At: at, Point: orb.Point{-77.06, 38.90}, Heading: math.NaN(), Speed: math.NaN()}, 0, at)
	ts.Add(k, "", geo.Fix{At: at.Add(time.Second), Point: orb.Point{-77.05, 38.91}, Heading: 45, Speed: 4}, 0, at)
	ts.Add(geo.TrackKey{TrackID: "t2"}, "", geo.Fix{At: at, Point: orb.Point{1, 2}, Heading: math.NaN(), Speed: math.NaN()}, 0, at)
	b, err := geo.TracksToGeoJSON(ts.All())
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, f := range fc.Features {
		kinds[f.Geometry.GeoJSONType()]++
		if f.Geometry.GeoJSONType() == "Point" && f.Properties["name"] == "MV Example" && (f.Properties["heading"] != 45.0 || f.Properties["speed_mps"] != 4.0) {
			t.Errorf("point properties %v", f.Properties)
		}
	}
	if kinds["Point"] != 2 || kinds["LineString"] != 1 {
		t.Fatalf("features %v in %s", kinds, b)
	}
}
