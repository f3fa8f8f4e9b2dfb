package gotham_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/feedscope/feedscope/session/gotham"
	"github.com/feedscope/feedscope/session/replay"
	st "github.com/feedscope/feedscope/session/sessiontest"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// A replayed subscription gets its own id; one asking what the recording asked gets
// every recorded frame, one asking something else gets what its query matches.
func TestReplaySubscriptionsHaveTheirOwnIDsAndQueries(t *testing.T) {
	srv := st.StartDemo(t, 10)
	p, _ := srv.Profile(gotham.Name) // subscribes {}: everything
	rec := st.Record(t, p, filepath.Join(t.TempDir(), "g.ndjson"), 6)
	rs, err := replay.Start(rec, replay.Options{Speed: 20})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var all []json.RawMessage
	for _, e := range rs.Feed() {
		all = append(all, e.Raw)
	}
	var ring orb.Ring
	var loc []gotham.Position
	_ = json.Unmarshal([]byte(box), &loc)
	for _, q := range loc {
		ring = append(ring, orb.Point{q.Longitude, q.Latitude})
	}
	var inBox []string
	for _, raw := range all {
		var o gotham.Observation
		_ = json.Unmarshal(raw, &o)
		if planar.RingContains(ring, orb.Point{o.Position.Longitude, o.Position.Latitude}) {
			inBox = append(inBox, string(raw))
		}
	}
	if len(inBox) == 0 || len(inBox) == len(all) {
		t.Fatalf("%d of %d observations in the box: the test needs some in, some out", len(inBox), len(all))
	}

	for _, c := range []struct {
		name, query string
		want        []string
	}{
		{"same query", `{}`, nil},
		{"another query", `{"location":` + box + `}`, inBox},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := c.want
			if want == nil {
				for _, raw := range all {
					want = append(want, string(raw))
				}
			}
			ws := st.Dial(t, rs.URL(), nil, "Bearer-anything")
			if ws.Resp.Header.Get("Sec-Websocket-Protocol") != "Bearer-anything" {
				t.Fatalf("the subprotocol was not echoed: %v", ws.Resp.Header)
			}
			ws.Send(`{"type":"subscribe","query":` + c.query + `}`)
			sub := ws.NextType("subscribed")
			id, _ := sub["id"].(string)
			if id == "" || len(sub["errors"].([]any)) != 0 {
				t.Fatalf("subscribed %v", sub)
			}
			var got []string
			for len(got) < len(want) {
				var f struct {
					Type         string            `json:"type"`
					ID           string            `json:"id"`
					Observations []json.RawMessage `json:"observations"`
				}
				b, _ := json.Marshal(ws.NextType("data"))
				_ = json.Unmarshal(b, &f)
				if f.ID != id {
					t.Fatalf("a data frame for %q on subscription %q", f.ID, id)
				}
				for _, o := range f.Observations {
					got = append(got, string(o))
				}
			}
			for i := range want {
				if !jsonEqual(got[i], want[i]) {
					t.Fatalf("observation %d:\n got %s\nwant %s", i, got[i], want[i])
				}
			}
		})
	}
}

func jsonEqual(a, b string) bool {
	var x, y any
	_ = json.Unmarshal([]byte(a), &x)
	_ = json.Unmarshal([]byte(b), &y)
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return string(ja) == string(jb)
}
