package session

import (
	"bytes"
	"runtime"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// DefaultRingCap is how many events a Ring keeps unless told otherwise.
const DefaultRingCap = 100_000

// Ring is a bounded buffer of the most recent events. Every event gets a sequence
// number, counting from 1, so a reader can ask for what came after the last one it
// saw and learn how many it missed when the ring overtook it.
//
// A held event costs the Go heap little: its fixed fields are a pointer-free slot
// in a mapping of their own, its names (profile, dialect, direction,
// subscription, kind) an index into a table of the ones held, and its summary and
// raw frame sit in the ring's arena, outside the heap, packed once the ring has
// kept them a while (see arena.go). Only Key and Label stay on
// the heap, where readers may keep them. Get and Since hand out copies; Each
// lends the ring's memory for the call only.
type Ring struct {
	mu          sync.Mutex
	slots       []slot     // one per event, by position
	keys        []keyLabel // each slot's Key and Label
	head        int        // index of the oldest event
	n           int        // events held
	total       uint64     // events ever pushed; the newest has sequence total
	text        *arena     // the held events' Summary and Raw bytes
	slotsMapped int        // bytes mapped for slots (0 when they are on the heap)
	names       names
	lent        Event // what Each hands its callback
	geo         Point
	dir         [2]float64 // heading, speed for lent
}

// slot is an event without its strings: where they are instead.
type slot struct {
	sec          int64 // Time, in seconds and nanoseconds (any year a time.Time holds)
	nsec         int32
	flags        uint8
	name         uint32 // index into the ring's names
	text         span   // summary then raw frame
	summary      uint32 // the summary's length in text
	lon, lat     float64
	heading, spd float64
}

const (
	hasTime = 1 << iota
	hasGeo
	hasHeading
	hasSpeed
	emptyRaw // Raw was empty but not nil
)

type keyLabel struct{ key, label string }

// NewRing returns a ring keeping at most capacity events (DefaultRingCap when ≤ 0).
func NewRing(capacity int) *Ring {
	if capacity <= 0 {
		capacity = DefaultRingCap
	}
	r := &Ring{keys: make([]keyLabel, capacity), text: &arena{packAfter: packAfter, now: time.Now, mmap: mapChunk, munmap: unmapChunk}}
	owned := &mappings{arena: r.text}
	size := capacity * int(unsafe.Sizeof(slot{}))
	if mem, ok := mapChunk(size); ok {
		owned.slots, r.slotsMapped = mem, len(mem)
		r.slots = unsafe.Slice((*slot)(unsafe.Pointer(&mem[0])), capacity)
	} else {
		r.slots = make([]slot, capacity)
	}
	// The mappings are not the collector's to free.
	runtime.AddCleanup(r, func(m *mappings) { m.free() }, owned)
	return r
}

// mappings are what a ring maps: given back when it is collected.
type mappings struct {
	arena *arena
	slots []byte
}

func (m *mappings) free() {
	m.arena.reset()
	if m.slots != nil {
		unmapChunk(m.slots)
	}
}

// Publish appends e, evicting the oldest event when full. It makes Ring a Sink.
func (r *Ring) Publish(e Event) {
	r.mu.Lock()
	r.push(&e)
	r.mu.Unlock()
}

func (r *Ring) push(e *Event) {
	c := len(r.slots)
	i := (r.head + r.n) % c
	if r.n == c {
		r.text.free(r.total - uint64(r.n) + 1) // the oldest, about to go
		r.names.release(r.slots[r.head].name)
		r.head = (r.head + 1) % c
		r.n--
	}
	summary, frame := fitSpan(e.Summary, e.Raw)
	s := slot{text: r.text.put(r.total+1, raw(summary), frame), summary: uint32(len(summary))}
	loc := time.UTC
	if !e.Time.IsZero() {
		s.flags |= hasTime
		s.sec, s.nsec, loc = e.Time.Unix(), int32(e.Time.Nanosecond()), e.Time.Location()
	}
	s.name = r.names.intern(name{e.Profile, e.Dialect, e.Dir, e.Sub, e.Kind, loc})
	if e.Geo != nil {
		s.flags |= hasGeo
		s.lon, s.lat = e.Geo.Lon, e.Geo.Lat
	}
	if e.Heading != nil {
		s.flags |= hasHeading
		s.heading = *e.Heading
	}
	if e.Speed != nil {
		s.flags |= hasSpeed
		s.spd = *e.Speed
	}
	if frame != nil && len(frame) == 0 {
		s.flags |= emptyRaw // and a frame fitSpan cut to nothing
	}
	r.slots[i] = s
	// A Key or Label cut from the summary or frame (Misskey's label is the start
	// of its summary) would keep the whole of it on the heap: they get their own.
	r.keys[i] = keyLabel{own(e.Key, e.Summary, e.Raw), own(e.Label, e.Summary, e.Raw)}
	r.n++
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

// view fills e with the event at position i, lending the ring's memory: its
// Summary, Raw and Geo, Heading, Speed are the ring's until the next view. Only
// what differs from the last view is written: a write of a pointer costs a
// barrier while the collector runs, and under a firehose it often does.
func (r *Ring) view(i int, e *Event) {
	r.viewHead(i, e)
	r.viewText(i, e)
}

// viewText fills in the summary and the raw frame of the event at position i.
func (r *Ring) viewText(i int, e *Event) {
	s := &r.slots[i]
	text := r.text.bytes(s.text)
	e.Summary = str(text[:s.summary])
	switch {
	case len(text) > int(s.summary):
		e.Raw = text[s.summary:]
	case s.flags&emptyRaw != 0:
		e.Raw = []byte{}
	default:
		e.Raw = nil
	}
}

// viewHead is view without the summary and the raw frame, which it leaves as
// they were.
func (r *Ring) viewHead(i int, e *Event) {
	s := &r.slots[i]
	if nm := &r.names.list[s.name]; e.Profile != nm.profile || e.Dialect != nm.dialect || e.Dir != nm.dir || e.Sub != nm.sub || e.Kind != nm.kind {
		e.Profile, e.Dialect, e.Dir, e.Sub, e.Kind = nm.profile, nm.dialect, nm.dir, nm.sub, nm.kind
	}
	e.Key, e.Label = r.keys[i].key, r.keys[i].label
	e.Time = time.Time{}
	if s.flags&hasTime != 0 {
		e.Time = time.Unix(s.sec, int64(s.nsec)).In(r.names.list[s.name].loc)
	}
	e.Geo, e.Heading, e.Speed = nil, nil, nil
	if s.flags&hasGeo != 0 {
		r.geo = Point{Lon: s.lon, Lat: s.lat}
		e.Geo = &r.geo
	}
	if s.flags&hasHeading != 0 {
		r.dir[0] = s.heading
		e.Heading = &r.dir[0]
	}
	if s.flags&hasSpeed != 0 {
		r.dir[1] = s.spd
		e.Speed = &r.dir[1]
	}
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
	c := len(r.slots)
	for q := seq; q < r.total; q++ {
		r.view((r.head+int(q-oldest))%c, &r.lent)
		dst = append(dst, r.lent.Clone())
	}
	r.lent = Event{}
	return dst, r.total, missed
}

// Clear drops every held event; sequence numbers keep counting.
func (r *Ring) Clear() {
	r.mu.Lock()
	defer r.mu.Unlock()
	clear(r.keys)
	r.text.reset()
	r.names = names{}
	r.head, r.n = 0, 0
}

// Mapped is how many bytes the ring holds outside the Go heap: the arena of the
// events' summaries and frames (with any chunk the system refused to map, which
// the heap holds instead), and the slots. After Clear it is the slots' alone;
// once the events held have no bytes, the arena keeps its newest chunk and the
// spare ones for the next.
func (r *Ring) Mapped() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.text.mapped + r.slotsMapped
}

// Cap is how many events the ring keeps.
func (r *Ring) Cap() int { return len(r.slots) }

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
	r.view((r.head+int(seq-1-oldest))%len(r.slots), &r.lent)
	e := r.lent.Clone()
	r.lent = Event{}
	return e, true
}

// Clone returns e with its own copies of what a reader of Ring.Each is only lent:
// the summary, the raw frame and the values Geo, Heading and Speed point to.
func (e Event) Clone() Event {
	e.Summary = strings.Clone(e.Summary)
	e.Raw = bytes.Clone(e.Raw)
	if e.Geo != nil {
		g := *e.Geo
		e.Geo = &g
	}
	if e.Heading != nil {
		h := *e.Heading
		e.Heading = &h
	}
	if e.Speed != nil {
		s := *e.Speed
		e.Speed = &s
	}
	return e
}

// Each calls f, oldest first, with every held event whose sequence is after seq and
// at most upTo, without copying it: f runs under the ring's lock, so it must be
// quick, must not keep e past the call and must not call the ring. It returns how
// many events after seq were already evicted.
//
// e's Summary, Raw, Geo, Heading and Speed are the ring's memory, reused for the
// next event and once the event leaves the ring: whatever f keeps of them (a copy
// of *e, a map key, a sub-slice) must be copied first — e.Clone() does it for the
// whole event. Its other strings are the reader's to keep.
func (r *Ring) Each(seq, upTo uint64, f func(seq uint64, e *Event)) (missed uint64) {
	return r.each(seq, upTo, false, nil, f)
}

// EachHead is Each for readers that look at the Summary and Raw of few events,
// if any (a filter by profile or kind, the map's positions): text, when not
// nil, is called with each event before f, its Summary empty and Raw nil, and
// says whether f needs them; the others' stay so. What the ring has packed of those stays packed, which makes
// a walk of a full ring about ten times quicker (BenchmarkRingGet). text runs
// under the ring's lock, as f does.
func (r *Ring) EachHead(seq, upTo uint64, text func(e *Event) bool, f func(seq uint64, e *Event)) (missed uint64) {
	return r.each(seq, upTo, true, text, f)
}

// each is Each (head false) and EachHead.
func (r *Ring) each(seq, upTo uint64, head bool, text func(e *Event) bool, f func(seq uint64, e *Event)) (missed uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	oldest := r.total - uint64(r.n)
	if seq < oldest {
		if upTo > seq { // an empty range misses nothing
			missed = min(oldest, upTo) - seq
		}
		seq = oldest
	}
	upTo = min(upTo, r.total)
	c := len(r.slots)
	for q := seq; q < upTo; q++ {
		i := (r.head + int(q-oldest)) % c
		if !head {
			r.view(i, &r.lent)
		} else {
			r.viewHead(i, &r.lent)
			if r.lent.Summary != "" || r.lent.Raw != nil {
				r.lent.Summary, r.lent.Raw = "", nil // not the last event's, for text as for f
			}
			if text != nil && text(&r.lent) {
				r.viewText(i, &r.lent)
			}
		}
		f(q+1, &r.lent)
	}
	r.lent = Event{} // nothing of the last event stays reachable from the ring
	return missed
}

// name is what many events share: interned, a slot holds its index.
type name struct {
	profile, dialect, dir, sub, kind string
	loc                              *time.Location
}

// names interns the names of the held events, counting the events holding each,
// so the table never holds more than the ring does (a feed making up a new kind
// for every frame costs one entry per held event, not one per frame ever seen).
type names struct {
	list  []name
	refs  []int32
	index map[name]uint32
	free  []uint32
	last  uint32 // the index interned last: a feed's next event is mostly the same
}

func (t *names) intern(n name) uint32 {
	if int(t.last) < len(t.list) && t.refs[t.last] > 0 && t.list[t.last] == n {
		t.refs[t.last]++
		return t.last
	}
	if t.index == nil {
		t.index = map[name]uint32{}
	}
	i, ok := t.index[n]
	switch {
	case ok:
		t.refs[i]++
	case len(t.free) > 0:
		i = t.free[len(t.free)-1]
		t.free = t.free[:len(t.free)-1]
		t.list[i], t.refs[i], t.index[n] = n, 1, i
	default:
		i = uint32(len(t.list))
		t.list, t.refs = append(t.list, n), append(t.refs, 1)
		t.index[n] = i
	}
	t.last = i
	return i
}

func (t *names) release(i uint32) {
	if t.refs[i]--; t.refs[i] == 0 {
		delete(t.index, t.list[i])
		t.list[i] = name{}
		t.free = append(t.free, i)
	}
}
