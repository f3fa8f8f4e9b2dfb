package ui

import (
	"log"

	"fyne.io/fyne/v2"
	"sync"
	"time"

	"github.com/feedscope/feedscope/internal/procstat"
)

// probe measures the UI's responsiveness for the performance harness: how late
// each update runs after it was queued with fyne.Do, how long it takes, how often
// the table repaints, and when input handlers run. It logs one line a second.
type probe struct {
	mu                 sync.Mutex
	applies            int
	maxQueue, maxApply time.Duration
	events             int
	start              time.Time
	// target is where, in window pixels, the harness clicks to pause.
	target func() (x, y int)
	// ring is how many bytes the ring holds outside the Go heap.
	ring func() int
}

func newProbe(target func() (x, y int), ring func() int) *probe {
	p := &probe{start: time.Now(), target: target, ring: ring}
	go p.report()
	return p
}

// applied records one update: queued is when fyne.Do was called.
func (p *probe) applied(queued, began time.Time, events int) {
	if p == nil {
		return
	}
	done := time.Now()
	p.mu.Lock()
	p.applies++
	p.events += events
	p.maxQueue = max(p.maxQueue, began.Sub(queued))
	p.maxApply = max(p.maxApply, done.Sub(began))
	p.mu.Unlock()
}

// input records that an input handler ran, with the wall time to match against
// when the harness sent the input.
func (p *probe) input(name string) {
	if p != nil {
		log.Printf("probe: input %s handled at %d", name, time.Now().UnixNano())
	}
}

func (p *probe) report() {
	for range time.Tick(time.Second) {
		if p.target != nil {
			// The toolbar's layout changes as the app grows: the harness reads
			// where Pause is instead of assuming it.
			var x, y int
			fyne.DoAndWait(func() { x, y = p.target() })
			log.Printf("probe: pause-button at %d,%d", x, y)
		}
		p.mu.Lock()
		log.Printf("probe: t=%.0fs repaints=%d events=%d max-queue=%.1fms max-update=%.1fms rss=%dMB ring=%dMB",
			time.Since(p.start).Seconds(), p.applies, p.events, ms(p.maxQueue), ms(p.maxApply), rssMB(), p.ring()>>20)
		p.applies, p.events, p.maxQueue, p.maxApply = 0, 0, 0, 0
		p.mu.Unlock()
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func rssMB() int64 { return procstat.RSS() >> 20 }
