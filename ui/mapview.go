package ui

import (
	"image"
	"math"
	"slices"
	"sort"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/paulmach/orb"

	"github.com/feedscope/feedscope/geo"
)

// MapView is the map widget: it draws a MapScene into a raster and turns the mouse
// into panning, zooming, track picking and polygon drafting.
//
// Drafting (Drawing true): a tap adds a vertex, dragging a vertex moves it,
// dragging an edge's midpoint inserts one, a secondary tap deletes the nearest,
// Enter or a double tap finishes, Escape cancels, Ctrl+Z / Ctrl+Y undo and redo.
type MapView struct {
	widget.BaseWidget

	Scene   MapScene
	Drawing bool
	// OnDraftChanged is called after every edit of the draft.
	OnDraftChanged func(orb.Ring)
	// OnFinished is called when drafting ends: with the polygon (Enter, double
	// tap), or nil when cancelled.
	OnFinished func(orb.Ring)
	// OnTrackTapped is called with the track under a tap.
	OnTrackTapped func(*geo.Track)

	img      *image.RGBA
	raster   *canvas.Raster
	dragging int // vertex being dragged, or -1
	panning  bool
	undo     []orb.Ring
	redo     []orb.Ring
	scale    *canvas.Text
	credit   *canvas.Text
	// creditText is what credit shows (SetCredit may come before the renderer).
	creditText string
	labels     []*canvas.Text // polygon and track labels laid over the raster
	hover      *geo.Track     // the track under the pointer, named on the map
	legend     []*canvas.Text // "● kind" for each kind of track shown
	landWait   atomic.Bool    // the view waits for the basemaps, to draw again
}

// MouseIn is part of desktop.Hoverable.
func (m *MapView) MouseIn(*desktop.MouseEvent) {}

// MouseMoved names the track under the pointer.
func (m *MapView) MouseMoved(ev *desktop.MouseEvent) {
	if t := m.TrackAt(ev.Position); t != m.hover {
		m.hover = t
		m.Refresh()
	}
}

// MouseOut is part of desktop.Hoverable.
func (m *MapView) MouseOut() {
	if m.hover != nil {
		m.hover = nil
		m.Refresh()
	}
}

// OfflineCredit credits the embedded basemap's sources (assets/LICENSE.*).
const OfflineCredit = "Basemap: Natural Earth, DCW-GMT, GSHHG, GeoNames"

// BasemapCredits names every source of the offline map and of the street map,
// with its licence, for the About dialog.
const BasemapCredits = "Offline map: Natural Earth (public domain); the Mid-Atlantic from DCW-GMT and\n" +
	"GSHHG by the GMT team, P. Wessel and W. H. F. Smith (LGPL-3+); places from\n" +
	"GeoNames (CC BY 4.0). Street map: © OpenStreetMap contributors (ODbL), when on."

// maxLabels bounds the text objects over the map.
const maxLabels = 120

// NewMapView shows the world around centre at zoom.
func NewMapView(centre orb.Point, zoom float64) *MapView {
	m := &MapView{dragging: -1}
	m.Scene.View = geo.View{Center: centre, Zoom: zoom}
	m.Scene.StaleAfter = 30 * time.Second
	m.ExtendBaseWidget(m)
	return m
}

// CreateRenderer is part of fyne.Widget.
func (m *MapView) CreateRenderer() fyne.WidgetRenderer {
	m.raster = canvas.NewRaster(m.draw)
	m.scale = canvas.NewText("", theme.Color(theme.ColorNameForeground))
	m.scale.TextSize = theme.CaptionTextSize()
	m.credit = canvas.NewText(m.Credit(), theme.Color(theme.ColorNamePlaceHolder))
	m.credit.TextSize = theme.CaptionTextSize()
	return &mapRenderer{m: m}
}

// draw renders at the raster's pixel size, which may be larger than the widget's
// size on high-density screens.
func (m *MapView) draw(w, h int) image.Image {
	if !landReady.Load() && m.landWait.CompareAndSwap(false, true) {
		loadLandThen(func() { fyne.Do(m.Refresh) })
	}
	size := m.Size()
	sc := &m.Scene
	sc.Now = time.Now()
	sc.Dark = isDark()
	v := sc.View
	// Pixel density: render the view at the raster's resolution.
	if size.Width > 0 {
		v.Zoom += math.Log2(float64(w) / float64(size.Width))
	}
	saved := sc.View
	sc.View = v
	m.img = sc.Render(m.img, w, h)
	sc.View = saved
	return m.img
}

type mapRenderer struct{ m *MapView }

func (r *mapRenderer) Layout(size fyne.Size) {
	m := r.m
	m.raster.Resize(size)
	m.Scene.View.Width, m.Scene.View.Height = float64(size.Width), float64(size.Height)
	m.scale.Move(fyne.NewPos(12, size.Height-34))
	m.credit.Move(fyne.NewPos(size.Width-m.credit.MinSize().Width-8, size.Height-m.credit.MinSize().Height-4))
	m.layoutLegend()
}

func (r *mapRenderer) MinSize() fyne.Size { return fyne.NewSize(200, 150) }

func (r *mapRenderer) Refresh() {
	m := r.m
	m.layoutLegend()
	m.scale.Text = formatMetres(ScaleMetres(m.Scene.View))
	m.scale.Color = theme.Color(theme.ColorNameForeground)
	m.scale.Refresh()
	m.credit.Refresh()
	m.layoutLabels()
	m.raster.Refresh()
}

func (r *mapRenderer) Objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{r.m.raster, r.m.scale, r.m.credit}
	for _, l := range r.m.labels {
		objs = append(objs, l)
	}
	for _, l := range r.m.legend {
		objs = append(objs, l)
	}
	return objs
}

// layoutLabels names, in this order of priority, the track under the pointer,
// each subscription polygon (with its state), the selected track, the tracks on
// screen and the populated places of the offline layer; a label that would
// overlap one already placed is left out, so that a dozen tracks stay legible.
func (m *MapView) layoutLabels() {
	size := m.Size()
	var want []mapLabel
	if h := m.hover; h != nil {
		name := h.Name
		if name == "" {
			name = h.Key.TrackID
		}
		want = append(want, mapLabel{text: name + " (" + h.Key.TrackID + ")", pos: m.screen(h.Latest().Point).AddXY(9, -6), col: theme.ColorNameForeground})
	}
	for _, p := range m.Scene.Polygons {
		if len(p.Ring) == 0 {
			continue
		}
		top := p.Ring[0]
		for _, pt := range p.Ring {
			if pt[1] > top[1] {
				top = pt
			}
		}
		state := "live"
		if !p.Live {
			state = "not live"
		}
		if p.State != "" {
			state = p.State
		}
		want = append(want, mapLabel{text: p.Label + " · " + state, pos: m.screen(top).SubtractXY(0, 18), col: theme.ColorNameForeground})
	}
	if m.Scene.View.Zoom >= trackLabelZoom {
		var sel []mapLabel
		var rest []mapLabel
		for _, t := range m.Scene.Tracks {
			pos := m.screen(t.Latest().Point)
			if pos.X < 0 || pos.Y < 0 || pos.X > size.Width || pos.Y > size.Height || t.Name == "" || t == m.hover {
				continue
			}
			l := mapLabel{text: t.Name, pos: pos.AddXY(9, -6), col: theme.ColorNamePlaceHolder}
			if t.Key == m.Scene.Selected {
				l.col = theme.ColorNameForeground
				sel = append(sel, l)
			} else {
				rest = append(rest, l)
			}
		}
		want = append(append(want, sel...), rest...)
	}
	v := m.Scene.View
	v.Width, v.Height = float64(size.Width), float64(size.Height)
	for _, p := range Places(v) {
		want = append(want, mapLabel{text: p.Name, pos: fyne.NewPos(float32(p.X), float32(p.Y)), col: theme.ColorNamePlaceHolder, place: true})
	}
	// The legend's corner is taken: nothing is named under it.
	var legend []mapLabel
	for _, l := range m.legend {
		if l.Visible() {
			legend = append(legend, mapLabel{text: l.Text, pos: l.Position(), fixed: true})
		}
	}
	want = append(legend, want...)
	want = placeLabels(want, maxLabels+len(legend), size, func(s string) fyne.Size {
		return fyne.MeasureText(s, theme.CaptionTextSize(), fyne.TextStyle{})
	})
	want = slices.DeleteFunc(want, func(l mapLabel) bool { return l.fixed })
	for len(m.labels) < len(want) {
		t := canvas.NewText("", theme.Color(theme.ColorNameForeground))
		t.TextSize = theme.CaptionTextSize()
		m.labels = append(m.labels, t)
	}
	for i, l := range m.labels {
		if i >= len(want) {
			l.Hide()
			continue
		}
		l.Text, l.Color = want[i].text, theme.Color(want[i].col)
		l.TextStyle = fyne.TextStyle{Italic: want[i].place}
		l.Move(want[i].pos)
		l.Show()
		l.Refresh()
	}
}

// trackLabelZoom is the zoom from which tracks are named.
const trackLabelZoom = 12

// mapLabel is a text to lay over the map at pos (its top-left corner; a place's
// label is centred on its point).
type mapLabel struct {
	text  string
	pos   fyne.Position
	col   fyne.ThemeColorName
	place bool
	fixed bool // already drawn (the legend): only reserves its room
}

// placeLabels keeps, in order, the labels that overlap none kept before them,
// up to max; a place's label must also fit inside the map. A fixed label (the
// legend, drawn already) is always kept.
func placeLabels(want []mapLabel, max int, area fyne.Size, measure func(string) fyne.Size) []mapLabel {
	var kept []mapLabel
	var boxes []fyne.Position // min, max pairs
	for _, l := range want {
		if len(kept) >= max {
			break
		}
		sz := measure(l.text)
		if l.place {
			l.pos = l.pos.SubtractXY(sz.Width/2, sz.Height/2)
		}
		lo, hi := l.pos.SubtractXY(2, 1), l.pos.AddXY(sz.Width+2, sz.Height+1)
		if l.place && (lo.X < 0 || lo.Y < 0 || hi.X > area.Width || hi.Y > area.Height) {
			continue
		}
		free := true
		for i := 0; i < len(boxes) && !l.fixed; i += 2 {
			if lo.X < boxes[i+1].X && hi.X > boxes[i].X && lo.Y < boxes[i+1].Y && hi.Y > boxes[i].Y {
				free = false
				break
			}
		}
		if !free {
			continue
		}
		boxes = append(boxes, lo, hi)
		kept = append(kept, l)
	}
	return kept
}

func (r *mapRenderer) Destroy() {}

func formatMetres(m float64) string {
	if m >= 1000 {
		return strconvF(m/1000) + " km"
	}
	return strconvF(m) + " m"
}

func strconvF(f float64) string {
	if f == math.Trunc(f) {
		return fmtInt(int64(f))
	}
	return fmtFloat(f)
}

// Credit is the text naming the map's sources (and the street map's state).
func (m *MapView) Credit() string {
	if m.creditText == "" {
		return OfflineCredit
	}
	return m.creditText
}

// SetCredit sets the attribution in the corner.
func (m *MapView) SetCredit(s string) {
	m.creditText = s
	if m.credit != nil {
		m.credit.Text = s
		m.credit.Refresh()
		m.credit.Move(fyne.NewPos(m.Size().Width-m.credit.MinSize().Width-8, m.Size().Height-m.credit.MinSize().Height-4))
	}
}

// SetView moves the map.
func (m *MapView) SetView(v geo.View) {
	v.Width, v.Height = m.Scene.View.Width, m.Scene.View.Height
	m.Scene.View = v
	m.Refresh()
}

// CenterOn puts p in the middle, zooming in to at least zoom.
func (m *MapView) CenterOn(p orb.Point, zoom float64) {
	v := m.Scene.View
	v.Center = p
	v.Zoom = math.Max(v.Zoom, zoom)
	m.SetView(v)
}

// FitTo shows b.
func (m *MapView) FitTo(b orb.Bound) {
	if m.Scene.View.Width == 0 {
		return
	}
	m.SetView(m.Scene.View.Fit(b))
}

// ZoomBy zooms around the centre.
func (m *MapView) ZoomBy(delta float64) {
	v := m.Scene.View
	m.SetView(v.ZoomAt(v.Width/2, v.Height/2, delta))
}

// SetDraft replaces the draft polygon (an open ring: no closing point).
func (m *MapView) SetDraft(r orb.Ring) {
	if len(r) > 1 && r[0].Equal(r[len(r)-1]) {
		r = r[:len(r)-1]
	}
	m.edit(func() { m.Scene.Draft = r.Clone() })
}

// Draft returns the draft as a closed ring (nil when empty).
func (m *MapView) Draft() orb.Ring {
	d := m.Scene.Draft
	if len(d) == 0 {
		return nil
	}
	return append(d.Clone(), d[0])
}

// edit applies a change to the draft with undo.
func (m *MapView) edit(change func()) {
	m.undo = append(m.undo, m.Scene.Draft.Clone())
	if len(m.undo) > 100 {
		m.undo = m.undo[1:]
	}
	m.redo = nil
	change()
	m.changed()
}

func (m *MapView) changed() {
	if m.OnDraftChanged != nil {
		m.OnDraftChanged(m.Draft())
	}
	m.Refresh()
}

// Undo steps back one draft edit.
func (m *MapView) Undo() { m.step(&m.undo, &m.redo) }

// Redo takes back an Undo.
func (m *MapView) Redo() { m.step(&m.redo, &m.undo) }

// step restores the newest draft of from, saving the current one on to.
func (m *MapView) step(from, to *[]orb.Ring) {
	if len(*from) == 0 {
		return
	}
	*to = append(*to, m.Scene.Draft.Clone())
	m.Scene.Draft = (*from)[len(*from)-1]
	*from = (*from)[:len(*from)-1]
	m.changed()
}

func (m *MapView) screen(p orb.Point) fyne.Position {
	x, y := m.Scene.View.ToScreen(p)
	return fyne.NewPos(float32(x), float32(y))
}

func (m *MapView) geoAt(pos fyne.Position) orb.Point {
	return m.Scene.View.FromScreen(float64(pos.X), float64(pos.Y))
}

const grab = 8 // pixels within which a vertex or track is under the pointer

// nearestVertex is the draft vertex within grab of pos, or -1.
func (m *MapView) nearestVertex(pos fyne.Position) int {
	best, bestD := -1, float32(grab)
	for i, p := range m.Scene.Draft {
		s := m.screen(p)
		if d := float32(math.Hypot(float64(s.X-pos.X), float64(s.Y-pos.Y))); d <= bestD {
			best, bestD = i, d
		}
	}
	return best
}

// nearestMidpoint is the edge whose midpoint is within grab of pos, or -1.
func (m *MapView) nearestMidpoint(pos fyne.Position) int {
	d := m.Scene.Draft
	if len(d) < 2 {
		return -1
	}
	for i := range d {
		a, b := m.screen(d[i]), m.screen(d[(i+1)%len(d)])
		mid := fyne.NewPos((a.X+b.X)/2, (a.Y+b.Y)/2)
		if math.Hypot(float64(mid.X-pos.X), float64(mid.Y-pos.Y)) <= grab {
			return i
		}
	}
	return -1
}

// Tapped adds a vertex while drafting, or picks a track.
func (m *MapView) Tapped(ev *fyne.PointEvent) {
	if c := fyne.CurrentApp().Driver().CanvasForObject(m); c != nil {
		c.Focus(m)
	}
	if m.Drawing {
		if m.nearestVertex(ev.Position) >= 0 {
			return // a tap on a vertex is the start of a drag or a double tap
		}
		p := m.geoAt(ev.Position)
		m.edit(func() { m.Scene.Draft = append(m.Scene.Draft, p) })
		return
	}
	if t := m.TrackAt(ev.Position); t != nil {
		m.Scene.Selected = t.Key
		m.Refresh()
		if m.OnTrackTapped != nil {
			m.OnTrackTapped(t)
		}
	}
}

// TrackAt returns the track drawn under pos, or nil.
func (m *MapView) TrackAt(pos fyne.Position) *geo.Track {
	var best *geo.Track
	bestD := float64(grab)
	for _, t := range m.Scene.Tracks {
		s := m.screen(t.Latest().Point)
		if d := math.Hypot(float64(s.X-pos.X), float64(s.Y-pos.Y)); d <= bestD {
			best, bestD = t, d
		}
	}
	return best
}

// TappedSecondary deletes the nearest vertex while drafting.
func (m *MapView) TappedSecondary(ev *fyne.PointEvent) {
	if !m.Drawing {
		return
	}
	if i := m.nearestVertex(ev.Position); i >= 0 {
		m.edit(func() { m.Scene.Draft = append(m.Scene.Draft[:i:i], m.Scene.Draft[i+1:]...) })
	}
}

// DoubleTapped finishes the draft.
func (m *MapView) DoubleTapped(*fyne.PointEvent) {
	if m.Drawing {
		m.Finish()
	}
}

// Finish ends drafting, keeping the polygon.
func (m *MapView) Finish() {
	m.Drawing = false
	m.Refresh()
	if m.OnFinished != nil {
		m.OnFinished(m.Draft())
	}
}

// Cancel ends drafting and drops the polygon.
func (m *MapView) Cancel() {
	m.Drawing = false
	m.edit(func() { m.Scene.Draft = nil })
	if m.OnFinished != nil {
		m.OnFinished(nil)
	}
}

// Dragged moves a vertex, inserts one at a midpoint, or pans. Vertices move by
// the drag's deltas, so a drag means the same whichever way a driver reports the
// pointer's position.
func (m *MapView) Dragged(ev *fyne.DragEvent) {
	if !m.panning && m.dragging < 0 && m.Drawing {
		start := fyne.NewPos(ev.Position.X-ev.Dragged.DX, ev.Position.Y-ev.Dragged.DY)
		for _, at := range []fyne.Position{start, ev.Position} {
			if i := m.nearestVertex(at); i >= 0 {
				m.dragging = i
				m.edit(func() {})
				break
			}
			if i := m.nearestMidpoint(at); i >= 0 {
				d := m.Scene.Draft
				mid := orb.Point{(d[i][0] + d[(i+1)%len(d)][0]) / 2, (d[i][1] + d[(i+1)%len(d)][1]) / 2}
				m.edit(func() {
					m.Scene.Draft = append(d[:i+1:i+1], append(orb.Ring{mid}, d[i+1:]...)...)
				})
				m.dragging = i + 1
				break
			}
		}
	}
	if m.dragging >= 0 && m.dragging < len(m.Scene.Draft) {
		s := m.screen(m.Scene.Draft[m.dragging])
		m.Scene.Draft[m.dragging] = m.geoAt(fyne.NewPos(s.X+ev.Dragged.DX, s.Y+ev.Dragged.DY))
		m.changed()
		return
	}
	m.panning = true
	m.Scene.View = m.Scene.View.Pan(float64(ev.Dragged.DX), float64(ev.Dragged.DY))
	m.Refresh()
}

// DragEnd ends a drag.
func (m *MapView) DragEnd() { m.dragging, m.panning = -1, false }

// Scrolled zooms around the pointer.
func (m *MapView) Scrolled(ev *fyne.ScrollEvent) {
	delta := float64(ev.Scrolled.DY) / 100
	if delta == 0 {
		return
	}
	delta = math.Max(-1, math.Min(1, delta))
	m.Scene.View = m.Scene.View.ZoomAt(float64(ev.Position.X), float64(ev.Position.Y), delta)
	m.Refresh()
}

// FocusGained is part of fyne.Focusable.
func (m *MapView) FocusGained() {}

// FocusLost is part of fyne.Focusable.
func (m *MapView) FocusLost() {}

// TypedRune is part of fyne.Focusable.
func (m *MapView) TypedRune(rune) {}

// TypedKey finishes (Enter), cancels (Escape) and zooms (+, -).
func (m *MapView) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if m.Drawing {
			m.Finish()
		}
	case fyne.KeyEscape:
		if m.Drawing {
			m.Cancel()
		}
	case fyne.KeyPlus, fyne.KeyEqual:
		m.ZoomBy(1)
	case fyne.KeyMinus:
		m.ZoomBy(-1)
	}
}

// TypedShortcut handles undo and redo.
func (m *MapView) TypedShortcut(s fyne.Shortcut) {
	if cs, ok := s.(*desktop.CustomShortcut); ok && cs.Modifier&fyne.KeyModifierShortcutDefault != 0 {
		switch cs.KeyName {
		case fyne.KeyZ:
			m.Undo()
		case fyne.KeyY:
			m.Redo()
		}
	}
	if _, ok := s.(*fyne.ShortcutUndo); ok {
		m.Undo()
	}
	if _, ok := s.(*fyne.ShortcutRedo); ok {
		m.Redo()
	}
}

// layoutLegend names the colour of each kind of track in the top-left corner.
func (m *MapView) layoutLegend() {
	kinds := make([]string, 0, len(m.Scene.KindColors))
	for k := range m.Scene.KindColors {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for len(m.legend) < len(kinds) {
		t := canvas.NewText("", theme.Color(theme.ColorNameForeground))
		t.TextSize = theme.CaptionTextSize()
		t.TextStyle = fyne.TextStyle{Bold: true}
		m.legend = append(m.legend, t)
	}
	y := float32(6)
	for i, t := range m.legend {
		if i >= len(kinds) {
			t.Hide()
			continue
		}
		t.Text, t.Color = "● "+kinds[i], m.Scene.KindColors[kinds[i]]
		t.Move(fyne.NewPos(8, y))
		t.Show()
		t.Refresh()
		y += t.MinSize().Height
	}
}
