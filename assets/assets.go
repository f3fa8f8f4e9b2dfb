// Package assets bundles Feedscope's resources into the binary: the icon and the
// offline basemap (Natural Earth land at 1:110 and 1:50 million, public domain,
// via the world-atlas package, see LICENSE.world-atlas).
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon is the application icon.
var Icon = fyne.NewStaticResource("icon.png", iconPNG)

// Land110m is Natural Earth land at 1:110 million, GeoJSON.
//
//go:embed land-110m.geojson
var Land110m []byte

// Land50m is Natural Earth land at 1:50 million, GeoJSON.
//
//go:embed land-50m.geojson
var Land50m []byte
