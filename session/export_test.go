package session

import "time"

// NamesHeld is how many entries the ring's table of names has, for the tests.
func (r *Ring) NamesHeld() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.names.index)
}

// PackAtOnce makes the ring pack its chunks however fast it turns over: tests
// and benchmarks fill a ring in well under packAfter.
func (r *Ring) PackAtOnce() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.text.packAfter = 0
}

// SetClock replaces the clock the ring's arena reads when it begins a chunk.
func (r *Ring) SetClock(now func() time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.text.now = now
}

// PackAfter is how long a ring keeps its events before it packs them.
const PackAfter = packAfter
