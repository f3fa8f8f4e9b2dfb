package session

import "unsafe"

// chunkSize is how much one chunk of an arena holds: large enough that a chunk
// holds a thousand ~1 KB frames, small enough that the one being filled and the
// spare ones cost little.
const chunkSize = 1 << 20

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
// An arena is not safe for concurrent use: its ring's lock guards it.
type arena struct {
	chunks []*chunk // in the order they were filled; the last is being filled
	first  uint32   // the number of chunks[0]; each chunk's is one more than the last's
	spare  []*chunk
	mapped int // bytes of chunks held, spare ones included
}

// span is where put left bytes: a chunk's number, the offset in it and the length.
type span struct {
	chunk, off, n uint32
}

// chunk is one mapping and the sequence of the newest event with bytes in it.
type chunk struct {
	mem    []byte // len is what is used
	last   uint64
	onHeap bool // the system refused a mapping: a Go allocation stands in
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
	return c.mem[sp.off : sp.off+sp.n : sp.off+sp.n]
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
			return c
		}
	}
	var c *chunk
	if k := len(a.spare); k > 0 && n <= chunkSize {
		c = a.spare[k-1]
		a.spare = a.spare[:k-1]
	} else {
		c = newChunk(max(chunkSize, n))
		a.mapped += cap(c.mem)
	}
	a.chunks = append(a.chunks, c)
	return c
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
	if cap(c.mem) == chunkSize && len(a.spare) < spareChunks {
		c.mem, c.last = c.mem[:0], 0
		a.spare = append(a.spare, c)
		return
	}
	a.unmap(c)
}

func (a *arena) unmap(c *chunk) {
	a.mapped -= cap(c.mem)
	if !c.onHeap {
		unmapChunk(c.mem[:cap(c.mem)])
	}
	c.mem = nil
}

// newChunk maps a chunk of at least size bytes; when the system refuses, the
// chunk is an ordinary allocation (the collector then counts it, nothing else
// changes).
func newChunk(size int) *chunk {
	if mem, ok := mapChunk(size); ok {
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
}
