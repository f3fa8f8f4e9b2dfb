package hypothesis_test

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/feedscope/feedscope/session/hypothesis"
	"github.com/feedscope/feedscope/session/replay"
	st "github.com/feedscope/feedscope/session/sessiontest"
)

// A replay applies each socket's filter as the demo streamer does: a narrower
// filter gets the recorded notifications it matches, byte for byte; commands get
// their replies.
func TestReplayAppliesTheSubscribersFilter(t *testing.T) {
	srv := st.StartDemo(t, 10)
	p, _ := srv.Profile(hypothesis.Name)
	rec := st.Record(t, p, filepath.Join(t.TempDir(), "h.ndjson"), 8)
	rs, err := replay.Start(rec, replay.Options{Speed: 20})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	// The URI of the first recorded annotation, and every notification about it.
	var uri string
	var want []string
	known := map[string]bool{}
	for _, e := range rs.Feed() {
		var f struct {
			Type    string                  `json:"type"`
			Payload []hypothesis.Annotation `json:"payload"`
		}
		_ = json.Unmarshal(e.Raw, &f)
		if f.Type != "annotation-notification" {
			want = append(want, string(e.Raw)) // a session change goes to every socket
			continue
		}
		if len(f.Payload) == 0 {
			continue
		}
		a := f.Payload[0]
		if uri == "" && a.URI != "" {
			uri = a.URI
		}
		if uri != "" && (hypothesis.NormalizeURI(a.URI) == hypothesis.NormalizeURI(uri) || a.URI == "" && known[a.ID]) {
			known[a.ID] = true
			want = append(want, string(e.Raw))
		}
	}
	if len(want) == 0 || len(want) == len(rs.Feed()) {
		t.Fatalf("%d of %d notifications about %s: the test needs a narrower filter", len(want), len(rs.Feed()), uri)
	}
	ws := st.Dial(t, rs.URL(), nil)
	ws.Send(`{"id":1,"type":"whoami"}`)
	if m := ws.NextType("whoyouare"); m["reply_to"] != 1.0 {
		t.Fatalf("whoami answered %v", m)
	}
	u, _ := json.Marshal(uri)
	ws.Send(`{"filter":{"match_policy":"include_any","clauses":[{"field":"/uri","operator":"one_of","value":[` + string(u) + `],"case_sensitive":false}],"actions":{"create":true,"update":true,"delete":true}}}`)
	for i, w := range want {
		_ = ws.Conn.SetReadDeadline(time.Now().Add(st.Timeout))
		_, data, err := ws.Conn.ReadMessage()
		if err != nil {
			t.Fatalf("notification %d of %d: %v", i, len(want), err)
		}
		if string(data) != w {
			t.Fatalf("notification %d:\n got %s\nwant %s", i, data, w)
		}
	}
}
