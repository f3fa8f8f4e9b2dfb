// Package assets bundles Feedscope's resources into the binary: the icon and the
// offline basemap (Natural Earth land at 1:110 and 1:50 million, public domain,
// via the world-atlas package, see LICENSE.world-atlas).
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
