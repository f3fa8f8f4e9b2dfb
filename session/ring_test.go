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
	if m := r.Mapped() - slots; m < held || m > held+4<<20 {
		t.Errorf("the arena maps %d bytes for %d held", m, held)
	}
	r.Clear()
	if m := r.Mapped() - slots; m != 0 {
		t.Errorf("%d bytes of the arena still mapped after Clear", m)
	}
	publishFrames(r, 200_001, 200_010)
	r.Each(0, 200_010, func(seq uint64, e *session.Event) { checkEvent(t, seq, e) })
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
// bytes (run with -race: the ring's lock orders every access to the arena). With
// several publishers the ring numbers the events, so each event names its own id
// and its frame must match that id.
func TestRingConcurrentReaders(t *testing.T) {
	r := session.NewRing(500)
	var ids atomic.Uint64
	var writers, readers sync.WaitGroup
	for range 3 {
		writers.Go(func() {
			for range 4000 {
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
				r.Each(before, newest, func(_ uint64, e *session.Event) { check(e) })
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
	if _, total := r.Len(); total != 12_000 {
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
