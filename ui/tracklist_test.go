package ui

import (
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/feedscope/feedscope/geo"
)

// A vessel seen live and in a recording is listed twice under the same name:
// those two lines say their source, a name only one source has does not.
func TestTrackListTellsSourcesApart(t *testing.T) {
	tracks := geo.NewTracks(10, 100)
	now := time.Now()
	fix := geo.Fix{At: now, Point: orb.Point{-77, 38.9}}
	tracks.Add(geo.TrackKey{Source: "rec: demo", TrackID: "1"}, "Anacostia", fix, 1, now)
	tracks.Add(geo.TrackKey{Source: "demo-gotham", TrackID: "1"}, "Anacostia", fix, 2, now)
	tracks.Add(geo.TrackKey{Source: "demo-gotham", TrackID: "2"}, "Potomac", fix, 3, now)
	l := newTrackList(nil)
	l.Update(tracks.All())
	var got []string
	for _, tr := range l.tracks {
		got = append(got, l.label(tr))
	}
	if want := []string{"Anacostia · demo-gotham", "Anacostia · rec: demo", "Potomac"}; !slices.Equal(got, want) {
		t.Fatalf("list: %q, want %q", got, want)
	}
	// The recording closed: the name is one source's again.
	l.Update(slices.DeleteFunc(tracks.All(), func(tr *geo.Track) bool { return tr.Key.Source == "rec: demo" }))
	if got := l.label(l.tracks[0]); got != "Anacostia" {
		t.Fatalf("after the recording closed: %q", got)
	}
}

// The table's sort and its latest-per-key view are remembered for the next
// start, as the column widths are.
func TestTableViewIsRemembered(t *testing.T) {
	a := newTestApp(t, false)
	a.list.SetSort(2, true)
	a.latest.SetChecked(true)
	l := NewEventList(a.model)
	restoreView(l, a.fyne.Preferences())
	if col, desc := l.Sort(); col != 2 || !desc || !l.Latest() {
		t.Fatalf("restored sort %d desc=%v latest=%v; want 2, true, true", col, desc, l.Latest())
	}
	a.list.SetSort(-1, false)
	a.latest.SetChecked(false)
	l = NewEventList(a.model)
	restoreView(l, a.fyne.Preferences())
	if col, _ := l.Sort(); col != -1 || l.Latest() {
		t.Fatalf("restored sort %d latest=%v after turning both off", col, l.Latest())
	}
}
