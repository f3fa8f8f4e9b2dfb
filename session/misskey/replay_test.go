package misskey_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/misskey"
	"github.com/feedscope/feedscope/session/replay"
	st "github.com/feedscope/feedscope/session/sessiontest"
)

// A replayed channel connection keeps the subscriber's own id: the recorded frames
// of the same channel come with it in place of the recorder's, the rest untouched.
func TestReplayRewritesChannelIDs(t *testing.T) {
	srv := st.StartDemo(t, 10)
	p, _ := srv.Profile(misskey.Name) // localTimeline as "1", serverStats as "2"
	rec := st.Record(t, p, filepath.Join(t.TempDir(), "m.ndjson"), 8)
	rs, err := replay.Start(rec, replay.Options{Speed: 20})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var stats []session.Event
	for _, e := range rs.Feed() {
		if e.Kind == "stats" {
			stats = append(stats, e)
		}
	}
	if len(stats) < 2 {
		t.Fatalf("only %d stats frames recorded", len(stats))
	}
	ws := st.Dial(t, rs.URL(), nil)
	ws.Send(`{"type":"connect","body":{"channel":"serverStats","id":"mine-7","pong":true}}`)
	if c := ws.NextType("connected"); c["body"].(map[string]any)["id"] != "mine-7" {
		t.Fatalf("connected %v", c)
	}
	for i, want := range stats {
		m := ws.NextType("channel")
		body := m["body"].(map[string]any)
		if body["id"] != "mine-7" || body["type"] != "stats" {
			t.Fatalf("frame %d: %v (only serverStats is connected)", i, m)
		}
		var rec struct {
			Body struct {
				ID   string `json:"id"`
				Body any    `json:"body"`
			} `json:"body"`
		}
		_ = json.Unmarshal(want.Raw, &rec)
		if rec.Body.ID == "mine-7" {
			t.Fatal("the recording already used the subscriber's id")
		}
		g, _ := json.Marshal(body["body"])
		w, _ := json.Marshal(rec.Body.Body)
		if string(g) != string(w) {
			t.Fatalf("frame %d body %s, recorded %s", i, g, w)
		}
	}
}
