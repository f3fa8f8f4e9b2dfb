package ui

import (
	"image/color"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"github.com/paulmach/orb"

	"github.com/feedscope/feedscope/geo"
	st "github.com/feedscope/feedscope/session/sessiontest"
)

// Drafting with the mouse: four taps and Enter make a closed, counter-clockwise
// ring; a drag moves a vertex; a secondary tap deletes one; undo brings it back.
func TestMapDrafting(t *testing.T) {
	test.NewTempApp(t)
	m := NewMapView(orb.Point{-77.06, 38.90}, 14)
	w := test.NewWindow(m)
	defer w.Close()
	w.Resize(fyne.NewSize(800, 600))
	var finished orb.Ring
	m.OnFinished = func(r orb.Ring) { finished = r }
	m.Drawing = true
	// Screen y grows downwards: this order is counter-clockwise on the map.
	for _, p := range []fyne.Position{{X: 300, Y: 400}, {X: 500, Y: 400}, {X: 500, Y: 200}, {X: 300, Y: 200}} {
		test.TapCanvas(w.Canvas(), p)
	}
	if len(m.Scene.Draft) != 4 {
		t.Fatalf("draft has %d points", len(m.Scene.Draft))
	}
	m.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if m.Drawing || len(finished) != 5 || geo.Check(finished) != nil {
		t.Fatalf("finished %v: %v", finished, geo.Check(finished))
	}
	m.Drawing = true
	before := m.Scene.Draft[1]
	test.Drag(w.Canvas(), fyne.NewPos(500, 400), 40, 30)
	m.DragEnd()
	if m.Scene.Draft[1].Equal(before) || len(m.Scene.Draft) != 4 {
		t.Fatalf("vertex not moved: %v", m.Scene.Draft)
	}
	test.Drag(w.Canvas(), fyne.NewPos(400, 200), 0, -50) // the top edge's midpoint
	m.DragEnd()
	if len(m.Scene.Draft) != 5 {
		t.Fatalf("midpoint drag should insert a vertex: %d points", len(m.Scene.Draft))
	}
	m.TappedSecondary(&fyne.PointEvent{Position: fyne.NewPos(300, 400)})
	if len(m.Scene.Draft) != 4 {
		t.Fatalf("secondary tap should delete: %d points", len(m.Scene.Draft))
	}
	m.Undo()
	if len(m.Scene.Draft) != 5 {
		t.Fatalf("undo: %d points", len(m.Scene.Draft))
	}
	m.Redo()
	if len(m.Scene.Draft) != 4 {
		t.Fatalf("redo: %d points", len(m.Scene.Draft))
	}
	m.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if m.Drawing || len(m.Scene.Draft) != 0 {
		t.Fatal("escape should cancel")
	}
}

// Hovering a track names it; a tap selects it.
func TestMapHoverAndPick(t *testing.T) {
	test.NewTempApp(t)
	m := NewMapView(orb.Point{-77.06, 38.90}, 14)
	w := test.NewWindow(m)
	defer w.Close()
	w.Resize(fyne.NewSize(800, 600))
	ts := geo.NewTracks(5, 10)
	k := geo.TrackKey{TrackID: "track0"}
	ts.Add(k, "MV Example", geo.Fix{Point: orb.Point{-77.06, 38.90}}, 0, time.Now())
	m.Scene.Tracks = ts.All()
	centre := m.screen(orb.Point{-77.06, 38.90})
	m.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: centre}})
	named := false
	for _, l := range m.labels {
		if l.Visible() && l.Text == "MV Example (track0)" {
			named = true
		}
	}
	if !named {
		t.Fatal("hovered track not named")
	}
	var picked *geo.Track
	m.OnTrackTapped = func(tr *geo.Track) { picked = tr }
	test.TapCanvas(w.Canvas(), centre)
	if picked == nil || picked.Key != k || m.Scene.Selected != k {
		t.Fatalf("tap picked %v", picked)
	}
}

// Fourteen tracks bunched in the legend's corner: the names that are shown keep
// clear of the legend and of each other, so the corner does not turn to mush.
func TestMapLabelsKeepClearOfTheLegend(t *testing.T) {
	loadLand() // the window parses the basemaps when it first draws a map; a test waits for them
	test.NewTempApp(t)
	m := NewMapView(orb.Point{-77.06, 38.90}, 14)
	w := test.NewWindow(m)
	defer w.Close()
	w.Resize(fyne.NewSize(800, 600))
	corner := m.geoAt(fyne.NewPos(10, 12))
	ts := geo.NewTracks(5, 20)
	for i := 0; i < 14; i++ {
		k := geo.TrackKey{CollectionID: []string{"aircraft", "vessels"}[i%2], TrackID: string(rune('a' + i))}
		ts.Add(k, "Vessel "+string(rune('A'+i)), geo.Fix{Point: orb.Point{corner[0] + float64(i%4)*0.004, corner[1] - float64(i/4)*0.0012}}, 0, time.Now())
	}
	m.Scene.Tracks = ts.All()
	m.Scene.KindColors = map[string]color.NRGBA{"aircraft": kindColors[1], "vessels": kindColors[0]}
	m.Refresh()
	type box struct{ lo, hi fyne.Position }
	var taken []box
	for _, l := range m.legend {
		if l.Visible() {
			taken = append(taken, box{l.Position(), l.Position().Add(l.MinSize())})
		}
	}
	if len(taken) != 2 {
		t.Fatalf("%d legend lines, want aircraft and vessels", len(taken))
	}
	legend := len(taken)
	shown := 0
	for _, l := range m.labels {
		if !l.Visible() {
			continue
		}
		shown++
		b := box{l.Position(), l.Position().Add(l.MinSize())}
		for i, o := range taken {
			// Fyne's MinSize pads text by a pixel or two: a touch is not an overlap.
			if b.lo.X < o.hi.X-2 && o.lo.X < b.hi.X-2 && b.lo.Y < o.hi.Y-2 && o.lo.Y < b.hi.Y-2 {
				what := "another label"
				if i < legend {
					what = "the legend"
				}
				t.Fatalf("%q at %v overlaps %s at %v", l.Text, b, what, o)
			}
		}
		taken = append(taken, b)
	}
	if shown < 6 {
		t.Fatalf("only %d of 14 tracks named", shown)
	}
}

// The window does not parse the basemaps until it draws a map, and then does
// not wait for them: it draws the sea at once and the land once they are in.
func TestMapViewFillsInTheLand(t *testing.T) {
	test.NewTempApp(t)
	m := NewMapView(orb.Point{-77.32, 38.86}, 12) // Fairfax, Virginia: land
	w := test.NewWindow(m)
	defer w.Close()
	w.Resize(fyne.NewSize(200, 100))
	land := paletteFor(isDark()).land
	st.Until(t, "the land drawn", func() bool {
		c := color.NRGBAModel.Convert(w.Canvas().Capture().At(100, 50)).(color.NRGBA)
		return c == land
	})
}
