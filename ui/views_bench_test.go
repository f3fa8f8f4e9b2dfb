package ui

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/feedscope/feedscope/session"
)

// benchModel is a full ring of 100 000 mixed events in view, and more to come.
func benchModel(b *testing.B, keys int) (*Model, []session.Event) {
	r := rand.New(rand.NewPCG(7, 8))
	m := NewModel(session.NewRing(session.DefaultRingCap))
	evs := mixed(r, session.DefaultRingCap+1000)
	for i := range evs {
		evs[i].Key = "k" + itoa(r.IntN(keys))
	}
	appendEvents(m, evs[:session.DefaultRingCap])
	return m, evs[session.DefaultRingCap:]
}

func itoa(n int) string { return strconv.Itoa(n) }

// waitFull runs sync until the view's full sort is in.
func waitFull(s *sortedView) {
	for s.Pending() {
		time.Sleep(50 * time.Microsecond) // the sort runs on its own goroutine
		s.sync()
	}
}

// BenchmarkSortFull is a click on the summary header over 100 000 events: the
// walk of the ring on the UI goroutine (ui-ms), then the sort on a goroutine of
// its own, until the sorted rows are in.
func BenchmarkSortFull(b *testing.B) {
	m, _ := benchModel(b, 40)
	var ui time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := &modelFeed{m: m}
		start := time.Now()
		s := newSortedView(m, m.ring, f.next, colSummary, false)
		ui += time.Since(start)
		waitFull(s)
		if s.Len() != m.Len() {
			b.Fatal(s.Len())
		}
	}
	b.ReportMetric(float64(ui.Milliseconds())/float64(b.N), "ui-ms/op")
}

// BenchmarkAdvanceUnsorted and BenchmarkAdvanceSorted take 1000 new events into a
// full table of 100 000 (evicting 1000), as the table does while events arrive:
// the difference is what keeping the rows sorted costs on the UI goroutine.
func BenchmarkAdvanceUnsorted(b *testing.B) { benchAdvance(b, false, false) }

func BenchmarkAdvanceSorted(b *testing.B) { benchAdvance(b, true, false) }

// BenchmarkAdvanceLatest is the same with the latest-per-key view over 40 keys.
func BenchmarkAdvanceLatest(b *testing.B) { benchAdvance(b, false, true) }

// BenchmarkTrickleUnsorted and BenchmarkTrickleSorted take 2 new events into
// the full table per update, as a demo-rate feed does at 30 updates a second.
func BenchmarkTrickleUnsorted(b *testing.B) { benchAdvanceN(b, false, false, 2) }

func BenchmarkTrickleSorted(b *testing.B) { benchAdvanceN(b, true, false, 2) }

func benchAdvance(b *testing.B, sorted, latest bool) { benchAdvanceN(b, sorted, latest, 1000) }

func benchAdvanceN(b *testing.B, sorted, latest bool, n int) {
	m, more := benchModel(b, 40)
	more = more[:n]
	var s *sortedView
	if sorted {
		f := &modelFeed{m: m}
		s = newSortedView(m, m.ring, f.next, colSummary, false)
		waitFull(s)
	}
	var lv *latestView
	if latest {
		lv = newLatestView(m)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range more {
			m.ring.Publish(more[j])
		}
		_, last := m.ring.Bounds()
		m.Advance(last)
		if s != nil {
			s.sync()
		}
		if lv != nil {
			lv.sync()
		}
	}
	b.ReportMetric(float64(b.N*len(more))/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkLatestFull builds the latest-per-key view over 100 000 events with 40
// subjects (tracks) and with 50 000 (notes), as turning the view on does.
func BenchmarkLatestFull(b *testing.B) {
	for _, keys := range []int{40, 50_000} {
		b.Run(itoa(keys), func(b *testing.B) {
			m, _ := benchModel(b, keys)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if v := newLatestView(m); v.Len() == 0 {
					b.Fatal("empty")
				}
			}
		})
	}
}
