package ui

import (
	"fmt"
	"testing"
	"time"

	"github.com/feedscope/feedscope/query"
	"github.com/feedscope/feedscope/session"
)

func ev(profile, dir, kind, summary string) session.Event {
	return session.Event{Time: time.Unix(0, 0), Profile: profile, Dialect: "misskey", Dir: dir, Kind: kind, Summary: summary, Sub: "1"}
}

func TestModelEvictsAndFilters(t *testing.T) {
	m := NewModel(5)
	var batch []session.Event
	for i := 0; i < 8; i++ {
		kind := "note"
		if i%2 == 1 {
			kind = "stats"
		}
		batch = append(batch, ev("p", "in", kind, fmt.Sprint(i)))
	}
	q, _ := query.Parse("kind:note")
	m.SetQuery(q)
	evicted := m.Append(batch[:4])
	if evicted != 0 || m.Len() != 2 {
		t.Fatalf("after 4: evicted %d len %d", evicted, m.Len())
	}
	evicted = m.Append(batch[4:])
	// Stored: 3..7; notes among them: 4, 6. Note 0 and 2 were evicted from view.
	if m.Stored() != 5 || m.Len() != 2 || evicted != 2 || m.Row(0).Summary != "4" {
		t.Fatalf("stored %d len %d evicted %d first %s", m.Stored(), m.Len(), evicted, m.Row(0).Summary)
	}
	m.SetQuery(query.Query{})
	if m.Len() != 5 || m.Row(0).Summary != "3" || m.IndexOf(m.Seq(3)) != 3 {
		t.Fatalf("unfiltered len %d first %s", m.Len(), m.Row(0).Summary)
	}
	m.SetScope(Scope{Profile: "other"})
	if m.Len() != 0 {
		t.Fatalf("scope: len %d", m.Len())
	}
	m.SetScope(Scope{})
	m.Clear()
	m.Append(batch[:1])
	if m.Len() != 1 || m.Stored() != 1 {
		t.Fatalf("after clear: %d %d", m.Len(), m.Stored())
	}
}

func BenchmarkModelAppend(b *testing.B) {
	m := NewModel(session.DefaultRingCap)
	q, _ := query.Parse("kind:note")
	m.SetQuery(q)
	batch := make([]session.Event, 1000)
	for i := range batch {
		batch[i] = ev("demo-misskey", "in", []string{"note", "stats"}[i%2], "@alice: hello #demo")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Append(batch)
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "events/s")
}

func TestSparkline(t *testing.T) {
	cases := []struct {
		rates []float64
		want  string
	}{
		{nil, ""},
		{[]float64{0, 0}, "▁▁"},
		{[]float64{2, 2, 2}, "▄▄▄"},
		{[]float64{0, 1, 2}, "▁▄█"},
	}
	for _, c := range cases {
		if got := Sparkline(c.rates); got != c.want {
			t.Errorf("Sparkline(%v) = %q, want %q", c.rates, got, c.want)
		}
	}
}
