package session

import (
	"encoding/json"
	"time"
	"unicode/utf8"
)

// Wire is what a Client may do during one call: send frames, read and update the
// subscription table, and emit events. It is only valid during that call.
type Wire struct {
	s *Session
}

// IsOpen reports whether the socket is open, so sends go out now.
func (w *Wire) IsOpen() bool { return w.s.kick != nil }

// Send marshals v (or takes it as is when it is []byte or json.RawMessage), queues it
// for the writer and publishes it as an outgoing event. With the socket closed it
// does nothing: Open replays what matters.
func (w *Wire) Send(sub, kind string, v any) {
	var frame []byte
	given := true // the caller's bytes, which may be plain text
	switch f := v.(type) {
	case []byte:
		frame = f
	case json.RawMessage:
		frame = f
	default:
		given = false
		var err error
		if frame, err = json.Marshal(v); err != nil {
			w.Error(sub, "failed to encode "+kind+": "+err.Error(), nil)
			return
		}
	}
	if w.s.kick == nil {
		return
	}
	raw := frame
	if given && !json.Valid(frame) {
		// A plain WebSocket sends text as it is; the event's Raw stays JSON.
		raw, _ = json.Marshal(string(frame))
	}
	w.s.enqueue(frame)
	w.s.publish(Event{Dir: DirOut, Sub: sub, Kind: kind, Summary: summarizeOut(frame), Raw: raw})
}

// Subs returns the desired subscriptions, oldest first. The slice is shared: do not
// keep it past the call.
func (w *Wire) Subs() []*Sub { return w.s.subs }

// Sub returns the subscription with our id, or nil.
func (w *Wire) Sub(id string) *Sub {
	for _, s := range w.s.subs {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// FindServer returns the subscription the server calls serverID, or nil.
func (w *Wire) FindServer(serverID string) *Sub {
	for _, s := range w.s.subs {
		if s.ServerID == serverID && serverID != "" {
			return s
		}
	}
	return nil
}

// DropOthers removes every subscription but id from the desired set, without
// sending anything: for dialects where a new filter replaces the socket's last.
func (w *Wire) DropOthers(id string) {
	for _, s := range append([]*Sub(nil), w.s.subs...) {
		if s.ID != id {
			w.s.dropSub(s.ID)
		}
	}
}

// Emit publishes an incoming event; a non-empty ev.Sub counts towards that
// subscription's health.
func (w *Wire) Emit(ev Event) {
	if ev.Dir == "" {
		ev.Dir = DirIn
	}
	if ev.Sub != "" {
		if s := w.Sub(ev.Sub); s != nil {
			s.Events++
			// The frame's arrival, read once per frame: a clock read per event
			// shows in the firehose's profile.
			s.LastSeen = w.s.arrived
			if s.LastSeen.IsZero() {
				s.LastSeen = time.Now()
			}
		}
	}
	w.s.publish(ev)
}

// After runs f under the session's lock after d, if the connection that was open
// when it was scheduled still is: for replies that may never come.
func (w *Wire) After(d time.Duration, f func(w *Wire)) {
	s, gen := w.s, w.s.gen
	time.AfterFunc(d, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.gen == gen && s.kick != nil {
			f(&s.wire)
		}
	})
}

// Warn publishes a `warning` event: something was sent as asked although the docs
// would not expect it. It does not count towards the subscription's health.
func (w *Wire) Warn(sub, msg string) {
	w.s.publish(Event{Dir: DirIn, Sub: sub, Kind: "warning", Summary: msg})
}

// Error publishes an `error` event with summary msg and the raw bytes that caused it
// (cut to their first 200 bytes when they are not JSON).
func (w *Wire) Error(sub, msg string, raw []byte) {
	ev := Event{Dir: DirIn, Sub: sub, Kind: "error", Summary: msg}
	if raw != nil {
		if json.Valid(raw) {
			ev.Raw = raw
		} else {
			ev.Raw, _ = json.Marshal(Clip(raw, 200))
		}
	}
	w.s.publish(ev)
}

// Clip returns at most the first n bytes of b as a string, cut back to a whole UTF-8
// character and marked with "…" when cut.
func Clip(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	for n > 0 && !utf8.RuneStart(b[n]) {
		n--
	}
	return string(b[:n]) + "…"
}

// Shorten cuts s to at most n characters, marking a cut with "…".
func Shorten(s string, n int) string {
	count := 0
	for i := range s {
		if count == n {
			return s[:i] + "…"
		}
		count++
	}
	return s
}

// summarizeOut is the summary of a frame we sent: the frame itself, cut short.
func summarizeOut(frame []byte) string { return Clip(frame, 120) }
