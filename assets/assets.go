// Package assets bundles Feedscope's resources into the binary: the icon and the
// offline basemap (Natural Earth land at 1:110 and 1:50 million, public domain,
// via the world-atlas package, see LICENSE.world-atlas; a detailed Mid-Atlantic
// layer from DCW-GMT, GSHHG and GeoNames, see LICENSE.midatlantic).
package assets

import (
	_ "embed"
)

// IconPNG is the application icon, a PNG image.
//
//go:embed icon.png
var IconPNG []byte

// Land110m is Natural Earth land at 1:110 million, GeoJSON.
//
//go:embed land-110m.geojson
var Land110m []byte

// Land50m is Natural Earth land at 1:50 million, GeoJSON.
//
//go:embed land-50m.geojson
var Land50m []byte

// MidAtlantic is the detailed layer around the demo's feeds (Washington DC, the
// Potomac, the Chesapeake Bay): land, rivers, the District's outline and
// populated places, GeoJSON written by basemapmaker.
//
//go:embed midatlantic.geojson
var MidAtlantic []byte
