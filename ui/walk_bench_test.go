package ui

import (
	"testing"

	"github.com/feedscope/feedscope/query"
	"github.com/feedscope/feedscope/session"
)

// BenchmarkFrameToTable is the walk of decoded events from the session's sink to
// the table: into the one ring, read in place by the drain (per-profile counts),
// indexed by the model (it replaces BenchmarkModelAppend). make bench reports it;
// compare with the two-ring walk of commit 9eb7484 (the same loop with Ring.Since
// copying out and Model.Append copying in).
func BenchmarkFrameToTable(b *testing.B) {
	r := session.NewRing(session.DefaultRingCap)
	m := NewModel(r)
	q, _ := query.Parse("kind:note")
	m.SetQuery(q)
	batch := make([]session.Event, 1000)
	for i := range batch {
		batch[i] = ev("demo-misskey", "in", []string{"note", "stats"}[i%2], "@alice: hello #demo")
	}
	counts := map[string]int{}
	var last uint64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range batch {
			r.Publish(batch[j])
		}
		_, newest := r.Bounds()
		r.Each(last, newest, func(_ uint64, e *session.Event) { counts[e.Profile]++ })
		last = newest
		m.Advance(newest)
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "events/s")
}
