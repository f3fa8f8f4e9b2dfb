//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package session

import (
	"os"
	"syscall"
)

// mapChunk maps size bytes (rounded up to whole pages) of private anonymous
// memory, outside the Go heap (mmap(2)).
func mapChunk(size int) ([]byte, bool) {
	page := os.Getpagesize()
	size = (size + page - 1) / page * page
	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil, false
	}
	return mem, true
}

// unmapChunk gives a mapping of mapChunk back to the system.
func unmapChunk(mem []byte) { _ = syscall.Munmap(mem) }
