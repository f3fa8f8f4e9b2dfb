package misskey_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/feedscope/feedscope/session"
	st "github.com/feedscope/feedscope/session/sessiontest"
	"github.com/gorilla/websocket"
)

// A server as a real instance behaves where it will not serve: main (login needed)
// is ignored without a word, serverStats is joined but sends nothing (machine stats
// off), localTimeline is joined and talks. Each silent row says why that is likely.
func TestSilentChannelsSayWhy(t *testing.T) {
	base := st.Script(t, func(_ int, c *websocket.Conn) {
		for {
			_, b, err := c.ReadMessage()
			if err != nil {
				return
			}
			var m struct{ Body struct{ Channel, ID string } }
			_ = json.Unmarshal(b, &m)
			switch m.Body.Channel {
			case "serverStats", "localTimeline":
				_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"connected","body":{"id":"`+m.Body.ID+`"}}`))
			}
			if m.Body.Channel == "localTimeline" {
				_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"channel","body":{"id":"`+m.Body.ID+`","type":"note","body":{"id":"a","user":{"username":"alice","host":null},"text":"hi"}}}`))
			}
		}
	})
	p := session.Profile{Name: "m", Dialect: "misskey", URL: base + "/streaming",
		Settings: map[string]string{"silenceAfter": "150ms"},
		Subs:     []json.RawMessage{st.JSON(`{"channel":"main"}`), st.JSON(`{"channel":"serverStats"}`), st.JSON(`{"channel":"localTimeline"}`)}}
	s, _ := st.Connect(t, p)
	st.Until(t, "main and serverStats marked silent", func() bool {
		subs := s.Subs()
		return subs[0].State == session.SubNoReply && subs[1].State == session.SubNoReply
	})
	subs := s.Subs()
	if !strings.Contains(subs[0].Error, "silent for 150ms; likely needs login, this profile has no token") {
		t.Errorf("main: %q", subs[0].Error)
	}
	if !strings.Contains(subs[1].Error, "machine stats are likely off") {
		t.Errorf("serverStats: %q", subs[1].Error)
	}
	if subs[2].State != session.SubLive || subs[2].Error != "" {
		t.Errorf("localTimeline: %+v", subs[2])
	}
}

// A hashtag query whose tag keeps its '#' is sent as asked, with a warning: the
// server compares tags as given, so it would never match.
func TestHashtagWithHashWarns(t *testing.T) {
	srv := st.StartDemo(t, 1)
	_, c := st.Connect(t, session.Profile{Name: "m", Dialect: "misskey", URL: srv.URL("misskey"),
		Subs: []json.RawMessage{st.JSON(`{"channel":"hashtag","params":{"q":[["#misskey","fyne"]]}}`)}})
	ev, _ := c.WaitFor(t, 0, "the warning", func(e session.Event) bool { return e.Kind == "warning" && e.Sub == "1" })
	if !strings.Contains(ev.Summary, `"#misskey" keeps its '#'`) || !strings.Contains(ev.Summary, `write "misskey"`) {
		t.Fatalf("warning %q", ev.Summary)
	}
}
