package serve

import (
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/feedscope/feedscope/session"
)

// Mount is how one dialect's demo server joins the demo: each dialect registers one
// from its init, and the demo package mounts whatever dialects the program links in
// without naming any.
type Mount struct {
	Dialect string
	// Firehose reports that the server can stream pre-built frames (Env.Firehose).
	Firehose bool
	// New builds the dialect's server for one demo run.
	New func(Env) Demo
}

// Env is what the demo hands every server it builds.
type Env struct {
	Clock Clock
	// Firehose, when set, makes the server stream pre-built frames to every
	// subscriber; the demo then calls no Run, so nothing else moves.
	Firehose *Firehose
	// PongEvery, when set, overrides the cadence of unsolicited pongs of a server
	// that sends them (a short one lets a test see several).
	PongEvery time.Duration
}

// Demo is one dialect's running demo server, as the demo package mounts it.
type Demo struct {
	Handler http.Handler
	// Paths are the mux patterns the handler serves ("/x/" serves a subtree).
	Paths []string
	// Run drives the simulation until stop is closed; nil when nothing moves by itself.
	Run func(stop <-chan struct{})
	// DropAll cuts every socket at the TCP level and says how many it cut.
	DropAll func() int
	// Endpoint is the path and query of the WebSocket URL in the form the dialect's
	// contract documents it, placeholders kept (an id the user picks, in braces).
	Endpoint string
	// Profile is a ready profile: the credentials the demo accepts and a lively
	// subscription. Its URL holds only the path and query; the demo adds scheme and
	// host, and names it "demo-<dialect>".
	Profile session.Profile
}

var (
	mountsMu sync.Mutex
	mounts   = map[string]Mount{}
)

// Register adds a dialect's demo server; a second one for the same dialect is a
// programming error.
func Register(m Mount) {
	mountsMu.Lock()
	defer mountsMu.Unlock()
	if _, dup := mounts[m.Dialect]; dup {
		panic(fmt.Sprintf("serve: demo server for %q registered twice", m.Dialect))
	}
	mounts[m.Dialect] = m
}

// Mounts lists the registered demo servers, sorted by dialect.
func Mounts() []Mount {
	mountsMu.Lock()
	defer mountsMu.Unlock()
	out := make([]Mount, 0, len(mounts))
	for _, m := range mounts {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Dialect < out[j].Dialect })
	return out
}
