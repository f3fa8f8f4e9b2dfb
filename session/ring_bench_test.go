package session_test

import (
	"runtime"
	"testing"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/misskey"
)

// BenchmarkRingRetained is what holding a full ring costs per retained event: the
// Go heap the collector paces on (heap-B/event: it lets the heap grow to about
// twice that before it collects), the arena outside it (arena-B/event), and the
// allocations left per event. Frames arrive as the reader makes them, in 64 KB
// slabs, with a summary string each, as a dialect decodes them.
func BenchmarkRingRetained(b *testing.B) {
	frames := misskey.FirehoseFrames("1", 64)
	const held = session.DefaultRingCap
	var heap, arena, allocs float64
	for b.Loop() {
		var m0, m1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m0)
		r := session.NewRing(held)
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
