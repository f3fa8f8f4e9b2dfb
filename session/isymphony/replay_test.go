package isymphony_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/feedscope/feedscope/session/isymphony"
	"github.com/feedscope/feedscope/session/replay"
	st "github.com/feedscope/feedscope/session/sessiontest"
)

// A replay takes a socket's filter set as the demo does: only the recorded events
// it passes come, byte for byte, after a filterResponse of its own.
func TestReplayAppliesTheSubscribersFilters(t *testing.T) {
	srv := st.StartDemo(t, 10)
	p, _ := srv.Profile(isymphony.Name)
	rec := st.Record(t, p, filepath.Join(t.TempDir(), "i.ndjson"), 10)
	rs, err := replay.Start(rec, replay.Options{Speed: 20})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	filters := []isymphony.Filter{{Property: "type", Value: "dial"}, {Property: "type", Value: "linkStart"}}
	var want []string
	for _, e := range rs.Feed() {
		var m map[string]any
		_ = json.Unmarshal(e.Raw, &m)
		if isymphony.Match(filters, m) {
			want = append(want, string(e.Raw))
		}
	}
	if len(want) == 0 || len(want) == len(rs.Feed()) {
		t.Fatalf("%d of %d events pass: the test needs a narrower filter", len(want), len(rs.Feed()))
	}
	ws := st.Dial(t, rs.URL(), nil)
	f, _ := json.Marshal(map[string]any{"type": "filter", "filters": filters})
	ws.Send(string(f))
	// The playback starts with the socket, before any filter: what came before the
	// filterResponse passed unfiltered, and the rest is filtered.
	k := 0
	for {
		m := ws.Next(nil)
		if m["type"] == "filterResponse" {
			if m["success"] != true {
				t.Fatalf("filterResponse %v", m)
			}
			break
		}
		if isymphony.Match(filters, m) {
			k++
		}
	}
	for i, w := range want[k:] {
		m := ws.Next(nil)
		b, _ := json.Marshal(m)
		var wm map[string]any
		_ = json.Unmarshal([]byte(w), &wm)
		wb, _ := json.Marshal(wm)
		if string(b) != string(wb) {
			t.Fatalf("event %d:\n got %s\nwant %s", i, b, wb)
		}
	}
}
