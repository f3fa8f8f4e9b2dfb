// Package sessiontest helps tests talk to the real demo server: an event collector
// that waits on conditions with deadlines, and a raw WebSocket client.
package sessiontest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/feedscope/feedscope/record"
	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/demo"
	"github.com/gorilla/websocket"
)

// Timeout bounds every wait in the tests.
const Timeout = 15 * time.Second

// StartDemo starts the demo server on 127.0.0.1:0 at the given speed and stops it
// when the test ends.
func StartDemo(t testing.TB, speed float64) *demo.Server {
	t.Helper()
	srv, err := demo.Start(demo.Options{Listen: "127.0.0.1:0", Speed: speed})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// Collector is a Sink that keeps every event and lets a test wait for one.
type Collector struct {
	mu     sync.Mutex
	events []session.Event
	wake   chan struct{}
}

// NewCollector returns an empty collector.
func NewCollector() *Collector { return &Collector{wake: make(chan struct{})} }

// Publish records a copy of e (its Raw is only lent, session.Sink).
func (c *Collector) Publish(e session.Event) {
	c.mu.Lock()
	c.events = append(c.events, e.Clone())
	close(c.wake)
	c.wake = make(chan struct{})
	c.mu.Unlock()
}

// Events returns a copy of what was recorded.
func (c *Collector) Events() []session.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]session.Event(nil), c.events...)
}

// Since returns a copy of what was recorded from index from on, so a test that
// polls in a loop reads each event once.
func (c *Collector) Since(from int) []session.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	if from >= len(c.events) {
		return nil
	}
	return append([]session.Event(nil), c.events[from:]...)
}

// Mark returns how many events were recorded so far, to wait for later ones.
func (c *Collector) Mark() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.events)
}

// WaitFor waits until an event from index from on satisfies pred, and returns it
// with its index; it fails the test after Timeout.
func (c *Collector) WaitFor(t testing.TB, from int, what string, pred func(session.Event) bool) (session.Event, int) {
	t.Helper()
	deadline := time.NewTimer(Timeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		for i := from; i < len(c.events); i++ {
			if pred(c.events[i]) {
				e := c.events[i]
				c.mu.Unlock()
				return e, i
			}
		}
		from = max(from, len(c.events))
		wake := c.wake
		c.mu.Unlock()
		select {
		case <-wake:
		case <-deadline.C:
			t.Fatalf("timed out after %s waiting for %s; last events:\n%s", Timeout, what, c.tail(12))
			return session.Event{}, -1
		}
	}
}

// WaitKind waits for an event of the given dir and kind from index from.
func (c *Collector) WaitKind(t testing.TB, from int, dir, kind string) (session.Event, int) {
	t.Helper()
	return c.WaitFor(t, from, dir+" "+kind, func(e session.Event) bool { return e.Dir == dir && e.Kind == kind })
}

func (c *Collector) tail(n int) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for _, e := range c.events[max(0, len(c.events)-n):] {
		b.WriteString("  " + e.Dir + " " + e.Kind + " sub=" + e.Sub + " " + session.Shorten(e.Summary, 120) + "\n")
	}
	return b.String()
}

// Until polls cond until it holds or Timeout passes; for state that no event
// announces.
func Until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", Timeout, what)
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not a wait for a result
	}
}

// Connect starts a session on p that ends with the test.
func Connect(t testing.TB, p session.Profile) (*session.Session, *Collector) {
	t.Helper()
	c := NewCollector()
	s, err := session.New(p, c)
	if err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background())
	t.Cleanup(s.Close)
	return s, c
}

// Raw is a bare client socket for asserting on exact server frames.
type Raw struct {
	t    testing.TB
	Conn *websocket.Conn
	Resp *http.Response
}

// Dial opens a raw socket; it fails the test when the handshake fails.
func Dial(t testing.TB, url string, h http.Header, subprotocols ...string) *Raw {
	t.Helper()
	r, err := TryDial(t, url, h, subprotocols...)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	return r
}

// TryDial opens a raw socket and returns the handshake's error and response.
func TryDial(t testing.TB, url string, h http.Header, subprotocols ...string) (*Raw, error) {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: Timeout, Subprotocols: subprotocols}
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	conn, resp, err := d.DialContext(ctx, url, h)
	r := &Raw{t: t, Conn: conn, Resp: resp}
	if conn != nil {
		t.Cleanup(func() { conn.Close() })
	}
	return r, err
}

// Send writes a text frame.
func (r *Raw) Send(s string) {
	r.t.Helper()
	if err := r.Conn.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
		r.t.Fatalf("send: %v", err)
	}
}

// Next reads frames until one satisfies pred (nil: any) and returns it decoded.
func (r *Raw) Next(pred func(m map[string]any) bool) map[string]any {
	r.t.Helper()
	_ = r.Conn.SetReadDeadline(time.Now().Add(Timeout))
	for {
		_, data, err := r.Conn.ReadMessage()
		if err != nil {
			r.t.Fatalf("read: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			r.t.Fatalf("server sent non-JSON %q", data)
		}
		if pred == nil || pred(m) {
			return m
		}
	}
}

// NextType reads frames until one has the given type.
func (r *Raw) NextType(typ string) map[string]any {
	r.t.Helper()
	return r.Next(func(m map[string]any) bool { return m["type"] == typ })
}

// ExpectClose reads until the server closes and returns its close error.
func (r *Raw) ExpectClose() *websocket.CloseError {
	r.t.Helper()
	_ = r.Conn.SetReadDeadline(time.Now().Add(Timeout))
	for {
		_, _, err := r.Conn.ReadMessage()
		if err == nil {
			continue
		}
		ce, ok := err.(*websocket.CloseError)
		if !ok {
			r.t.Fatalf("expected a close frame, got %v", err)
		}
		return ce
	}
}

// JSON is a shorthand for json.RawMessage.
func JSON(s string) json.RawMessage { return json.RawMessage(s) }

// Record runs a session on p into a recording at path until its in events span at
// least frames distinct arrival times (frames), then loads the file.
func Record(t testing.TB, p session.Profile, path string, frames int) *record.Recording {
	t.Helper()
	w, err := record.Create(path, p, record.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := NewCollector()
	s, err := session.New(p, session.SinkFunc(func(e session.Event) { w.Publish(e); c.Publish(e) }))
	if err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background())
	Until(t, fmt.Sprintf("%d in frames of %s", frames, p.Name), func() bool {
		return len(FrameTimes(In(c.Events()))) >= frames
	})
	s.Close()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	rec, err := record.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Err != nil {
		t.Fatalf("a clean recording reads with %v", rec.Err)
	}
	if n, m := len(rec.Events), len(c.Events()); n != m {
		t.Fatalf("the file holds %d events, the session published %d", n, m)
	}
	return rec
}

// In keeps the events that came from the server.
func In(evs []session.Event) []session.Event {
	var out []session.Event
	for _, e := range evs {
		if e.Dir == session.DirIn {
			out = append(out, e)
		}
	}
	return out
}

// FrameTimes are the distinct arrival times of evs, one per frame: the events a
// frame decodes into share its time.
func FrameTimes(evs []session.Event) []time.Time {
	var out []time.Time
	for _, e := range evs {
		if len(out) == 0 || !out[len(out)-1].Equal(e.Time) {
			out = append(out, e.Time)
		}
	}
	return out
}

// Script is a purpose-built test server on 127.0.0.1: each accepted socket runs
// fn with its 1-based count, offering the given subprotocols. It returns the
// server's ws:// base URL, without a path.
func Script(t testing.TB, fn func(n int, c *websocket.Conn), subprotocols ...string) string {
	t.Helper()
	var count atomic.Int32
	up := websocket.Upgrader{Subprotocols: subprotocols}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		fn(int(count.Add(1)), c)
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

// Frames is a test server whose first socket gets n text frames, frame(0) to
// frame(n-1), back to back once start is closed (at once when start is nil), and
// is then read until it closes; later sockets are only read. It returns the
// server's ws:// URL.
func Frames(t testing.TB, n int, frame func(i int) string, start <-chan struct{}) string {
	t.Helper()
	return Script(t, func(socket int, c *websocket.Conn) {
		if socket == 1 {
			if start != nil {
				<-start
			}
			for i := 0; i < n; i++ {
				if c.WriteMessage(websocket.TextMessage, []byte(frame(i))) != nil {
					return
				}
			}
		}
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	})
}
