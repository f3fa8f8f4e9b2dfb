package gotham_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/feedscope/feedscope/session"
	st "github.com/feedscope/feedscope/session/sessiontest"
	"github.com/gorilla/websocket"
)

// A subscribe the server never answers times out ("no reply") and the next one goes
// out and goes live: one lost reply no longer blocks every later subscribe.
func TestSubscribeTimeoutMovesOn(t *testing.T) {
	base := st.Script(t, func(_ int, c *websocket.Conn) {
		n := 0
		for {
			_, b, err := c.ReadMessage()
			if err != nil {
				return
			}
			if !strings.Contains(string(b), `"subscribe"`) {
				continue
			}
			if n++; n == 1 {
				continue // the first is ignored, as a server might a query it cannot take
			}
			_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"subscribed","id":"3255ebeb-a897-437c-ae7b-99c5d64d17cf","errors":[]}`))
		}
	}, "Bearer-demo")
	p := session.Profile{Name: "g", Dialect: "gotham", Token: "demo",
		URL:      base + "/api/ws/gotham/v1/observations/baz?preview=true",
		Settings: map[string]string{"subscribeTimeout": "150ms"},
		Subs:     []json.RawMessage{st.JSON(`{"property":{"property":"speed","values":[1]}}`), st.JSON(`{}`)}}
	s, c := st.Connect(t, p)
	st.Until(t, "sub 1 no reply, sub 2 live", func() bool {
		subs := s.Subs()
		return subs[0].State == session.SubNoReply && subs[1].State == session.SubLive
	})
	if sub := s.Subs()[0]; !strings.Contains(sub.Error, "no subscribed reply in 150ms; moved on") {
		t.Fatalf("sub 1 error %q", sub.Error)
	}
	c.WaitFor(t, 0, "the warning on the row", func(e session.Event) bool { return e.Kind == "warning" && e.Sub == "1" })
	if _, err := session.New(session.Profile{Name: "g", Dialect: "gotham", URL: p.URL, Settings: map[string]string{"subscribeTimeout": "soon"}}, st.NewCollector()); err == nil ||
		!strings.Contains(err.Error(), "subscribeTimeout must be a positive duration") {
		t.Fatalf("bad setting: %v", err)
	}
}

// A reply that comes after the timeout, with nothing else waiting, belongs to the
// subscribe that timed out: its row turns live.
func TestLateSubscribedReplyIsKept(t *testing.T) {
	base := st.Script(t, func(_ int, c *websocket.Conn) {
		for {
			_, b, err := c.ReadMessage()
			if err != nil {
				return
			}
			if strings.Contains(string(b), `"subscribe"`) {
				time.Sleep(400 * time.Millisecond) // a slow server: the reply comes after the client's 150 ms
				_ = c.WriteMessage(websocket.TextMessage, []byte(`{"type":"subscribed","id":"3255ebeb-a897-437c-ae7b-99c5d64d17cf","errors":[]}`))
			}
		}
	}, "Bearer-demo")
	p := session.Profile{Name: "g", Dialect: "gotham", Token: "demo",
		URL:      base + "/api/ws/gotham/v1/observations/baz?preview=true",
		Settings: map[string]string{"subscribeTimeout": "150ms"},
		Subs:     []json.RawMessage{st.JSON(`{}`)}}
	s, c := st.Connect(t, p)
	c.WaitFor(t, 0, "the no-reply warning", func(e session.Event) bool { return e.Kind == "warning" && e.Sub == "1" })
	st.Until(t, "the late reply taken", func() bool {
		sub := s.Subs()[0]
		return sub.State == session.SubLive && sub.ServerID == "3255ebeb-a897-437c-ae7b-99c5d64d17cf"
	})
}
