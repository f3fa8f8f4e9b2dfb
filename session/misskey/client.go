package misskey

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/feedscope/feedscope/session"
)

func init() { session.Register(Dialect{}) }

// Dialect is the Misskey client.
type Dialect struct{}

// Name returns "misskey".
func (Dialect) Name() string { return Name }

// Dial sends the token as a Bearer header (it wins over `i` on the server and never
// lands in a URL).
func (Dialect) Dial(p *session.Profile) (session.DialSpec, error) {
	h := http.Header{}
	if p.Token != "" {
		h.Set("Authorization", "Bearer "+p.Token)
	}
	return session.DialSpec{URL: p.URL, Header: h}, nil
}

// Policy mirrors misskey-js's reconnecting-websocket: 1 ms growing ×1.3 to 10 s,
// forever, a 4 s connect timeout, the counter reset after 5 s of uptime.
func (Dialect) Policy() session.Policy {
	return session.Policy{
		Delay:       session.Geometric(time.Millisecond, 1.3, 10*time.Second),
		ResetAfter:  5 * time.Second,
		DialTimeout: 4 * time.Second,
	}
}

// CheckSub validates a channel connection or note capture.
func (Dialect) CheckSub(spec json.RawMessage) error {
	_, err := ParseSub(spec)
	return err
}

// NewClient returns fresh per-session state.
func (Dialect) NewClient() session.Client { return &Client{} }

// Client is one session's Misskey state. Our subscription ids double as connection
// ids, so a reconnect re-sends `connect` with the same ids, as misskey-js does.
type Client struct{}

// Open replays shared channels first, then the others, then note captures (which
// misskey-js leaves to the app).
func (c *Client) Open(w *session.Wire) {
	subs := w.Subs()
	for pass := 0; pass < 3; pass++ {
		for _, sub := range subs {
			s, _ := ParseSub(sub.Spec)
			ch, _ := LookupChannel(s.Channel)
			switch {
			case pass == 0 && s.Channel != "" && ch.Shared,
				pass == 1 && s.Channel != "" && !ch.Shared,
				pass == 2 && s.Note != "":
				c.send(w, sub, s)
			}
		}
	}
}

// Subscribe connects a channel or captures a note. A second connection to a shared
// channel would be ignored by the server, so it is refused here in words.
func (c *Client) Subscribe(w *session.Wire, sub *session.Sub) {
	s, _ := ParseSub(sub.Spec)
	if ch, ok := LookupChannel(s.Channel); ok && ch.Shared {
		for _, other := range w.Subs() {
			o, _ := ParseSub(other.Spec)
			if other.ID != sub.ID && o.Channel == s.Channel {
				sub.State, sub.Error = session.SubError, fmt.Sprintf("%s is a shared channel, already connected as sub %s", s.Channel, other.ID)
				return
			}
		}
	}
	c.send(w, sub, s)
}

func (c *Client) send(w *session.Wire, sub *session.Sub, s Sub) {
	if !w.IsOpen() || sub.State == session.SubError {
		return
	}
	if s.Note != "" {
		sub.ServerID, sub.State = s.Note, session.SubLive // subNote is never acknowledged
		w.Send(sub.ID, "subNote", map[string]any{"type": "subNote", "body": map[string]any{"id": s.Note}})
		return
	}
	sub.ServerID = sub.ID
	body := map[string]any{"channel": s.Channel, "id": sub.ID, "pong": true}
	if len(s.Params) > 0 {
		body["params"] = s.Params // omitted, never null: servers drop "params":null
	}
	w.Send(sub.ID, "connect", map[string]any{"type": "connect", "body": body})
}

// Unsubscribe disconnects a channel or releases a note capture.
func (c *Client) Unsubscribe(w *session.Wire, sub *session.Sub) {
	if !w.IsOpen() || sub.State == session.SubError {
		return
	}
	s, _ := ParseSub(sub.Spec)
	if s.Note != "" {
		w.Send(sub.ID, "unsubNote", map[string]any{"type": "unsubNote", "body": map[string]any{"id": s.Note}})
		return
	}
	w.Send(sub.ID, "disconnect", map[string]any{"type": "disconnect", "body": map[string]any{"id": sub.ID}})
}

// RequestLog asks a stats channel connection for its history.
func (c *Client) RequestLog(w *session.Wire, subID string, length int) {
	w.Send(subID, "requestLog", map[string]any{"type": "ch", "body": map[string]any{
		"id": subID, "type": "requestLog", "body": map[string]any{"id": fmt.Sprintf("log-%d", time.Now().UnixNano()), "length": length}}})
}

// ReadNotification marks every notification read.
func (c *Client) ReadNotification(w *session.Wire) {
	w.Send("", "readNotification", map[string]any{"type": "readNotification"})
}

// Decode turns one server frame into an Event.
func (c *Client) Decode(w *session.Wire, raw []byte) {
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		w.Error("", "misskey: frame is not a JSON object: "+err.Error(), raw)
		return
	}
	ev := session.Event{Kind: env.Type, Raw: raw}
	switch env.Type {
	case "connected":
		var b struct{ ID string }
		_ = json.Unmarshal(env.Body, &b)
		if s := w.Sub(b.ID); s != nil {
			s.State, ev.Sub = session.SubLive, s.ID
			ev.Summary = "connected " + channelOf(s)
		}
	case "channel":
		var b channelBody
		_ = json.Unmarshal(env.Body, &b)
		ev.Kind, ev.Sub = b.Type, b.ID
		ev.Summary = summarizeChannel(b.Type, b.Body)
	case "noteUpdated":
		var b channelBody
		_ = json.Unmarshal(env.Body, &b)
		ev.Kind = "noteUpdated:" + b.Type
		if s := w.FindServer(b.ID); s != nil {
			ev.Sub = s.ID
		}
		ev.Summary = summarizeNoteUpdate(b.ID, b.Type, b.Body)
	case "":
		ev.Kind, ev.Summary = "unknown", "message without a type"
	default:
		ev.Summary = session.Shorten(string(env.Body), 100)
	}
	w.Emit(ev)
}

func channelOf(s *session.Sub) string {
	sub, _ := ParseSub(s.Spec)
	return sub.Channel
}

func summarizeChannel(typ string, body json.RawMessage) string {
	switch typ {
	case "note", "mention", "reply", "renote":
		var n Note
		if json.Unmarshal(body, &n) == nil {
			return SummarizeNote(&n)
		}
	case "notification":
		var n struct {
			Type     string
			User     *UserLite
			Reaction string
			Note     *Note
		}
		if json.Unmarshal(body, &n) == nil {
			s := n.Type
			if n.User != nil {
				s += " from @" + n.User.Username
			}
			if n.Reaction != "" {
				s += " " + n.Reaction
			}
			if n.Note != nil && n.Note.Text != nil {
				s += ": " + session.Shorten(*n.Note.Text, 60)
			}
			return s
		}
	case "stats":
		var st struct {
			CPU *float64
			Mem *struct{ Used, Active float64 }
			Net *struct{ Rx, Tx float64 }
		}
		if json.Unmarshal(body, &st) == nil && st.CPU != nil && st.Mem != nil {
			return fmt.Sprintf("cpu %.0f %% · mem %.1f GB used · net ↓%.0f ↑%.0f B/s", *st.CPU*100, st.Mem.Used/1e9, st.Net.Rx, st.Net.Tx)
		}
	case "statsLog":
		var log []json.RawMessage
		if json.Unmarshal(body, &log) == nil {
			return fmt.Sprintf("%d log entries", len(log))
		}
	}
	return session.Shorten(string(body), 100)
}

// SummarizeNote is "@user: text", with content warnings and renotes marked.
func SummarizeNote(n *Note) string {
	who := "@" + n.User.Username
	if n.User.Host != nil {
		who += "@" + *n.User.Host
	}
	switch {
	case n.CW != nil:
		return who + ": [CW " + session.Shorten(*n.CW, 40) + "]"
	case n.Text != nil:
		return who + ": " + session.Shorten(strings.Join(strings.Fields(*n.Text), " "), 100)
	case n.RenoteID != nil:
		return who + " renoted " + *n.RenoteID
	}
	return who + ": (no text)"
}

func summarizeNoteUpdate(id, typ string, body json.RawMessage) string {
	var b struct {
		Reaction string
		UserID   string
		Choice   *int
	}
	_ = json.Unmarshal(body, &b)
	switch typ {
	case "reacted":
		return fmt.Sprintf("%s reacted %s by %s", id, b.Reaction, b.UserID)
	case "unreacted":
		return fmt.Sprintf("%s unreacted %s by %s", id, b.Reaction, b.UserID)
	case "deleted":
		return id + " deleted"
	case "pollVoted":
		if b.Choice != nil {
			return fmt.Sprintf("%s poll vote for choice %d by %s", id, *b.Choice, b.UserID)
		}
	}
	return id + " " + typ
}
