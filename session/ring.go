package session

import (
	"bytes"
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// DefaultRingCap is how many events a Ring keeps unless told otherwise.
const DefaultRingCap = 100_000

// Ring is a bounded buffer of the most recent events. Every event gets a sequence
// number, counting from 1, so a reader can ask for what came after the last one it
// saw and learn how many it missed when the ring overtook it.
//
// A held event's summary and raw frame are copied into the ring's arena, outside
// the Go heap: Get and Since hand out copies of them, Each lends them for the
// call only.
type Ring struct {
	mu    sync.Mutex
	buf   []Event
	head  int    // index of the oldest event
	n     int    // events held
	total uint64 // events ever pushed; the newest has sequence total
	text  *arena // the held events' Summary and Raw bytes
}

// NewRing returns a ring keeping at most capacity events (DefaultRingCap when ≤ 0).
func NewRing(capacity int) *Ring {
	if capacity <= 0 {
		capacity = DefaultRingCap
	}
	r := &Ring{buf: make([]Event, capacity), text: &arena{}}
	// The arena's mappings are not the collector's to free.
	runtime.AddCleanup(r, func(a *arena) { a.reset() }, r.text)
	return r
}

// Publish appends e, evicting the oldest event when full. It makes Ring a Sink.
func (r *Ring) Publish(e Event) {
	r.mu.Lock()
	r.push(e)
	r.mu.Unlock()
}

func (r *Ring) push(e Event) {
	c := len(r.buf)
	if r.n == c {
		r.text.free(r.total - uint64(r.n) + 1) // the oldest, about to go
	}
	seq := r.total + 1
	// A Key or Label cut from the summary or frame (Misskey's label is the start
	// of its summary) would keep the whole of it on the heap: they get their own.
	e.Key, e.Label = own(e.Key, e.Summary, e.Raw), own(e.Label, e.Summary, e.Raw)
	e.Summary = r.text.putString(seq, e.Summary)
	e.Raw = r.text.put(seq, e.Raw)
	if r.n < c {
		r.buf[(r.head+r.n)%c] = e
		r.n++
	} else {
		r.buf[r.head] = e
		r.head = (r.head + 1) % c
	}
	r.total++
}

// own returns s, copied when it is a part of summary or raw.
func own(s, summary string, raw []byte) string {
	if s == "" {
		return s
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	inside := func(base unsafe.Pointer, n int) bool {
		return n > 0 && p >= uintptr(base) && p < uintptr(base)+uintptr(n)
	}
	if inside(unsafe.Pointer(unsafe.StringData(summary)), len(summary)) || inside(unsafe.Pointer(unsafe.SliceData(raw)), len(raw)) {
		return strings.Clone(s)
	}
	return s
}

// Len returns how many events the ring holds and how many were ever pushed.
func (r *Ring) Len() (held int, total uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n, r.total
}

// Since appends to dst the held events with sequence numbers after seq, oldest first,
// and returns it with the sequence of the newest event and how many events after seq
// were already evicted.
func (r *Ring) Since(seq uint64, dst []Event) (out []Event, last uint64, missed uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	oldest := r.total - uint64(r.n) // sequence before the oldest held
	if seq < oldest {
		missed = oldest - seq
		seq = oldest
	}
	if seq > r.total {
		seq = r.total
	}
	c := len(r.buf)
	for q := seq; q < r.total; q++ {
		dst = append(dst, r.buf[(r.head+int(q-oldest))%c].Clone())
	}
	return dst, r.total, missed
}

// Clear drops every held event; sequence numbers keep counting.
func (r *Ring) Clear() {
	r.mu.Lock()
	defer r.mu.Unlock()
	clear(r.buf)
	r.text.reset()
	r.head, r.n = 0, 0
}

// Mapped is how many bytes the ring's arena holds for the events' summaries and
// frames (what it costs beyond the events themselves).
func (r *Ring) Mapped() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.text.mapped
}

// Cap is how many events the ring keeps.
func (r *Ring) Cap() int { return len(r.buf) }

// Bounds returns the sequence just before the oldest held event and the newest
// event's: the held events are before+1 … newest.
func (r *Ring) Bounds() (before, newest uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.total - uint64(r.n), r.total
}

// Get returns a copy of the event with sequence seq, while the ring still holds it.
func (r *Ring) Get(seq uint64) (Event, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	oldest := r.total - uint64(r.n)
	if seq <= oldest || seq > r.total {
		return Event{}, false
	}
	return r.buf[(r.head+int(seq-1-oldest))%len(r.buf)].Clone(), true
}

// Clone returns e with its own copies of its summary and raw frame: what a reader
// of Ring.Each keeps of an event must not be the ring's arena.
func (e Event) Clone() Event {
	e.Summary = strings.Clone(e.Summary)
	e.Raw = bytes.Clone(e.Raw)
	return e
}

// Each calls f, oldest first, with every held event whose sequence is after seq and
// at most upTo, without copying it: f runs under the ring's lock, so it must be
// quick, must not keep e past the call and must not call the ring. It returns how
// many events after seq were already evicted.
//
// e's Summary and Raw are the arena's bytes, reused once the event leaves the
// ring: whatever f keeps of them (a copy of *e, a map key, a sub-slice) must be
// copied first — e.Clone() does it for the whole event.
func (r *Ring) Each(seq, upTo uint64, f func(seq uint64, e *Event)) (missed uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	oldest := r.total - uint64(r.n)
	if seq < oldest {
		missed = min(oldest, upTo) - seq
		seq = oldest
	}
	upTo = min(upTo, r.total)
	c := len(r.buf)
	for q := seq; q < upTo; q++ {
		f(q+1, &r.buf[(r.head+int(q-oldest))%c])
	}
	return missed
}
