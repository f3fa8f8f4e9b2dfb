package ui

import (
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/paulmach/orb"

	"github.com/feedscope/feedscope/control"
	"github.com/feedscope/feedscope/geo"
	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/tiles"
	"github.com/feedscope/feedscope/watch"
)

// MapPanel is the map tab: live tracks, the Gotham subscriptions' polygons, and a
// polygon draft that becomes a subscription.
type MapPanel struct {
	mapDeps
	Map     *MapView
	tracks  *geo.Tracks
	draw    *widget.Button
	finish  *widget.Button
	problem *widget.Label
	repair  *widget.Button
	target  *widget.Select // profile to subscribe on
	subSel  *widget.Select // subscription to apply the draft to
	street  *widget.Check  // online tiles
	fence   *widget.Button // the draft becomes a geofence watch rule
	// polyMenu opens, saves and copies the draft (GeoJSON, the query).
	polyMenu *widget.Button
	list     *trackList // the latest position of every track
	apply    *widget.Button
	sub      *widget.Button
	Content  fyne.CanvasObject

	drawnGen uint64    // the tracks' generation at the last frame
	drawnAt  time.Time // when the last frame was asked for
}

// mapDeps is what the map panel needs from the window around it.
type mapDeps struct {
	ctl    subscriber
	notice func(string)
	pick   func(k geo.TrackKey, label string) // select the newest table row about a track
	// clock is the moment a source's tracks are seen at: the wall clock for a
	// live profile, the playback clock for an opened recording (nil: the wall
	// clock).
	clock   func(source string) time.Time
	changed func() // after a subscription changed
	win     fyne.Window
	clip    fyne.Clipboard
	tiles   func(urlTemplate string) *tiles.Source // nil: no online layer
	tileURL func() string
	prefs   fyne.Preferences // remembers the street map
	rules   ruleKeeper       // watch rules, for Watch polygon
}

// prefStreetMap remembers whether the street map (online tiles) is on.
const prefStreetMap = "mapStreetTiles"

// The Potomac from Georgetown to Reagan National, where the demo's vessels and
// approaches are.
var dcCentre = orb.Point{-77.052, 38.884}

func newMapPanel(d mapDeps) *MapPanel {
	p := &MapPanel{mapDeps: d, tracks: geo.NewTracks(30, 20_000)}
	p.Map = NewMapView(dcCentre, 12.6)
	p.Map.OnDraftChanged = func(orb.Ring) { p.check() }
	p.Map.OnFinished = func(orb.Ring) { p.updateButtons(); p.check() }
	p.Map.OnTrackTapped = p.onTrackTapped
	p.draw = widget.NewButtonWithIcon("Draw polygon", theme.ContentAddIcon(), func() {
		p.Map.Drawing = true
		p.Map.SetDraft(nil)
		p.updateButtons()
		if c := fyne.CurrentApp().Driver().CanvasForObject(p.Map); c != nil {
			c.Focus(p.Map)
		}
	})
	p.finish = widget.NewButtonWithIcon("Finish", theme.ConfirmIcon(), func() { p.Map.Finish() })
	clearBtn := widget.NewButtonWithIcon("", theme.ContentClearIcon(), func() { p.Map.Cancel(); p.updateButtons() })
	undo := widget.NewButtonWithIcon("", theme.ContentUndoIcon(), func() { p.Map.Undo() })
	redo := widget.NewButtonWithIcon("", theme.ContentRedoIcon(), func() { p.Map.Redo() })
	zoomIn := widget.NewButtonWithIcon("", theme.ZoomInIcon(), func() { p.Map.ZoomBy(1) })
	zoomOut := widget.NewButtonWithIcon("", theme.ZoomOutIcon(), func() { p.Map.ZoomBy(-1) })
	fit := widget.NewButtonWithIcon("Fit", theme.ZoomFitIcon(), p.fit)
	p.problem = widget.NewLabel("Draw a polygon to preview which tracks a location query catches.")
	p.problem.Wrapping = fyne.TextWrapWord
	p.repair = widget.NewButton("Repair", func() { p.Map.SetDraft(geo.Repair(p.Map.Draft())) })
	p.repair.Hide()
	p.target = widget.NewSelect(nil, nil)
	p.target.PlaceHolder = "profile"
	p.sub = widget.NewButtonWithIcon("Subscribe", theme.MailSendIcon(), p.onSubscribe)
	p.subSel = widget.NewSelect(nil, nil)
	p.subSel.PlaceHolder = "subscription"
	p.apply = widget.NewButtonWithIcon("Apply", theme.ViewRefreshIcon(), p.onApply)
	p.fence = widget.NewButtonWithIcon("Watch polygon", theme.WarningIcon(), p.onWatchPolygon)
	// The polygon's file and clipboard actions share one menu, so that the row
	// fits beside the track list at 1280 px.
	var polyMenu *widget.Button
	polyMenu = widget.NewButtonWithIcon("Polygon", theme.MenuDropDownIcon(), func() {
		c := fyne.CurrentApp().Driver().CanvasForObject(polyMenu)
		if c == nil {
			return
		}
		widget.ShowPopUpMenuAtRelativePosition(fyne.NewMenu("",
			fyne.NewMenuItemWithIcon("Open GeoJSON…", theme.FolderOpenIcon(), p.onOpen),
			fyne.NewMenuItemWithIcon("Save GeoJSON…", theme.DocumentSaveIcon(), p.onSave),
			fyne.NewMenuItemSeparator(),
			fyne.NewMenuItemWithIcon("Copy query", theme.ContentCopyIcon(), func() { p.copy(p.queryJSON()) }),
			fyne.NewMenuItemWithIcon("Copy GeoJSON", theme.ContentCopyIcon(), func() { p.copy(p.geoJSON()) }),
		), c, fyne.NewPos(0, polyMenu.Size().Height), polyMenu)
	})
	polyMenu.IconPlacement = widget.ButtonIconTrailingText
	p.polyMenu = polyMenu
	online := widget.NewCheck("Street map", func(on bool) {
		p.prefs.SetBool(prefStreetMap, on)
		p.setOnline(on)
	})
	online.SetChecked(p.prefs.Bool(prefStreetMap))
	p.street = online
	// At 1280 px both rows fit; a narrower window scrolls them sideways rather
	// than widen the window's centre.
	top := container.NewHScroll(container.NewHBox(zoomOut, zoomIn, fit, online, widget.NewSeparator(), p.draw, p.finish, undo, redo, clearBtn,
		widget.NewSeparator(), polyMenu))
	bottom := container.NewVBox(
		container.NewBorder(nil, nil, nil, p.repair, p.problem),
		container.NewHScroll(container.NewHBox(widget.NewLabel("Subscribe on"), p.target, p.sub, p.fence, widget.NewSeparator(), p.subSel, p.apply)))
	p.list = newTrackList(p)
	exportTracks := widget.NewButtonWithIcon("Export tracks", theme.DownloadIcon(), p.onExportTracks)
	side := container.NewBorder(container.NewBorder(nil, nil, widget.NewLabelWithStyle("TRACKS", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), exportTracks), nil, nil, nil, p.list.List)
	split := container.NewHSplit(p.Map, side)
	split.Offset = 0.72
	p.Content = container.NewBorder(top, bottom, nil, nil, split)
	p.updateButtons()
	p.check()
	return p
}

// setOnline turns the online tile layer on or off. It is off until asked for: the
// embedded basemap needs no network.
func (p *MapPanel) setOnline(on bool) {
	if !on || p.tiles == nil {
		p.Map.Scene.Tiles = nil
		p.Map.SetCredit(OfflineCredit)
		p.Map.Refresh()
		if on {
			p.notice("No online map in this build: the embedded basemap stays.")
		}
		return
	}
	url := p.tileURL()
	src := p.tiles(url)
	credit := "Tiles: " + url
	if url == tiles.DefaultURL {
		credit = tiles.Attribution
	}
	src.OnLoad = func(tiles.Key) {
		fyne.Do(func() {
			if p.Map.Scene.Tiles != src {
				return // turned off, or another source since
			}
			p.Map.Scene.TilesGen++
			p.Map.SetCredit(credit)
			p.Map.Refresh()
		})
	}
	src.OnFail = func(tiles.Key, error) {
		fyne.Do(func() {
			if p.Map.Scene.Tiles == src {
				p.Map.SetCredit("Street map: tiles unreachable, offline map shown · " + OfflineCredit)
			}
		})
	}
	p.Map.Scene.Tiles = src
	p.Map.SetCredit(credit)
	p.Map.Refresh()
}

func (p *MapPanel) updateButtons() {
	if p.Map.Drawing {
		p.draw.Disable()
		p.finish.Enable()
	} else {
		p.draw.Enable()
		p.finish.Disable()
	}
}

// check validates the draft as the reference requires and offers a repair.
func (p *MapPanel) check() {
	d := p.Map.Draft()
	p.repair.Hide()
	p.sub.Disable()
	p.apply.Disable()
	if d == nil {
		p.problem.SetText("Draw a polygon (click to add points, Enter or double-click to finish) to preview which tracks a location query catches.")
		p.problem.Importance = widget.MediumImportance
		p.problem.Refresh()
		return
	}
	inside := 0
	for _, t := range p.Map.Scene.Tracks {
		if len(d) >= 4 && geo.Contains(d, t.Latest().Point) {
			inside++
		}
	}
	faults := geo.Validate(d)
	if len(faults) > 0 && len(geo.Errors(faults)) == 0 {
		// Only warnings (a clockwise ring): the service takes it, so it can be sent.
		msgs := make([]string, len(faults))
		for i, f := range faults {
			msgs[i] = f.Error()
		}
		p.problem.SetText(fmt.Sprintf("Polygon of %d points · %s inside now · %s", len(d), count(inside, "track", "tracks"), strings.Join(msgs, "; ")))
		p.problem.Importance = widget.WarningImportance
		p.sub.Enable()
		p.apply.Enable()
		p.repair.Show()
	} else if len(faults) == 0 {
		p.problem.SetText(fmt.Sprintf("Valid polygon of %d points · %s inside now (highlighted).", len(d), count(inside, "track", "tracks")))
		p.problem.Importance = widget.SuccessImportance
		p.sub.Enable()
		p.apply.Enable()
	} else {
		msgs := make([]string, len(faults))
		for i, f := range faults {
			msgs[i] = f.Error()
		}
		p.problem.SetText(strings.Join(msgs, "; "))
		p.problem.Importance = widget.DangerImportance
		if r := geo.Repair(d); len(geo.Validate(r)) < len(faults) {
			p.repair.Show()
		}
	}
	p.problem.Refresh()
}

// queryJSON is the draft as a new subscription of the target profile's dialect.
func (p *MapPanel) queryJSON() string {
	d := p.Map.Draft()
	poly, ok := p.polygonal(p.target.Selected)
	if d == nil || !ok {
		return ""
	}
	b, err := poly.PolygonSub(d)
	if err != nil {
		return ""
	}
	return string(b)
}

// polygonal is the named profile's dialect when its subscriptions take polygons.
func (p *MapPanel) polygonal(profile string) (session.Polygonal, bool) {
	if prof, ok := p.ctl.Profile(profile); ok {
		return session.PolygonalOf(prof.Dialect)
	}
	return nil, false
}

func (p *MapPanel) geoJSON() string {
	d := p.Map.Draft()
	if d == nil {
		return ""
	}
	b, _ := geo.RingToGeoJSON(d, map[string]any{"source": "Feedscope"})
	return string(b)
}

func (p *MapPanel) copy(s string) {
	if s == "" {
		p.notice("Draw a polygon first.")
		return
	}
	p.clip.SetContent(s)
	p.notice("Copied to the clipboard.")
}

func (p *MapPanel) onSubscribe() {
	if p.target.Selected == "" {
		p.notice("Choose the profile to subscribe on.")
		return
	}
	poly, ok := p.polygonal(p.target.Selected)
	if !ok || p.Map.Draft() == nil {
		p.notice("Draw a polygon first.")
		return
	}
	spec, err := poly.PolygonSub(p.Map.Draft())
	if err != nil {
		p.notice(err.Error())
		return
	}
	id, err := p.ctl.Subscribe(p.target.Selected, spec)
	if err != nil {
		p.notice(err.Error())
		return
	}
	p.changed()
	p.notice(fmt.Sprintf("Subscribed %s #%s to the drawn polygon: only tracks inside it arrive for it.", p.target.Selected, id))
	p.Map.Cancel()
}

func (p *MapPanel) onApply() {
	name, id, ok := strings.Cut(p.subSel.Selected, " #")
	if !ok {
		p.notice("Choose the subscription to apply the polygon to.")
		return
	}
	poly, ok := p.polygonal(name)
	var old json.RawMessage
	for _, s := range p.ctl.Subs(name) {
		if s.ID == id {
			old = s.Spec
		}
	}
	if !ok || old == nil || p.Map.Draft() == nil {
		p.notice("Choose the subscription to apply the polygon to.")
		return
	}
	spec, err := poly.WithPolygon(old, p.Map.Draft())
	if err == nil {
		err = p.ctl.Replace(name, id, spec)
	}
	if err != nil {
		p.notice(err.Error())
		return
	}
	p.changed()
	p.notice(fmt.Sprintf("%s #%s now follows the drawn polygon.", name, id))
}

func (p *MapPanel) onSave() {
	if p.Map.Draft() == nil {
		p.notice("Draw a polygon first.")
		return
	}
	files := fileDialogs{win: p.win, prefs: p.prefs}
	files.save(fileGeoJSON, fileName("polygon", time.Now(), ".geojson"), "", []string{".geojson", ".json"}, func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		defer w.Close()
		if _, err := io.WriteString(w, p.geoJSON()); err != nil {
			p.notice("Saving failed: " + err.Error())
		}
	})
}

func (p *MapPanel) onOpen() {
	files := fileDialogs{win: p.win, prefs: p.prefs}
	files.open(fileGeoJSON, "", []string{".geojson", ".json"}, func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		defer r.Close()
		data, err := io.ReadAll(io.LimitReader(r, 32<<20))
		if err == nil {
			err = p.OpenGeoJSON(data)
		}
		if err != nil {
			p.notice(err.Error())
		}
	})
}

// OpenGeoJSON takes the first polygon of a GeoJSON document as the draft.
func (p *MapPanel) OpenGeoJSON(data []byte) error {
	rings, err := geo.RingsFromGeoJSON(data)
	if err != nil {
		return err
	}
	p.Map.SetDraft(rings[0])
	p.Map.FitTo(rings[0].Bound())
	if len(rings) > 1 {
		p.notice(fmt.Sprintf("The file has %d polygons; the first is the draft.", len(rings)))
	}
	return nil
}

func (p *MapPanel) fit() {
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	n := 0
	for _, poly := range p.Map.Scene.Polygons {
		b = b.Union(poly.Ring.Bound())
		n++
	}
	for _, t := range p.Map.Scene.Tracks {
		b = b.Extend(t.Latest().Point)
		n++
	}
	if n > 0 {
		p.Map.FitTo(b)
	}
}

func (p *MapPanel) onTrackTapped(t *geo.Track) {
	label := t.Name
	if label == "" {
		label = t.Key.TrackID
	}
	p.pick(t.Key, label)
}

// now is the moment the tracks of source are seen at.
func (p *MapPanel) now(source string) time.Time {
	if p.clock != nil {
		return p.clock(source)
	}
	return time.Now()
}

// trackFix is one position of one track, as the decoder identified it.
type trackFix struct {
	key   geo.TrackKey
	label string
	fix   geo.Fix
}

// trackKeyOf is the track an event is about: its Key, from its profile.
func trackKeyOf(e *session.Event) (geo.TrackKey, bool) {
	k, ok := geo.ParseTrackKey(e.Key)
	k.Source = e.Profile
	return k, ok
}

// fixOf reads the track position an event carries, if it carries one. Its time
// is the event's (the frame's arrival, as recorded): a track's age is measured
// in the clock of the feed that reported it.
func fixOf(e *session.Event) (trackFix, bool) {
	if e.Geo == nil {
		return trackFix{}, false
	}
	k, ok := trackKeyOf(e)
	if !ok {
		return trackFix{}, false
	}
	heading := math.NaN()
	if e.Heading != nil {
		heading = *e.Heading
	}
	speed := math.NaN()
	if e.Speed != nil {
		speed = *e.Speed
	}
	return trackFix{k, e.Label, geo.Fix{At: e.Time, Point: orb.Point{e.Geo.Lon, e.Geo.Lat}, Heading: heading, Speed: speed}}, true
}

// OnFixes takes track positions into the track store.
func (p *MapPanel) OnFixes(fs []trackFix) {
	now := time.Now()
	for _, f := range fs {
		p.tracks.Add(f.key, f.label, f.fix, 0, now)
	}
}

// Rebuild forgets every track and takes them again from fixes (what the table
// still shows after a recording went back in time).
func (p *MapPanel) Rebuild(fs []trackFix) {
	p.tracks.Clear()
	p.OnFixes(fs)
}

// Update redraws with the current tracks and the subscriptions' polygons.
//
// The map and the list are drawn again only when something they show changed,
// and once a second for what time changes (the markers' fading, the ages).
func (p *MapPanel) Update(profiles []session.Profile, states map[string]control.State) {
	now := time.Now()
	gen := p.tracks.Gen()
	tick := now.Sub(p.drawnAt) >= time.Second
	if gen != p.drawnGen || tick {
		p.updateTracks()
	}
	polys, targets, subs := p.polygons(profiles, states)
	if gen == p.drawnGen && !tick && slices.EqualFunc(polys, p.Map.Scene.Polygons, samePolygon) &&
		slices.Equal(targets, p.target.Options) && slices.Equal(subs, p.subSel.Options) {
		return
	}
	p.drawnGen, p.drawnAt = gen, now
	p.Map.Scene.Polygons = polys
	p.target.Options, p.subSel.Options = targets, subs
	if p.target.Selected == "" && len(targets) > 0 {
		p.target.SetSelected(targets[0])
	}
	p.Map.Refresh()
	if p.Map.Draft() != nil {
		p.check()
	}
}

func samePolygon(a, b MapPolygon) bool {
	return a.Label == b.Label && a.State == b.State && a.Color == b.Color && a.Live == b.Live && slices.Equal(a.Ring, b.Ring)
}

// updateTracks takes the tracks into the map and the list.
func (p *MapPanel) updateTracks() {
	tracks := p.tracks.All()
	for _, t := range tracks {
		if n := len(t.Trail); n > 1 && math.IsNaN(t.Trail[n-1].Heading) { // no heading reported: from the last move
			a, b := t.Trail[n-2].Point, t.Trail[n-1].Point
			dx := (b[0] - a[0]) * math.Cos(b[1]*math.Pi/180)
			t.Trail[n-1].Heading = math.Mod(math.Atan2(dx, b[1]-a[1])*180/math.Pi+360, 360)
		}
	}
	p.Map.Scene.Tracks = tracks
	p.list.Update(tracks)
	for _, t := range tracks {
		if _, ok := p.Map.Scene.KindColors[t.Key.CollectionID]; !ok && t.Key.CollectionID != "" {
			if p.Map.Scene.KindColors == nil {
				p.Map.Scene.KindColors = map[string]color.NRGBA{}
			}
			p.Map.Scene.KindColors[t.Key.CollectionID] = kindColors[len(p.Map.Scene.KindColors)%len(kindColors)]
		}
	}
}

// polygons are the subscriptions' polygons and the watched geofences, with the
// profiles a drawn polygon can be subscribed on and their subscriptions.
func (p *MapPanel) polygons(profiles []session.Profile, states map[string]control.State) (polys []MapPolygon, targets, subs []string) {
	for _, prof := range profiles {
		poly, ok := session.PolygonalOf(prof.Dialect)
		if !ok {
			continue
		}
		targets = append(targets, prof.Name)
		for _, s := range states[prof.Name].Subs {
			subs = append(subs, prof.Name+" #"+s.ID)
			ring, ok := poly.SubPolygon(s.Spec)
			if !ok {
				continue
			}
			polys = append(polys, MapPolygon{Label: prof.Name + " #" + s.ID, Ring: ring,
				Color: polygonColors[len(polys)%len(polygonColors)], Live: s.State == session.SubLive})
		}
	}
	// The geofences the watch rules keep.
	for _, prof := range profiles {
		if p.rules == nil {
			break
		}
		for _, r := range p.rules.Rules(prof.Name) {
			if r.Kind == watch.KindGeofence {
				polys = append(polys, MapPolygon{Label: r.Name, State: "watched on " + prof.Name, Ring: r.Ring(), Color: fenceColor, Live: true})
			}
		}
	}
	return polys, targets, subs
}

// fenceColor tells a watch rule's geofence from a subscription's polygon.
var fenceColor = rgba(0xe0, 0x4a, 0x1b, 255)

// onWatchPolygon makes the draft a geofence watch rule on the chosen profile: an
// alert whenever one of its tracks enters the polygon.
func (p *MapPanel) onWatchPolygon() {
	ring := geo.Repair(p.Map.Draft())
	if err := geo.Check(ring); err != nil {
		p.notice("Draw a valid polygon first: " + err.Error() + ".")
		return
	}
	profile := p.target.Selected
	if profile == "" || p.rules == nil {
		p.notice("Choose the profile whose tracks the polygon watches.")
		return
	}
	rules := p.rules.Rules(profile)
	r := watch.Rule{Name: fmt.Sprintf("Fence %d", len(rules)+1), Kind: watch.KindGeofence, On: watch.OnEnter}
	r.SetRing(ring)
	if err := p.rules.SetRules(profile, append(rules, r)); err != nil {
		p.notice("The polygon cannot be watched: " + err.Error())
		return
	}
	p.notice(fmt.Sprintf("%s watches %s: an alert when a track enters it (Alerts tab).", r.Name, profile))
}
