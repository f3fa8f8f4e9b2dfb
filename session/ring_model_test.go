package session_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/feedscope/feedscope/session"
)

// The ring agrees with the simplest model of it, the last Cap events published
// kept whole, through random sequences of publishing (frames of every size from
// nothing to past a chunk, compressible and not, nil and empty), reading back
// (Get, Since, Each over any range), Clear, clock jumps and refused mappings;
// and after every step its arena's own accounting holds (Ring.CheckArena) and
// its mappings stay within what the held events need. The mappings are the
// test's: what the arena gives back is poisoned, so a read of a chunk released
// or reused too early shows up as other bytes.
func TestRingAgreesWithModel(t *testing.T) {
	rnd := rand.New(rand.NewPCG(11, 12))
	var seen ringStats
	for run := range 16 {
		ops := make([]byte, 160+rnd.IntN(160))
		for i := range ops {
			ops[i] = byte(rnd.Uint32())
		}
		t.Run(fmt.Sprint(run), func(t *testing.T) { seen.add(runRing(t, ops)) })
	}
	// The runs went where the bugs would be.
	if seen.packed == 0 || seen.onHeap == 0 || seen.huge == 0 || seen.clears == 0 || seen.evictedAll == 0 {
		t.Errorf("the runs never %+v", seen)
	}
	t.Logf("%+v", seen)
}

// ringStats is what a run of runRing reached: the steps after which the arena
// held packed chunks, chunks on the heap, a chunk larger than chunkSize; how
// often it was cleared or held no bytes with events held; bytes published.
type ringStats struct{ packed, onHeap, huge, clears, evictedAll, published int }

func (s *ringStats) add(o ringStats) {
	s.packed += o.packed
	s.onHeap += o.onHeap
	s.huge += o.huge
	s.clears += o.clears
	s.evictedAll += o.evictedAll
	s.published += o.published
}

// FuzzRing runs runRing on the fuzzer's byte strings; `go test` runs only these
// seeds, `make fuzz` searches further.
func FuzzRing(f *testing.F) {
	// Publish a burst of each kind of event, read everything back, clear, again.
	f.Add([]byte{0, 5, 0, 1, 9, 3, 0, 0, 20, 3, 0, 4, 9, 3, 0, 0, 30, 3, 0, 6, 1, 2, 3, 5, 0, 0, 5, 250, 250, 7, 0, 40, 3})
	f.Add([]byte{11, 1, 0, 0, 7, 6, 0, 3, 8, 0, 2, 5, 5, 200, 5, 0, 250, 7, 0, 9, 2, 0, 0, 9, 6, 5, 0, 0, 255})
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 3 {
		ops := make([]byte, 200)
		for i := range ops {
			ops[i] = byte(rnd.Uint32())
		}
		f.Add(ops)
	}
	f.Fuzz(func(t *testing.T, ops []byte) {
		runRing(t, ops[:min(len(ops), 256)]) // the minimizer runs an input thousands of times
	})
}

// opReader hands out the bytes of a sequence of operations, zeros past its end.
type opReader struct{ b []byte }

func (o *opReader) next() int {
	if len(o.b) == 0 {
		return 0
	}
	v := o.b[0]
	o.b = o.b[1:]
	return int(v)
}

func (o *opReader) next16() int { return o.next()<<8 | o.next() }

// heldEvent is what the model keeps of one published event.
type heldEvent struct {
	kind, summary, key, label string
	raw                       []byte
}

const page, chunkSize = 4096, 1 << 20

var modelKinds = []string{"note", "track", "state"}

// The bytes events are cut from: random ones, which Snappy cannot shrink, and
// JSON-like text, which it can.
var pools = sync.OnceValues(func() (noise, text []byte) {
	noise = make([]byte, 3<<20)
	var seed [32]byte
	rand.NewChaCha8(seed).Read(noise)
	var b strings.Builder
	for i := 0; b.Len() < 3<<20; i++ {
		fmt.Fprintf(&b, `{"id":"n%05d","user":{"name":"user %d","host":null},"text":"note number %d, のテキスト","cw":null},`, i%997, i%31, i)
	}
	return noise, []byte(b.String())
})

// frame makes the frame of event seq in buf: n bytes cut from a pool, its
// sequence written at both ends so that another event's bytes never pass for it.
func frame(buf []byte, seq uint64, n int, noisy bool) []byte {
	noise, pool := pools()
	if noisy {
		pool = noise
	}
	off := int(seq*7919) % (len(pool) - n)
	buf = append(buf[:0], pool[off:off+n]...)
	if n >= 16 {
		binary.LittleEndian.PutUint64(buf, seq)
		binary.LittleEndian.PutUint64(buf[n-8:], seq)
	}
	return buf
}

var poison = [page]byte{0: 0xA5, page - 1: 0xA5}

// testMapper stands in for mmap: it counts what is mapped, refuses while fail
// is set, and poisons what is given back.
type testMapper struct {
	t    testing.TB
	live map[*byte]int
	held int
	fail bool
}

func (m *testMapper) mmap(size int) ([]byte, bool) {
	if m.fail {
		return nil, false
	}
	size = (size + page - 1) / page * page
	mem := make([]byte, size)
	m.live[&mem[0]] = size
	m.held += size
	return mem, true
}

func (m *testMapper) munmap(mem []byte) {
	n, ok := m.live[&mem[0]]
	if !ok || n != len(mem) {
		m.t.Fatalf("munmap of %d bytes that were not a mapping (%d, %v)", len(mem), n, ok)
	}
	delete(m.live, &mem[0])
	m.held -= n
	for len(mem) > 0 {
		mem = mem[copy(mem, poison[:]):]
	}
}

// runRing drives one ring through the operations ops spells and checks it
// against the model after every one.
func runRing(t *testing.T, ops []byte) (stats ringStats) {
	o := &opReader{ops}
	capacity := []int{1, 3, 40, 700, 2500}[o.next()%5]
	r := session.NewRing(capacity)
	now := time.Unix(1_700_000_000, 0)
	r.SetClock(func() time.Time { return now })
	m := &testMapper{t: t, live: map[*byte]int{}}
	r.SetMapper(m.mmap, m.munmap)
	slots := r.Mapped()

	var (
		model   []heldEvent // the events held, oldest first
		total   uint64
		maxEver int // the largest event published since the last Clear
		big     int // events held larger than a segment: the model keeps them, so few
		buf     []byte
		kept    []session.Event // copies handed out by Get and Since
		keptOf  []heldEvent     // what each is a copy of
	)
	var checkAs func(what string, seq uint64, e *session.Event, w heldEvent)
	want := func(seq uint64) heldEvent { return model[len(model)-int(total-seq)-1] }
	before := func() uint64 { return total - uint64(len(model)) }
	check := func(what string, seq uint64, e *session.Event) {
		t.Helper()
		checkAs(what, seq, e, want(seq))
	}
	checkAs = func(what string, seq uint64, e *session.Event, w heldEvent) {
		t.Helper()
		if e.Kind != w.kind || e.Summary != w.summary || !bytes.Equal(e.Raw, w.raw) || (e.Raw == nil) != (w.raw == nil) || e.Key != w.key || e.Label != w.label {
			t.Fatalf("%s: event %d came back as %.30q %d bytes (nil %v) key %q label %q, want %.30q %d bytes (nil %v) key %q label %q",
				what, seq, e.Summary, len(e.Raw), e.Raw == nil, e.Key, e.Label, w.summary, len(w.raw), w.raw == nil, w.key, w.label)
		}
	}
	publish := func(class int, rnd *rand.Rand) {
		seq := total + 1
		var e session.Event
		n := 0 // the frame's length
		switch class {
		case 0: // nothing at all
		case 1: // a summary, no frame
			e.Summary = "state " + fmt.Sprint(seq)
		case 2: // an empty frame
			e.Raw = []byte{}
		case 3, 4:
			n = 1 + rnd.IntN(3000)
		case 5: // across segments
			n = 20_000 + rnd.IntN(200_000)
		case 6: // a chunk's size, or just off it
			n = chunkSize - 1 + rnd.IntN(3)
		case 7: // larger than a chunk
			n = chunkSize + rnd.IntN(1_500_000)
		default:
			n = 1 + rnd.IntN(40)
		}
		if n > 64<<10 && (big >= 4 || stats.published > 6<<20) {
			n %= 3000 // the model holds a few large frames at most; the test stays quick
		}
		if n > 0 {
			buf = frame(buf, seq, n, rnd.IntN(2) == 0)
			e.Raw = buf
			if rnd.IntN(4) != 0 {
				e.Summary = fmt.Sprintf("event %d · %s", seq, strings.Repeat("é", rnd.IntN(50)))
			}
		}
		stats.published += n
		if rnd.IntN(3) == 0 && len(e.Summary) > 4 {
			e.Key, e.Label = "k"+fmt.Sprint(seq%7), e.Summary[:4] // a label cut from the summary
		}
		e.Kind = modelKinds[rnd.IntN(len(modelKinds))]
		w := heldEvent{kind: e.Kind, summary: e.Summary, key: e.Key, label: e.Label, raw: bytes.Clone(e.Raw)}
		if e.Raw != nil && len(e.Raw) == 0 {
			w.raw = []byte{}
		}
		r.Publish(e)
		clear(buf) // the ring keeps its own copy
		if len(model) == capacity {
			if len(model[0].raw) > 64<<10 {
				big--
			}
			model = model[1:]
		}
		if len(w.raw) > 64<<10 {
			big++
		}
		model = append(model, w)
		total++
		maxEver = max(maxEver, len(e.Summary)+len(e.Raw))
	}
	randomSeq := func() uint64 { // one of the held, or near either end
		var at int64
		switch v := o.next16(); v % 3 {
		case 0:
			at = int64(before()) + int64(v/3%7) - 3
		case 1:
			at = int64(total) + int64(v/3%7) - 3
		default:
			at = int64(before()) + int64(v/3%(len(model)+1))
		}
		return uint64(max(0, at))
	}

	for len(o.b) > 0 {
		switch op := o.next(); op % 12 {
		case 0, 1, 2, 3: // a burst of events of one kind
			n, class := 1+o.next()%8, o.next()%9
			if op%4 == 0 && class < 5 { // enough small events to fill chunks
				n = 1 + o.next16()%1500
			}
			rnd := rand.New(rand.NewPCG(total, uint64(o.next())))
			for range n {
				publish(class, rnd)
			}
		case 4: // one event, through Get
			seq := randomSeq()
			e, ok := r.Get(seq)
			if held := seq > before() && seq <= total; ok != held {
				t.Fatalf("get %d of %d…%d: %v", seq, before()+1, total, ok)
			} else if ok {
				check("get", seq, &e)
				kept, keptOf = append(kept, e), append(keptOf, want(seq))
			}
		case 5, 6: // a range, through Each
			seq, upTo := randomSeq(), randomSeq()
			if op%2 == 0 {
				seq, upTo = 0, total
			}
			next := max(seq, before()) + 1
			each := func(q uint64, e *session.Event) {
				if q != next {
					t.Fatalf("each %d…%d: event %d after %d", seq, upTo, q, next-1)
				}
				check("each", q, e)
				next++
			}
			var missed uint64
			if v := o.next(); v%2 == 0 {
				missed = r.Each(seq, upTo, each)
			} else { // the text of one kind only, or of none
				textOf := modelKinds[v/2%len(modelKinds)]
				var text func(*session.Event) bool
				if v/2%(len(modelKinds)+1) != len(modelKinds) {
					text = func(e *session.Event) bool {
						if e.Summary != "" || e.Raw != nil {
							t.Fatalf("eachHead %d…%d: text is handed a summary %.30q and %d bytes of frame", seq, upTo, e.Summary, len(e.Raw))
						}
						return e.Kind == textOf
					}
				}
				missed = r.EachHead(seq, upTo, text, func(q uint64, e *session.Event) {
					if w := want(q); text == nil || w.kind != textOf {
						w.summary, w.raw = "", nil
						checkAs("eachHead", q, e, w)
						next++
						return
					}
					each(q, e)
				})
			}
			if end := min(upTo, total); next <= end {
				t.Fatalf("each %d…%d stopped after %d", seq, upTo, next-1)
			}
			if w := uint64(max(0, int64(min(before(), upTo))-int64(seq))); missed != w {
				t.Fatalf("each %d…%d with %d…%d held: missed %d, want %d", seq, upTo, before()+1, total, missed, w)
			}
		case 7: // what came after a sequence, through Since
			seq := randomSeq()
			got, last, missed := r.Since(seq, nil)
			from := max(seq, before())
			if w := uint64(max(0, int64(before())-int64(seq))); last != total || missed != w || len(got) != int(total-min(from, total)) {
				t.Fatalf("since %d of %d…%d: %d events up to %d, missed %d", seq, before()+1, total, len(got), last, missed)
			}
			for i := range got {
				check("since", from+1+uint64(i), &got[i])
			}
			if len(got) > 0 {
				kept, keptOf = append(kept, got[len(got)/2]), append(keptOf, want(from+1+uint64(len(got)/2)))
			}
		case 8:
			r.Clear()
			model, big, maxEver = nil, 0, 0
			stats.clears++
			if got := r.Mapped(); got != slots {
				t.Fatalf("Clear left %d bytes mapped, the slots are %d", got, slots)
			}
		case 9: // the clock jumps, forward or back
			now = now.Add(time.Duration(o.next()%40-8) * session.PackAfter / 8)
		case 10:
			if o.next()%2 == 0 {
				r.PackAtOnce()
			} else {
				r.SetPackAfter(session.PackAfter)
			}
		case 11: // the system refuses mappings for a while
			m.fail = o.next()%3 == 0
		}

		shape, err := r.CheckArena()
		if err != nil {
			t.Fatal(err)
		}
		arena := r.Mapped() - slots
		if arena-shape.OnHeap != m.held {
			t.Fatalf("the arena says it maps %d bytes (%d on the heap), the system holds %d", arena, shape.OnHeap, m.held)
		}
		if b, n := r.Bounds(); b != before() || n != total {
			t.Fatalf("bounds %d…%d, the model holds %d…%d", b+1, n, before()+1, total)
		}
		stats.packed += min(shape.Packed, 1)
		stats.onHeap += min(shape.OnHeap, 1)
		stats.huge += min(shape.Huge, 1)
		held, withText := 0, 0
		for _, e := range model {
			if n := len(e.summary) + len(e.raw); n > 0 {
				held += n
				withText++
			}
		}
		// Every chunk but the oldest and the newest holds only held events, and
		// wastes less than the event that did not fit in it; a page rounds each.
		limit := 2*held + 2*max(1<<20, maxEver) + 2<<20 + page*(withText+4)
		if withText == 0 {
			if before() > 0 && len(model) > 0 {
				stats.evictedAll++
			}
			limit = max(1<<20, maxEver) + page + 2<<20 // the newest chunk, emptied, and the spares
		}
		if arena > limit {
			t.Fatalf("the arena maps %d bytes for %d held in %d events (largest since Clear %d)", arena, held, withText, maxEver)
		}
	}
	r.Clear()
	if len(m.live) != 0 || r.Mapped() != slots {
		t.Fatalf("after Clear, %d mappings (%d bytes) are not given back; Mapped %d, the slots %d", len(m.live), m.held, r.Mapped(), slots)
	}
	for i, e := range kept { // the copies handed out are the reader's own
		if w := keptOf[i]; e.Summary != w.summary || !bytes.Equal(e.Raw, w.raw) {
			t.Fatalf("copy %d of %d changed", i, len(kept))
		}
	}
	return stats
}
