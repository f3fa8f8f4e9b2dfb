package session

import (
	"encoding/json"
	"net/http"
	"sort"
	"sync"
)

// Dialect is one feed protocol's client side. Each dialect package registers one
// with Register from its init function.
type Dialect interface {
	// Name is the dialect's key: "hypothesis", "misskey", "gotham", "isymphony".
	Name() string
	// Dial says how to open a connection for p: URL, headers, subprotocols.
	Dial(p *Profile) (DialSpec, error)
	// Policy is the reconnect policy of the dialect's official client.
	Policy() Policy
	// CheckSub validates a native subscription (the JSON of `tail --sub`) and
	// returns an error naming the faulty field.
	CheckSub(spec json.RawMessage) error
	// NewClient returns the per-session protocol state.
	NewClient() Client
	// Templates lists an example of every client message type, for the composer.
	Templates() []Template
	// CheckMessage checks a whole client frame against the dialect's shapes and says
	// what is wrong, e.g. "gotham subscribe: location: polygon must be closed".
	CheckMessage(frame []byte) error
	// SubscriptionOf returns the native subscription a client frame asks for, when
	// it is a subscribing message, so a composed one is tracked like a form's.
	SubscriptionOf(frame []byte) (json.RawMessage, bool)
}

// Template is a named example client message.
type Template struct {
	Name string
	JSON string
}

// Single marks a Dialect that keeps one subscription per socket: a filter that each
// new one replaces (Hypothesis, iSymphony).
type Single interface {
	SingleSubscription()
}

// SingleSubscription reports whether d keeps one subscription per socket.
func SingleSubscription(d Dialect) bool {
	_, ok := d.(Single)
	return ok
}

// Resubscriber is a Client that can change a live subscription in place.
type Resubscriber interface {
	Resubscribe(w *Wire, sub *Sub, spec json.RawMessage)
}

// BinaryDecoder is a Client that takes binary frames too. Every other client's binary
// frames become error events: the four feed dialects speak JSON text frames only.
type BinaryDecoder interface {
	// DecodeBinary turns one binary frame from the server into Events.
	DecodeBinary(w *Wire, frame []byte)
}

// DialSpec is how to open one connection. The session adds the profile's own
// Headers and Subprotocols to what the dialect returns.
type DialSpec struct {
	URL          string
	Header       http.Header
	Subprotocols []string
}

// Client is one session's protocol state. The Session never calls a Client
// concurrently, and the Wire it hands in is valid only during the call.
type Client interface {
	// Open runs after every successful handshake: identify, then replay w.Subs().
	Open(w *Wire)
	// Subscribe starts sub, which the session has already added to w.Subs(). When the
	// socket is not open it sends nothing; Open will replay it.
	Subscribe(w *Wire, sub *Sub)
	// Unsubscribe stops sub, which is still in w.Subs() during the call.
	Unsubscribe(w *Wire, sub *Sub)
	// Decode turns one text frame from the server into Events.
	Decode(w *Wire, frame []byte)
}

var (
	registryMu sync.RWMutex
	registry   = map[string]Dialect{}
)

// Register makes d available under d.Name().
func Register(d Dialect) {
	registryMu.Lock()
	defer registryMu.Unlock()
	registry[d.Name()] = d
}

// Lookup returns the registered dialect called name.
func Lookup(name string) (Dialect, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	d, ok := registry[name]
	return d, ok
}

// Dialects lists the registered dialect names, sorted.
func Dialects() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
