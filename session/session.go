package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Timing of every connection, after gorilla's chat example.
const (
	writeWait  = 10 * time.Second
	pongWait   = 60 * time.Second
	pingPeriod = pongWait * 9 / 10
	closeWait  = time.Second
	heldFrames = 256
	readBuffer = 64 << 10
)

// The writer's backlog: beyond either bound the peer has stopped reading, and the
// connection is cut rather than let a caller wait or memory grow.
const (
	sendQueue = 1024
	sendBytes = 32 << 20
)

// Phases of a Session, as Status reports them.
const (
	PhaseConnecting   = "connecting"
	PhaseOpen         = "open"
	PhaseReconnecting = "reconnecting"
	PhaseRejected     = "rejected"
	PhaseClosed       = "closed"
)

// DetailClosedByUser is the Detail of a session that ended because it was asked to.
const DetailClosedByUser = "closed by user"

// Status is a snapshot of a session's connection state.
type Status struct {
	Phase      string
	Detail     string    // why, in words a user can act on
	RetryAt    time.Time // when the next attempt starts, while reconnecting
	Reconnects int       // successful opens after the first
}

// Session owns one WebSocket connection of one profile: it dials, keeps exactly one
// reader and one writer goroutine on the socket, reconnects by its dialect's policy
// and replays the desired subscriptions on every open. A session that was stopped,
// or ended on its own, can be started again: its subscriptions, and their ids,
// stay the same for the life of the value.
//
// No method waits on the network: a command queues its frames for the writer and
// returns, so a stalled peer never stalls the caller.
type Session struct {
	profile Profile
	dialect Dialect
	sink    Sink

	mu       sync.Mutex         // guards everything below and serialises the client
	cancel   context.CancelFunc // non-nil while a run is wanted
	done     chan struct{}      // closed when the current (or last) run has ended
	client   Client
	subs     []*Sub
	nextSub  int
	conn     *websocket.Conn // the open socket; nil while not open
	kick     chan struct{}   // wakes the writer; nil while the socket is not open
	outbox   [][]byte        // frames for the writer, oldest first
	outBytes int
	stalled  bool     // the backlog overflowed and the socket is being cut
	held     [][]byte // raw frames sent while closed, flushed after the replay
	status   Status
	tune     func(*Policy) // adjusts the dialect's policy (tests, tail flags)
	gen      int           // counts opens, so a timer knows its connection has gone
	opened   bool          // the socket has opened at least once
	arrived  time.Time     // when the frame being decoded arrived
	wire     Wire
	idle     func() // the sink's Idle, when it is an Idler
}

// New checks p and prepares a session; Start connects it.
func New(p Profile, sink Sink) (*Session, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	d, _ := Lookup(p.Dialect)
	s := &Session{profile: p, dialect: d, sink: sink, done: make(chan struct{})}
	if i, ok := sink.(Idler); ok {
		s.idle = i.Idle
	}
	if c, ok := d.(Configured); ok {
		s.client = c.NewClientFor(&s.profile)
	} else {
		s.client = d.NewClient()
	}
	close(s.done) // no run yet
	s.wire.s = s
	s.status.Phase = PhaseClosed
	for _, spec := range p.Subs {
		if _, err := s.addSub(spec); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// TunePolicy lets f adjust the dialect's reconnect policy; call it before Start.
func (s *Session) TunePolicy(f func(*Policy)) { s.tune = f }

// Start connects in the background until ctx ends or Stop or Close is called. It
// does nothing while a run is wanted; a new run begins once the last one has let
// go of its socket.
func (s *Session) Start(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		return
	}
	prev, done := s.done, make(chan struct{})
	ctx, cancel := context.WithCancel(ctx)
	s.cancel, s.done = cancel, done
	s.status.Phase, s.status.Detail, s.status.RetryAt = PhaseConnecting, "", time.Time{}
	go func() {
		<-prev
		s.run(ctx, done)
	}()
}

// Stop asks the run to close the socket with 1000 and end, without waiting.
func (s *Session) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
}

// Close stops the session and waits for its run to end.
func (s *Session) Close() {
	s.Stop()
	<-s.Done()
}

// Done is closed when the current run, or the last one, has ended.
func (s *Session) Done() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.done
}

// Running reports whether a run is wanted and has not ended on its own (a rejected
// or given-up session is not running, and can be started again).
func (s *Session) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cancel != nil
}

// Status returns the current connection state.
func (s *Session) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// Subs returns a copy of the subscription table.
func (s *Session) Subs() []Sub {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Sub, len(s.subs))
	for i, sub := range s.subs {
		out[i] = *sub
	}
	return out
}

// Subscribe adds a native subscription and sends it when the socket is open. It
// returns our id for it, which survives reconnects.
func (s *Session) Subscribe(spec json.RawMessage) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, err := s.addSub(spec)
	if err != nil {
		return "", err
	}
	s.client.Subscribe(&s.wire, sub)
	return sub.ID, nil
}

// Replace changes what the subscription with our id asks for, keeping the id (and
// so the row and its counters): the server's subscription is replaced.
func (s *Session) Replace(id string, spec json.RawMessage) error {
	if err := s.dialect.CheckSub(spec); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sub := s.wire.Sub(id)
	if sub == nil {
		return fmt.Errorf("session %s: no subscription %q", s.profile.Name, id)
	}
	spec = append(json.RawMessage(nil), spec...)
	if r, ok := s.client.(Resubscriber); ok {
		r.Resubscribe(&s.wire, sub, spec)
		return nil
	}
	s.client.Unsubscribe(&s.wire, sub)
	sub.Spec, sub.ServerID, sub.Error = spec, "", ""
	sub.State = SubOffline
	if s.kick != nil {
		sub.State = SubPending
	}
	s.client.Subscribe(&s.wire, sub)
	return nil
}

// Dialect returns the session's dialect.
func (s *Session) Dialect() Dialect { return s.dialect }

// Unsubscribe stops and forgets the subscription with our id.
func (s *Session) Unsubscribe(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub := s.wire.Sub(id)
	if sub == nil {
		return fmt.Errorf("session %s: no subscription %q", s.profile.Name, id)
	}
	s.client.Unsubscribe(&s.wire, sub)
	s.dropSub(id)
	return nil
}

// Do runs f with the session's Wire under its lock, for dialect-specific commands
// (a Hypothesis ping, a Misskey requestLog) that need the client's state.
func (s *Session) Do(f func(c Client, w *Wire)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s.client, &s.wire)
}

// SendRaw sends a frame as it is. While the socket is closed the frame is held
// (up to 256 of them) and goes out after the next open's replay.
func (s *Session) SendRaw(frame []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kick == nil {
		if len(s.held) >= heldFrames {
			return fmt.Errorf("session %s: not connected and %d frames already held", s.profile.Name, heldFrames)
		}
		s.held = append(s.held, append([]byte(nil), frame...))
		return nil
	}
	s.wire.Send("", "raw", frame)
	return nil
}

func (s *Session) addSub(spec json.RawMessage) (*Sub, error) {
	if err := s.dialect.CheckSub(spec); err != nil {
		return nil, err
	}
	s.nextSub++
	sub := &Sub{ID: strconv.Itoa(s.nextSub), Spec: append(json.RawMessage(nil), spec...), State: SubOffline}
	if s.kick != nil {
		sub.State = SubPending
	}
	s.subs = append(s.subs, sub)
	return sub, nil
}

func (s *Session) dropSub(id string) {
	for i, sub := range s.subs {
		if sub.ID == id {
			s.subs = append(s.subs[:i:i], s.subs[i+1:]...)
			return
		}
	}
}

// publish stamps and hands an event to the sink.
func (s *Session) publish(ev Event) {
	if ev.Time.IsZero() {
		// An event decoded from a frame carries the frame's arrival time.
		ev.Time = s.arrived
		if ev.Time.IsZero() {
			ev.Time = time.Now()
		}
	}
	ev.Profile = s.profile.Name
	ev.Dialect = s.profile.Dialect
	s.sink.Publish(ev)
}

// setState records and publishes a lifecycle change.
func (s *Session) setState(phase, kind, detail string, retryAt time.Time) {
	detail = s.profile.Scrub(detail)
	s.mu.Lock()
	s.status.Phase, s.status.Detail, s.status.RetryAt = phase, detail, retryAt
	s.mu.Unlock()
	s.publish(Event{Dir: DirState, Kind: kind, Summary: detail})
}

// enqueue hands a frame to the writer; s.mu is held. It never waits: a backlog past
// its bounds means the peer stopped reading, and the socket is cut so that the
// reconnect replays the subscriptions, instead of the caller (often the UI)
// waiting on the network.
func (s *Session) enqueue(frame []byte) {
	if s.stalled {
		return
	}
	if len(s.outbox) >= sendQueue || s.outBytes+len(frame) > sendBytes {
		s.stalled = true
		s.conn.Close() // wakes the reader and any blocked write
		s.publish(Event{Dir: DirIn, Kind: "error", Summary: fmt.Sprintf("the server stopped reading: %d frames (%d bytes) wait to be sent; the connection is cut and will be replayed", len(s.outbox), s.outBytes)})
		return
	}
	s.outbox = append(s.outbox, frame)
	s.outBytes += len(frame)
	select {
	case s.kick <- struct{}{}:
	default: // the writer is already due to look
	}
}

// takeOutbox hands the writer everything queued.
func (s *Session) takeOutbox() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.outbox
	s.outbox, s.outBytes = nil, 0
	return out
}

// run is the session goroutine: dial, serve, back off, until the end. It ends only
// when the user stops it, the server rejects us (401/403, a certificate it will not
// take) or closes with 1000 where the dialect's official client takes that as final;
// after the official client would give up it keeps trying at a steady interval.
func (s *Session) run(ctx context.Context, done chan struct{}) {
	defer func() {
		s.mu.Lock()
		if s.done == done && s.cancel != nil {
			s.cancel() // ended on its own: a later Start begins a new run
			s.cancel = nil
		}
		s.mu.Unlock()
		close(done)
	}()
	pol := s.dialect.Policy()
	if s.tune != nil {
		s.tune(&pol)
	}
	attempt, policyCloses := 0, 0
	for {
		s.setState(PhaseConnecting, StateConnecting, "connecting to "+redactURL(s.profile.URL), time.Time{})
		conn, stamp, rejected, err := s.dial(ctx, pol)
		code := websocket.CloseAbnormalClosure
		reason := ""
		if err != nil {
			if ctx.Err() != nil {
				s.setState(PhaseClosed, StateClosed, DetailClosedByUser, time.Time{})
				return
			}
			if rejected {
				s.setState(PhaseRejected, StateClosed, err.Error(), time.Time{})
				return
			}
			reason = err.Error()
		} else {
			opened := time.Now()
			if pol.ResetAfter == 0 {
				attempt = 0
			}
			code, reason = s.serve(ctx, conn, stamp)
			if ctx.Err() != nil {
				s.setState(PhaseClosed, StateClosed, DetailClosedByUser, time.Time{})
				return
			}
			if pol.ResetAfter > 0 && time.Since(opened) >= pol.ResetAfter {
				attempt = 0
			}
			if pol.EndOnNormalClose && code == websocket.CloseNormalClosure {
				s.setState(PhaseClosed, StateClosed, "server closed the connection: "+reason, time.Time{})
				return
			}
		}
		attempt++
		delay := pol.Delay(attempt)
		note := ""
		if pol.MaxAttempts > 0 && attempt >= pol.MaxAttempts {
			delay = pol.steady()
			note = fmt.Sprintf("; %d failed connections in a row (the official client gives up at %d), still trying every %s", attempt, pol.MaxAttempts, roundDelay(delay))
		}
		var throttled *ThrottledError
		if errors.As(err, &throttled) {
			policyCloses++
			delay = max(delay, throttled.Wait, pol.policyBackoff(policyCloses))
			note += "; the server is shedding load, backing off"
		} else if code == websocket.ClosePolicyViolation {
			// Rate limits and policy closes: hammering makes it worse.
			policyCloses++
			delay = max(delay, pol.policyBackoff(policyCloses))
			note += "; the server refused us by policy (1008), backing off"
		} else if err == nil {
			policyCloses = 0
		}
		retryAt := time.Now().Add(delay)
		s.setState(PhaseReconnecting, StateReconnecting, fmt.Sprintf("%s%s; reconnecting in %s", reason, note, roundDelay(delay)), retryAt)
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			s.setState(PhaseClosed, StateClosed, DetailClosedByUser, time.Time{})
			return
		case <-t.C:
		}
	}
}

func roundDelay(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

// dial opens one connection, and returns the TCP connection under it too;
// rejected is true when the server refused our credentials, which no retry will
// fix.
func (s *Session) dial(ctx context.Context, pol Policy) (*websocket.Conn, *stampConn, bool, error) {
	spec, err := s.dialect.Dial(&s.profile)
	if err == nil {
		err = s.profile.addHandshake(&spec)
	}
	if err != nil {
		return nil, nil, true, err
	}
	timeout := pol.DialTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	tlsCfg, err := s.profile.tlsConfig()
	if err != nil {
		return nil, nil, true, err
	}
	proxy, err := s.profile.proxyFunc()
	if err != nil {
		return nil, nil, true, err
	}
	var stamped *stampConn
	d := websocket.Dialer{
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			stamped = &stampConn{Conn: c, idle: s.idle}
			return stamped, nil
		},
		Proxy:            proxy,
		HandshakeTimeout: timeout,
		Subprotocols:     spec.Subprotocols,
		TLSClientConfig:  tlsCfg,
		// A busy feed's frames arrive back to back: 64 KB per read system call
		// rather than gorilla's default 4 KB (a tenth of tail's time went there).
		ReadBufferSize: readBuffer,
	}
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, resp, err := d.DialContext(dctx, spec.URL, spec.Header)
	if err != nil {
		if ce := certificateError(err); ce != nil {
			return nil, nil, true, ce // as final as a 401: no retry changes a certificate
		}
		err = dialError(resp, err)
		var rej *RejectedError
		return nil, nil, errors.As(err, &rej), err
	}
	return conn, stamped, false, nil
}

// stampConn is the TCP connection under gorilla (and under TLS, and a proxy's
// tunnel): it notes when its last read returned, which is when every frame
// that read completed arrived. The reader asks the clock once per read system
// call, about 60 frames of a firehose, rather than once per frame (time.Now
// was 4 % of the engine's CPU). Only the socket's one reader calls Read.
//
// Read is also where the reader is about to wait: gorilla asks for more bytes
// once every frame it holds is handed over, so the sink's Idle (Idler) runs
// first.
type stampConn struct {
	net.Conn
	last time.Time
	idle func()
}

func (c *stampConn) Read(p []byte) (int, error) {
	if c.idle != nil {
		c.idle()
	}
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.last = time.Now()
	}
	return n, err
}

// RejectedError is a handshake the server refused for credentials or permission.
type RejectedError struct {
	Status int
	Reason string
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("rejected: %d %s", e.Status, e.Reason)
}

// dialError turns a failed handshake into words a user can act on.
func dialError(resp *http.Response, err error) error {
	if resp == nil {
		var nerr net.Error
		if errors.As(err, &nerr) && nerr.Timeout() {
			return fmt.Errorf("failed to connect: timed out")
		}
		return fmt.Errorf("failed to connect: %w", err)
	}
	defer resp.Body.Close()
	reason := handshakeReason(resp)
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		return &RejectedError{Status: resp.StatusCode, Reason: reason}
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		wait := 0 * time.Second
		if secs, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && secs > 0 {
			wait = time.Duration(min(secs, 3600)) * time.Second
		}
		return &ThrottledError{Status: resp.StatusCode, Reason: reason, Wait: wait}
	}
	return fmt.Errorf("failed to connect: HTTP %d %s", resp.StatusCode, reason)
}

// ThrottledError is a handshake refused for load (429, 503): retried, but never
// sooner than Retry-After or the policy backoff, like a 1008 close.
type ThrottledError struct {
	Status int
	Reason string
	Wait   time.Duration // the server's Retry-After, 0 when it gave none
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("failed to connect: HTTP %d %s", e.Status, e.Reason)
}

// handshakeReason reads the most telling words of a refused handshake: a Bearer
// challenge's error, a JSON error body's name, or the status text.
func handshakeReason(resp *http.Response) string {
	if ch := resp.Header.Get("WWW-Authenticate"); ch != "" {
		if m := challengeError(ch); m != "" {
			return m
		}
	}
	var body struct {
		Error     any    `json:"error"`
		Reason    string `json:"reason"`
		ErrorName string `json:"errorName"`
		ErrorCode string `json:"errorCode"`
	}
	buf := make([]byte, 4096)
	n, _ := resp.Body.Read(buf)
	if json.Unmarshal(buf[:n], &body) == nil {
		switch {
		case body.ErrorName != "":
			return body.ErrorCode + " " + body.ErrorName
		case body.Reason != "":
			return body.Reason
		}
		if s, ok := body.Error.(string); ok && s != "" {
			return s
		}
	}
	if resp.StatusCode == http.StatusUnauthorized {
		return "invalid credentials"
	}
	return http.StatusText(resp.StatusCode)
}

// challengeError extracts error="…" from a WWW-Authenticate header.
func challengeError(h string) string {
	const key = `error="`
	i := strings.Index(h, key)
	if i < 0 {
		return ""
	}
	rest := h[i+len(key):]
	j := strings.Index(rest, `"`)
	if j < 0 {
		return ""
	}
	return rest[:j]
}
