package ui

import (
	"encoding/json"
	"image"
	"image/color"
	"image/draw"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/paulmach/orb"

	"github.com/feedscope/feedscope/geo"
	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/gotham"
	"github.com/feedscope/feedscope/tiles"
)

// Draw → subscribe → the demo server sends only the tracks inside the polygon;
// then the polygon is edited and the subscription follows it, keeping its row.
func TestMapDrawSubscribeFollow(t *testing.T) {
	a := newTestApp(t, true)
	p := a.mapPanel
	stepUntil(t, a, "vessels on the map", func() bool {
		p.Update(a.profiles, a.states)
		return len(p.Map.Scene.Tracks) >= 5
	})
	// A box over the Georgetown waterfront, drawn clockwise: a warning with Repair,
	// never a refusal (the service takes the docs' own clockwise sample); repaired.
	box := orb.Ring{{-77.0640, 38.9020}, {-77.0640, 38.9060}, {-77.0590, 38.9060}, {-77.0590, 38.9020}}
	p.Map.SetDraft(box)
	if !strings.Contains(p.problem.Text, "counter-clockwise") || !p.repair.Visible() || p.sub.Disabled() ||
		p.problem.Importance != widget.WarningImportance {
		t.Fatalf("clockwise draft: %q (importance %v, subscribe disabled %v)", p.problem.Text, p.problem.Importance, p.sub.Disabled())
	}
	test.Tap(p.repair)
	if !strings.HasPrefix(p.problem.Text, "Valid polygon of 5 points") {
		t.Fatalf("after repair: %q", p.problem.Text)
	}
	ring := p.Map.Draft()
	p.target.SetSelected("demo-gotham")
	test.Tap(p.sub)
	sub := "2"
	stepUntil(t, a, "observations for the polygon's subscription", func() bool {
		n := 0
		for _, e := range a.model.Visible() {
			if e.Profile == "demo-gotham" && e.Sub == sub && e.Kind == "data" {
				n++
			}
		}
		return n >= 5
	})
	for _, e := range a.model.Visible() {
		if e.Profile == "demo-gotham" && e.Sub == sub && e.Kind == "data" && !geo.Contains(ring, orb.Point{e.Geo.Lon, e.Geo.Lat}) {
			t.Fatalf("an observation outside the polygon arrived: %+v", e.Geo)
		}
	}
	prof, _ := a.ctl.Profile("demo-gotham")
	if saved := prof.Subs; len(saved) != 2 {
		t.Fatalf("profile subs %s", prof.Subs)
	}

	// Edit: a smaller box, applied to #2.
	small := orb.Ring{{-77.0630, 38.9030}, {-77.0600, 38.9030}, {-77.0600, 38.9050}, {-77.0630, 38.9050}}
	p.Map.SetDraft(small)
	p.Update(a.profiles, a.states)
	p.subSel.SetSelected("demo-gotham #2")
	test.Tap(p.apply)
	stepUntil(t, a, "#2 follows the new polygon", func() bool {
		for _, s := range a.states["demo-gotham"].Subs {
			if s.ID == sub && s.State == session.SubLive {
				q, _ := gotham.ParseQuery(s.Spec)
				return q != nil && len(q.Location) == 5 && q.Location[0].Longitude == -77.0630
			}
		}
		return false
	})

	// GeoJSON out and back in.
	doc := p.geoJSON()
	p.Map.SetDraft(nil)
	if err := p.OpenGeoJSON([]byte(doc)); err != nil || len(p.Map.Draft()) != 5 {
		t.Fatalf("GeoJSON round trip: %v %v", err, p.Map.Draft())
	}
	var q gotham.Query
	if err := json.Unmarshal([]byte(p.queryJSON()), &q); err != nil || len(q.Location) != 5 {
		t.Fatalf("query JSON %s: %v", p.queryJSON(), err)
	}
}

// Golden image of a fixed scene: basemap, graticule, a subscription polygon,
// tracks with trails and headings, a draft, the scale bar.
func TestMapSceneImage(t *testing.T) {
	loadLand() // the window parses the basemaps when it first draws a map; a test waits for them
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	sc := &MapScene{View: geo.View{Center: orb.Point{-77.0605, 38.9038}, Zoom: 14}, Now: now, StaleAfter: time.Minute}
	ts := geo.NewTracks(10, 100)
	for i := 0; i < 6; i++ {
		k := geo.TrackKey{TrackID: string(rune('a' + i))}
		for j := 0; j < 6; j++ {
			p := orb.Point{-77.066 + float64(i)*0.002 + float64(j)*0.0004, 38.900 + float64(i)*0.0015 + float64(j)*0.0002}
			ts.Add(k, "", geo.Fix{At: now.Add(time.Duration(j-6) * time.Second), Point: p, Heading: float64(i * 60)}, 0, now.Add(-time.Duration(i)*10*time.Second))
		}
	}
	sc.Tracks = ts.All()
	sc.Polygons = []MapPolygon{{Label: "demo-gotham #2", Color: polygonColors[0], Live: true,
		Ring: orb.Ring{{-77.0640, 38.9020}, {-77.0590, 38.9020}, {-77.0590, 38.9060}, {-77.0640, 38.9060}, {-77.0640, 38.9020}}}}
	sc.Draft = orb.Ring{{-77.058, 38.900}, {-77.054, 38.900}, {-77.054, 38.904}}
	test.AssertImageMatches(t, "map_scene.png", sc.Render(nil, 640, 400))
}

// The online layer draws tiles from a tile server (here on 127.0.0.1) once they
// arrive; before that, and when the server fails, the embedded basemap shows.
func TestMapOnlineTiles(t *testing.T) {
	tile := image.NewRGBA(image.Rect(0, 0, 256, 256))
	draw.Draw(tile, tile.Bounds(), image.NewUniform(color.RGBA{10, 200, 30, 255}), image.Point{}, draw.Src)
	png := tiles.EncodePNG(tile)
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served.Add(1); _, _ = w.Write(png) }))
	defer srv.Close()
	loaded := make(chan tiles.Key, 64)
	n := 0 // tiles loaded so far
	// Every fetch started must have written its tile to the cache before the
	// test's folder is removed.
	defer func() {
		deadline := time.After(10 * time.Second)
		for int64(n) < served.Load() {
			select {
			case <-loaded:
				n++
			case <-deadline:
				t.Fatalf("%d of %d tiles stored", n, served.Load())
			}
		}
	}()
	src := tiles.New(srv.URL+"/{z}/{x}/{y}.png", "Feedscope/test", t.TempDir())
	src.OnLoad = func(k tiles.Key) { loaded <- k }
	sc := &MapScene{View: geo.View{Center: orb.Point{-77.06, 38.9}, Zoom: 12}, Now: time.Now(), StaleAfter: time.Minute, Tiles: src}
	img := sc.Render(nil, 320, 200)
	if got := img.RGBAAt(151, 93); got.G == 200 {
		t.Fatal("a tile was drawn before any arrived")
	}
	select {
	case <-loaded:
		n++
	case <-time.After(10 * time.Second):
		t.Fatal("no tile arrived from the local tile server")
	}
	// Redraw as tiles arrive until the centre one is drawn. (A quiet 200 ms used to
	// stand for "every tile is in", which a loaded machine's slower loads broke.)
	deadline := time.Now().Add(10 * time.Second)
	for {
		sc.TilesGen++
		img = sc.Render(img, 320, 200)
		got := img.RGBAAt(151, 93)
		if got == (color.RGBA{10, 200, 30, 255}) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("centre pixel %v, want the tile's colour", got)
		}
		select {
		case <-loaded:
			n++
		case <-time.After(50 * time.Millisecond): // polling interval, not a wait for a result
		}
	}
}

// The street map is remembered; with its tile server failing, the map says so and
// shows the offline layer.
func TestStreetMapUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusBadGateway) }))
	defer srv.Close()
	a := newTestApp(t, false)
	a.fyne.Preferences().SetString(prefTileURL, srv.URL+"/{z}/{x}/{y}.png")
	p := a.mapPanel
	dir := t.TempDir()
	p.tiles = func(url string) *tiles.Source { return tiles.New(url, "Feedscope/test", dir) }
	test.Tap(p.street)
	if !a.fyne.Preferences().Bool(prefStreetMap) || p.Map.Scene.Tiles == nil {
		t.Fatal("the street map is not on, or not remembered")
	}
	// Fyne's test driver runs fyne.Do on the calling goroutine: the test waits for
	// the failure through a channel before it reads what the callback wrote.
	src := p.Map.Scene.Tiles.(*tiles.Source)
	failed, onFail := make(chan struct{}, 64), src.OnFail
	src.OnFail = func(k tiles.Key, err error) { onFail(k, err); failed <- struct{}{} }
	// The tiles of a one-pixel view: the one under the centre (a whole frame
	// would ask for its margin's too, failing on as many goroutines).
	v := p.Map.Scene.View
	v.Width, v.Height = 1, 1
	p.Map.Scene.drawTiles(image.NewRGBA(image.Rect(0, 0, 1, 1)), v)
	select {
	case <-failed:
	case <-time.After(15 * time.Second):
		t.Fatal("the tile fetch did not fail")
	}
	if !strings.Contains(p.Map.Credit(), "tiles unreachable, offline map shown") {
		t.Fatalf("credit %q", p.Map.Credit())
	}
	test.Tap(p.street)
	if a.fyne.Preferences().Bool(prefStreetMap) || p.Map.Scene.Tiles != nil || p.Map.Credit() != OfflineCredit {
		t.Fatalf("street map off: credit %q", p.Map.Credit())
	}
}

// The track list beside the map shows every track's latest speed, heading and
// age; choosing one selects it on the map and its newest row in the table.
func TestTrackListSelectsOnMapAndTable(t *testing.T) {
	a := newTestApp(t, true)
	p := a.mapPanel
	stepUntil(t, a, "twelve vessels in the list, each seen twice", func() bool {
		p.Update(a.ctl.Profiles(), a.ctl.States())
		for _, tr := range p.list.tracks {
			if len(tr.Trail) < 2 {
				return false
			}
		}
		return len(p.list.tracks) >= 12
	})
	if _, ok := p.Map.Scene.KindColors["vessels"]; !ok {
		t.Fatalf("no legend colour for vessels: %v", p.Map.Scene.KindColors)
	}
	belle := -1
	for i, tr := range p.list.tracks {
		if tr.Name == "Potomac Belle" {
			belle = i
		}
	}
	if belle < 0 {
		t.Fatal("no Potomac Belle in the list")
	}
	if info := trackInfo(p.list.tracks[belle], time.Now()); !strings.Contains(info, " kn · ") || !strings.Contains(info, "°") {
		t.Fatalf("info %q", info)
	}
	p.list.List.Select(belle)
	if p.Map.Scene.Selected.TrackID != "track1" {
		t.Fatalf("selected on the map: %+v", p.Map.Scene.Selected)
	}
	row := a.list.Selected()
	if row < 0 || a.model.Row(row).Label != "Potomac Belle" {
		t.Fatalf("table row %d", row)
	}
	data, err := geo.TracksToGeoJSON(p.tracks.All())
	if err != nil || !strings.Contains(string(data), `"name":"Potomac Belle"`) || !strings.Contains(string(data), `"LineString"`) {
		t.Fatalf("export %v: %.200s", err, data)
	}
}

// The same track from a live profile and from an opened recording stays two
// tracks, each selected in the table by its own profile's rows; each one's age
// is measured in its own feed's clock (the recording's playback clock, not the
// wall clock).
func TestTracksKeyedBySourceAgedByTheirClock(t *testing.T) {
	a := newTestApp(t, false)
	p := a.mapPanel
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	wall := time.Now()
	p.clock = func(source string) time.Time {
		if source == "rec: harbour" {
			return t0.Add(5 * time.Second)
		}
		return wall.Add(2 * time.Second)
	}
	key := geo.TrackKey{SourceSystemID: "demo-ais", CollectionID: "vessels", ObservationSpecID: "v", TrackID: "track1"}.String()
	var fixes []trackFix
	for i, e := range []session.Event{
		{Profile: "rec: harbour", Time: t0, Key: key, Label: "Potomac Belle", Geo: &session.Point{Lon: -77.06, Lat: 38.90}, Dir: session.DirIn},
		{Profile: "demo-gotham", Time: wall, Key: key, Label: "Potomac Belle", Geo: &session.Point{Lon: -77.03, Lat: 38.85}, Dir: session.DirIn},
	} {
		f, ok := fixOf(&e)
		if !ok {
			t.Fatalf("event %d carries no fix", i)
		}
		fixes = append(fixes, f)
	}
	p.OnFixes(fixes)
	p.Update(nil, nil)
	if len(p.list.tracks) != 2 {
		t.Fatalf("%d tracks, want the live one and the recorded one apart", len(p.list.tracks))
	}
	ages := map[string]string{}
	for _, tr := range p.list.tracks {
		info := trackInfo(tr, p.now(tr.Key.Source))
		f := strings.Fields(info)
		ages[tr.Key.Source] = f[len(f)-1]
	}
	if ages["rec: harbour"] != "5s" || ages["demo-gotham"] != "2s" {
		t.Fatalf("ages %v, want 5s in the recording's clock and 2s live", ages)
	}
}

// The demo's vessels that run the Potomac are drawn on its water, from Chain
// Bridge to the Wilson Bridge. (The three turning inside the Gotham reference's
// sample polygon are on Georgetown's shore: the sample polygon is, and the
// subscription and geofence tests follow it there.)
func TestDemoVesselsOnWater(t *testing.T) {
	loadLand() // the window parses the basemaps when it first draws a map; a test waits for them
	a := newTestApp(t, true)
	p := a.mapPanel
	stepUntil(t, a, "the twelve vessels", func() bool {
		p.Update(a.profiles, a.states)
		return len(p.Map.Scene.Tracks) >= 12
	})
	onRiver := 0
	for _, tr := range p.Map.Scene.Tracks {
		if id := tr.Key.TrackID; id == "track0" || id == "track1" || id == "track2" || !strings.HasPrefix(id, "track") {
			continue
		}
		onRiver++
		sc := &MapScene{View: geo.View{Center: tr.Latest().Point, Zoom: 15}}
		// Water is bluer than it is red in both themes' sea and river; land is
		// not (a graticule line over either keeps the balance).
		if c := sc.Render(nil, 3, 3).RGBAAt(1, 1); c.B <= c.R {
			t.Errorf("%s at %v is drawn on land (%v)", tr.Name, tr.Latest().Point, c)
		}
	}
	if onRiver != 9 {
		t.Fatalf("%d vessels on the river route, want 9", onRiver)
	}
}
