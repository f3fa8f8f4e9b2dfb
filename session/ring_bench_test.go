package session_test

import (
	"bytes"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/misskey"
)

// BenchmarkRingRetained is what holding a full ring costs per retained event: the
// Go heap the collector paces on (heap-B/event: it lets the heap grow to about
// twice that before it collects), the memory outside it (arena-B/event: the
// slots and the packed chunks) and the allocations left per event. Frames
// arrive as the reader makes them, in 64 KB slabs, with a summary string each,
// as a dialect decodes them. The notes are 4096 distinct ones of the demo's
// generator; random-text has each note's text replaced by random letters, as
// little as prose can compress.
func BenchmarkRingRetained(b *testing.B) {
	notes := misskey.FirehoseFrames("1", 4096)
	b.Run("notes", func(b *testing.B) { benchRetained(b, notes) })
	random := make([][]byte, len(notes))
	rnd := rand.New(rand.NewPCG(1, 2))
	for i, f := range notes {
		f = bytes.Clone(f)
		if at := bytes.Index(f, []byte(`"text":"`)); at >= 0 {
			text := f[at+len(`"text":"`):]
			for j := 0; j < len(text) && text[j] != '"'; j++ {
				text[j] = "abcdefghijklmnopqrstuvwxyz     "[rnd.IntN(31)]
			}
		}
		random[i] = f
	}
	b.Run("random-text", func(b *testing.B) { benchRetained(b, random) })
}

func benchRetained(b *testing.B, frames [][]byte) {
	const held = session.DefaultRingCap
	var heap, arena, allocs float64
	for b.Loop() {
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		r := session.NewRing(held)
		r.PackAtOnce() // as a ring keeping its events longer than this benchmark takes
		var slab []byte
		for i := range 2 * held {
			f := frames[i%len(frames)]
			if cap(slab)-len(slab) < len(f) {
				slab = make([]byte, 0, 64<<10)
			}
			start := len(slab)
			slab = append(slab, f...)
			// A decoder's summary is its own string, the label a part of it (Misskey's).
			summary := string(f[40:120])
			r.Publish(session.Event{Dir: session.DirIn, Profile: "p", Dialect: "misskey", Kind: "note", Sub: "1",
				Summary: summary, Key: string(f[20:30]), Label: summary[:8], Raw: slab[start:len(slab):len(slab)]})
		}
		slab = nil
		runtime.GC()
		runtime.ReadMemStats(&m1)
		heap = float64(int64(m1.HeapAlloc)-int64(m0.HeapAlloc)) / held
		arena = float64(r.Mapped()) / held
		allocs = float64(m1.Mallocs-m0.Mallocs) / (2 * held)
		runtime.KeepAlive(r)
	}
	b.ReportMetric(heap, "heap-B/event")
	b.ReportMetric(arena, "arena-B/event")
	b.ReportMetric(allocs, "allocs/event")
}

// BenchmarkRingGet is what reading held events costs: one in the newest, plain
// chunks; all of them in order, as a filter typed reads them, with their text
// and without (EachHead, a filter by field); one in a packed
// chunk whose segments no recent read unpacked (each read a different chunk's),
// the table's worst case when a sparse filter's rows are scattered through the
// history.
func BenchmarkRingGet(b *testing.B) {
	notes := misskey.FirehoseFrames("1", 4096)
	r := session.NewRing(session.DefaultRingCap)
	r.PackAtOnce()
	for i := range session.DefaultRingCap {
		f := notes[i%len(notes)]
		r.Publish(session.Event{Dir: session.DirIn, Kind: "note", Summary: string(f[40:120]), Raw: f})
	}
	before, newest := r.Bounds()
	b.Run("plain", func(b *testing.B) {
		for b.Loop() {
			if _, ok := r.Get(newest); !ok {
				b.Fatal("not held")
			}
		}
	})
	b.Run("each-all", func(b *testing.B) { // a filter typed: every held event read
		var n int
		for b.Loop() {
			r.Each(before, newest, func(_ uint64, e *session.Event) { n += len(e.Raw) })
		}
	})
	b.Run("each-head", func(b *testing.B) { // a filter by field: no text read
		var n int
		for b.Loop() {
			r.EachHead(before, newest, nil, func(_ uint64, e *session.Event) { n += len(e.Kind) })
		}
	})
	b.Run("packed-cold", func(b *testing.B) {
		seq := before + 1
		for b.Loop() {
			if seq += 1543; seq > newest-5000 {
				seq = before + 1 + seq%1543
			}
			if _, ok := r.Get(seq); !ok {
				b.Fatal("not held")
			}
		}
	})
}

// BenchmarkRingPublish is what publishing costs a full ring of notes that packs
// its history and one that does not (a ring turning over within PackAfter), and
// how long the longest Publish held the ring's lock: the one beginning a chunk
// packs two, while readers (the table, a filter) wait.
func BenchmarkRingPublish(b *testing.B) {
	notes := misskey.FirehoseFrames("1", 4096)
	for _, packs := range []bool{false, true} {
		name := map[bool]string{false: "plain", true: "packing"}[packs]
		b.Run(name, func(b *testing.B) {
			r := session.NewRing(session.DefaultRingCap)
			if packs {
				r.PackAtOnce()
			} else {
				at := time.Now()
				r.SetClock(func() time.Time { return at }) // the ring never keeps its events PackAfter
			}
			publish := func(i int) {
				f := notes[i%len(notes)]
				r.Publish(session.Event{Dir: session.DirIn, Kind: "note", Summary: string(f[40:120]), Raw: f})
			}
			for i := range 2 * session.DefaultRingCap { // a steady state: every chunk made once
				publish(i)
			}
			var longest time.Duration
			i := 0
			for b.Loop() {
				start := time.Now()
				publish(i)
				longest = max(longest, time.Since(start))
				i++
			}
			b.ReportMetric(float64(longest.Microseconds()), "longest-µs")
		})
	}
}
