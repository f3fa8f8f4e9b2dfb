package ui

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/vector"

	"github.com/feedscope/feedscope/assets"
	"github.com/feedscope/feedscope/geo"
	"github.com/feedscope/feedscope/tiles"
)

// MapPolygon is a subscription's polygon on the map.
type MapPolygon struct {
	Label string
	State string   // shown after the label; "" says live or not live
	Ring  orb.Ring // lon, lat
	Color color.NRGBA
	Live  bool
}

// MapScene is everything one map frame shows; Render draws it without Fyne, so it
// can be benchmarked and tested as an image.
type MapScene struct {
	View       geo.View
	Polygons   []MapPolygon
	Tracks     []*geo.Track
	Draft      orb.Ring // the polygon being drawn, open (lon, lat)
	Selected   geo.TrackKey
	Now        time.Time
	StaleAfter time.Duration
	Dark       bool

	// KindColors colours the markers of each kind of track (their collection:
	// vessels, aircraft); a kind not in it has the palette's marker colour.
	KindColors map[string]color.NRGBA

	// Tiles, when set, draws an online raster layer instead of the embedded land;
	// TilesGen changes whenever a tile arrives, so the base layer is redrawn.
	Tiles    TileGetter
	TilesGen int

	baseKey baseKey     // what the cached base layer shows
	base    *image.RGBA // sea, land and graticule around the view: redrawn when it pans out or zooms
	baseAt  [2]float64  // the base's top-left corner in world pixels

	// Scratch reused from frame to frame, so that a frame allocates nothing.
	pt  painter
	scr []orb.Point // screen points
}

type baseKey struct {
	zoom  float64
	dark  bool
	tiles int  // generation; -1 without tiles
	w, h  int  // the view's size (the base is baseMargin larger on each side)
	land  bool // the basemaps were in
}

// baseMargin is how far, in pixels, the view may pan before the base layer is
// drawn again.
const baseMargin = 128

// topLeft is the view's top-left corner in world pixels at its zoom.
func topLeft(v geo.View) [2]float64 {
	c := geo.World(v.Center)
	s := geo.TileSize * math.Exp2(v.Zoom)
	return [2]float64{c[0]*s - v.Width/2, c[1]*s - v.Height/2}
}

// baseOffset is where the view's top-left corner falls in the cached base
// layer, to the nearest pixel, and whether the whole view is inside it.
func (sc *MapScene) baseOffset(v geo.View) (x, y int, inside bool) {
	if sc.base == nil {
		return 0, 0, false
	}
	tl := topLeft(v)
	x, y = int(math.Round(tl[0]-sc.baseAt[0])), int(math.Round(tl[1]-sc.baseAt[1]))
	return x, y, x >= 0 && y >= 0 && x <= 2*baseMargin && y <= 2*baseMargin
}

// TileGetter answers a tile at once or nil (package tiles' Source).
type TileGetter interface {
	Get(tiles.Key) image.Image
}

// basemap is the embedded land, projected once.
type basemap struct {
	polys  [][]orb.Ring // unit Web Mercator square
	bounds []orb.Bound
}

// The basemaps are parsed when a map is first drawn, not at start-up: parsed,
// they and the embedded GeoJSON they come from hold about 10 MB that a session
// which never opens the map need not.
var (
	landOnce        sync.Once
	landReady       atomic.Bool // land110, land50 and detail are set
	land110, land50 basemap
	detail          *geo.Layer // the Mid-Atlantic layer; nil when unreadable
)

// loadLandThen parses the basemaps in the background, unless they are in
// already, and calls ready once they are. Parsing takes most of a second: the
// window draws the sea meanwhile.
func loadLandThen(ready func()) {
	go func() {
		loadLand()
		ready()
	}()
}

// loadLand parses the basemaps, once, and returns when they are in.
func loadLand() {
	landOnce.Do(func() {
		defer landReady.Store(true)
		for _, x := range []struct {
			data []byte
			dst  *basemap
		}{{assets.Land110m, &land110}, {assets.Land50m, &land50}} {
			polys, err := geo.LandPolygons(x.data)
			if err != nil {
				continue // an unreadable basemap leaves the sea: the feed still shows
			}
			x.dst.polys = polys
			for _, p := range polys {
				x.dst.bounds = append(x.dst.bounds, p[0].Bound())
			}
		}
		detail, _ = geo.ReadLayer(assets.MidAtlantic) // unreadable: the 1:50m land stays
	})
}

// palette of the map.
type palette struct {
	sea, land, grid, trail, marker, highlight, draft, text color.NRGBA
	river, border                                          color.NRGBA
}

func paletteFor(dark bool) palette {
	if dark {
		return palette{sea: rgba(0x14, 0x1d, 0x2b, 255), land: rgba(0x2b, 0x36, 0x45, 255), grid: rgba(0xff, 0xff, 0xff, 22),
			trail: rgba(0x4f, 0xc3, 0xf7, 140), marker: rgba(0x4f, 0xc3, 0xf7, 255), highlight: rgba(0xff, 0xb7, 0x03, 255),
			draft: rgba(0xff, 0x6b, 0x6b, 255), text: rgba(0xee, 0xee, 0xee, 255),
			river: rgba(0x24, 0x3a, 0x55, 255), border: rgba(0x6a, 0x7a, 0x90, 255)}
	}
	return palette{sea: rgba(0xd4, 0xe6, 0xf1, 255), land: rgba(0xf2, 0xef, 0xe6, 255), grid: rgba(0, 0, 0, 25),
		trail: rgba(0x1e, 0x6f, 0xb8, 140), marker: rgba(0x1e, 0x6f, 0xb8, 255), highlight: rgba(0xe0, 0x7a, 0x00, 255),
		draft: rgba(0xd6, 0x28, 0x28, 255), text: rgba(0x22, 0x22, 0x22, 255),
		river: rgba(0x9d, 0xc3, 0xe0, 255), border: rgba(0xa8, 0x9f, 0x8c, 255)}
}

func rgba(r, g, b, a uint8) color.NRGBA { return color.NRGBA{r, g, b, a} }

// kindColors tell kinds of track apart; they avoid the polygons' colours and the
// draft's highlight.
var kindColors = []color.NRGBA{
	rgba(0x1e, 0x6f, 0xb8, 255), rgba(0xc2, 0x18, 0x5b, 255), rgba(0x2e, 0x7d, 0x32, 255), rgba(0x6d, 0x4c, 0x41, 255),
}

// polygonColors tell subscriptions apart.
var polygonColors = []color.NRGBA{
	rgba(0x8e, 0x44, 0xad, 255), rgba(0x27, 0xae, 0x60, 255), rgba(0xe6, 0x7e, 0x22, 255),
	rgba(0x29, 0x80, 0xb9, 255), rgba(0xc0, 0x39, 0x2b, 255), rgba(0x16, 0xa0, 0x85, 255),
}

// Render draws the scene into dst (reused when it has the right size).
func (sc *MapScene) Render(dst *image.RGBA, w, h int) *image.RGBA {
	if dst == nil || dst.Bounds().Dx() != w || dst.Bounds().Dy() != h {
		dst = image.NewRGBA(image.Rect(0, 0, w, h))
	}
	v := sc.View
	v.Width, v.Height = float64(w), float64(h)
	pal := paletteFor(sc.Dark)
	gen := -1
	if sc.Tiles != nil {
		gen = sc.TilesGen
	}
	// The base layer is drawn with a margin around the view, so that panning
	// copies another part of it instead of drawing it again (BenchmarkMapPan).
	ready := landReady.Load() // once: the base drawn is the one its key names
	k := baseKey{v.Zoom, sc.Dark, gen, w, h, ready}
	ox, oy, inside := sc.baseOffset(v)
	if sc.base == nil || sc.baseKey != k || !inside {
		big := v
		big.Width, big.Height = float64(w+2*baseMargin), float64(h+2*baseMargin)
		sc.base = sc.renderBase(sc.base, big, w+2*baseMargin, h+2*baseMargin, pal, ready)
		sc.baseKey, sc.baseAt = k, topLeft(big)
		ox, oy = baseMargin, baseMargin
	}
	for y := 0; y < h; y++ {
		si := sc.base.PixOffset(ox, oy+y)
		copy(dst.Pix[y*dst.Stride:y*dst.Stride+4*w], sc.base.Pix[si:si+4*w])
	}
	pr := v.Projector()

	// Subscription polygons: translucent fill, solid outline.
	for _, p := range sc.Polygons {
		fill := p.Color
		fill.A = 45
		if !p.Live {
			fill.A = 20
		}
		pts := sc.project(pr, p.Ring)
		sc.fill(dst, pts, fill)
		sc.stroke(dst, pts, 2, p.Color)
	}

	// Trails, then markers on top; tracks inside the draft polygon are highlighted.
	var draftRing orb.Ring
	if len(sc.Draft) >= 3 {
		draftRing = append(sc.Draft.Clone(), sc.Draft[0])
	}
	if len(sc.Tracks) <= maxTrailTracks {
		for _, t := range sc.Tracks {
			if len(t.Trail) < 2 {
				continue
			}
			pts := sc.scr[:0]
			for _, f := range t.Trail {
				x, y := pr.ToScreen(f.Point)
				pts = append(pts, orb.Point{x, y})
			}
			sc.scr = pts
			sc.stroke(dst, pts, 1.5, pal.trail)
		}
	}
	for _, t := range sc.Tracks {
		f := t.Latest()
		x, y := pr.ToScreen(f.Point)
		if x < -8 || y < -8 || x > v.Width+8 || y > v.Height+8 {
			continue
		}
		col := pal.marker
		if c, ok := sc.KindColors[t.Key.CollectionID]; ok {
			col = c
		}
		if draftRing != nil && planar.RingContains(draftRing, f.Point) {
			col = pal.highlight
		}
		alpha := uint8(255 - 170*geo.Stale(t, sc.Now, sc.StaleAfter))
		sprite := markerSprite(f.Heading, col, alpha, t.Key == sc.Selected)
		sb := sprite.Bounds()
		at := image.Pt(int(x)-sb.Dx()/2, int(y)-sb.Dy()/2)
		blitOver(dst, sprite.img, sprite.spans, at)
	}

	// The draft: outline, then its vertices.
	if len(sc.Draft) > 0 {
		line := sc.Draft
		if len(sc.Draft) >= 3 {
			line = draftRing
		}
		sc.stroke(dst, sc.project(pr, line), 2, pal.draft)
		for _, p := range sc.Draft {
			x, y := pr.ToScreen(p)
			square(dst, int(x), int(y), 4, pal.draft)
		}
	}
	sc.scaleBar(dst, v, pal.text)
	return dst
}

// renderBase draws what changes only with the view: sea, land (when ready: the
// basemaps are in), graticule.
func (sc *MapScene) renderBase(dst *image.RGBA, v geo.View, w, h int, pal palette, ready bool) *image.RGBA {
	if dst == nil || dst.Bounds().Dx() != w || dst.Bounds().Dy() != h {
		dst = image.NewRGBA(image.Rect(0, 0, w, h))
	}
	draw.Draw(dst, dst.Bounds(), image.NewUniform(pal.sea), image.Point{}, draw.Src)
	pt := &sc.pt
	r := pt.begin(w, h)

	// Land: 1:110 million at world scale, 1:50 million closer; none while the
	// basemaps are still being parsed.
	var land basemap
	if ready {
		land = land110
		if v.Zoom >= 4 && land50.polys != nil {
			land = land50
		}
	}
	// The view's box in the unit Web Mercator square, where the land is.
	tl, br := geo.World(v.FromScreen(0, 0)), geo.World(v.FromScreen(v.Width, v.Height))
	vb := orb.Bound{Min: orb.Point{tl[0], tl[1]}, Max: orb.Point{br[0], br[1]}}
	worldW := geo.TileSize * math.Exp2(v.Zoom)
	pr := v.Projector()
	withDetail := ready && v.Zoom >= detailZoom && detail != nil && boundsTouch(detail.Cover, vb)
	// Inside the regional layer's cover the coarse land is painted over: skip
	// it, for close in its edges run for thousands of pixels (most of a panning
	// frame in BenchmarkMapPan's profile).
	hidden := withDetail && detail.Cover.Contains(vb.Min) && detail.Cover.Contains(vb.Max)
	for shift := -1; shift <= 1 && !hidden; shift++ {
		if shift != 0 && worldW > v.Width {
			continue // the world is wider than the window: no copies to draw
		}
		off := float64(shift) * worldW
		for i, poly := range land.polys {
			if shift == 0 && !boundsTouch(land.bounds[i], vb) {
				continue
			}
			for _, ring := range poly {
				for j, p := range ring {
					x, y := pr.WorldToScreen(p)
					if j == 0 {
						r.MoveTo(float32(x+off), float32(y))
					} else {
						r.LineTo(float32(x+off), float32(y))
					}
				}
				r.ClosePath()
			}
		}
	}
	if !hidden {
		pt.paint(dst, image.Point{}, pal.land)
	}
	if withDetail {
		drawDetail(dst, pt, v, vb, pal)
	}
	if sc.Tiles != nil {
		sc.drawTiles(dst, v)
	}

	sc.graticule(dst, v, pal.grid)

	return dst
}

// detailZoom is where the regional layer replaces the 1:50 million land; below
// detailLoZoom it draws its simplified land.
const (
	detailZoom   = 7
	detailLoZoom = 10
)

// drawDetail paints the regional layer over its cover box: sea first (the coarse
// land under it fills estuaries), then land, rivers and borders.
func drawDetail(dst *image.RGBA, pt *painter, v geo.View, vb orb.Bound, pal palette) {
	w, h := dst.Bounds().Dx(), dst.Bounds().Dy()
	pr := v.Projector()
	x0, y0 := v.WorldToScreen(detail.Cover.Min)
	x1, y1 := v.WorldToScreen(detail.Cover.Max)
	cover := image.Rect(int(math.Floor(math.Min(x0, x1))), int(math.Floor(math.Min(y0, y1))), int(math.Ceil(math.Max(x0, x1))), int(math.Ceil(math.Max(y0, y1))))
	draw.Draw(dst, cover, image.NewUniform(pal.sea), image.Point{}, draw.Src)
	land := detail.Land
	if v.Zoom < detailLoZoom {
		land = detail.LandLo
	}
	r := pt.begin(w, h)
	for _, s := range land {
		if !boundsTouch(s.Bound, vb) {
			continue
		}
		for _, ring := range s.Rings {
			for j, p := range ring {
				x, y := pr.WorldToScreen(p)
				if j == 0 {
					r.MoveTo(float32(x), float32(y))
				} else {
					r.LineTo(float32(x), float32(y))
				}
			}
			r.ClosePath()
		}
	}
	pt.paint(dst, image.Point{}, pal.land)
	// Rivers widen as the map closes in, as a river's width would.
	width := math.Max(1, math.Min(6, (v.Zoom-8)*1.2))
	for _, set := range []struct {
		lines []geo.Line
		width float64
		col   color.NRGBA
	}{{detail.Rivers, width, pal.river}, {detail.Borders, 1, pal.border}} {
		if set.col == pal.border {
			drawBands(dst, pt, v, vb, pal)
		}
		r := pt.begin(w, h)
		drawn := false
		for _, ln := range set.lines {
			if !boundsTouch(ln.Bound, vb) {
				continue
			}
			strokeWorld(r, pr, ln.Points, set.width)
			drawn = true
		}
		if drawn {
			pt.paint(dst, image.Point{}, set.col)
		}
	}
}

// drawBands draws the rivers that have a width, in water colour, under the borders.
func drawBands(dst *image.RGBA, pt *painter, v geo.View, vb orb.Bound, pal palette) {
	r := pt.begin(dst.Bounds().Dx(), dst.Bounds().Dy())
	drawn := false
	for _, ln := range detail.Bands {
		if !boundsTouch(ln.Bound, vb) {
			continue
		}
		strokeWorld(r, v.Projector(), ln.Points, math.Max(1.5, ln.Width/v.MetresPerPixel()))
		drawn = true
	}
	if drawn {
		pt.paint(dst, image.Point{}, pal.sea)
	}
}

// disc adds a filled circle as a 12-gon, wound as strokeWorld's quads are (the
// rasterizer's coverage of opposite windings cancels out).
func disc(r *vector.Rasterizer, x, y, rad float64) {
	for i := 0; i <= 12; i++ {
		a := -float64(i) / 12 * 2 * math.Pi
		px, py := float32(x+rad*math.Cos(a)), float32(y+rad*math.Sin(a))
		if i == 0 {
			r.MoveTo(px, py)
		} else {
			r.LineTo(px, py)
		}
	}
	r.ClosePath()
}

// strokeWorld is stroke for points in the unit Web Mercator square, with round
// joins.
func strokeWorld(r *vector.Rasterizer, v geo.Projector, pts orb.LineString, width float64) {
	for i := 1; i < len(pts); i++ {
		x0, y0 := v.WorldToScreen(pts[i-1])
		x1, y1 := v.WorldToScreen(pts[i])
		dx, dy := x1-x0, y1-y0
		l := math.Hypot(dx, dy)
		if l < 0.01 {
			continue
		}
		nx, ny := -dy/l*width/2, dx/l*width/2
		r.MoveTo(float32(x0+nx), float32(y0+ny))
		r.LineTo(float32(x1+nx), float32(y1+ny))
		r.LineTo(float32(x1-nx), float32(y1-ny))
		r.LineTo(float32(x0-nx), float32(y0-ny))
		r.ClosePath()
		if width > 2 { // round joins, so that a bend leaves no notch
			disc(r, x1, y1, width/2)
		}
	}
}

// PlaceLabel is a populated place to name on the map, at a screen position.
type PlaceLabel struct {
	Name string
	X, Y float64
}

// Places lists the populated places of the regional layer worth naming in v,
// most populous first: the closer the view, the smaller the places.
func Places(v geo.View) []PlaceLabel {
	if !landReady.Load() || detail == nil || v.Zoom < detailZoom {
		return nil
	}
	minPop := 2_000
	switch {
	case v.Zoom < 9:
		minPop = 200_000
	case v.Zoom < 10:
		minPop = 50_000
	case v.Zoom < 11:
		minPop = 20_000
	case v.Zoom < 12:
		minPop = 8_000
	}
	var out []PlaceLabel
	pr := v.Projector()
	for _, p := range detail.Places {
		if p.Population < minPop {
			break // sorted by population
		}
		x, y := pr.ToScreen(p.Point)
		if x < 0 || y < 0 || x > v.Width || y > v.Height {
			continue
		}
		out = append(out, PlaceLabel{p.Name, x, y})
	}
	return out
}

// maxTrailTracks is how many tracks get trails; beyond it only markers are drawn,
// to keep a frame within 16 ms.
const maxTrailTracks = 2000

func boundsTouch(a, b orb.Bound) bool {
	return a.Min[0] <= b.Max[0] && a.Max[0] >= b.Min[0] && a.Min[1] <= b.Max[1] && a.Max[1] >= b.Min[1]
}

// project puts a ring's points on screen, into the scene's scratch.
func (sc *MapScene) project(pr geo.Projector, ring orb.Ring) []orb.Point {
	pts := sc.scr[:0]
	for _, p := range ring {
		x, y := pr.ToScreen(p)
		pts = append(pts, orb.Point{x, y})
	}
	sc.scr = pts
	return pts
}

// The overlays are rasterized each within its own screen box: the rasterizer's
// cost is the area it covers, and passes over the whole frame (one for all the
// trails) cost more than everything else in a frame together
// (BenchmarkMapFrameDemo's profile).

// fill fills the closed screen path pts.
func (sc *MapScene) fill(dst *image.RGBA, pts []orb.Point, c color.NRGBA) {
	box, ok := boxOf(pts, 1, dst.Bounds())
	if !ok {
		return
	}
	r := sc.pt.begin(box.Dx(), box.Dy())
	ox, oy := float64(box.Min.X), float64(box.Min.Y)
	for j, p := range pts {
		if j == 0 {
			r.MoveTo(float32(p[0]-ox), float32(p[1]-oy))
		} else {
			r.LineTo(float32(p[0]-ox), float32(p[1]-oy))
		}
	}
	r.ClosePath()
	sc.pt.paint(dst, box.Min, c)
}

// stroke draws a line of the given width along the screen points pts, as one
// quad per segment.
func (sc *MapScene) stroke(dst *image.RGBA, pts []orb.Point, width float64, c color.NRGBA) {
	box, ok := boxOf(pts, width/2+1, dst.Bounds())
	if !ok {
		return
	}
	r := sc.pt.begin(box.Dx(), box.Dy())
	ox, oy := float64(box.Min.X), float64(box.Min.Y)
	for i := 1; i < len(pts); i++ {
		x0, y0 := pts[i-1][0]-ox, pts[i-1][1]-oy
		x1, y1 := pts[i][0]-ox, pts[i][1]-oy
		dx, dy := x1-x0, y1-y0
		l := math.Hypot(dx, dy)
		if l < 0.01 {
			continue
		}
		nx, ny := -dy/l*width/2, dx/l*width/2
		r.MoveTo(float32(x0+nx), float32(y0+ny))
		r.LineTo(float32(x1+nx), float32(y1+ny))
		r.LineTo(float32(x1-nx), float32(y1-ny))
		r.LineTo(float32(x0-nx), float32(y0-ny))
		r.ClosePath()
	}
	sc.pt.paint(dst, box.Min, c)
}

// boxOf is the pixel box of screen points, padded, clipped to frame.
func boxOf(pts []orb.Point, pad float64, frame image.Rectangle) (image.Rectangle, bool) {
	if len(pts) == 0 {
		return image.Rectangle{}, false
	}
	x0, y0, x1, y1 := pts[0][0], pts[0][1], pts[0][0], pts[0][1]
	for _, p := range pts[1:] {
		x0, y0, x1, y1 = math.Min(x0, p[0]), math.Min(y0, p[1]), math.Max(x1, p[0]), math.Max(y1, p[1])
	}
	// Far off screen (a polygon at world scale): clip before converting to int.
	x0, y0 = math.Max(x0-pad, -1), math.Max(y0-pad, -1)
	x1, y1 = math.Min(x1+pad, float64(frame.Max.X)+1), math.Min(y1+pad, float64(frame.Max.Y)+1)
	box := image.Rect(int(math.Floor(x0)), int(math.Floor(y0)), int(math.Ceil(x1)), int(math.Ceil(y1))).Intersect(frame)
	return box, !box.Empty()
}

func square(dst *image.RGBA, cx, cy, half int, c color.NRGBA) {
	draw.Draw(dst, image.Rect(cx-half, cy-half, cx+half+1, cy+half+1), image.NewUniform(c), image.Point{}, draw.Over)
}

// graticule draws meridians and parallels at a spacing that suits the zoom.
func (sc *MapScene) graticule(dst *image.RGBA, v geo.View, c color.NRGBA) {
	step := 30.0
	x0, _ := v.ToScreen(orb.Point{0, 0})
	for _, s := range []float64{10, 5, 1, 0.5, 0.1, 0.05, 0.01} {
		if x1, _ := v.ToScreen(orb.Point{s, 0}); math.Abs(x1-x0) < 60 {
			break
		}
		step = s
	}
	b := v.Bound()
	u := image.NewUniform(c)
	for lon := math.Floor(b.Min[0]/step) * step; lon <= b.Max[0]; lon += step {
		x, _ := v.ToScreen(orb.Point{lon, 0})
		draw.Draw(dst, image.Rect(int(x), 0, int(x)+1, int(v.Height)), u, image.Point{}, draw.Over)
	}
	for lat := math.Max(-80, math.Floor(b.Min[1]/step)*step); lat <= math.Min(80, b.Max[1]); lat += step {
		_, y := v.ToScreen(orb.Point{0, lat})
		draw.Draw(dst, image.Rect(0, int(y), int(v.Width), int(y)+1), u, image.Point{}, draw.Over)
	}
}

// scaleBar draws a bar of a round length in the bottom-left corner.
func (sc *MapScene) scaleBar(dst *image.RGBA, v geo.View, c color.NRGBA) {
	m := ScaleMetres(v)
	px := m / v.MetresPerPixel()
	y := int(v.Height) - 14
	draw.Draw(dst, image.Rect(10, y, 10+int(px), y+3), image.NewUniform(c), image.Point{}, draw.Over)
}

// ScaleMetres is the round length the scale bar shows (100 to 200 pixels long).
func ScaleMetres(v geo.View) float64 {
	mpp := v.MetresPerPixel()
	for _, m := range []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000} {
		if m/mpp >= 80 {
			return m
		}
	}
	return 5_000_000
}

// sprite is a pre-rendered marker and its runs of visible pixels.
type sprite struct {
	img   *image.RGBA
	spans [][]span
}

// Bounds is the sprite's size.
func (s *sprite) Bounds() image.Rectangle { return s.img.Bounds() }

// fadeLevels is how many steps a marker fades through as its track goes stale:
// enough to look smooth, few enough that every sprite is drawn once.
const fadeLevels = 8

// markerSprite returns a cached marker: an arrow along the heading (in 10°
// steps), or a dot when the heading is unknown.
func markerSprite(heading float64, c color.NRGBA, alpha uint8, selected bool) *sprite {
	bucket := -1
	if !math.IsNaN(heading) && !math.IsInf(heading, 0) {
		bucket = (int(math.Round(heading/10))%36 + 36) % 36
	}
	// alpha runs from 85 (stale) to 255 (fresh): round it to a fade level.
	level := (max(int(alpha), 85) - 85 + 170/fadeLevels/2) * fadeLevels / 170
	c.A = uint8(85 + level*170/fadeLevels)
	k := spriteKey{bucket, c, selected}
	spriteMu.Lock()
	defer spriteMu.Unlock()
	if s, ok := sprites[k]; ok {
		return s
	}
	size := 14
	if selected {
		size = 20
	}
	r := vector.NewRasterizer(size, size)
	ctr := float64(size) / 2
	if bucket < 0 {
		rad := ctr * 0.55
		for i := 0; i <= 16; i++ {
			a := float64(i) / 16 * 2 * math.Pi
			x, y := ctr+rad*math.Cos(a), ctr+rad*math.Sin(a)
			if i == 0 {
				r.MoveTo(float32(x), float32(y))
			} else {
				r.LineTo(float32(x), float32(y))
			}
		}
	} else {
		a := float64(bucket) * 10 * math.Pi / 180
		pt := func(dx, dy float64) (float32, float32) { // rotate a north-up shape by the heading
			return float32(ctr + dx*math.Cos(a) - dy*math.Sin(a)), float32(ctr + dx*math.Sin(a) + dy*math.Cos(a))
		}
		s := ctr * 0.9
		r.MoveTo(pt(0, -s))
		r.LineTo(pt(s*0.6, s*0.7))
		r.LineTo(pt(0, s*0.35))
		r.LineTo(pt(-s*0.6, s*0.7))
	}
	r.ClosePath()
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	r.Draw(img, img.Bounds(), image.NewUniform(c), image.Point{})
	if len(sprites) > 4096 {
		clear(sprites)
	}
	s := &sprite{img, spansOf(img)}
	sprites[k] = s
	return s
}

type spriteKey struct {
	bucket   int
	c        color.NRGBA
	selected bool
}

var (
	spriteMu sync.Mutex
	sprites  = map[spriteKey]*sprite{}
)

// blitOver composites a small premultiplied sprite onto dst at p. It walks the
// sprite's runs: opaque runs are copied, translucent ones blended, and the
// transparent rest of a marker's box is never visited.
func blitOver(dst, src *image.RGBA, rows [][]span, p image.Point) {
	r := src.Bounds().Add(p).Intersect(dst.Bounds())
	if r.Empty() {
		return
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		sy := y - p.Y
		for _, run := range rows[sy] {
			x0, x1 := max(run.x0+p.X, r.Min.X), min(run.x1+p.X, r.Max.X)
			if x0 >= x1 {
				continue
			}
			si := src.PixOffset(x0-p.X, sy)
			di := dst.PixOffset(x0, y)
			n := (x1 - x0) * 4
			if run.opaque {
				copy(dst.Pix[di:di+n], src.Pix[si:si+n])
				continue
			}
			sp, dp := src.Pix[si:si+n], dst.Pix[di:di+n]
			for i := 0; i < n; i += 4 {
				k := 255 - uint32(sp[i+3])
				dp[i] = uint8(uint32(sp[i]) + uint32(dp[i])*k/255)
				dp[i+1] = uint8(uint32(sp[i+1]) + uint32(dp[i+1])*k/255)
				dp[i+2] = uint8(uint32(sp[i+2]) + uint32(dp[i+2])*k/255)
				dp[i+3] = uint8(uint32(sp[i+3]) + uint32(dp[i+3])*k/255)
			}
		}
	}
}

// span is a run of a sprite row's pixels that are all opaque or all translucent.
type span struct {
	x0, x1 int
	opaque bool
}

// spansOf computes a sprite's runs, row by row.
func spansOf(src *image.RGBA) [][]span {
	b := src.Bounds()
	rows := make([][]span, b.Dy())
	for y := 0; y < b.Dy(); y++ {
		var row []span
		for x := 0; x < b.Dx(); x++ {
			a := src.Pix[src.PixOffset(x, y)+3]
			if a == 0 {
				continue
			}
			opaque := a == 255
			if n := len(row); n > 0 && row[n-1].x1 == x && row[n-1].opaque == opaque {
				row[n-1].x1++
			} else {
				row = append(row, span{x, x + 1, opaque})
			}
		}
		rows[y] = row
	}
	return rows
}

func fmtInt(i int64) string     { return strconv.FormatInt(i, 10) }
func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// drawTiles draws the online layer's tiles at the nearest whole zoom, scaled to the
// view; missing tiles leave the embedded basemap showing.
func (sc *MapScene) drawTiles(dst *image.RGBA, v geo.View) {
	z := int(math.Round(v.Zoom))
	z = max(0, min(19, z))
	n := math.Exp2(float64(z))
	tilePx := geo.TileSize * math.Exp2(v.Zoom-float64(z))
	tl := geo.World(v.FromScreen(0, 0))
	br := geo.World(v.FromScreen(v.Width, v.Height))
	for ty := int(math.Floor(tl[1] * n)); ty <= int(math.Floor(br[1]*n)); ty++ {
		if ty < 0 || float64(ty) >= n {
			continue
		}
		for tx := int(math.Floor(tl[0] * n)); tx <= int(math.Floor(br[0]*n)); tx++ {
			wx := ((tx % int(n)) + int(n)) % int(n)
			img := sc.Tiles.Get(tiles.Key{Z: z, X: wx, Y: ty})
			if img == nil {
				continue
			}
			x, y := v.WorldToScreen(orb.Point{float64(tx) / n, float64(ty) / n})
			// Rounded edges: neighbours share them, and a whole zoom draws 1:1.
			rect := image.Rect(int(math.Round(x)), int(math.Round(y)), int(math.Round(x+tilePx)), int(math.Round(y+tilePx)))
			xdraw.ApproxBiLinear.Scale(dst, rect, img, img.Bounds(), draw.Src, nil)
		}
	}
}
