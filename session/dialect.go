package session

import (
	"encoding/json"
	"net/http"
	"sort"
	"sync"

	"github.com/paulmach/orb"
)

// Dialect is one feed protocol's client side. Each dialect package registers one
// with Register from its init function.
type Dialect interface {
	// Name is the dialect's key, as profiles and `tail --dialect` spell it.
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

// PlainText marks a Dialect whose frames need not be JSON (a plain WebSocket): a
// composed message goes out as typed, checked by CheckMessage alone, and its
// templates may be plain text.
type PlainText interface {
	PlainText()
}

// TakesPlainText reports whether d's frames may be other than JSON.
func TakesPlainText(d Dialect) bool {
	_, ok := d.(PlainText)
	return ok
}

// Resubscriber is a Client that can change a live subscription in place.
type Resubscriber interface {
	Resubscribe(w *Wire, sub *Sub, spec json.RawMessage)
}

// Configured is a Dialect whose clients follow the profile's Settings (a plain
// WebSocket's kind pointer and summary template).
type Configured interface {
	// CheckSettings validates the dialect's entries of Profile.Settings and names
	// the faulty one.
	CheckSettings(settings map[string]string) error
	// NewClientFor returns the per-session state for p; the session calls it instead
	// of NewClient.
	NewClientFor(p *Profile) Client
}

// BinaryDecoder is a Client that takes binary frames too. Every other client's binary
// frames become error events: the four feed dialects speak JSON text frames only.
type BinaryDecoder interface {
	// DecodeBinary turns one binary frame from the server into Events; frame is
	// lent for the call, as to Client.Decode.
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
	// Decode turns one text frame from the server into Events. frame is the
	// reader's buffer, lent for the call: an Event's Raw may be a slice of it (the
	// sinks copy what they keep), but the client keeps no slice of it past the call,
	// and the strings it puts in an Event are copies, never views of frame.
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

// The interfaces below are optional: a Dialect implements those it has something
// for, and the desktop app asks for them instead of knowing any dialect by name.

// Describer says in a few words what a native subscription asks for, e.g.
// "localTimeline" or "polygon of 5 points and speed ∈ {12}".
type Describer interface {
	DescribeSub(spec json.RawMessage) string
}

// Defaulter gives the subscription a new subscription form starts from.
type Defaulter interface {
	DefaultSub() json.RawMessage
}

// URLProblem is something about a profile's URL that the dialect's server would
// refuse, in words, with an optional one-click Fix that edits the profile.
type URLProblem struct {
	Message string
	Fix     func(p *Profile) // nil when the user has to fix it by hand
}

// URLChecker catches a URL the dialect's server would refuse. The URL already
// parses with a ws or wss scheme and a host.
type URLChecker interface {
	CheckURL(p *Profile) *URLProblem
}

// Command is an extra thing a dialect's socket can do (a Hypothesis ping, a
// Misskey mark-read). Run is called through Session.Do, with the session's client
// and wire, never concurrently with the session's own calls.
type Command struct {
	Label string
	Hint  string // what to expect, shown when it runs
	Run   func(c Client, w *Wire)
}

// Commander lists a dialect's socket-wide commands.
type Commander interface {
	Commands() []Command
}

// SubCommander lists the commands of one subscription (a Misskey stats channel's
// history), given its spec and our id.
type SubCommander interface {
	SubCommands(spec json.RawMessage, id string) []Command
}

// FollowUp is a subscription an event suggests ("watch this note").
type FollowUp struct {
	Label  string          // the button's text
	Spec   json.RawMessage // the subscription to add
	Notice string          // what the user should expect once it is added
}

// Follower suggests a follow-up subscription for an event, if it has one.
type Follower interface {
	FollowUp(e *Event) (FollowUp, bool)
}

// Reply is what a command's answer says, for the screen that sent it. Series, when
// present, are named value series to chart (oldest first).
type Reply struct {
	Text   string
	Series []Series
}

// Series is a named list of values for a small chart, drawn between Min and Max
// when Max > Min, else between its own smallest and largest value.
type Series struct {
	Name     string
	Values   []float64
	Min, Max float64
}

// Replier recognises the events that answer a command or a subscription request
// (a pong, a whoyouare, a stats log) and says what they mean.
type Replier interface {
	ReplyOf(e *Event) (Reply, bool)
}

// Polygonal is a dialect whose subscriptions can select by a polygon: the map
// draws them and turns a drawn ring into one.
type Polygonal interface {
	// PolygonSub builds a subscription for the area inside r.
	PolygonSub(r orb.Ring) (json.RawMessage, error)
	// SubPolygon reads the polygon of a subscription, if it has one.
	SubPolygon(spec json.RawMessage) (orb.Ring, bool)
	// WithPolygon returns spec with its polygon replaced by r, the rest kept.
	WithPolygon(spec json.RawMessage, r orb.Ring) (json.RawMessage, error)
}

// DescribeSub describes spec with d's Describer, or shows it cut short.
func DescribeSub(d Dialect, spec json.RawMessage) string {
	if ds, ok := d.(Describer); ok {
		if s := ds.DescribeSub(spec); s != "" {
			return s
		}
	}
	return Shorten(string(spec), 60)
}

// DefaultSub is what d's new subscription form starts from ({} without a Defaulter).
func DefaultSub(d Dialect) json.RawMessage {
	if df, ok := d.(Defaulter); ok {
		return df.DefaultSub()
	}
	return json.RawMessage(`{}`)
}

// CommandsOf lists d's socket-wide commands.
func CommandsOf(d Dialect) []Command {
	if c, ok := d.(Commander); ok {
		return c.Commands()
	}
	return nil
}

// SubCommandsOf lists the commands of subscription id of d.
func SubCommandsOf(d Dialect, spec json.RawMessage, id string) []Command {
	if c, ok := d.(SubCommander); ok {
		return c.SubCommands(spec, id)
	}
	return nil
}

// CheckURL asks d's URLChecker about p's URL.
func CheckURL(d Dialect, p *Profile) *URLProblem {
	if c, ok := d.(URLChecker); ok {
		return c.CheckURL(p)
	}
	return nil
}

// optional returns the dialect called name as T, when it implements T.
func optional[T any](name string) (T, bool) {
	var t T
	d, ok := Lookup(name)
	if !ok {
		return t, false
	}
	t, ok = d.(T)
	return t, ok
}

// FollowUpOf asks the dialect of e for a follow-up subscription.
func FollowUpOf(e *Event) (FollowUp, bool) {
	if f, ok := optional[Follower](e.Dialect); ok {
		return f.FollowUp(e)
	}
	return FollowUp{}, false
}

// ReplyOf asks the dialect of e whether it answers a command.
func ReplyOf(e *Event) (Reply, bool) {
	if r, ok := optional[Replier](e.Dialect); ok {
		return r.ReplyOf(e)
	}
	return Reply{}, false
}

// RawFramer gives back the frame an incoming event was decoded from where its Raw is
// not that frame (a plain WebSocket wraps text in a JSON string), for outputs that
// print frames as they came.
type RawFramer interface {
	RawFrame(e *Event) ([]byte, bool)
}

// RawFrameOf asks the dialect of e for the frame e came in, when Raw is not it.
func RawFrameOf(e *Event) ([]byte, bool) {
	d, ok := Lookup(e.Dialect)
	if !ok {
		return nil, false
	}
	if rf, ok := d.(RawFramer); ok {
		return rf.RawFrame(e)
	}
	return nil, false
}

// Detailer shows an event's frame in the detail pane where indented JSON is not the
// best view of it (a plain WebSocket's binary frame as a hex dump).
type Detailer interface {
	DetailText(e *Event) (string, bool)
}

// DetailText asks the dialect of e for its own view of e's frame.
func DetailText(e *Event) (string, bool) {
	if dt, ok := optional[Detailer](e.Dialect); ok {
		return dt.DetailText(e)
	}
	return "", false
}

// PolygonalOf returns the dialect called name when its subscriptions take polygons.
func PolygonalOf(name string) (Polygonal, bool) { return optional[Polygonal](name) }
