package session

import (
	"math"
	"time"
	"unsafe"

	"github.com/golang/snappy"
)

// chunkSize is how much one chunk of an arena holds: large enough that a chunk
// holds a thousand ~1 KB frames, small enough that the one being filled and the
// spare ones cost little.
const chunkSize = 1 << 20

// plainChunks is how many full chunks, the newest, stay as they were written;
// older ones are packed. The table reads the newest events many times a second
// (and a chunk at a firehose's 14 MB/s fills in about 70 ms), so they stay
// plain; history is read when a user scrolls, filters or exports.
const plainChunks = 2

// packAfter is how long a ring must keep its events before it packs them:
// packing costs CPU for every byte, and the bytes of a ring that turns over
// faster (a feed of hundreds of thousands of frames a second, a small ring) leave
// before the memory saved would pay for it. The desktop's ring under a 20 000
// events/s firehose keeps five seconds.
const packAfter = time.Second

// spareChunks is how many emptied chunks an arena keeps for reuse rather than
// giving back, so that a ring in its steady state (one chunk emptied as one is
// filled) makes no system call.
const spareChunks = 2

// arena holds the bytes of a ring's events (summaries and raw frames) in large
// chunks outside the Go heap (see chunk_unix.go): the garbage collector neither
// scans them nor counts them when it decides how far the heap may grow before the
// next collection, so 100 MB of frames retained cost 100 MB, not the twice as
// much a heap paced at GOGC=100 grows to. Chunks are filled in order and emptied
// in order, as the ring evicts its oldest events: a chunk is given back (or kept
// spare) once every event with bytes in it has left the ring.
//
// Full chunks older than the newest plainChunks are packed with Snappy
// (https://github.com/google/snappy/blob/main/format_description.txt): feeds are
// JSON whose keys and much of whose values repeat from frame to frame, which
// Snappy finds at several hundred MB/s. A chunk is packed as independent
// segments of segSize, so reading one event unpacks 64 KB or two, not the
// chunk; the segments read last are kept, so a reader walking the ring unpacks
// each about once.
//
// An arena is not safe for concurrent use: its ring's lock guards it.
type arena struct {
	chunks []*chunk // in the order they were filled; the last is being filled
	first  uint32   // the number of chunks[0]; each chunk's is one more than the last's
	spare  []*chunk
	mapped int // bytes of chunks held, spare ones included

	packAfter time.Duration    // packAfter, but for tests
	now       func() time.Time // time.Now, but for tests

	scratch  []byte                   // what pack compresses into before it knows the size
	unpacked [unpackedN]unpacked      // the segments read last, the latest first
	join     []byte                   // an event's bytes that lie across segments
	mmap     func(int) ([]byte, bool) // mapChunk, but for tests
	munmap   func([]byte)             // unmapChunk, but for tests
}

// segSize is the plain length of a packed chunk's segments: Snappy's own block
// (maxBlockSize in github.com/golang/snappy encode.go), within which its matches
// stay, so packing by it compresses exactly as well as packing the chunk whole.
const segSize = 64 << 10

// unpackedN is how many unpacked segments an arena keeps: the events a table
// shows on screen may lie in a few segments when a filter shows few of them.
const unpackedN = 4

// unpacked is segment seg of packed chunk num, as it was written.
type unpacked struct {
	num uint32
	seg int
	mem []byte // nil: none
}

// span is where put left bytes: a chunk's number, the offset in it and the length.
type span struct {
	chunk, off, n uint32
}

// chunk is one mapping and the sequence of the newest event with bytes in it.
type chunk struct {
	mem    []byte // len is what is used; once packed, the Snappy block
	last   uint64
	begun  time.Time // when the arena started filling it
	onHeap bool      // the system refused a mapping: a Go allocation stands in
	size   int       // packed: the length of what mem packs; 0: mem is plain
	segs   []uint32  // packed: where each segment's block starts in mem, and ends
	tried  bool      // pack saw it and left it plain (it would not shrink)
}

// maxSpan is the most bytes one event keeps in the arena: a span counts in 32
// bits. Only an event of 4 GiB or more (a profile's read limit may allow such a
// frame) is cut to it, by fitSpan, keeping its start.
const maxSpan uint64 = math.MaxUint32

// fitSpan returns summary and frame, cut to maxSpan bytes together.
func fitSpan(summary string, frame []byte) (string, []byte) {
	if uint64(len(summary))+uint64(len(frame)) <= maxSpan {
		return summary, frame
	}
	summary = summary[:min(uint64(len(summary)), maxSpan)]
	return summary, frame[:min(uint64(len(frame)), maxSpan-uint64(len(summary)))]
}

// put copies the strings parts into the arena, one after the other, for the
// event with sequence seq, and says where. They stay there until free releases
// seq.
func (a *arena) put(seq uint64, parts ...[]byte) span {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if n == 0 {
		return span{}
	}
	c := a.room(n)
	at := span{chunk: a.first + uint32(len(a.chunks)-1), off: uint32(len(c.mem)), n: uint32(n)}
	for _, p := range parts {
		c.mem = append(c.mem, p...) // within cap: room made sure of it
	}
	c.last = seq
	return at
}

// bytes returns what put left at sp (nil for nothing), the arena's own memory.
func (a *arena) bytes(sp span) []byte {
	if sp.n == 0 {
		return nil
	}
	c := a.chunks[sp.chunk-a.first]
	if c.size > 0 {
		return a.unpack(sp.chunk, c, int(sp.off), int(sp.n))
	}
	return c.mem[sp.off : sp.off+sp.n : sp.off+sp.n]
}

// unpack returns bytes off…off+n of packed chunk c (number num). Within one
// segment they are the segment's own memory; across segments, a copy in join.
func (a *arena) unpack(num uint32, c *chunk, off, n int) []byte {
	s0, s1 := off/segSize, (off+n-1)/segSize
	if s0 == s1 {
		at := off - s0*segSize
		return a.segment(num, c, s0)[at : at+n : at+n]
	}
	join := a.join[:0]
	for k := s0; k <= s1; k++ {
		seg := a.segment(num, c, k)
		join = append(join, seg[max(off-k*segSize, 0):min(off+n-k*segSize, len(seg))]...)
	}
	a.join = join
	if cap(join) > 4*segSize {
		a.join = nil // a frame larger than a chunk: not kept for the next
	}
	return join[:n:n]
}

// segment returns segment k of packed chunk c (number num), unpacked: kept from
// a read before, or unpacked into the buffer of the segment read least recently.
func (a *arena) segment(num uint32, c *chunk, k int) []byte {
	u := &a.unpacked
	i := 0
	for i < len(u)-1 && !u[i].is(num, k) {
		i++
	}
	got := u[i]
	copy(u[1:i+1], u[:i]) // the segment read now goes first
	if !got.is(num, k) {
		got = unpacked{num: num, seg: k, mem: unpackSeg(got.mem, c, k)}
	}
	u[0] = got
	return got.mem
}

func (u *unpacked) is(num uint32, seg int) bool { return u.mem != nil && u.num == num && u.seg == seg }

// unpackSeg unpacks segment k of packed chunk c into buf (or a new buffer when
// buf is nil) and returns it.
func unpackSeg(buf []byte, c *chunk, k int) []byte {
	if cap(buf) < segSize {
		buf = make([]byte, segSize)
	}
	want := min((k+1)*segSize, c.size) - k*segSize
	got, err := snappy.Decode(buf[:segSize], c.mem[c.segs[k]:c.segs[k+1]])
	if err != nil || len(got) != want || &got[0] != &buf[0] {
		// Only this arena wrote the block: it cannot happen short of memory
		// corruption. Zeros keep every span in bounds.
		clear(buf[:want])
	}
	return buf[:want]
}

// str is bytes as a string over the arena's memory.
func str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// raw is s's bytes, for put.
func raw(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// room returns a chunk with at least n bytes free: the one being filled, or a new
// one (a spare when one fits).
func (a *arena) room(n int) *chunk {
	if k := len(a.chunks); k > 0 {
		if c := a.chunks[k-1]; cap(c.mem)-len(c.mem) >= n {
			if len(c.mem) == 0 {
				c.begun = a.now() // emptied by free: begun again
			}
			return c
		}
	}
	now := a.now()
	if k := len(a.chunks); k > plainChunks && now.Sub(a.chunks[0].begun) >= a.packAfter {
		// The oldest chunk held was begun long enough ago: the ring keeps its
		// events for a while. Pack the chunk that just left the plain ones, and
		// one older chunk the ring kept plain while it turned over faster.
		for i, packed := k-1-plainChunks, 0; i >= 0 && packed < 2; i-- {
			if c := a.chunks[i]; c.size == 0 && !c.tried {
				a.pack(c)
				packed++
			}
		}
	}
	var c *chunk
	if k := len(a.spare); k > 0 && n <= chunkSize {
		c = a.spare[k-1]
		a.spare = a.spare[:k-1]
	} else {
		c = a.newChunk(max(chunkSize, n))
		a.mapped += cap(c.mem)
	}
	c.begun = now
	a.chunks = append(a.chunks, c)
	return c
}

// pack replaces full chunk c's bytes with their segments' Snappy blocks, in a
// mapping of their size, and gives the chunk's mapping back (or keeps it spare).
// A chunk that would not shrink by an eighth (frames already compressed, say)
// stays plain.
func (a *arena) pack(c *chunk) {
	if c.size > 0 || c.tried || len(c.mem) == 0 {
		return
	}
	c.tried = true
	nseg := (len(c.mem) + segSize - 1) / segSize
	if uint64(nseg)*uint64(snappy.MaxEncodedLen(segSize)) > math.MaxUint32 {
		return // a chunk of 3.4 GiB or more: its segments' offsets would not fit in 32 bits
	}
	scratch := a.scratch
	if need := nseg * snappy.MaxEncodedLen(segSize); len(scratch) < need {
		scratch = make([]byte, need)
		if need <= chunkSize/segSize*snappy.MaxEncodedLen(segSize) {
			a.scratch = scratch // kept for the next chunk; a larger frame's chunk is rare, and its scratch as large
		}
	}
	segs := make([]uint32, nseg+1)
	d := 0
	for k := range nseg {
		d += len(snappy.Encode(scratch[d:], c.mem[k*segSize:min((k+1)*segSize, len(c.mem))]))
		segs[k+1] = uint32(d)
	}
	if d > len(c.mem)-len(c.mem)/8 {
		return
	}
	p := a.newChunk(d)
	a.mapped += cap(p.mem)
	p.mem = append(p.mem, scratch[:d]...)
	plain := &chunk{mem: c.mem, onHeap: c.onHeap}
	c.mem, c.onHeap, c.size, c.segs = p.mem, p.onHeap, len(c.mem), segs
	a.release(plain)
}

// free releases the chunks that hold only bytes of events with sequences up to
// seq (the ring no longer holds them).
func (a *arena) free(seq uint64) {
	i := 0
	for i < len(a.chunks)-1 && a.chunks[i].last <= seq { // never the one being filled
		a.release(a.chunks[i])
		i++
	}
	if i == len(a.chunks)-1 && a.chunks[i].last <= seq {
		// The newest chunk too: every event left. It can start again from its start.
		a.chunks[i].mem = a.chunks[i].mem[:0]
	}
	if i > 0 {
		a.chunks = append(a.chunks[:0], a.chunks[i:]...)
		a.first += uint32(i)
	}
}

func (a *arena) release(c *chunk) {
	if c.size == 0 && cap(c.mem) == chunkSize && len(a.spare) < spareChunks {
		*c = chunk{mem: c.mem[:0], onHeap: c.onHeap}
		a.spare = append(a.spare, c)
		return
	}
	a.unmap(c)
}

func (a *arena) unmap(c *chunk) {
	a.mapped -= cap(c.mem)
	if !c.onHeap {
		a.munmap(c.mem[:cap(c.mem)])
	}
	c.mem = nil
}

// newChunk maps a chunk of at least size bytes; when the system refuses, the
// chunk is an ordinary allocation (the collector then counts it, nothing else
// changes).
func (a *arena) newChunk(size int) *chunk {
	if mem, ok := a.mmap(size); ok {
		return &chunk{mem: mem[:0]}
	}
	return &chunk{mem: make([]byte, 0, size), onHeap: true}
}

// reset gives back every chunk.
func (a *arena) reset() {
	for _, c := range a.chunks {
		a.unmap(c)
	}
	for _, c := range a.spare {
		a.unmap(c)
	}
	a.first += uint32(len(a.chunks))
	a.chunks, a.spare = nil, nil
	a.unpacked, a.scratch, a.join = [unpackedN]unpacked{}, nil, nil
}
