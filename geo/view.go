package geo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/project"
)

// TileSize is the side of a Web Mercator tile in pixels at zoom z: the world is
// TileSize·2^z pixels wide.
const TileSize = 256

// earthCircumference is Web Mercator's world width in metres.
const earthCircumference = 2 * math.Pi * 6378137

// World returns a point's position in the unit Web Mercator square: x east and y
// south, both 0..1 (orb's zoom-0 tile fraction).
func World(p orb.Point) orb.Point { return maptile.Fraction(p, 0) }

// FromWorld is World's inverse.
func FromWorld(w orb.Point) orb.Point {
	m := orb.Point{(w[0] - 0.5) * earthCircumference, (0.5 - w[1]) * earthCircumference}
	return project.Mercator.ToWGS84(m)
}

// View is a Web Mercator viewport: a centre, a fractional zoom and a size in
// pixels. It converts between longitude/latitude and screen pixels.
type View struct {
	Center        orb.Point // lon, lat
	Zoom          float64
	Width, Height float64
}

// MinZoom and MaxZoom bound zooming.
const (
	MinZoom = 1
	MaxZoom = 18
)

func (v View) scale() float64 { return TileSize * math.Exp2(v.Zoom) }

// ToScreen returns where a point is drawn.
func (v View) ToScreen(p orb.Point) (x, y float64) {
	return v.WorldToScreen(World(p))
}

// WorldToScreen places a unit-square point on screen.
func (v View) WorldToScreen(w orb.Point) (x, y float64) {
	c := World(v.Center)
	s := v.scale()
	return (w[0]-c[0])*s + v.Width/2, (w[1]-c[1])*s + v.Height/2
}

// Projector is a View's projection to the screen, with what every point shares
// (the centre's position, the scale) computed once: a frame projects thousands
// of points.
type Projector struct {
	cx, cy, s, hw, hh float64
}

// Projector returns v's projection.
func (v View) Projector() Projector {
	c := World(v.Center)
	return Projector{c[0], c[1], v.scale(), v.Width / 2, v.Height / 2}
}

// ToScreen is View.ToScreen.
func (p Projector) ToScreen(pt orb.Point) (x, y float64) { return p.WorldToScreen(World(pt)) }

// WorldToScreen is View.WorldToScreen.
func (p Projector) WorldToScreen(w orb.Point) (x, y float64) {
	return (w[0]-p.cx)*p.s + p.hw, (w[1]-p.cy)*p.s + p.hh
}

// FromScreen returns the point under a screen position.
func (v View) FromScreen(x, y float64) orb.Point {
	c := World(v.Center)
	s := v.scale()
	return FromWorld(orb.Point{c[0] + (x-v.Width/2)/s, c[1] + (y-v.Height/2)/s})
}

// Pan moves the map by a screen distance (dragging the map right moves the view
// west).
func (v View) Pan(dx, dy float64) View {
	v.Center = v.FromScreen(v.Width/2-dx, v.Height/2-dy)
	v.Center[1] = math.Max(-85, math.Min(85, v.Center[1]))
	if v.Center[0] < -180 {
		v.Center[0] += 360
	} else if v.Center[0] > 180 {
		v.Center[0] -= 360
	}
	return v
}

// ZoomAt changes the zoom by delta, keeping the point under (x, y) in place.
func (v View) ZoomAt(x, y, delta float64) View {
	anchor := v.FromScreen(x, y)
	v.Zoom = math.Max(MinZoom, math.Min(MaxZoom, v.Zoom+delta))
	ax, ay := v.ToScreen(anchor)
	return v.Pan(x-ax, y-ay)
}

// Fit centres and zooms the view so that b fills it with a margin.
func (v View) Fit(b orb.Bound) View {
	lo, hi := World(orb.Point{b.Min[0], b.Max[1]}), World(orb.Point{b.Max[0], b.Min[1]})
	v.Center = FromWorld(orb.Point{(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2})
	w, h := math.Max(hi[0]-lo[0], 1e-9), math.Max(hi[1]-lo[1], 1e-9)
	z := math.Log2(math.Min(v.Width/(w*TileSize), v.Height/(h*TileSize))) - 0.3
	v.Zoom = math.Max(MinZoom, math.Min(MaxZoom, z))
	return v
}

// MetresPerPixel is the ground resolution at the view's centre, for a scale bar.
func (v View) MetresPerPixel() float64 {
	return earthCircumference * math.Cos(v.Center[1]*math.Pi/180) / v.scale()
}

// Bound returns the longitude/latitude bounds of what the view shows.
func (v View) Bound() orb.Bound {
	a, b := v.FromScreen(0, 0), v.FromScreen(v.Width, v.Height)
	return orb.Bound{Min: orb.Point{a[0], b[1]}, Max: orb.Point{b[0], a[1]}}
}
