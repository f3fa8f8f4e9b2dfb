package isymphony_test

import (
	"encoding/json"
	"testing"

	"github.com/feedscope/feedscope/session"
	st "github.com/feedscope/feedscope/session/sessiontest"
	"github.com/gorilla/websocket"
)

// pbx answers every filter with replies, then (when event is set) sends one event.
func pbx(t *testing.T, replies []string, event string) string {
	return st.Script(t, func(_ int, c *websocket.Conn) {
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
			for _, m := range replies {
				_ = c.WriteMessage(websocket.TextMessage, []byte(m))
			}
			if event != "" {
				_ = c.WriteMessage(websocket.TextMessage, []byte(event))
			}
		}
	}) + "/communication_manager/ws/event"
}

// The filter response's shape is undocumented: an answer we cannot read leaves the
// filter "sent, not confirmed" (never "refused"); events arriving confirm it; only an
// explicit failure refuses it.
func TestFilterRefusedOnlyOnExplicitFailure(t *testing.T) {
	filter := []json.RawMessage{st.JSON(`[{"property":"type","value":"userLogin"}]`)}
	login := `{"type":"userLogin","time":1436889915953,"coreServerId":"e5c01703-3c6d-429a-8712-66c826064e65","username":"mike","ip":"127.0.0.1"}`

	s, c := st.Connect(t, session.Profile{Name: "a", Dialect: "isymphony", URL: pbx(t, []string{`{"type":"filterAck","status":"ok"}`}, ""), Subs: filter})
	c.WaitKind(t, 0, session.DirIn, "filterAck")
	if sub := s.Subs()[0]; sub.State != session.SubUnconfirmed {
		t.Fatalf("unreadable answer: %s %q", sub.State, sub.Error)
	}

	s, c = st.Connect(t, session.Profile{Name: "b", Dialect: "isymphony", URL: pbx(t, nil, login), Subs: filter})
	c.WaitKind(t, 0, session.DirIn, "userLogin")
	if sub := s.Subs()[0]; sub.State != session.SubLive {
		t.Fatalf("after an event: %s", sub.State)
	}

	s, c = st.Connect(t, session.Profile{Name: "c", Dialect: "isymphony", URL: pbx(t, []string{`{"type":"filterResponse","success":false,"error":"invalid filter message"}`}, ""), Subs: filter})
	c.WaitKind(t, 0, session.DirIn, "filterResponse")
	if sub := s.Subs()[0]; sub.State != session.SubError || sub.Error != "invalid filter message" {
		t.Fatalf("explicit failure: %s %q", sub.State, sub.Error)
	}
}
