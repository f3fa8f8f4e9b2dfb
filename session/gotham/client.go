package gotham

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/feedscope/feedscope/session"
)

func init() { session.Register(Dialect{}) }

// Dialect is the Gotham client.
type Dialect struct{}

// Name returns "gotham".
func (Dialect) Name() string { return Name }

// Dial carries the token as the `Bearer-<token>` subprotocol.
func (Dialect) Dial(p *session.Profile) (session.DialSpec, error) {
	spec := session.DialSpec{URL: p.URL}
	if p.Token != "" {
		if strings.ContainsAny(p.Token, " ,\t") {
			return spec, fmt.Errorf("gotham: the token cannot contain spaces or commas: it travels as a WebSocket subprotocol")
		}
		spec.Subprotocols = []string{"Bearer-" + p.Token}
	}
	return spec, nil
}

// Policy is ours: exponential backoff with jitter (the docs give none).
func (Dialect) Policy() session.Policy { return session.DefaultPolicy() }

// CheckSub validates a query.
func (Dialect) CheckSub(spec json.RawMessage) error {
	if _, arg := ParseQuery(spec); arg != nil {
		return fmt.Errorf("gotham subscribe: %s: %s", arg.Name, arg.Value)
	}
	return nil
}

// NewClient returns fresh per-session state.
func (Dialect) NewClient() session.Client { return &Client{timeout: DefaultSubscribeTimeout} }

// SettingSubscribeTimeout is the Profile.Settings key of how long a subscribe waits
// for its `subscribed` (a Go duration such as "10s").
const SettingSubscribeTimeout = "subscribeTimeout"

// DefaultSubscribeTimeout is the wait for a `subscribed` when the profile sets none.
const DefaultSubscribeTimeout = 10 * time.Second

// CheckSettings validates the subscribe timeout.
func (Dialect) CheckSettings(s map[string]string) error {
	_, err := subscribeTimeout(s)
	return err
}

// NewClientFor returns per-session state with the profile's timeout.
func (Dialect) NewClientFor(p *session.Profile) session.Client {
	d, _ := subscribeTimeout(p.Settings)
	return &Client{timeout: d}
}

func subscribeTimeout(s map[string]string) (time.Duration, error) {
	v, ok := s[SettingSubscribeTimeout]
	if !ok || strings.TrimSpace(v) == "" {
		return DefaultSubscribeTimeout, nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("gotham: %s must be a positive duration such as 10s, not %q", SettingSubscribeTimeout, v)
	}
	return d, nil
}

// Client is one session's Gotham state. A `subscribed` reply carries no request id,
// so the client sends one subscribe at a time and pairs each reply with the oldest
// outstanding request.
//
// A reply that never comes would block every later subscribe, so each waits at most
// the subscribe timeout: then its row says "no reply" and the next goes out. A late
// reply is taken as the waiting subscribe's when one waits (the server most likely
// ignored the one it did not answer), else as the oldest timed-out one's.
type Client struct {
	queue    []string // our sub ids waiting to be sent
	inflight string   // our sub id awaiting its `subscribed`; "" when none
	orphan   bool     // the inflight sub was removed: unsubscribe its id on arrival
	timeout  time.Duration
	sent     int      // counts subscribes sent, so a timer knows whether its one is still waiting
	late     []string // sub ids whose subscribe timed out, oldest first
}

// Open re-subscribes everything: subscriptions die with the socket.
func (c *Client) Open(w *session.Wire) {
	c.queue, c.inflight, c.orphan, c.late = c.queue[:0], "", false, nil
	for _, s := range w.Subs() {
		c.queue = append(c.queue, s.ID)
	}
	c.next(w)
}

// Subscribe queues sub and sends it when nothing else awaits a reply.
func (c *Client) Subscribe(w *session.Wire, sub *session.Sub) {
	if !w.IsOpen() {
		return
	}
	c.queue = append(c.queue, sub.ID)
	c.next(w)
}

// Resubscribe replaces a live subscription's query, keeping our id: the old server
// subscription is dropped and the new one takes its place when acknowledged.
func (c *Client) Resubscribe(w *session.Wire, sub *session.Sub, spec json.RawMessage) {
	if sub.ServerID != "" && w.IsOpen() {
		w.Send(sub.ID, "unsubscribe", map[string]any{"type": "unsubscribe", "id": sub.ServerID})
	}
	sub.Spec, sub.ServerID, sub.Error = spec, "", ""
	sub.State = session.SubPending
	c.Subscribe(w, sub)
}

// Unsubscribe sends `unsubscribe` for a live subscription, or arranges for one that
// is still in flight to be dropped when its id arrives.
func (c *Client) Unsubscribe(w *session.Wire, sub *session.Sub) {
	for i, id := range c.queue {
		if id == sub.ID {
			c.queue = append(c.queue[:i], c.queue[i+1:]...)
			break
		}
	}
	if c.inflight == sub.ID {
		c.orphan = true
	}
	if sub.ServerID != "" && w.IsOpen() {
		w.Send(sub.ID, "unsubscribe", map[string]any{"type": "unsubscribe", "id": sub.ServerID})
	}
}

func (c *Client) next(w *session.Wire) {
	if c.inflight != "" || !w.IsOpen() {
		return
	}
	for len(c.queue) > 0 {
		id := c.queue[0]
		c.queue = c.queue[1:]
		sub := w.Sub(id)
		if sub == nil {
			continue
		}
		c.inflight, c.orphan = id, false
		if sub.State != session.SubReplaying {
			sub.State = session.SubPending
		}
		for _, warn := range QueryWarnings(sub.Spec) {
			w.Warn(id, warn)
		}
		w.Send(id, "subscribe", map[string]any{"type": "subscribe", "query": sub.Spec})
		c.sent++
		n := c.sent
		w.After(c.timeout, func(w *session.Wire) { c.noReply(w, id, n) })
		return
	}
}

// noReply gives up waiting for subscribe number n (of sub id) and moves on.
func (c *Client) noReply(w *session.Wire, id string, n int) {
	if c.sent != n || c.inflight != id {
		return // answered meanwhile
	}
	c.inflight, c.orphan = "", false
	c.late = append(c.late, id)
	if sub := w.Sub(id); sub != nil {
		sub.State = session.SubNoReply
		sub.Error = fmt.Sprintf("no subscribed reply in %s; moved on (the server ignored it, or its answer was lost)", c.timeout)
		w.Warn(id, sub.Error)
	}
	c.next(w)
}

type frame struct {
	Type         string            `json:"type"`
	ID           string            `json:"id"`
	Errors       []ServerError     `json:"errors"`
	Observations []json.RawMessage `json:"observations"`
}

// Decode turns one server frame into events: one per observation for `data`.
func (c *Client) Decode(w *session.Wire, raw []byte) {
	var f frame
	if err := json.Unmarshal(raw, &f); err != nil {
		w.Error("", "gotham: frame is not a JSON object: "+err.Error(), raw)
		return
	}
	switch f.Type {
	case "data":
		sub := ""
		if s := w.FindServer(f.ID); s != nil {
			sub = s.ID
		}
		for _, o := range f.Observations {
			var obs Observation
			ev := session.Event{Kind: "data", Sub: sub, Raw: o}
			if err := json.Unmarshal(o, &obs); err != nil {
				w.Error(sub, "gotham: observation is malformed: "+err.Error(), o)
				continue
			}
			ev.Summary = obs.Summary()
			ev.Geo = &session.Point{Lon: obs.Position.Longitude, Lat: obs.Position.Latitude}
			ev.Key, ev.Label = obs.Key().String(), obs.Label()
			ev.Heading, ev.Speed = obs.Heading(), obs.Speed()
			w.Emit(ev)
		}
	case "subscribed":
		c.subscribed(w, &f, raw)
	case "":
		w.Emit(session.Event{Kind: "unknown", Summary: "message without a type", Raw: raw})
	default:
		w.Emit(session.Event{Kind: f.Type, Summary: "unrecognised message type " + f.Type, Raw: raw})
	}
}

func (c *Client) subscribed(w *session.Wire, f *frame, raw []byte) {
	ev := session.Event{Kind: "subscribed", Raw: raw}
	id, orphan := c.inflight, c.orphan
	c.inflight, c.orphan = "", false
	if id == "" && len(c.late) > 0 {
		// Nothing is waiting: this is the late answer to the oldest subscribe that
		// timed out (replies come in order).
		id, c.late = c.late[0], c.late[1:]
		if s := w.Sub(id); s == nil || s.State != session.SubNoReply {
			orphan = true
		}
	}
	sub := w.Sub(id)
	switch {
	case id == "":
		ev.Summary = "unexpected subscribed reply: no subscribe was outstanding"
	case orphan || sub == nil:
		ev.Summary = "subscribed " + f.ID + " after it was removed; unsubscribing"
		if f.ID != "" {
			w.Send("", "unsubscribe", map[string]any{"type": "unsubscribe", "id": f.ID})
		}
	case len(f.Errors) > 0 || f.ID == "":
		msgs := make([]string, len(f.Errors))
		for i, e := range f.Errors {
			msgs[i] = e.String()
		}
		sub.State, sub.Error, sub.ServerID = session.SubError, strings.Join(msgs, "; "), ""
		if sub.Error == "" {
			sub.Error = "subscribed without an id"
		}
		ev.Sub, ev.Summary = sub.ID, "refused: "+sub.Error
	default:
		sub.State, sub.ServerID, sub.Error = session.SubLive, f.ID, ""
		ev.Sub, ev.Summary = sub.ID, "subscribed as "+f.ID
	}
	w.Emit(ev)
	c.next(w)
}
