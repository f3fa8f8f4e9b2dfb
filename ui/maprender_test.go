package ui

import (
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"
	"time"

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
