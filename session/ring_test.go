package session_test

import (
	"bytes"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/feedscope/feedscope/session"
)

// Readers address the ring by sequence number: Get copies one event, Each walks a
// range in place and says how many of it were already overwritten.
func TestRingBySequence(t *testing.T) {
	r := session.NewRing(3)
	for i := 1; i <= 5; i++ {
		r.Publish(session.Event{Summary: fmt.Sprint(i)})
	}
	if before, newest := r.Bounds(); before != 2 || newest != 5 || r.Cap() != 3 {
		t.Fatalf("bounds %d %d", before, newest)
	}
	if _, ok := r.Get(2); ok {
		t.Fatal("an overwritten event was returned")
	}
	if e, ok := r.Get(4); !ok || e.Summary != "4" {
		t.Fatalf("get 4: %+v %v", e, ok)
	}
	if _, ok := r.Get(6); ok {
		t.Fatal("an event from the future")
	}
	var seen []string
	missed := r.Each(0, 4, func(seq uint64, e *session.Event) { seen = append(seen, fmt.Sprint(seq, "=", e.Summary)) })
	if missed != 2 || fmt.Sprint(seen) != "[3=3 4=4]" {
		t.Fatalf("each: missed %d saw %v", missed, seen)
	}
	seen = nil
	if missed := r.Each(4, 99, func(seq uint64, e *session.Event) { seen = append(seen, e.Summary) }); missed != 0 || fmt.Sprint(seen) != "[5]" {
		t.Fatalf("each after 4: missed %d saw %v", missed, seen)
	}
	if missed := r.Each(0, 1, func(uint64, *session.Event) { t.Fatal("called for an overwritten event") }); missed != 1 {
		t.Fatalf("a range wholly overwritten: missed %d", missed)
	}
	if missed := r.Each(1, 0, func(uint64, *session.Event) { t.Fatal("called for an empty range") }); missed != 0 {
		t.Fatalf("a range ending before it starts, from an overwritten event: missed %d", missed)
	}
}

// frameOf is the frame of the event with sequence seq: its bytes name seq and its
// length varies with it, so a reader handed another event's bytes (a chunk reused
// too early) sees the difference.
func frameOf(seq uint64) []byte { return appendFrame(nil, seq) }

var pad = strings.Repeat("x", 1500)

func appendFrame(b []byte, seq uint64) []byte {
	b = strconv.AppendUint(append(b, `{"seq":`...), seq, 10)
	b = append(append(append(b, `,"pad":"`...), pad[:seq*7919%1500]...), `","end":`...)
	return append(strconv.AppendUint(b, seq, 10), '}')
}

func summaryOf(seq uint64) string {
	return "event " + strconv.FormatUint(seq, 10) + " · " + strings.Repeat("é", int(seq%40))
}

// publishFrames publishes the events from…to from one reused buffer: the ring
// keeps its own copy.
func publishFrames(r *session.Ring, from, to uint64) {
	var frame []byte
	for seq := from; seq <= to; seq++ {
		frame = appendFrame(frame[:0], seq)
		r.Publish(session.Event{Dir: session.DirIn, Kind: "note", Summary: summaryOf(seq), Raw: frame})
	}
}

func checkEvent(t *testing.T, seq uint64, e *session.Event) {
	t.Helper()
	if e.Summary != summaryOf(seq) || !bytes.Equal(e.Raw, frameOf(seq)) {
		t.Fatalf("event %d holds another's bytes: %.40q %.60s", seq, e.Summary, e.Raw)
	}
}

// The ring keeps its capacity of events through many wraps, each with its own
// summary and frame intact (the oldest too), while the arena holding them stays
// near their size; a frame larger than a chunk has a chunk of its own.
func TestRingKeepsEveryHeldEventsBytes(t *testing.T) {
	r := session.NewRing(session.DefaultRingCap)
	r.PackAtOnce()
	slots := r.Mapped() // the events' fixed parts, mapped once
	if slots > 100*session.DefaultRingCap {
		t.Errorf("%d bytes for the slots of %d events", slots, session.DefaultRingCap)
	}
	publishFrames(r, 1, 120_000)
	huge := append(append([]byte(`"`), bytes.Repeat([]byte("h"), 3<<20)...), '"')
	r.Publish(session.Event{Summary: "huge", Raw: huge})
	publishFrames(r, 120_002, 200_000)

	before, newest := r.Bounds()
	if newest-before != session.DefaultRingCap || newest != 200_000 {
		t.Fatalf("held %d…%d", before+1, newest)
	}
	if e, ok := r.Get(120_001); !ok || e.Summary != "huge" || !bytes.Equal(e.Raw, huge) {
		t.Fatal("the frame larger than a chunk was not kept whole")
	}
	oldest, ok := r.Get(before + 1)
	if !ok {
		t.Fatal("the oldest held event is gone")
	}
	checkEvent(t, before+1, &oldest)
	var held int
	r.Each(before, newest, func(seq uint64, e *session.Event) {
		if seq != 120_001 {
			checkEvent(t, seq, e)
		}
		held += len(e.Summary) + len(e.Raw)
	})
	// These frames are mostly padding: packed, the arena holds far less than them.
	if m := r.Mapped() - slots; m <= 0 || m > held/4 {
		t.Errorf("the arena maps %d bytes for %d held", m, held)
	}
	r.Clear()
	if m := r.Mapped() - slots; m != 0 {
		t.Errorf("%d bytes of the arena still mapped after Clear", m)
	}
	publishFrames(r, 200_001, 200_010)
	r.Each(0, 200_010, func(seq uint64, e *session.Event) { checkEvent(t, seq, e) })
}

// Events in packed chunks read back as they were written in any order (each read
// may unpack another chunk into the buffer the one before it used), and frames
// that do not compress are kept as they are, as many bytes as they hold.
func TestRingPackedChunksReadBack(t *testing.T) {
	r := session.NewRing(50_000)
	r.PackAtOnce()
	slots := r.Mapped()
	publishFrames(r, 1, 50_000)
	for i, seq := range []uint64{1, 40_000, 2, 25_000, 39_999, 3, 50_000, 1} {
		e, ok := r.Get(seq)
		if !ok {
			t.Fatalf("read %d: event %d not held", i, seq)
		}
		checkEvent(t, seq, &e)
	}
	var seen int
	r.Each(0, 50_000, func(seq uint64, e *session.Event) { checkEvent(t, seq, e); seen++ })
	if seen != 50_000 {
		t.Fatalf("each saw %d", seen)
	}

	// Frames longer than a segment, among others, in chunks of their own size
	// and not: each reads back whole.
	long := func(seq uint64) []byte {
		return append(append([]byte(`"`), strings.Repeat(strconv.FormatUint(seq, 10)+" ", 100_000*int(1+seq%3)/8)...), '"')
	}
	for seq := uint64(50_001); seq <= 50_400; seq++ {
		if seq%40 == 0 {
			r.Publish(session.Event{Summary: "long", Raw: long(seq)})
			continue
		}
		r.Publish(session.Event{Summary: summaryOf(seq), Raw: frameOf(seq)})
	}
	publishFrames(r, 50_401, 60_000)
	r.Each(50_000, 50_400, func(seq uint64, e *session.Event) {
		if seq%40 == 0 {
			if e.Summary != "long" || !bytes.Equal(e.Raw, long(seq)) {
				t.Fatalf("long frame %d changed", seq)
			}
			return
		}
		checkEvent(t, seq, e)
	})
	for _, seq := range []uint64{50_040, 50_200, 50_080, 50_041} {
		e, _ := r.Get(seq)
		if seq%40 == 0 && !bytes.Equal(e.Raw, long(seq)) || seq%40 != 0 && !bytes.Equal(e.Raw, frameOf(seq)) {
			t.Fatalf("frame %d read alone changed", seq)
		}
	}

	// Random bytes: Snappy cannot shrink them, so no chunk is packed.
	rnd := make([]byte, 1000)
	state := uint64(1)
	frameAt := func(seq uint64) []byte {
		state = seq * 0x9E3779B97F4A7C15
		for i := range rnd {
			state ^= state << 13
			state ^= state >> 7
			state ^= state << 17
			rnd[i] = byte(state)
		}
		return rnd
	}
	noise := session.NewRing(10_000)
	noise.PackAtOnce()
	noiseSlots := noise.Mapped()
	for seq := uint64(1); seq <= 10_000; seq++ {
		noise.Publish(session.Event{Summary: summaryOf(seq), Raw: frameAt(seq)})
	}
	held := 0
	noise.Each(0, 10_000, func(seq uint64, e *session.Event) {
		if e.Summary != summaryOf(seq) || !bytes.Equal(e.Raw, frameAt(seq)) {
			t.Fatalf("noise event %d changed", seq)
		}
		held += len(e.Summary) + len(e.Raw)
	})
	if m := noise.Mapped() - noiseSlots; m < held || m > held+4<<20 {
		t.Errorf("the arena maps %d bytes for %d held of noise", m, held)
	}
	if m := r.Mapped() - slots; m > 10<<20 {
		t.Errorf("the arena maps %d bytes for 50 000 padded frames", m)
	}
}

// A ring that turns over within PackAfter leaves its chunks plain (packing them
// would cost CPU for bytes about to leave); once it keeps its events longer, it
// packs each chunk as it leaves the newest and catches up on the ones it left.
func TestRingPacksWhatItKeeps(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	r := session.NewRing(20_000)
	r.SetClock(func() time.Time { return now })
	slots := r.Mapped()
	publishFrames(r, 1, 60_000) // three turns at one instant
	var held int
	r.Each(0, 60_000, func(seq uint64, e *session.Event) { held += len(e.Summary) + len(e.Raw) })
	if m := r.Mapped() - slots; m < held {
		t.Fatalf("a ring turning over at once packed: %d bytes mapped for %d held", m, held)
	}
	now = now.Add(session.PackAfter) // the oldest chunk now was begun long enough ago
	publishFrames(r, 60_001, 63_000) // a few chunks begun
	partly := r.Mapped() - slots
	if partly >= held {
		t.Fatalf("the ring kept %d bytes plain once it kept its events %v", partly, session.PackAfter)
	}
	publishFrames(r, 63_001, 70_000)
	if m := r.Mapped() - slots; m >= partly || m > held/4+3<<20 { // the newest three chunks stay plain
		t.Fatalf("the ring packed %d → %d bytes of %d held, not catching up", partly, m, held)
	}
	r.Each(0, 70_000, func(seq uint64, e *session.Event) { checkEvent(t, seq, e) })
}

// EachHead hands out what Each does but the summaries and frames, except those
// of the events its text function asks for.
func TestRingEachHead(t *testing.T) {
	r := session.NewRing(30_000)
	r.PackAtOnce()
	publishFrames(r, 1, 30_000)
	r.Publish(session.Event{Dir: session.DirState, Profile: "p", Kind: "open", Summary: "connected", Key: "k", Geo: &session.Point{Lon: 1, Lat: 2}})
	var all []session.Event
	r.Each(0, 30_001, func(_ uint64, e *session.Event) { all = append(all, e.Clone()) })
	n := 0
	r.EachHead(0, 30_001, func(e *session.Event) bool { return e.Dir == session.DirState }, func(seq uint64, e *session.Event) {
		want := all[seq-30_001+uint64(len(all))-1]
		if e.Dir != session.DirState {
			want.Summary, want.Raw = "", nil
		}
		if !reflect.DeepEqual(*e, want) {
			t.Fatalf("event %d: %+v, want %+v", seq, *e, want)
		}
		n++
	})
	if n != len(all) {
		t.Fatalf("EachHead saw %d of %d", n, len(all))
	}
	r.EachHead(29_990, 30_001, nil, func(seq uint64, e *session.Event) {
		if e.Summary != "" || e.Raw != nil {
			t.Fatalf("event %d kept its text: %q", seq, e.Summary)
		}
	})
}

// What Get and Since hand out is the reader's own: the ring wrapping past it does
// not change it.
func TestRingCopiesOutlastTheRing(t *testing.T) {
	r := session.NewRing(100)
	publishFrames(r, 1, 100)
	kept, _ := r.Get(1)
	all, _, _ := r.Since(0, nil)
	publishFrames(r, 101, 5000) // enough to fill every chunk and reuse it
	checkEvent(t, 1, &kept)
	for i := range all {
		checkEvent(t, uint64(i+1), &all[i])
	}
	var cloned session.Event
	r.Each(4999, 5000, func(_ uint64, e *session.Event) { cloned = e.Clone() })
	publishFrames(r, 5001, 10_000)
	checkEvent(t, 5000, &cloned)
}

// Readers walking and copying while sessions publish always see each event's own
// bytes (run with -race: the ring's lock orders every access to the arena), in
// a ring whose events fit in one chunk and in one that packs its history (its
// readers unpack old segments while the writers pack more). With several
// publishers the ring numbers the events, so each event names its own id and
// its frame must match that id.
func TestRingConcurrentReaders(t *testing.T) {
	for _, c := range []struct {
		name          string
		capacity, per int // events held, published by each writer
		packs         bool
	}{{"plain", 500, 4000, false}, {"packed", 5000, 2500, true}} {
		t.Run(c.name, func(t *testing.T) {
			r := session.NewRing(c.capacity)
			if c.packs {
				r.PackAtOnce()
			}
			concurrentReaders(t, r, c.per)
			if shape, err := r.CheckArena(); err != nil || c.packs != (shape.Packed > 0) {
				t.Fatalf("%d chunks packed (%v)", shape.Packed, err)
			}
		})
	}
}

func concurrentReaders(t *testing.T, r *session.Ring, per int) {
	var ids atomic.Uint64
	var writers, readers sync.WaitGroup
	for range 3 {
		writers.Go(func() {
			for range per {
				id := ids.Add(1)
				r.Publish(session.Event{Summary: summaryOf(id), Raw: frameOf(id)})
			}
		})
	}
	done := make(chan struct{})
	check := func(e *session.Event) {
		num, _, _ := strings.Cut(strings.TrimPrefix(e.Summary, "event "), " ")
		id, err := strconv.ParseUint(num, 10, 64)
		if err != nil || !bytes.Equal(e.Raw, frameOf(id)) || e.Summary != summaryOf(id) {
			t.Errorf("an event holds another's bytes: %.40q %.60s", e.Summary, e.Raw)
		}
	}
	for range 2 {
		readers.Go(func() {
			var batch []session.Event
			for {
				select {
				case <-done:
					return
				default:
				}
				before, newest := r.Bounds()
				r.Each(before, min(newest, before+500), func(_ uint64, e *session.Event) { check(e) })
				if e, ok := r.Get(before + 1); ok {
					check(&e)
				}
				batch, _, _ = r.Since(max(newest, 50)-50, batch[:0])
				for i := range batch {
					check(&batch[i])
				}
			}
		})
	}
	writers.Wait()
	close(done)
	readers.Wait()
	if _, total := r.Len(); total != uint64(3*per) {
		t.Fatalf("%d published", total)
	}
}

// Every field comes back as it went in (the time in its own zone, a zero time,
// positions, an empty but present frame), through Get and through Each, and a
// feed that makes up a new kind for every frame does not grow the ring's table of
// names past what it holds.
func TestRingKeepsEveryField(t *testing.T) {
	r := session.NewRing(50)
	heading, speed := 271.5, 12.25
	zone := time.FixedZone("", 2*3600)
	at := time.Date(2026, 3, 1, 12, 0, 0, 123456789, zone)
	in := session.Event{Time: at, Profile: "p", Dialect: "gotham", Dir: session.DirIn, Sub: "3", Kind: "track",
		Summary: "vessel", Geo: &session.Point{Lon: -77.05, Lat: 38.87}, Key: "t-1", Label: "Potomac Queen",
		Heading: &heading, Speed: &speed, Raw: []byte(`{"id":"t-1"}`)}
	r.Publish(in)
	r.Publish(session.Event{Summary: "no time", Raw: []byte{}})
	got, _ := r.Get(1)
	if !reflect.DeepEqual(got, in) || got.Time.Location() != zone || got.Geo == in.Geo {
		t.Fatalf("got %+v\nwant %+v", got, in)
	}
	if e, _ := r.Get(2); !e.Time.IsZero() || e.Raw == nil || len(e.Raw) != 0 || e.Geo != nil || e.Speed != nil {
		t.Fatalf("the second event came back as %+v", e)
	}
	var lent session.Event
	r.Each(0, 1, func(_ uint64, e *session.Event) { lent = e.Clone() })
	r.Each(1, 2, func(uint64, *session.Event) {}) // reuses what Each lends
	if !reflect.DeepEqual(lent, in) {
		t.Fatalf("cloned %+v", lent)
	}
	for i := range 10_000 {
		r.Publish(session.Event{Kind: "made-up-" + strconv.Itoa(i), Summary: "x"})
	}
	if n := r.NamesHeld(); n > r.Cap() {
		t.Fatalf("%d names for %d events held", n, r.Cap())
	}
}

// A chunk emptied by the ring evicting every event with bytes in it starts again
// as a new one, begun when it is filled again: a ring that held little for a
// while and then turns over at once does not pack it as if it kept its events
// since the chunk was first begun.
func TestRingEmptiedChunkBegunAgain(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	r := session.NewRing(4)
	r.SetClock(func() time.Time { return now })
	r.Publish(session.Event{Summary: "early", Raw: frameOf(1)})
	for range 4 {
		r.Publish(session.Event{Kind: "state"}) // no bytes: the chunk empties
	}
	now = now.Add(time.Minute)
	frame := bytes.Repeat([]byte("a compressible frame "), 600<<10/21)
	for i := range 4 { // a chunk each, filled at one instant
		r.Publish(session.Event{Summary: "now", Raw: frame})
		if shape, _ := r.CheckArena(); shape.Packed > 0 {
			t.Fatalf("a ring turning over at once packed %d chunks at its event %d", shape.Packed, i+1)
		}
	}
	now = now.Add(session.PackAfter)
	r.Publish(session.Event{Summary: "later", Raw: frame})
	if shape, _ := r.CheckArena(); shape.Packed == 0 {
		t.Fatal("a ring keeping its events longer than PackAfter did not pack")
	}
}
