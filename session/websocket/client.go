// Package websocket is the plain WebSocket dialect: any ws:// or wss:// URL, whatever
// it speaks. Its subscriptions are messages sent as they are on every open (and so
// replayed after a reconnect); what arrives is shown as JSON, text or bytes, never as
// an error. Server is the demo server's endpoint for it: a ticker of mixed frames,
// plus an echo of whatever a client sends. Both follow docs/protocols.md §5.
package websocket

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/feedscope/feedscope/session"
)

// Name is the dialect's key.
const Name = "websocket"

// Keys of Profile.Settings.
const (
	// SettingKind lists JSON pointers (RFC 6901), separated by spaces, tried in
	// order for an event's kind; the first that names a scalar wins.
	SettingKind = "kind"
	// SettingSummary is a template: text in which every {/pointer} is replaced by
	// the value there, e.g. "{/user/name}: {/text}".
	SettingSummary = "summary"
	// SettingKey lists JSON pointers tried in order for what an event is about (a
	// ticker symbol, an order id), so the "latest per key" view has one row per
	// subject; SettingLabel the same for the name a person knows it by.
	SettingKey   = "key"
	SettingLabel = "label"
)

// Defaults of the settings when unset: the fields most feeds name their message
// type, the subject's identity and its name with.
const (
	DefaultKind  = "/type /event /op"
	DefaultKey   = "/id"
	DefaultLabel = "/name /title"
)

// pointerSettings are the settings that list pointers, with their defaults.
var pointerSettings = [...][2]string{{SettingKind, DefaultKind}, {SettingKey, DefaultKey}, {SettingLabel, DefaultLabel}}

// Kinds of frames that carry no kind of their own.
const (
	KindText   = "text"
	KindBinary = "binary"
)

func init() { session.Register(Dialect{}) }

// Dialect is the plain WebSocket client.
type Dialect struct{}

// Name returns "websocket".
func (Dialect) Name() string { return Name }

// Dial connects to the URL as it is. The session adds the profile's headers and
// subprotocols; a token becomes a Bearer Authorization header and a user or password
// Basic auth, for the many feeds that take one of those.
func (Dialect) Dial(p *session.Profile) (session.DialSpec, error) {
	h := http.Header{}
	switch {
	case p.Token != "":
		h.Set("Authorization", "Bearer "+p.Token)
	case p.User != "" || p.Password != "":
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(p.User+":"+p.Password)))
	}
	return session.DialSpec{URL: p.URL, Header: h}, nil
}

// Policy is ours: exponential backoff with jitter, forever; a 401 or 403 ends it.
func (Dialect) Policy() session.Policy { return session.DefaultPolicy() }

// CheckSub validates a subscription: one JSON value, a string to send as it is or
// any other value to send compact.
func (Dialect) CheckSub(spec json.RawMessage) error {
	_, err := Message(spec)
	return err
}

// Message is the frame a subscription sends: a JSON string's text as it is, any
// other JSON value compact.
func Message(spec json.RawMessage) ([]byte, error) {
	if err := session.CheckJSON(spec); err != nil {
		return nil, fmt.Errorf("websocket message: %w", err)
	}
	spec = bytes.TrimSpace(spec)
	if spec[0] == '"' {
		var s string
		if err := json.Unmarshal(spec, &s); err != nil {
			return nil, fmt.Errorf("websocket message: %w", err)
		}
		if s == "" {
			return nil, errors.New("websocket message: the text is empty")
		}
		return []byte(s), nil
	}
	var b bytes.Buffer
	if err := json.Compact(&b, spec); err != nil {
		return nil, fmt.Errorf("websocket message: %w", err)
	}
	return b.Bytes(), nil
}

// SpecOf is the subscription that sends frame: the frame itself when it is JSON
// other than a string, else the frame as a JSON string.
func SpecOf(frame []byte) json.RawMessage {
	if t := bytes.TrimSpace(frame); len(t) > 0 && t[0] != '"' && json.Valid(t) {
		var b bytes.Buffer
		_ = json.Compact(&b, t)
		return b.Bytes()
	}
	b, _ := json.Marshal(string(frame))
	return b
}

// CheckSettings validates the pointers and the summary template.
func (Dialect) CheckSettings(s map[string]string) error {
	for _, ps := range pointerSettings {
		if _, err := parsePointers(s[ps[0]], ps[1]); err != nil {
			return fmt.Errorf("websocket %s: %w", ps[0], err)
		}
	}
	if _, err := parseTemplate(s[SettingSummary]); err != nil {
		return fmt.Errorf("websocket %s: %w", SettingSummary, err)
	}
	return nil
}

// NewClient returns a client with the default kind pointers and summary.
func (d Dialect) NewClient() session.Client { return d.NewClientFor(&session.Profile{}) }

// NewClientFor returns a client that follows p's settings; settings that do not
// parse (Validate refuses them first) fall back to the defaults.
func (Dialect) NewClientFor(p *session.Profile) session.Client {
	var ptrs [len(pointerSettings)][]Pointer
	for i, ps := range pointerSettings {
		ptrs[i], _ = parsePointers(p.Settings[ps[0]], ps[1])
		if ptrs[i] == nil {
			ptrs[i], _ = parsePointers("", ps[1])
		}
	}
	tmpl, err := parseTemplate(p.Settings[SettingSummary])
	if err != nil {
		tmpl = nil
	}
	return &Client{dec: Decoder{Kind: ptrs[0], Key: ptrs[1], Label: ptrs[2], Summary: tmpl}, sent: map[string][]byte{}}
}

// PlainText marks that a plain WebSocket's frames may be any text.
func (Dialect) PlainText() {}

// Templates are examples of what feeds commonly expect; the first is plain text.
func (Dialect) Templates() []session.Template {
	return []session.Template{
		{Name: "text", JSON: `hello`},
		{Name: "subscribe (type)", JSON: `{"type":"subscribe","channel":"ticker"}`},
		{Name: "subscribe (event)", JSON: `{"event":"subscribe","channel":"trades"}`},
		{Name: "subscribe (op)", JSON: `{"op":"subscribe","args":["tickers"]}`},
		{Name: "ping", JSON: `{"op":"ping"}`},
	}
}

// CheckMessage accepts any frame but an empty one: a plain WebSocket has no shapes.
func (Dialect) CheckMessage(frame []byte) error {
	if len(frame) == 0 {
		return errors.New("websocket: the message is empty")
	}
	return nil
}

// subscribeFields are where feeds put the verb of a message (Coinbase and our demo
// "type", Kraken and Bitfinex "event", OKX "op", Binance and JSON-RPC "method").
var subscribeFields = []string{"type", "event", "op", "method", "action"}

// SubscriptionOf treats a composed JSON message whose verb says subscribe (and not
// unsubscribe) as a subscription, so it is replayed after a reconnect like a form's.
func (Dialect) SubscriptionOf(frame []byte) (json.RawMessage, bool) {
	var m map[string]any
	if json.Unmarshal(frame, &m) != nil {
		return nil, false
	}
	for _, f := range subscribeFields {
		if v, ok := m[f].(string); ok {
			v = strings.ToLower(v)
			if strings.Contains(v, "subscribe") && !strings.Contains(v, "unsubscribe") {
				return SpecOf(frame), true
			}
		}
	}
	return nil, false
}

// Client is one session's state: the frame each subscription sends, so an echo of
// it counts towards that subscription.
type Client struct {
	dec  Decoder
	sent map[string][]byte // our sub id → its frame
}

// Open sends every subscription's message again: they live on the connection.
func (c *Client) Open(w *session.Wire) {
	for _, s := range w.Subs() {
		c.Subscribe(w, s)
	}
}

// Subscribe sends sub's message; nothing acknowledges it, so once sent it is live.
func (c *Client) Subscribe(w *session.Wire, sub *session.Sub) {
	msg, err := Message(sub.Spec)
	if err != nil {
		sub.State, sub.Error = session.SubError, err.Error()
		return
	}
	c.sent[sub.ID] = msg
	if !w.IsOpen() {
		return
	}
	w.Send(sub.ID, "message", msg)
	sub.State, sub.Error = session.SubLive, ""
}

// Unsubscribe forgets sub: a message once sent cannot be taken back, so nothing goes
// out (send the feed's own unsubscribe message to stop it).
func (c *Client) Unsubscribe(_ *session.Wire, sub *session.Sub) { delete(c.sent, sub.ID) }

// Decode shows one text frame.
func (c *Client) Decode(w *session.Wire, frame []byte) { c.emit(w, frame, c.dec.Text(frame)) }

// DecodeBinary shows one binary frame.
func (c *Client) DecodeBinary(w *session.Wire, frame []byte) { c.emit(w, frame, c.dec.Binary(frame)) }

func (c *Client) emit(w *session.Wire, frame []byte, ev session.Event) {
	for _, s := range w.Subs() {
		if msg, ok := c.sent[s.ID]; ok && bytes.Equal(msg, frame) {
			ev.Sub = s.ID // an echo of what the subscription sent
			break
		}
	}
	w.Emit(ev)
}
