package hypothesis

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/feedscope/feedscope/session"
)

func init() { session.Register(Dialect{}) }

// Dialect is the Hypothesis client.
type Dialect struct{}

// SingleSubscription marks the one filter per socket.
func (Dialect) SingleSubscription() {}

// Name returns "hypothesis".
func (Dialect) Name() string { return Name }

// Dial sends the token as a Bearer header: it never appears in a URL we show.
func (Dialect) Dial(p *session.Profile) (session.DialSpec, error) {
	h := http.Header{}
	if p.Token != "" {
		h.Set("Authorization", "Bearer "+p.Token)
	}
	return session.DialSpec{URL: p.URL, Header: h}, nil
}

// Policy follows the official client's backoff (src/sidebar/services/streamer.ts: 2^n s)
// but keeps monitoring where it stops: a 1001 (the server restarting for a deploy,
// h/streamer/worker.py) reconnects, and after its 10th failure in a row we keep
// trying every 60 s. A 1000 close (sent for a frame it could not parse) stays final.
func (Dialect) Policy() session.Policy {
	return session.Policy{
		Delay:            func(n int) time.Duration { return time.Duration(1000<<n) * time.Millisecond },
		MaxAttempts:      10,
		EndOnNormalClose: true,
		DialTimeout:      10 * time.Second,
	}
}

// CheckSub validates a filter object.
func (Dialect) CheckSub(spec json.RawMessage) error {
	if _, err := ParseFilter(spec); err != nil {
		return fmt.Errorf("hypothesis %w", err)
	}
	return nil
}

// NewClient returns fresh per-session state with its own client id.
func (Dialect) NewClient() session.Client {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return &Client{ClientID: hex.EncodeToString(b[:]), pings: map[int]time.Time{}, filters: map[int]string{}}
}

// Client is one session's Hypothesis state.
type Client struct {
	// ClientID is sent on every open so the server can suppress our own writes.
	ClientID string
	nextID   int
	pings    map[int]time.Time // ping id → when sent, for the round-trip time
	filters  map[int]string    // filter message id → our sub id, for error replies
}

func (c *Client) id() int {
	c.nextID++
	return c.nextID
}

// Open identifies the socket and re-sends the filter: it lives only on the socket.
func (c *Client) Open(w *session.Wire) {
	clear(c.pings)
	clear(c.filters)
	w.Send("", "client_id", map[string]any{"id": c.id(), "type": "client_id", "value": c.ClientID})
	c.Whoami(w)
	for _, sub := range w.Subs() {
		c.sendFilter(w, sub.ID, sub.Spec)
	}
}

// Subscribe replaces the socket's filter: there is one per socket.
func (c *Client) Subscribe(w *session.Wire, sub *session.Sub) {
	w.DropOthers(sub.ID)
	if w.IsOpen() {
		c.sendFilter(w, sub.ID, sub.Spec)
	}
}

// Resubscribe replaces the filter in place: a new filter message replaces the old.
func (c *Client) Resubscribe(w *session.Wire, sub *session.Sub, spec json.RawMessage) {
	sub.Spec, sub.Error = spec, ""
	c.sendFilter(w, sub.ID, spec)
}

// Unsubscribe sends an empty filter, which receives nothing.
func (c *Client) Unsubscribe(w *session.Wire, sub *session.Sub) {
	empty := json.RawMessage(`{"match_policy":"include_any","clauses":[],"actions":{"create":true,"update":true,"delete":true}}`)
	c.sendFilter(w, "", empty)
}

func (c *Client) sendFilter(w *session.Wire, subID string, spec json.RawMessage) {
	if !w.IsOpen() {
		return
	}
	id := c.id()
	if subID != "" {
		c.filters[id] = subID
		if s := w.Sub(subID); s != nil {
			// No success reply exists: a filter is live once sent, unless an error answers it.
			s.State = session.SubLive
		}
	}
	w.Send(subID, "filter", map[string]any{"id": id, "type": "filter", "filter": spec})
}

// Ping sends an application-level ping; the pong's summary carries the round trip.
func (c *Client) Ping(w *session.Wire) {
	id := c.id()
	c.pings[id] = time.Now()
	w.Send("", "ping", map[string]any{"id": id, "type": "ping"})
}

// Whoami asks who the server thinks we are.
func (c *Client) Whoami(w *session.Wire) {
	w.Send("", "whoami", map[string]any{"id": c.id(), "type": "whoami"})
}

// frame is every server message shape at once.
type frame struct {
	Type    string                  `json:"type"`
	OK      *bool                   `json:"ok"`
	ReplyTo *int                    `json:"reply_to"`
	UserID  *string                 `json:"userid"`
	Error   *replyError             `json:"error"`
	Options struct{ Action string } `json:"options"`
	Payload []Annotation            `json:"payload"`
	Action  string                  `json:"action"`
	Model   *struct {
		UserID string `json:"userid"`
		Groups []struct {
			Name string `json:"name"`
		} `json:"groups"`
	} `json:"model"`
}

type replyError struct {
	Type        string `json:"type"`
	Description string `json:"description"`
}

// Decode turns one server frame into an Event.
func (c *Client) Decode(w *session.Wire, raw []byte) {
	var f frame
	if err := json.Unmarshal(raw, &f); err != nil {
		w.Error("", "hypothesis: frame is not a JSON object: "+err.Error(), raw)
		return
	}
	ev := session.Event{Kind: f.Type, Raw: raw}
	switch f.Type {
	case "annotation-notification":
		ev.Kind += ":" + f.Options.Action
		if subs := w.Subs(); len(subs) > 0 {
			ev.Sub = subs[0].ID
		}
		ev.Summary = summarize(f.Options.Action, f.Payload)
	case "pong":
		ev.Summary = "pong"
		if f.ReplyTo != nil {
			if t, ok := c.pings[*f.ReplyTo]; ok {
				ev.Summary = fmt.Sprintf("pong after %s", time.Since(t).Round(100*time.Microsecond))
				delete(c.pings, *f.ReplyTo)
			}
		}
	case "whoyouare":
		ev.Summary = "anonymous"
		if f.UserID != nil {
			ev.Summary = *f.UserID
		}
	case "error":
		if f.Error != nil {
			ev.Summary = f.Error.Type + ": " + f.Error.Description
		}
		if f.ReplyTo != nil {
			if subID, ok := c.filters[*f.ReplyTo]; ok {
				ev.Sub = subID
				if s := w.Sub(subID); s != nil {
					s.State, s.Error = session.SubError, ev.Summary
				}
			}
		}
	case "session-change":
		ev.Kind += ":" + f.Action
		ev.Summary = sessionChange(f.Action, &f)
	case "":
		ev.Kind = "unknown"
		ev.Summary = "message without a type"
	default:
		ev.Summary = "unrecognised message type " + f.Type
	}
	w.Emit(ev)
}

func summarize(action string, payload []Annotation) string {
	if len(payload) == 0 {
		return action + " (empty payload)"
	}
	a := payload[0]
	if action == "delete" {
		return "deleted " + a.ID
	}
	user := strings.TrimPrefix(a.User, "acct:")
	text := session.Shorten(strings.Join(strings.Fields(a.Text), " "), 80)
	s := fmt.Sprintf("%s on %s: %s", user, a.URI, text)
	if len(payload) > 1 {
		s += fmt.Sprintf(" (+%d more)", len(payload)-1)
	}
	return s
}

// sessionChange describes a group join or leave with the groups the user is now in
// (h/streamer/messages.py sends the whole session model).
func sessionChange(action string, f *frame) string {
	verb := map[string]string{"group-join": "joined a group", "group-leave": "left a group"}[action]
	if verb == "" {
		verb = action
	}
	if f.Model == nil {
		return verb
	}
	names := make([]string, len(f.Model.Groups))
	for i, g := range f.Model.Groups {
		names[i] = g.Name
	}
	who := strings.TrimPrefix(f.Model.UserID, "acct:")
	if who == "" {
		who = "you"
	}
	return fmt.Sprintf("%s %s; now in %d: %s", who, verb, len(names), session.Shorten(strings.Join(names, ", "), 80))
}
