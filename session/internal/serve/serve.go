// Package serve holds what the demo servers share: a server-side connection with
// one reader and one writer goroutine, a set of live connections, and scaled clocks.
package serve

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

const (
	writeWait = 10 * time.Second
	// minPongWait is the least time a client gets to answer a ping. A demo at a
	// high speed pings often (at 400×, Misskey's 60 s becomes 150 ms), but how long
	// a pong takes is the machine's round trip, not the feed's cadence: a client
	// busy reading the frames queued before the ping (or a loaded test runner) must
	// not be cut with 1006 for it.
	minPongWait = 5 * time.Second
	// closeWait is how long a connection that sent its close frame waits for the
	// client's before it cuts the socket.
	closeWait = time.Second
	queue     = 4096
	// ReadLimit bounds what a demo server accepts from one client frame.
	ReadLimit = 1 << 20
)

// Upgrader accepts any origin: the demo server binds loopback only.
var Upgrader = websocket.Upgrader{
	CheckOrigin: func(*http.Request) bool { return true },
}

// Options tune one server-side connection.
type Options struct {
	Done      <-chan struct{} // closing it closes the socket with 1001 (going away)
	PingEvery time.Duration   // protocol pings; the client must answer within 2× (minPongWait at least)
	PongEvery time.Duration   // unsolicited pongs (Hypothesis' ws4py heartbeat)
}

// Conn is one accepted client socket.
type Conn struct {
	ws    *websocket.Conn
	opts  Options
	out   chan frame
	done  chan struct{}
	close sync.Once
	// closing is set once the close frame is written: the reader then only waits
	// for the client's close (or closeWait) and hands nothing more on.
	closing atomic.Bool
}

type frame struct {
	data      []byte
	binary    bool
	closeCode int
	closeText string
	stream    *stream
}

// NewConn wraps an upgraded socket.
func NewConn(ws *websocket.Conn, o Options) *Conn {
	return &Conn{ws: ws, opts: o, out: make(chan frame, queue), done: make(chan struct{})}
}

// Send queues a text frame; it waits while the queue is full and reports false once
// the connection is gone.
func (c *Conn) Send(data []byte) bool {
	select {
	case c.out <- frame{data: data}:
		return true
	case <-c.done:
		return false
	}
}

// SendBinary queues a binary frame, as Send does a text one.
func (c *Conn) SendBinary(data []byte) bool {
	select {
	case c.out <- frame{data: data, binary: true}:
		return true
	case <-c.done:
		return false
	}
}

// SendJSON marshals v and queues it.
func (c *Conn) SendJSON(v any) bool {
	b, err := json.Marshal(v)
	if err != nil {
		return false
	}
	return c.Send(b)
}

// Close queues a close frame; the connection ends after it is written.
func (c *Conn) Close(code int, text string) {
	select {
	case c.out <- frame{closeCode: code, closeText: text}:
	case <-c.done:
	}
}

// Queued is how many frames wait for the writer.
func (c *Conn) Queued() int { return len(c.out) }

// Drop cuts the connection at the TCP level, with no close frame.
func (c *Conn) Drop() { _ = c.ws.UnderlyingConn().Close() }

// Done is closed when the connection has ended.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Serve runs the writer in a goroutine and reads on the calling one, handing every
// frame to handle, until the socket ends.
func (c *Conn) Serve(handle func(typ int, data []byte)) {
	defer c.end()
	c.ws.SetReadLimit(ReadLimit)
	wait := max(2*c.opts.PingEvery, minPongWait)
	if c.opts.PingEvery > 0 {
		_ = c.ws.SetReadDeadline(time.Now().Add(wait))
		c.ws.SetPongHandler(func(string) error {
			if c.closing.Load() {
				return nil // the close deadline stands
			}
			return c.ws.SetReadDeadline(time.Now().Add(wait))
		})
	}
	go c.write()
	for {
		typ, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		if c.closing.Load() {
			// After our close frame, what the client sent before it saw it is
			// read (so the socket is not reset under the close frame) and dropped.
			continue
		}
		if c.opts.PingEvery > 0 {
			_ = c.ws.SetReadDeadline(time.Now().Add(wait))
		}
		handle(typ, data)
	}
}

func (c *Conn) end() {
	c.close.Do(func() {
		close(c.done)
		c.ws.Close()
	})
}

func (c *Conn) write() {
	defer func() {
		if !c.closing.Load() {
			c.end()
		}
	}()
	var ping, pong <-chan time.Time
	if c.opts.PingEvery > 0 {
		t := time.NewTicker(c.opts.PingEvery)
		defer t.Stop()
		ping = t.C
	}
	if c.opts.PongEvery > 0 {
		t := time.NewTicker(c.opts.PongEvery)
		defer t.Stop()
		pong = t.C
	}
	var st *stream
	wake := time.NewTimer(time.Hour)
	defer wake.Stop()
	for {
		var due <-chan time.Time
		if st != nil {
			if d := st.wait(); d <= 0 {
				// Streaming: take control frames when there are any, else the next frame.
				select {
				case f := <-c.out:
					if !c.send(f, &st) {
						return
					}
				case <-c.done:
					return
				default:
					_ = c.ws.SetWriteDeadline(time.Now().Add(writeWait))
					if err := c.ws.WriteMessage(websocket.TextMessage, st.next()); err != nil {
						return
					}
				}
				continue
			} else {
				wake.Reset(d)
				due = wake.C
			}
		}
		select {
		case f := <-c.out:
			if !c.send(f, &st) {
				return
			}
		case <-due:
		case <-ping:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				return
			}
		case <-pong:
			if err := c.ws.WriteControl(websocket.PongMessage, []byte("beep"), time.Now().Add(writeWait)); err != nil {
				return
			}
		case <-c.opts.Done:
			_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down"), time.Now().Add(writeWait))
			c.closed()
			return
		case <-c.done:
			return
		}
	}
}

// closed follows a written close frame. The socket is not cut here: a client still
// writing (its handshake, a ping) would get a TCP reset, and a reset discards the
// close frame unread in its receive buffer, so it would see 1006 instead of the
// code sent (RFC 6455 §7.1.1: the server closes TCP after the client's close).
// The reader drains until the client's close or closeWait, then ends it all.
func (c *Conn) closed() {
	c.closing.Store(true)
	_ = c.ws.SetReadDeadline(time.Now().Add(closeWait))
}

// send writes one queued frame (or starts a stream); false ends the connection.
func (c *Conn) send(f frame, st **stream) bool {
	if f.stream != nil {
		*st = f.stream
		f.stream.start = time.Now()
		return true
	}
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeWait))
	if f.closeCode != 0 {
		_ = c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(f.closeCode, f.closeText))
		c.closed()
		return false
	}
	typ := websocket.TextMessage
	if f.binary {
		typ = websocket.BinaryMessage
	}
	return c.ws.WriteMessage(typ, f.data) == nil
}

// Firehose streams pre-built frames to every subscriber as fast as each socket
// takes them, or at Rate frames a second per socket, and counts what it sent.
type Firehose struct {
	Rate float64
	sent atomic.Uint64
}

// Sent is how many frames all streams have written.
func (f *Firehose) Sent() uint64 { return f.sent.Add(0) }

type stream struct {
	frames [][]byte
	fh     *Firehose
	i      int
	start  time.Time
}

// wait is how long until the next frame is due (≤ 0: now).
func (s *stream) wait() time.Duration {
	if s.fh.Rate <= 0 {
		return 0
	}
	due := s.start.Add(time.Duration(float64(s.i) / s.fh.Rate * float64(time.Second)))
	return time.Until(due)
}

func (s *stream) next() []byte {
	f := s.frames[s.i%len(s.frames)]
	s.i++
	s.fh.sent.Add(1)
	return f
}

// Stream makes the connection write frames, cycling, from now on.
func (c *Conn) Stream(frames [][]byte, fh *Firehose) {
	if len(frames) == 0 {
		return
	}
	select {
	case c.out <- frame{stream: &stream{frames: frames, fh: fh}}:
	case <-c.done:
	}
}

// Set is a set of live connections' states, safe for concurrent use.
type Set[T any] struct {
	mu sync.Mutex
	m  map[*T]struct{}
}

// Add puts t in the set.
func (s *Set[T]) Add(t *T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[*T]struct{}{}
	}
	s.m[t] = struct{}{}
}

// Remove takes t out of the set.
func (s *Set[T]) Remove(t *T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, t)
}

// Snapshot returns the members at this moment.
func (s *Set[T]) Snapshot() []*T {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*T, 0, len(s.m))
	for t := range s.m {
		out = append(out, t)
	}
	return out
}

// Each calls f for every member.
func (s *Set[T]) Each(f func(*T)) int {
	all := s.Snapshot()
	for _, t := range all {
		f(t)
	}
	return len(all)
}

// Clock scales the demo's cadences (Speed 2 makes everything happen twice as often)
// and carries its lifetime: when Done closes, every connection closes with 1001.
type Clock struct {
	Speed float64
	Done  <-chan struct{}
}

// Every returns d scaled by the speed.
func (c Clock) Every(d time.Duration) time.Duration {
	if c.Speed <= 0 {
		return d
	}
	return time.Duration(float64(d) / c.Speed)
}

// Between returns a random duration in [lo, hi), scaled by the speed.
func (c Clock) Between(r *rand.Rand, lo, hi time.Duration) time.Duration {
	return c.Every(lo + time.Duration(r.Int64N(int64(hi-lo))))
}

// Sleep waits d or until stop is closed, and reports whether to go on.
func Sleep(stop <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-stop:
		return false
	case <-t.C:
		return true
	}
}

// JSONError writes a JSON body with status code.
func JSONError(w http.ResponseWriter, code int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

// UUID returns a random version-4 UUID.
func UUID() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(rand.UintN(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, x := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hex[x>>4], hex[x&15])
	}
	return string(out)
}
