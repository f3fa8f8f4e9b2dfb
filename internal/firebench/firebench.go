// Package firebench measures how fast readers take frames from the demo server's
// firehose: a bare gorilla read loop, a bare coder/websocket read loop, and
// Feedscope's engine (read → decode → Event → ring). All read the same pre-built
// Misskey notes (about 1 KB each) from a server on 127.0.0.1.
package firebench

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sort"
	"sync/atomic"
	"time"

	cws "github.com/coder/websocket"
	"github.com/gorilla/websocket"

	"github.com/feedscope/feedscope/internal/procstat"
	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/demo"
	_ "github.com/feedscope/feedscope/session/misskey" // the dialect under test
)

// Subscribe is the frame every reader sends to start the stream.
const Subscribe = `{"type":"connect","body":{"channel":"localTimeline","id":"1"}}`

// Start runs a firehose server of Misskey notes on 127.0.0.1.
func Start(rate float64) (*demo.Server, error) {
	return demo.Start(demo.Options{Firehose: "misskey", Rate: rate})
}

// Reader reads frames from url until ctx ends or n frames (0: no limit) were read,
// and returns how many it read.
type Reader func(ctx context.Context, url string, n int) (int, error)

// RawGorilla is the raw limit: gorilla's ReadMessage, frames discarded.
func RawGorilla(ctx context.Context, url string, n int) (int, error) {
	c, _, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
	if err != nil {
		return 0, fmt.Errorf("failed to dial: %w", err)
	}
	defer c.Close()
	go func() { <-ctx.Done(); c.Close() }()
	if err := c.WriteMessage(websocket.TextMessage, []byte(Subscribe)); err != nil {
		return 0, err
	}
	read := 0
	for n == 0 || read < n {
		if _, _, err := c.ReadMessage(); err != nil {
			return read, nil
		}
		read++
	}
	return read, nil
}

// Coder is a second raw reference: coder/websocket's Read, frames discarded.
func Coder(ctx context.Context, url string, n int) (int, error) {
	c, _, err := cws.Dial(ctx, url, nil)
	if err != nil {
		return 0, fmt.Errorf("failed to dial: %w", err)
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	if err := c.Write(ctx, cws.MessageText, []byte(Subscribe)); err != nil {
		return 0, err
	}
	read := 0
	for n == 0 || read < n {
		if _, _, err := c.Read(ctx); err != nil {
			return read, nil
		}
		read++
	}
	return read, nil
}

// Counter is a Sink that pushes into a Ring and counts incoming events, recording
// the latency from frame arrival to the event being in the ring.
type Counter struct {
	Ring      *session.Ring
	in        atomic.Int64
	done      chan struct{}
	want      int64
	latencies []time.Duration // written by the session's reader only
}

// NewCounter counts until want events (0: forever) into a ring of capacity.
func NewCounter(capacity int, want int) *Counter {
	return &Counter{Ring: session.NewRing(capacity), done: make(chan struct{}), want: int64(want)}
}

// Publish is part of session.Sink.
func (c *Counter) Publish(e session.Event) {
	c.Ring.Publish(e)
	if e.Dir != session.DirIn || e.Kind != "note" {
		return
	}
	if len(c.latencies) < 1<<16 { // a sample, bounded
		c.latencies = append(c.latencies, time.Since(e.Time))
	}
	if n := c.in.Add(1); n == c.want {
		close(c.done)
	}
}

// In is how many incoming events were counted.
func (c *Counter) In() int64 { return c.in.Load() }

// Percentile returns the p-th latency percentile (0..100). Call it after the
// session has ended.
func (c *Counter) Percentile(p float64) time.Duration {
	if len(c.latencies) == 0 {
		return 0
	}
	l := append([]time.Duration(nil), c.latencies...)
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	return l[min(len(l)-1, int(float64(len(l))*p/100))]
}

// Engine runs a Feedscope session into c until ctx ends or c has counted its want.
func Engine(ctx context.Context, url string, c *Counter) error {
	s, err := session.New(session.Profile{Name: "bench", Dialect: "misskey", URL: url,
		Subs: []json.RawMessage{json.RawMessage(`{"channel":"localTimeline"}`)}}, c)
	if err != nil {
		return err
	}
	s.Start(context.Background())
	select {
	case <-ctx.Done():
	case <-c.done:
	case <-s.Done():
	}
	s.Close()
	return nil
}

// RSS returns the resident set size of this process in bytes.
func RSS() int64 { return procstat.RSS() }

// Mallocs returns the process's allocation count so far.
func Mallocs() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.Mallocs
}
