// Package session is Feedscope's wire engine: profiles, the Session goroutines that own
// one WebSocket connection each, the Dialect interface the four feed protocols
// implement, reconnect policies and the bounded Ring the UI reads from.
//
// Concurrency contract: every exported method of Session and Ring is safe to call from
// any goroutine. A Session calls its Sink from its own goroutines, never from the
// caller's; a Sink must not block for long. Dialect clients are never called
// concurrently: the Session serialises every call into one client.
//
// This package imports no UI toolkit; it publishes Events and takes commands.
package session

import (
	"encoding/json"
	"time"
)

// Directions of an Event.
const (
	DirIn    = "in"    // a frame the server sent
	DirOut   = "out"   // a frame we sent
	DirState = "state" // a lifecycle change of the session
)

// Kinds of state events.
const (
	StateConnecting   = "connecting"
	StateOpen         = "open"
	StateReconnecting = "reconnecting"
	StateClosed       = "closed"
)

// Point is a WGS84 position in degrees.
type Point struct {
	Lon float64 `json:"lon"`
	Lat float64 `json:"lat"`
}

// Event is one thing that happened on a session: a frame received or sent, or a state
// change. It is also the line format of `feedscope tail`.
type Event struct {
	Time    time.Time `json:"time"`
	Profile string    `json:"profile"`
	Dialect string    `json:"dialect"`
	Dir     string    `json:"dir"`
	Sub     string    `json:"sub"`
	Kind    string    `json:"kind"`
	Summary string    `json:"summary"`
	Geo     *Point    `json:"geo,omitempty"`
	// SummaryPlain says Summary is written in JSON as it stands: no quote,
	// backslash, control character, invalid UTF-8, U+2028 or U+2029. A decoder
	// that built it from string bodies it checked says so, and the NDJSON writer
	// copies it instead of escaping what the scanner already read. Only a hint:
	// false is always right.
	SummaryPlain bool `json:"-"`
	// Key, Label, Heading and Speed say what the event is about, decoded once so that
	// no reader (map, table, watch rules) parses Raw again: Key is the subject's
	// stable identity (a Gotham track, a Misskey note id), Label the name a person
	// knows it by, Heading degrees clockwise from north and Speed metres a second,
	// where the feed has them.
	Key     string          `json:"key,omitempty"`
	Label   string          `json:"label,omitempty"`
	Heading *float64        `json:"heading,omitempty"`
	Speed   *float64        `json:"speed,omitempty"`
	Raw     json.RawMessage `json:"raw,omitempty"`
}

// Sink receives the Events of a session. Publish is called from the session's
// goroutines and must be safe for concurrent use.
//
// An Event's Raw is lent for the call only: an incoming event's Raw is (a part of)
// the session reader's one frame buffer, which the next frame overwrites. A sink
// that keeps Raw past Publish's return copies it first (Event.Clone copies the
// whole event); one that formats or copies the bytes during the call (the Ring
// into its arena, a recording into its file, tail into its output) keeps nothing.
// The event's strings (Summary, Key, Label, names) are the sink's to keep: a
// Client builds them as its own strings, never as views of the frame.
type Sink interface {
	Publish(Event)
}

// Idler is a Sink that holds what it makes of events (tail's formatted lines)
// until the session's reader has handed over every frame it has: the reader calls
// Idle, from its own goroutine and without the session's lock, before each time
// it asks the socket for more bytes (about once per 64 KB on a busy feed, before
// every wait on a quiet one). Events from the session's other goroutines (state
// changes, sent frames) come with no Idle after them.
type Idler interface {
	Sink
	Idle()
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(Event)

// Publish calls f(e).
func (f SinkFunc) Publish(e Event) { f(e) }
