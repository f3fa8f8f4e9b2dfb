package ui

import (
	"strings"
	"testing"

	"github.com/feedscope/feedscope/geo"
)

// The demo's vessels that run the Potomac are drawn on its water, from Chain
// Bridge to the Wilson Bridge. (The three turning inside the Gotham reference's
// sample polygon are on Georgetown's shore: the sample polygon is, and the
// subscription and geofence tests follow it there.)
func TestDemoVesselsOnWater(t *testing.T) {
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
