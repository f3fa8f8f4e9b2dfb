package isymphony

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/feedscope/feedscope/session"
)

func init() { session.Register(Dialect{}) }

// Dialect is the iSymphony client.
type Dialect struct{}

// SingleSubscription marks the one filter set per socket.
func (Dialect) SingleSubscription() {}

// Name returns "isymphony".
func (Dialect) Name() string { return Name }

// Dial sends Basic credentials in a header: many clients, gorilla among them, will
// not take user:pass inside a ws URL, so any there are moved out of it.
func (Dialect) Dial(p *session.Profile) (session.DialSpec, error) {
	u, err := url.Parse(p.URL)
	if err != nil {
		return session.DialSpec{}, fmt.Errorf("isymphony: URL: %w", err)
	}
	user, pass := p.User, p.Password
	if u.User != nil {
		if user == "" {
			user = u.User.Username()
		}
		if pw, ok := u.User.Password(); ok && pass == "" {
			pass = pw
		}
		u.User = nil
	}
	h := http.Header{}
	if user != "" || pass != "" {
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
	}
	return session.DialSpec{URL: u.String(), Header: h}, nil
}

// Policy is ours: exponential backoff with jitter.
func (Dialect) Policy() session.Policy { return session.DefaultPolicy() }

// CheckSub validates a filter set.
func (Dialect) CheckSub(spec json.RawMessage) error {
	_, err := ParseFilters(spec)
	return err
}

// NewClient returns fresh per-session state.
func (Dialect) NewClient() session.Client { return &Client{} }

// Client is one session's iSymphony state: at most one filter set, re-sent after
// every reconnect because it lives on the connection.
type Client struct{}

// Open re-sends the filter set.
func (c *Client) Open(w *session.Wire) {
	for _, s := range w.Subs() {
		c.send(w, s.ID, s.Spec)
	}
}

// Subscribe replaces the connection's filter set.
func (c *Client) Subscribe(w *session.Wire, sub *session.Sub) {
	w.DropOthers(sub.ID)
	c.send(w, sub.ID, sub.Spec)
}

// Unsubscribe sends an empty set, which passes every event again.
func (c *Client) Unsubscribe(w *session.Wire, sub *session.Sub) {
	c.send(w, "", json.RawMessage("[]"))
}

func (c *Client) send(w *session.Wire, subID string, filters json.RawMessage) {
	if !w.IsOpen() {
		return
	}
	if s := w.Sub(subID); s != nil {
		// The wiki leaves the filter response's shape out: until an explicit failure
		// or events, the filter is sent and no more.
		s.State, s.Error = session.SubUnconfirmed, ""
	}
	w.Send(subID, "filter", map[string]any{"type": "filter", "filters": filters})
}

// failure reports whether a frame explicitly says the filter failed: a false
// success, a type naming an error or a failure, or a filter reply with an error text.
func failure(m map[string]any) (string, bool) {
	typ, _ := m["type"].(string)
	lower := strings.ToLower(typ)
	msg, _ := m["error"].(string)
	if msg == "" {
		msg, _ = m["message"].(string)
	}
	ok, hasOK := m["success"].(bool)
	switch {
	case hasOK && !ok, strings.Contains(lower, "error"), strings.Contains(lower, "fail"),
		strings.Contains(lower, "filter") && msg != "" && !ok:
		if msg == "" {
			msg = "the server refused the filter (" + typ + ")"
		}
		return msg, true
	}
	return "", false
}

// Decode turns one server frame into an Event.
func (c *Client) Decode(w *session.Wire, raw []byte) {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		w.Error("", "isymphony: frame is not a JSON object: "+err.Error(), raw)
		return
	}
	typ, _ := m["type"].(string)
	ev := session.Event{Kind: typ, Raw: raw}
	subs := w.Subs()
	if len(subs) > 0 {
		ev.Sub = subs[0].ID
	}
	msg, failed := failure(m)
	switch {
	case failed:
		if len(subs) > 0 {
			subs[0].State, subs[0].Error = session.SubError, msg
		}
		ev.Summary = "filter refused: " + msg
	case typ == "filterResponse":
		if ok, _ := m["success"].(bool); ok {
			if len(subs) > 0 {
				subs[0].State, subs[0].Error = session.SubLive, ""
			}
			ev.Summary = "filter accepted"
		} else {
			ev.Summary = "filter response (shape undocumented): " + session.Clip(raw, 80)
		}
	case typ == "":
		ev.Kind, ev.Summary = "unknown", "message without a type"
	default:
		ev.Summary = Summarize(m)
		_, isEvent := m["coreServerId"] // every documented event carries it and time
		if isEvent && len(subs) > 0 && subs[0].State == session.SubUnconfirmed {
			subs[0].State = session.SubLive // events flow: the filter took
		}
	}
	w.Emit(ev)
}

// Summarize describes a PBX event in one line.
func Summarize(m map[string]any) string {
	s := func(k string) string {
		if v, ok := m[k]; ok && v != nil {
			return valueString(v)
		}
		return "—"
	}
	switch m["type"] {
	case "userLogin":
		return fmt.Sprintf("%s logged in from %s", s("username"), s("ip"))
	case "userLogout":
		return fmt.Sprintf("%s logged out", s("username"))
	case "dial":
		return fmt.Sprintf("%s (%s) dialling %s", s("callerIdName"), s("callerIdNumber"), s("dialedNumber"))
	case "linkStart", "linkEnd":
		verb := map[any]string{"linkStart": "connected to", "linkEnd": "hung up with"}[m["type"]]
		return fmt.Sprintf("%s (%s) %s %s (%s)", s("callerIdName1"), s("callerIdNumber1"), verb, s("callerIdName2"), s("callerIdNumber2"))
	case "confRoomCallJoin", "confRoomCallLeave":
		verb := map[any]string{"confRoomCallJoin": "joined", "confRoomCallLeave": "left"}[m["type"]]
		return fmt.Sprintf("%s (%s) %s conference %s", s("callerIdName"), s("callerIdNumber"), verb, s("conferenceRoomName"))
	}
	var parts []string
	for _, k := range []string{"username", "extensionNumber", "callerIdName"} {
		if v, ok := m[k]; ok && v != nil {
			parts = append(parts, k+"="+valueString(v))
		}
	}
	return strings.Join(parts, " ")
}
