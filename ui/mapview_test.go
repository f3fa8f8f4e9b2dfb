package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"github.com/paulmach/orb"

	"github.com/feedscope/feedscope/geo"
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
