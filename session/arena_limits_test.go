//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package session

import (
	"math"
	"strconv"
	"syscall"
	"testing"
	"unsafe"
)

// reserve maps size bytes that may never be touched: enough address space to
// slice a frame of more than 4 GiB without the memory for it.
func reserve(t *testing.T, size int) []byte {
	t.Helper()
	if strconv.IntSize < 64 {
		t.Skip("no room for a 4 GiB frame in 32 bits")
	}
	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_NONE, syscall.MAP_ANON|syscall.MAP_PRIVATE|syscall.MAP_NORESERVE)
	if err != nil {
		t.Skipf("cannot reserve %d bytes of address space: %v", size, err)
	}
	t.Cleanup(func() { _ = syscall.Munmap(mem) })
	return mem
}

// An event of 4 GiB or more is cut to what a span counts, its start kept; one
// below it is kept whole, however its bytes divide between summary and frame.
func TestFitSpan(t *testing.T) {
	huge := reserve(t, 5<<30)
	const max = math.MaxUint32
	long := unsafe.String(&huge[0], len(huge))
	for _, c := range []struct {
		summary, frame int
		want           [2]int
	}{
		{10, 100, [2]int{10, 100}},
		{0, max, [2]int{0, max}},
		{1, max - 1, [2]int{1, max - 1}},
		{1, max, [2]int{1, max - 1}},
		{0, max + 1, [2]int{0, max}},
		{100, 5 << 30, [2]int{100, max - 100}},
		{5 << 30, 10, [2]int{max, 0}},
	} {
		s, f := fitSpan(long[:c.summary], huge[:c.frame])
		if got := [2]int{len(s), len(f)}; got != c.want || f == nil {
			t.Errorf("%d + %d bytes kept as %v, want %v", c.summary, c.frame, got, c.want)
		}
	}
}

// A chunk whose packed segments could end past 4 GiB stays plain: their
// offsets count in 32 bits.
func TestPackLeavesChunksPastSpansPlain(t *testing.T) {
	huge := reserve(t, 4<<30)
	a := &arena{mmap: mapChunk, munmap: unmapChunk}
	c := &chunk{mem: huge[:4<<30-1]} // never read: PROT_NONE
	a.pack(c)
	if c.size != 0 || !c.tried || len(a.scratch) != 0 {
		t.Fatalf("a chunk of %d bytes was packed: size %d, scratch %d", len(huge), c.size, len(a.scratch))
	}
}
