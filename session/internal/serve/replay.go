package serve

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/jsonscan"
)

// Replay is how one dialect's server side plays a recording back (session/replay
// serves it): each dialect registers one from its init, as it does its demo server.
type Replay struct {
	Dialect string
	// Path is the path and query of a ready URL, for a recording that names none
	// (a plain tail output).
	Path string
	// Prepare indexes a recording's events for serving.
	Prepare func(events []session.Event) Script
}

// Script is a recording prepared for serving in its dialect.
type Script interface {
	// Frames are the recorded frames it re-sends, in order; replies to commands
	// (a Gotham `subscribed`, a Misskey `connected`) are not among them: the
	// sockets answer their own subscriber's commands.
	Frames() []Frame
	// Accept checks a handshake as the dialect's server would and returns the header
	// of the 101 (Gotham echoes the token subprotocol); it writes the refusal and
	// returns false otherwise. A replay holds no secret, so any credential will do.
	Accept(w http.ResponseWriter, r *http.Request) (http.Header, bool)
	// Open makes the state of one accepted socket; now reports that the playback
	// starts at once, as on a feed where everything flows before any filter.
	Open(c *Conn) (sock ReplaySocket, now bool)
}

// Frame is one frame of a script: when it arrived and which recorded events it
// carries (a Gotham data frame carries one per observation).
type Frame struct {
	At     time.Time
	Events []int
}

// ReplaySocket is one subscriber of a replay. Handle runs on the socket's reader,
// Play on its playback goroutine: implementations lock their own state.
type ReplaySocket interface {
	// Handle answers one client frame; start reports that the socket now has what
	// the playback waits for (its first subscription).
	Handle(data []byte) (start bool)
	// Play sends frame i of the script the way the socket's subscriptions ask for
	// it: as it was, with their own ids, filtered, or not at all.
	Play(i int)
}

var (
	replaysMu sync.Mutex
	replays   = map[string]Replay{}
)

// RegisterReplay adds a dialect's replay; a second one for the same dialect is a
// programming error.
func RegisterReplay(r Replay) {
	replaysMu.Lock()
	defer replaysMu.Unlock()
	if _, dup := replays[r.Dialect]; dup {
		panic(fmt.Sprintf("serve: replay for %q registered twice", r.Dialect))
	}
	replays[r.Dialect] = r
}

// LookupReplay returns the replay registered for a dialect.
func LookupReplay(dialect string) (Replay, bool) {
	replaysMu.Lock()
	defer replaysMu.Unlock()
	r, ok := replays[dialect]
	return r, ok
}

// ReplaceValue returns a copy of doc with the value at path (objects only) replaced
// by val, every other byte kept; false when doc is not JSON or has no such value.
func ReplaceValue(doc []byte, path []string, val []byte) ([]byte, bool) {
	var v [1]jsonscan.Value
	if jsonscan.Scan(doc, jsonscan.Paths{path}, v[:]) != nil || !v[0].Found() {
		return nil, false
	}
	// The value is a window on doc: its offset follows from the capacities.
	start := cap(doc) - cap(v[0].Raw)
	end := start + len(v[0].Raw)
	if start < 0 || end > len(doc) || string(doc[start:end]) != string(v[0].Raw) {
		return nil, false
	}
	out := make([]byte, 0, len(doc)-len(v[0].Raw)+len(val))
	out = append(out, doc[:start]...)
	out = append(out, val...)
	return append(out, doc[end:]...), true
}
