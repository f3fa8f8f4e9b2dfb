package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/gorilla/websocket"
)

// serve runs one open connection until it ends and returns the close code and a
// sentence saying why. The calling goroutine is the reader; one writer goroutine owns
// every write.
func (s *Session) serve(ctx context.Context, conn *websocket.Conn, stamp *stampConn) (int, string) {
	limit := s.profile.readLimit()
	conn.SetReadLimit(limit)
	_ = conn.SetReadDeadline(time.Now().Add(pongWait))
	conn.SetPongHandler(func(string) error {
		// Unsolicited pongs (Hypothesis sends one every 30 s) are welcome too.
		return conn.SetReadDeadline(time.Now().Add(pongWait))
	})

	kick := make(chan struct{}, 1)
	writerDone := make(chan struct{})
	stop := make(chan struct{})
	go s.write(ctx, conn, kick, stop, writerDone)

	s.mu.Lock()
	s.conn, s.kick, s.outbox, s.outBytes, s.stalled = conn, kick, nil, 0, false
	for _, sub := range s.subs {
		if sub.wasOpen {
			sub.Replays++
			sub.State = SubReplaying
		} else {
			sub.State = SubPending
		}
		sub.ServerID, sub.Error = "", ""
	}
	if s.opened {
		s.status.Reconnects++
	}
	s.opened = true
	s.gen++
	s.mu.Unlock()
	s.setState(PhaseOpen, StateOpen, "connected to "+redactURL(s.profile.URL), time.Time{})
	s.mu.Lock()
	s.client.Open(&s.wire)
	for _, f := range s.held {
		s.wire.Send("", "raw", f)
	}
	s.held = nil
	s.mu.Unlock()

	code, reason := s.read(conn, stamp, limit)

	s.mu.Lock()
	s.conn, s.kick, s.outbox, s.outBytes = nil, nil, nil, 0
	for _, sub := range s.subs {
		sub.wasOpen = true
		if sub.State != SubError {
			sub.State = SubOffline
		}
	}
	s.mu.Unlock()
	close(stop)
	<-writerDone
	conn.Close()
	return code, reason
}

// read is the reader loop; it returns when the socket ends. A frame arrived
// when the socket read that completed it returned (stamp's last read).
func (s *Session) read(conn *websocket.Conn, stamp *stampConn, limit int64) (int, string) {
	var fb frameBuf
	var extended time.Time // when the read deadline was last pushed back
	var prev time.Time     // the last frame's arrival
	var read time.Time     // when the socket read that completed the last frame returned
	for {
		typ, r, err := conn.NextReader()
		var frame []byte
		if err == nil {
			frame, err = fb.read(r)
		}
		if err != nil {
			return closeReason(err, limit)
		}
		now := time.Time{}
		if stamp != nil {
			now = stamp.last
		}
		// Frames that one read completed would share its time, but the events
		// of one frame share a time and those of two frames must not (a
		// recording's replay tells frames apart by it): each later frame gets
		// a nanosecond more. Only a new read needs the clock or the deadline.
		switch {
		case now == read && !now.IsZero():
			now = prev.Add(time.Nanosecond)
		default:
			read = now
			if now.IsZero() {
				now = time.Now()
			}
			if !now.After(prev) {
				now = prev.Add(time.Nanosecond)
			}
			if now.Sub(extended) >= time.Second {
				// Once a second is plenty against a 60 s deadline, and a
				// deadline moved per frame costs a timer update per frame.
				_ = conn.SetReadDeadline(now.Add(pongWait))
				extended = now
			}
		}
		prev = now
		s.mu.Lock()
		s.arrived = now
		switch bd, ok := s.client.(BinaryDecoder); {
		case typ == websocket.TextMessage:
			s.client.Decode(&s.wire, frame)
		case ok:
			bd.DecodeBinary(&s.wire, frame)
		default:
			s.wire.Error("", "binary frame ignored: this dialect speaks JSON text frames", frame)
		}
		s.arrived = time.Time{}
		s.mu.Unlock()
	}
}

// Sizes of the reader's frame buffer: what it starts with, and the most it keeps
// between frames (a larger frame gets a buffer of its own, dropped after it).
const (
	frameBufStart = 16 << 10
	frameBufKeep  = 1 << 20
)

// frameBuf is the reader's one frame buffer: every frame is read into it from
// its start, so a frame costs one copy (out of gorilla's read buffer) and no
// allocation. Its events are lent the bytes for the call to the Sink only (see
// Sink): the next frame overwrites them.
type frameBuf struct {
	buf []byte
}

func (f *frameBuf) read(r io.Reader) ([]byte, error) {
	b := f.buf[:0]
	if cap(b) > frameBufKeep {
		b = nil
	}
	if b == nil {
		b = make([]byte, 0, frameBufStart)
	}
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // full: append grows it, doubling
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			f.buf = b
			return b[:len(b):len(b)], nil // capped: an append to Raw never runs into free bytes
		}
		if err != nil {
			f.buf = b
			return nil, err
		}
	}
}

// write is the writer loop: the only goroutine that writes data frames, pings and the
// final close frame.
func (s *Session) write(ctx context.Context, conn *websocket.Conn, kick <-chan struct{}, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	ping := time.NewTicker(pingPeriod)
	defer ping.Stop()
	for {
		select {
		case <-kick:
			for _, frame := range s.takeOutbox() {
				_ = conn.SetWriteDeadline(time.Now().Add(writeWait))
				if err := conn.WriteMessage(websocket.TextMessage, frame); err != nil {
					conn.Close() // wakes the reader
					return
				}
			}
		case <-ping.C:
			if err := conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				conn.Close()
				return
			}
		case <-ctx.Done():
			// A clean close: send 1000, give the server a moment to answer, then cut.
			_ = conn.WriteControl(websocket.CloseMessage,
				websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(writeWait))
			_ = conn.SetReadDeadline(time.Now().Add(closeWait))
			return
		case <-stop:
			return
		}
	}
}

// closeReason names why a read ended.
func closeReason(err error, limit int64) (int, string) {
	var ce *websocket.CloseError
	switch {
	case errors.As(err, &ce):
		msg := fmt.Sprintf("server closed with %d", ce.Code)
		if ce.Text != "" {
			msg += " (" + ce.Text + ")"
		}
		return ce.Code, msg
	case errors.Is(err, websocket.ErrReadLimit):
		return websocket.CloseMessageTooBig, fmt.Sprintf("closed with 1009: a frame was larger than the read limit of %d bytes", limit)
	default:
		return websocket.CloseAbnormalClosure, "connection lost: " + err.Error()
	}
}

// redactURL drops credentials from a URL before it is shown anywhere.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	q := u.Query()
	for _, k := range []string{"i", "access_token", "token"} {
		if q.Has(k) {
			q.Set(k, "•••")
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}
