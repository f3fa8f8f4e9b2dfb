package geo

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// RingsFromGeoJSON reads the outer rings of every Polygon and MultiPolygon in a
// GeoJSON geometry, Feature or FeatureCollection.
func RingsFromGeoJSON(data []byte) ([]orb.Ring, error) {
	var rings []orb.Ring
	add := func(g orb.Geometry) {
		switch x := g.(type) {
		case orb.Polygon:
			if len(x) > 0 {
				rings = append(rings, x[0])
			}
		case orb.MultiPolygon:
			for _, p := range x {
				if len(p) > 0 {
					rings = append(rings, p[0])
				}
			}
		}
	}
	if fc, err := geojson.UnmarshalFeatureCollection(data); err == nil && fc.Type == "FeatureCollection" {
		for _, f := range fc.Features {
			add(f.Geometry)
		}
	} else if f, err := geojson.UnmarshalFeature(data); err == nil && f.Type == "Feature" {
		add(f.Geometry)
	} else if g, err := geojson.UnmarshalGeometry(data); err == nil {
		add(g.Geometry())
	} else {
		return nil, fmt.Errorf("geo: not GeoJSON: %w", err)
	}
	if len(rings) == 0 {
		return nil, errors.New("geo: the GeoJSON holds no Polygon or MultiPolygon")
	}
	return rings, nil
}

// RingToGeoJSON writes a ring as a GeoJSON Feature with a Polygon.
func RingToGeoJSON(r orb.Ring, props map[string]any) ([]byte, error) {
	f := geojson.NewFeature(orb.Polygon{r})
	for k, v := range props {
		f.Properties[k] = v
	}
	return f.MarshalJSON()
}

// LandPolygons reads a Natural Earth land (or countries) GeoJSON file into
// polygons projected to the unit Web Mercator square, for drawing.
func LandPolygons(data []byte) ([][]orb.Ring, error) {
	fc, err := geojson.UnmarshalFeatureCollection(data)
	if err != nil {
		return nil, fmt.Errorf("geo: basemap: %w", err)
	}
	var out [][]orb.Ring
	addPoly := func(p orb.Polygon) {
		var rings []orb.Ring
		for _, r := range p {
			w := make(orb.Ring, len(r))
			for i, pt := range r {
				w[i] = World(pt)
			}
			rings = append(rings, w)
		}
		out = append(out, rings)
	}
	for _, f := range fc.Features {
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			addPoly(g)
		case orb.MultiPolygon:
			for _, p := range g {
				addPoly(p)
			}
		}
	}
	return out, nil
}

// TracksToGeoJSON writes tracks as a FeatureCollection: for each, a Point at its
// latest fix (key, name, time, heading and speed in its properties) and, when it
// has moved, a LineString of its trail, oldest first.
func TracksToGeoJSON(tracks []*Track) ([]byte, error) {
	fc := geojson.NewFeatureCollection()
	for _, t := range tracks {
		if len(t.Trail) == 0 {
			continue
		}
		last := t.Latest()
		p := geojson.NewFeature(last.Point)
		p.Properties["key"] = t.Key.String()
		p.Properties["trackId"] = t.Key.TrackID
		if t.Name != "" {
			p.Properties["name"] = t.Name
		}
		p.Properties["time"] = last.At.UTC().Format(time.RFC3339Nano)
		if !math.IsNaN(last.Heading) {
			p.Properties["heading"] = last.Heading
		}
		if !math.IsNaN(last.Speed) && last.Speed > 0 {
			p.Properties["speed_mps"] = last.Speed
		}
		fc.Append(p)
		if len(t.Trail) > 1 {
			line := make(orb.LineString, len(t.Trail))
			for i, f := range t.Trail {
				line[i] = f.Point
			}
			tr := geojson.NewFeature(line)
			tr.Properties["key"] = t.Key.String()
			tr.Properties["trail"] = true
			tr.Properties["from"] = t.Trail[0].At.UTC().Format(time.RFC3339Nano)
			tr.Properties["to"] = last.At.UTC().Format(time.RFC3339Nano)
			fc.Append(tr)
		}
	}
	return fc.MarshalJSON()
}
