package geo

import (
	"fmt"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Layer is a detailed regional basemap, in the unit Web Mercator square (see
// World): land in cells for close views, simplified land for far ones, rivers,
// borders and populated places. assets/basemapmaker writes the file it reads.
type Layer struct {
	Cover   orb.Bound // the region the layer describes completely
	Land    []Shape   // detailed, clipped to small cells
	LandLo  []Shape   // simplified, whole
	Rivers  []Line
	Bands   []Line // rivers drawn at their width (Line.Width metres)
	Borders []Line
	Places  []Place // most populous first
}

// Shape is a polygon with its bounding box.
type Shape struct {
	Rings []orb.Ring
	Bound orb.Bound
}

// Line is a polyline with its bounding box.
type Line struct {
	Points orb.LineString
	Bound  orb.Bound
	Width  float64 // metres, for a band
}

// Place is a named populated place.
type Place struct {
	Name       string
	Population int
	Point      orb.Point // lon, lat
}

// ReadLayer parses a basemap layer: a GeoJSON FeatureCollection whose features
// carry a "kind" of cover, land, landlo, river, riverband (with width_m),
// border or place.
func ReadLayer(data []byte) (*Layer, error) {
	fc, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil {
		return nil, fmt.Errorf("geo: basemap layer: %w", err)
	}
	l := &Layer{}
	covered := false
	for _, f := range fc.Features {
		kind, _ := f.Properties["kind"].(string)
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			s := shapeOf(g)
			switch kind {
			case "cover":
				l.Cover, covered = s.Bound, true
			case "land":
				l.Land = append(l.Land, s)
			case "landlo":
				l.LandLo = append(l.LandLo, s)
			}
		case orb.LineString:
			w := make(orb.LineString, len(g))
			for i, p := range g {
				w[i] = World(p)
			}
			ln := Line{Points: w, Bound: w.Bound()}
			switch kind {
			case "river":
				l.Rivers = append(l.Rivers, ln)
			case "border":
				l.Borders = append(l.Borders, ln)
			case "riverband":
				ln.Width, _ = f.Properties["width_m"].(float64)
				l.Bands = append(l.Bands, ln)
			}
		case orb.Point:
			if kind != "place" {
				continue
			}
			name, _ := f.Properties["name"].(string)
			pop, _ := f.Properties["population"].(float64)
			if name != "" {
				l.Places = append(l.Places, Place{Name: name, Population: int(pop), Point: g})
			}
		}
	}
	if !covered {
		return nil, fmt.Errorf("geo: basemap layer has no cover polygon")
	}
	sort.SliceStable(l.Places, func(i, j int) bool { return l.Places[i].Population > l.Places[j].Population })
	return l, nil
}

func shapeOf(p orb.Polygon) Shape {
	s := Shape{Rings: make([]orb.Ring, len(p))}
	for i, r := range p {
		w := make(orb.Ring, len(r))
		for j, pt := range r {
			w[j] = World(pt)
		}
		s.Rings[i] = w
	}
	if len(s.Rings) > 0 {
		s.Bound = s.Rings[0].Bound()
	}
	return s
}
