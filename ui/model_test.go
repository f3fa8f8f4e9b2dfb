package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/feedscope/feedscope/session"
)

func ev(profile, dir, kind, summary string) session.Event {
	return session.Event{Time: time.Unix(0, 0), Profile: profile, Dialect: "misskey", Dir: dir, Kind: kind, Summary: summary, Sub: "1"}
}

func TestParseQuery(t *testing.T) {
	note := ev("demo-misskey", "in", "note", "@alice: hello #demo")
	stats := ev("demo-misskey", "in", "stats", "cpu 12 %")
	out := ev("prod-gotham", "out", "subscribe", `{"type":"subscribe"}`)
	cases := []struct {
		q    string
		want []bool // note, stats, out
	}{
		{"", []bool{true, true, true}},
		{"kind:note", []bool{true, false, false}},
		{"profile:demo", []bool{true, true, false}},
		{"dir:out", []bool{false, false, true}},
		{"hello", []bool{true, false, false}},
		{"HELLO", []bool{true, false, false}},
		{"-kind:stats", []bool{true, false, true}},
		{"/cpu \\d+/", []bool{false, true, false}},
		{"/^@al/ profile:demo", []bool{true, false, false}},
		{`"hello #demo"`, []bool{true, false, false}},
		{"unknownfield:x", []bool{false, false, false}},
	}
	for _, c := range cases {
		t.Run(c.q, func(t *testing.T) {
			q, err := ParseQuery(c.q)
			if err != nil {
				t.Fatal(err)
			}
			for i, e := range []session.Event{note, stats, out} {
				if got := q.Match(&e); got != c.want[i] {
					t.Errorf("event %d: %v, want %v", i, got, c.want[i])
				}
			}
		})
	}
	if _, err := ParseQuery("/([/"); err == nil || !strings.Contains(err.Error(), "filter /([/") {
		t.Errorf("bad regex: %v", err)
	}
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
	q, _ := ParseQuery("kind:note")
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
	m.SetQuery(Query{})
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
	q, _ := ParseQuery("kind:note")
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
