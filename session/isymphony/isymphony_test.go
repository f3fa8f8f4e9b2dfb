package isymphony_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/isymphony"
	st "github.com/feedscope/feedscope/session/sessiontest"
)

func basic(user, pass string) http.Header {
	return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))}}
}

func TestMatch(t *testing.T) {
	login := map[string]any{"type": "userLogin", "username": "mikey", "ip": "127.0.0.1", "port": 57042.0}
	conf := map[string]any{"type": "confRoomCallJoin", "username": nil, "callerIdNumber": "5551230199"}
	f := func(pv ...string) []isymphony.Filter {
		var out []isymphony.Filter
		for i := 0; i < len(pv); i += 2 {
			out = append(out, isymphony.Filter{Property: pv[i], Value: pv[i+1]})
		}
		return out
	}
	cases := []struct {
		name    string
		filters []isymphony.Filter
		event   map[string]any
		want    bool
	}{
		{"no filter yet", nil, login, true},
		{"empty set", f(), login, true},
		{"one value", f("type", "userLogin"), login, true},
		{"OR within a property", f("type", "userLogout", "type", "userLogin"), login, true},
		{"AND across properties", f("type", "userLogin", "username", "mike"), login, false},
		{"AND both hold", f("type", "userLogin", "username", "mikey"), login, true},
		{"missing property", f("extensionNumber", "*"), login, false},
		{"wildcard on present", f("username", "*"), login, true},
		{"wildcard on null", f("username", "*"), conf, false},
		{"numbers compare as strings", f("port", "57042"), login, true},
		{"documented alias", f("type", "login"), login, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := isymphony.Match(c.filters, c.event); got != c.want {
				t.Fatalf("Match = %v, want %v", got, c.want)
			}
		})
	}
}

func TestServerAuth(t *testing.T) {
	srv := st.StartDemo(t, 1)
	for _, c := range []struct {
		name string
		h    http.Header
		ok   bool
	}{
		{"default credentials", basic("manager", "manag3rpa55word"), true},
		{"wrong password", basic("manager", "nope"), false},
		{"none", nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := st.TryDial(t, srv.URL("isymphony"), c.h)
			if c.ok != (err == nil) {
				t.Fatalf("dial err = %v", err)
			}
			if !c.ok && (r.Resp == nil || r.Resp.StatusCode != http.StatusUnauthorized) {
				t.Fatalf("want 401, got %v", r.Resp)
			}
		})
	}
}

func TestServerFilterResponses(t *testing.T) {
	srv := st.StartDemo(t, 1)
	r := st.Dial(t, srv.URL("isymphony"), basic("manager", "manag3rpa55word"))
	fail := map[string]any{"type": "filterResponse", "success": false, "error": "invalid filter message"}
	cases := []struct {
		name, send string
		want       map[string]any
	}{
		{"ok", `{"type":"filter","filters":[{"property":"type","value":"dial"}]}`,
			map[string]any{"type": "filterResponse", "success": true, "filters": []any{map[string]any{"property": "type", "value": "dial"}}}},
		{"docs' invalid example", `{"type":"filter","filters":[{"property" : "type" : "value" : "dial"}]}`, fail},
		{"not JSON", `hello`, fail},
		{"filters not an array", `{"type":"filter","filters":{"property":"type"}}`, fail},
		{"value not a string", `{"type":"filter","filters":[{"property":"port","value":5}]}`, fail},
		{"no type", `{"filters":[]}`, fail},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r.Send(c.send)
			got := r.NextType("filterResponse")
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(c.want)
			if string(g) != string(w) {
				t.Fatalf("got %s want %s", g, w)
			}
		})
	}
}

func TestClientFilterAndRejection(t *testing.T) {
	srv := st.StartDemo(t, 20)
	// Credentials inside the URL move to a header; gorilla refuses them in the URL.
	url := strings.Replace(srv.URL("isymphony"), "ws://", "ws://manager:manag3rpa55word@", 1)
	s, c := st.Connect(t, session.Profile{Name: "pbx", Dialect: "isymphony", URL: url,
		Subs: []json.RawMessage{st.JSON(`[{"property":"type","value":"linkStart"},{"property":"type","value":"linkEnd"}]`)}})
	_, i := c.WaitKind(t, 0, session.DirIn, "filterResponse")
	if subs := s.Subs(); subs[0].State != session.SubLive {
		t.Fatalf("sub state %s", subs[0].State)
	}
	for n := 0; n < 3; n++ {
		var e session.Event
		e, i = c.WaitFor(t, i+1, "a PBX event", func(e session.Event) bool { return e.Dir == session.DirIn })
		if e.Kind != "linkStart" && e.Kind != "linkEnd" {
			t.Fatalf("filter let %s through", e.Kind)
		}
	}
	for _, e := range c.Events() {
		if strings.Contains(e.Summary+string(e.Raw), "manag3rpa55word") {
			t.Fatalf("password leaked: %+v", e)
		}
	}

	_, bad := st.Connect(t, session.Profile{Name: "pbx2", Dialect: "isymphony", URL: srv.URL("isymphony"), User: "manager", Password: "wrong-password"})
	ev, _ := bad.WaitKind(t, 0, session.DirState, session.StateClosed)
	if ev.Summary != "rejected: 401 invalid credentials" {
		t.Fatalf("summary %q", ev.Summary)
	}
}

func TestClientReconnectResendsFilter(t *testing.T) {
	srv := st.StartDemo(t, 1)
	s, c := st.Connect(t, session.Profile{Name: "pbx", Dialect: "isymphony", URL: srv.URL("isymphony"), User: "manager", Password: "manag3rpa55word",
		Subs: []json.RawMessage{st.JSON(`[{"property":"type","value":"*"}]`)}})
	_, i := c.WaitKind(t, 0, session.DirIn, "filterResponse")
	srv.DropAll()
	_, i = c.WaitKind(t, i, session.DirState, session.StateOpen)
	out, i := c.WaitKind(t, i, session.DirOut, "filter")
	c.WaitKind(t, i, session.DirIn, "filterResponse")
	if out.Sub != "1" || s.Subs()[0].Replays != 1 {
		t.Fatalf("replay: %+v %+v", out, s.Subs())
	}
}

func FuzzParseFilters(f *testing.F) {
	f.Add([]byte(`[{"property":"type","value":"userLogin"},{"property":"username","value":"mikey"}]`))
	f.Add([]byte(`[{"property":"type","value":5}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if fs, err := isymphony.ParseFilters(b); err == nil {
			isymphony.Match(fs, map[string]any{"type": "dial"})
		}
	})
}

func FuzzClientDecode(f *testing.F) {
	for _, s := range []string{
		`{"type":"userLogin","time":1436889915953,"coreServerId":"e5c01703","username":"mike","userId":"e7577c7b","userLoginId":"0c51236d","port":57042,"ip":"127.0.0.1"}`,
		`{"type":"filterResponse","success":false,"error":"invalid filter message"}`,
		`{"type":"linkEnd","callerIdName1":null}`, `[1]`, `x`,
	} {
		f.Add([]byte(s))
	}
	s, err := session.New(session.Profile{Name: "f", Dialect: "isymphony", URL: "ws://127.0.0.1:1/x",
		Subs: []json.RawMessage{st.JSON(`[]`)}}, session.SinkFunc(func(session.Event) {}))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s.Do(func(c session.Client, w *session.Wire) { c.Decode(w, b) })
	})
}
