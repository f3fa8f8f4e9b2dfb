package ui

import (
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"github.com/paulmach/orb"

	"github.com/feedscope/feedscope/geo"
)

// benchScene is 10 000 tracks and 100 subscription polygons around Washington DC.
func benchScene(tracks, polygons int) *MapScene {
	r := rand.New(rand.NewPCG(1, 2))
	sc := &MapScene{View: geo.View{Center: orb.Point{-77.05, 38.9}, Zoom: 11}, Now: time.Now(), StaleAfter: time.Minute}
	ts := geo.NewTracks(20, tracks)
	now := time.Now()
	for i := 0; i < tracks; i++ {
		k := geo.TrackKey{TrackID: fmt.Sprint(i)}
		lon, lat := -77.05+(r.Float64()-0.5)*0.4, 38.9+(r.Float64()-0.5)*0.3
		for j := 0; j < 5; j++ {
			ts.Add(k, "", geo.Fix{At: now.Add(time.Duration(j) * time.Second), Point: orb.Point{lon + float64(j)*0.0005, lat}, Heading: 90}, 0, now)
		}
	}
	sc.Tracks = ts.All()
	for i := 0; i < polygons; i++ {
		cx, cy := -77.05+(r.Float64()-0.5)*0.4, 38.9+(r.Float64()-0.5)*0.3
		ring := orb.Ring{}
		for a := 0.0; a < 2*math.Pi; a += math.Pi / 6 {
			ring = append(ring, orb.Point{cx + 0.01*math.Cos(a), cy + 0.01*math.Sin(a)})
		}
		ring = append(ring, ring[0])
		sc.Polygons = append(sc.Polygons, MapPolygon{Label: fmt.Sprint(i), Ring: ring, Color: polygonColors[i%len(polygonColors)], Live: true})
	}
	return sc
}

func BenchmarkMapFrame(b *testing.B) {
	loadLand() // the window parses the basemaps when it first draws a map; a test waits for them
	sc := benchScene(10_000, 100)
	img := sc.Render(nil, 1280, 800)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		img = sc.Render(img, 1280, 800)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/frame")
}

// The regional layer draws the Chesapeake Bay as water and Fairfax as land at a
// close zoom, where the 1:50 million land has no bay at all.
func TestMapDetailLayer(t *testing.T) {
	loadLand() // the window parses the basemaps when it first draws a map; a test waits for them
	pal := paletteFor(false)
	for _, c := range []struct {
		name string
		at   orb.Point
		want color.NRGBA
	}{{"Chesapeake Bay", orb.Point{-76.43, 38.62}, pal.sea}, {"Fairfax", orb.Point{-77.32, 38.86}, pal.land}} {
		sc := &MapScene{View: geo.View{Center: c.at, Zoom: 12}}
		img := sc.Render(nil, 200, 100)
		if got := img.RGBAAt(100, 50); got != (color.RGBA{c.want.R, c.want.G, c.want.B, 255}) {
			t.Errorf("%s: centre pixel %v, want %v", c.name, got, c.want)
		}
	}
	v := geo.View{Center: orb.Point{-77.04, 38.88}, Zoom: 11, Width: 1280, Height: 800}
	names := map[string]bool{}
	for _, p := range Places(v) {
		names[p.Name] = true
	}
	if !names["Washington, D.C."] || !names["Arlington"] || !names["Alexandria"] {
		t.Errorf("places around the District: %v", names)
	}
}

// Twelve tracks bunched together keep legible labels: none overlaps another, the
// first ones (hover, polygons) always stay, and a place's name never runs off
// the map.
func TestPlaceLabelsDoNotOverlap(t *testing.T) {
	loadLand() // the window parses the basemaps when it first draws a map; a test waits for them
	measure := func(s string) fyne.Size { return fyne.NewSize(float32(7*len(s)), 12) }
	var want []mapLabel
	want = append(want, mapLabel{text: "hovered", pos: fyne.NewPos(200, 250)}, mapLabel{text: "Fence 1 · live", pos: fyne.NewPos(5, 5)})
	for i := 0; i < 12; i++ {
		want = append(want, mapLabel{text: fmt.Sprintf("Vessel %d", i), pos: fyne.NewPos(100+float32(i)*6, 100+float32(i)*4)})
	}
	want = append(want, mapLabel{text: "Edgeville", pos: fyne.NewPos(398, 50), place: true}, mapLabel{text: "Middleton", pos: fyne.NewPos(300, 300), place: true})
	got := placeLabels(want, 100, fyne.NewSize(400, 400), measure)
	if got[0].text != "hovered" || got[1].text != "Fence 1 · live" {
		t.Fatalf("the first labels were dropped: %+v", got)
	}
	for i := range got {
		for j := i + 1; j < len(got); j++ {
			a, b := got[i], got[j]
			sa, sb := measure(a.text), measure(b.text)
			if a.pos.X < b.pos.X+sb.Width && b.pos.X < a.pos.X+sa.Width && a.pos.Y < b.pos.Y+sb.Height && b.pos.Y < a.pos.Y+sa.Height {
				t.Errorf("%q overlaps %q", a.text, b.text)
			}
		}
	}
	names := map[string]bool{}
	for _, l := range got {
		names[l.text] = true
	}
	if names["Edgeville"] || !names["Middleton"] || !names["Vessel 0"] || len(got) >= len(want) {
		t.Errorf("kept %v", names)
	}
}

// demoScene is n tracks with 30-fix trails (what the panel keeps) spread along
// the demo's stretch of the Potomac, at the view the map opens on.
func demoScene(n int) *MapScene {
	r := rand.New(rand.NewPCG(3, 4))
	sc := &MapScene{View: geo.View{Center: dcCentre, Zoom: 12.6}, Now: time.Now(), StaleAfter: 30 * time.Second,
		KindColors: map[string]color.NRGBA{"vessels": kindColors[0], "aircraft": kindColors[1]}}
	ts := geo.NewTracks(30, 20_000)
	now := time.Now()
	for i := 0; i < n; i++ {
		k := geo.TrackKey{SourceSystemID: "demo-ais", CollectionID: []string{"vessels", "aircraft"}[i%2], TrackID: fmt.Sprint("track", i)}
		lon, lat := dcCentre[0]+(r.Float64()-0.5)*0.1, dcCentre[1]+(r.Float64()-0.5)*0.06
		heading := r.Float64() * 360
		for j := 0; j < 30; j++ {
			p := orb.Point{lon + float64(j)*0.0003*math.Sin(heading*math.Pi/180), lat + float64(j)*0.0003*math.Cos(heading*math.Pi/180)}
			ts.Add(k, fmt.Sprint("Vessel ", i), geo.Fix{At: now.Add(time.Duration(j-30) * time.Second), Point: p, Heading: heading, Speed: 5}, 0, now)
		}
	}
	sc.Tracks = ts.All()
	ring := orb.Ring{{-77.066, 38.900}, {-77.058, 38.900}, {-77.058, 38.908}, {-77.066, 38.908}, {-77.066, 38.900}}
	sc.Polygons = []MapPolygon{{Label: "demo-gotham #1", Ring: ring, Color: polygonColors[0], Live: true}}
	return sc
}

// BenchmarkMapFrameDemo is one frame of the demo's 22 tracks (12 vessels, 10
// aircraft) at the view the map opens on; BenchmarkMapFrame100 the same with 100.
func BenchmarkMapFrameDemo(b *testing.B) { benchFrame(b, demoScene(22)) }
func BenchmarkMapFrame100(b *testing.B)  { benchFrame(b, demoScene(100)) }

func benchFrame(b *testing.B, sc *MapScene) {
	loadLand() // the window parses the basemaps when it first draws a map; a test waits for them
	img := sc.Render(nil, 1280, 800)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		img = sc.Render(img, 1280, 800)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/frame")
}

// BenchmarkMapPan is a frame while the map is dragged a pixel or two at a time,
// as a drag reports it: the base layer (land, rivers, borders) moves with it.
func BenchmarkMapPan(b *testing.B) {
	loadLand() // the window parses the basemaps when it first draws a map; a test waits for them
	benchMoves(b, func(i int, v *geo.View) { *v = v.Pan(float64(1+i%2), 0) })
}

// BenchmarkMapZoom is a frame after a zoom step: the base layer, margin and all,
// is drawn again every time (the worst frame; panning draws it once per
// baseMargin pixels).
func BenchmarkMapZoom(b *testing.B) {
	loadLand() // the window parses the basemaps when it first draws a map; a test waits for them
	benchMoves(b, func(i int, v *geo.View) { v.Zoom = 12.6 + float64(i%2)*0.1 })
}

// benchMoves renders the demo's scene after each move of the view.
func benchMoves(b *testing.B, move func(i int, v *geo.View)) {
	sc := demoScene(22)
	img := sc.Render(nil, 1280, 800)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		move(i, &sc.View)
		img = sc.Render(img, 1280, 800)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/frame")
}
