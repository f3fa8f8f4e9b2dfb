package ui

import (
	"fmt"
	"math"
	"sort"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/feedscope/feedscope/geo"
)

// trackList is the latest position of every track beside the map: name, speed,
// heading and age. Choosing one selects it on the map and its newest row in the
// table.
type trackList struct {
	List   *widget.List
	p      *MapPanel
	tracks []*geo.Track    // by name
	shared map[string]bool // names more than one source has
}

func newTrackList(p *MapPanel) *trackList {
	l := &trackList{p: p}
	l.List = widget.NewList(func() int { return len(l.tracks) },
		func() fyne.CanvasObject {
			// Two lines: a narrow list still shows whole names.
			name := widget.NewLabelWithStyle("Track name", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			name.Truncation = fyne.TextTruncateEllipsis
			info := widget.NewLabelWithStyle("12.3 kn · 359° · 10s", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
			info.SizeName = theme.SizeNameCaptionText
			return container.New(layout.NewCustomPaddedVBoxLayout(-12), name, info)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i >= len(l.tracks) {
				return
			}
			t := l.tracks[i]
			b := o.(*fyne.Container)
			b.Objects[0].(*widget.Label).SetText(l.label(t))
			b.Objects[1].(*widget.Label).SetText(trackInfo(t, p.now(t.Key.Source)))
		})
	l.List.OnSelected = func(i widget.ListItemID) {
		if i >= len(l.tracks) {
			return
		}
		t := l.tracks[i]
		p.Map.Scene.Selected = t.Key
		p.Map.CenterOn(t.Latest().Point, math.Max(p.Map.Scene.View.Zoom, 13))
		p.pick(t.Key, l.label(t))
	}
	return l
}

func trackName(t *geo.Track) string {
	if t.Name != "" {
		return t.Name
	}
	return t.Key.TrackID
}

// trackInfo is a track's speed (knots), heading and the age of its latest fix.
func trackInfo(t *geo.Track, now time.Time) string {
	f := t.Latest()
	speed, heading := "– kn", "–"
	if !math.IsNaN(f.Speed) && f.Speed > 0 {
		speed = fmt.Sprintf("%.1f kn", f.Speed*1.943844)
	}
	if !math.IsNaN(f.Heading) {
		heading = fmt.Sprintf("%03.0f°", f.Heading)
	}
	age := now.Sub(f.At).Round(time.Second)
	if f.At.IsZero() || age < 0 {
		age = 0
	}
	return speed + " · " + heading + " · " + age.String()
}

// label is a track's name in the list, with its source when another source
// has a track of that name too (a recording open beside the live feed has the
// same vessels): "Anacostia · demo-gotham".
func (l *trackList) label(t *geo.Track) string {
	if l.shared[trackName(t)] {
		return trackName(t) + " · " + t.Key.Source
	}
	return trackName(t)
}

// Update shows the tracks, sorted by name and then source, keeping the selection.
func (l *trackList) Update(tracks []*geo.Track) {
	l.tracks = append(l.tracks[:0], tracks...)
	sort.SliceStable(l.tracks, func(i, j int) bool {
		a, b := l.tracks[i], l.tracks[j]
		if trackName(a) != trackName(b) {
			return trackName(a) < trackName(b)
		}
		return a.Key.Source < b.Key.Source
	})
	source := make(map[string]string, len(l.tracks))
	clear(l.shared)
	if l.shared == nil {
		l.shared = map[string]bool{}
	}
	for _, t := range l.tracks {
		n := trackName(t)
		if s, ok := source[n]; ok && s != t.Key.Source {
			l.shared[n] = true
		}
		source[n] = t.Key.Source
	}
	l.List.Refresh()
}

// onExportTracks saves every track, its latest position and its trail, as GeoJSON.
func (p *MapPanel) onExportTracks() {
	tracks := p.tracks.All()
	if len(tracks) == 0 {
		p.notice("No tracks to export yet.")
		return
	}
	data, err := geo.TracksToGeoJSON(tracks)
	if err != nil {
		p.notice("Export failed: " + err.Error())
		return
	}
	files := fileDialogs{win: p.win, prefs: p.prefs}
	files.save(fileGeoJSON, fileName("tracks", time.Now(), ".geojson"), "", []string{".geojson", ".json"}, func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		go func() { // the disk is not the UI's to wait on
			_, err := w.Write(data)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
			fyne.Do(func() {
				if err != nil {
					p.notice("Saving the tracks failed: " + err.Error())
				} else {
					p.notice(fmt.Sprintf("Exported %s with their trails as GeoJSON.", count(len(tracks), "track", "tracks")))
				}
			})
		}()
	})
}
