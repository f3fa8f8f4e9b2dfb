package session

import (
	"bytes"
	"fmt"
	"time"

	"github.com/golang/snappy"
)

// NamesHeld is how many entries the ring's table of names has, for the tests.
func (r *Ring) NamesHeld() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.names.index)
}

// PackAtOnce makes the ring pack its chunks however fast it turns over: tests
// and benchmarks fill a ring in well under packAfter.
func (r *Ring) PackAtOnce() { r.SetPackAfter(0) }

// SetClock replaces the clock the ring's arena reads when it begins a chunk.
func (r *Ring) SetClock(now func() time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.text.now = now
}

// PackAfter is how long a ring keeps its events before it packs them.
const PackAfter = packAfter

// SetPackAfter sets how long the ring must keep its events before it packs them.
func (r *Ring) SetPackAfter(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.text.packAfter = d
}

// SetMapper makes the ring's arena map its chunks with mmap and give them back
// with munmap instead of the system's calls, so that a test can count them,
// poison what is given back and refuse some (the arena then falls back to the
// heap). Call it before the ring holds any bytes.
func (r *Ring) SetMapper(mmap func(int) ([]byte, bool), munmap func([]byte)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.text.mmap, r.text.munmap = mmap, munmap
}

// ArenaShape is what CheckArena saw: how many bytes of the arena are on the Go
// heap, how many chunks are packed, how many are larger than chunkSize.
type ArenaShape struct{ OnHeap, Packed, Huge int }

// CheckArena returns what is wrong with the ring's arena (nil: nothing) and its
// shape: the accounting of mapped, the order
// and numbering of the chunks, every held event's span, the spare chunks, and
// the unpacked segments kept (none can match a chunk that is not held yet, and
// each of a held chunk is what that segment unpacks to).
func (r *Ring) CheckArena() (shape ArenaShape, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	a := r.text
	sum := 0
	for _, c := range append(append([]*chunk(nil), a.chunks...), a.spare...) {
		if c.mem == nil {
			return shape, fmt.Errorf("a chunk held has no memory")
		}
		sum += cap(c.mem)
		if c.onHeap {
			shape.OnHeap += cap(c.mem)
		}
		if cap(c.mem) > chunkSize {
			shape.Huge++
		}
	}
	if sum != a.mapped {
		return shape, fmt.Errorf("mapped says %d bytes, the chunks and spares hold %d", a.mapped, sum)
	}
	if len(a.spare) > spareChunks {
		return shape, fmt.Errorf("%d spare chunks", len(a.spare))
	}
	for _, c := range a.spare {
		if len(c.mem) != 0 || cap(c.mem) != chunkSize || c.size != 0 || c.segs != nil || c.tried {
			return shape, fmt.Errorf("a spare chunk is not empty and plain: len %d cap %d size %d", len(c.mem), cap(c.mem), c.size)
		}
	}
	if std := chunkSize / segSize * snappy.MaxEncodedLen(segSize); cap(a.scratch) > std {
		return shape, fmt.Errorf("the arena keeps %d bytes to pack into, a chunk needs %d", cap(a.scratch), std)
	}
	before := r.total - uint64(r.n)
	var prev uint64
	for i, c := range a.chunks {
		if c.size > 0 {
			shape.Packed++
			if c.size > chunkSize {
				shape.Huge++
			}
			if i > len(a.chunks)-1-plainChunks {
				return shape, fmt.Errorf("chunk %d of %d is packed", i, len(a.chunks))
			}
			nseg := (c.size + segSize - 1) / segSize
			if len(c.segs) != nseg+1 || c.segs[0] != 0 || int(c.segs[nseg]) != len(c.mem) {
				return shape, fmt.Errorf("packed chunk %d: %d segment bounds for %d bytes, ending at %d of %d", i, len(c.segs), c.size, c.segs[len(c.segs)-1], len(c.mem))
			}
		}
		if i < len(a.chunks)-1 && len(c.mem) > 0 && (c.last <= before || c.last <= prev) {
			return shape, fmt.Errorf("chunk %d holds events up to %d: none held after %d, or not after the chunk before's %d", i, c.last, before, prev)
		}
		if len(c.mem) > 0 {
			prev = c.last
		}
	}
	for q := before + 1; q <= r.total; q++ {
		s := r.slots[(r.head+int(q-1-before))%len(r.slots)]
		if s.summary > s.text.n {
			return shape, fmt.Errorf("event %d: summary of %d bytes in %d", q, s.summary, s.text.n)
		}
		if s.text.n == 0 {
			continue
		}
		if s.text.chunk < a.first || int(s.text.chunk-a.first) >= len(a.chunks) {
			return shape, fmt.Errorf("event %d is in chunk %d, the arena holds %d…%d", q, s.text.chunk, a.first, int(a.first)+len(a.chunks)-1)
		}
		c := a.chunks[s.text.chunk-a.first]
		size := len(c.mem)
		if c.size > 0 {
			size = c.size
		}
		if int(s.text.off)+int(s.text.n) > size || c.last < q {
			return shape, fmt.Errorf("event %d at %d+%d of a chunk holding %d bytes of events up to %d", q, s.text.off, s.text.n, size, c.last)
		}
	}
	for _, u := range a.unpacked {
		if u.mem == nil {
			continue
		}
		if int64(u.num) >= int64(a.first)+int64(len(a.chunks)) {
			return shape, fmt.Errorf("segment %d of chunk %d is kept unpacked, a number no chunk has had yet", u.seg, u.num)
		}
		if u.num < a.first {
			continue // never matched again: numbers only grow
		}
		c := a.chunks[u.num-a.first]
		if c.size == 0 || u.seg >= len(c.segs)-1 {
			return shape, fmt.Errorf("segment %d of chunk %d is kept unpacked, but the chunk is not packed so", u.seg, u.num)
		}
		if !bytes.Equal(u.mem, unpackSeg(nil, c, u.seg)) {
			return shape, fmt.Errorf("segment %d of chunk %d kept unpacked is not what it unpacks to", u.seg, u.num)
		}
	}
	return shape, nil
}
