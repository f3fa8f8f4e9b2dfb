package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/feedscope/feedscope/query"
	"github.com/feedscope/feedscope/session"
)

func ev(profile, dir, kind, summary string) session.Event {
	return session.Event{Time: time.Unix(0, 0), Profile: profile, Dialect: "misskey", Dir: dir, Kind: kind, Summary: summary, Sub: "1"}
}

// appendEvents publishes es into the model's ring and takes them into the view.
func appendEvents(m *Model, es []session.Event) int {
	for _, e := range es {
		m.ring.Publish(e)
	}
	_, last := m.ring.Bounds()
	evicted, _ := m.Advance(last)
	return evicted
}

func TestModelEvictsAndFilters(t *testing.T) {
	m := NewModel(session.NewRing(5))
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
	evicted := appendEvents(m, batch[:4])
	if evicted != 0 || m.Len() != 2 {
		t.Fatalf("after 4: evicted %d len %d", evicted, m.Len())
	}
	evicted = appendEvents(m, batch[4:])
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
	appendEvents(m, batch[:1])
	if m.Len() != 1 || m.Stored() != 1 {
		t.Fatalf("after clear: %d %d", m.Len(), m.Stored())
	}
}

// The model keeps sequence numbers, never events: a row is read from the ring when
// drawn, a view that stops advancing (pause) keeps its place, and what the ring
// overwrote before the view took it is counted.
func TestModelIndexesTheRing(t *testing.T) {
	r := session.NewRing(4)
	m := NewModel(r)
	for i := 0; i < 3; i++ {
		r.Publish(ev("p", "in", "note", fmt.Sprint(i)))
	}
	if ev, missed := m.Advance(2); ev != 0 || missed != 0 || m.Len() != 2 || m.Row(1).Summary != "1" || m.Last() != 2 {
		t.Fatalf("advance to 2: evicted %d missed %d len %d", ev, missed, m.Len())
	}
	// Paused: the view holds sequence 2 while the ring moves on to 7.
	for i := 3; i < 8; i++ {
		r.Publish(ev("p", "in", "note", fmt.Sprint(i)))
	}
	if m.Len() != 2 || m.Row(0).Kind != "evicted" {
		t.Fatalf("a row the ring overwrote reads %+v", m.Row(0))
	}
	evicted, missed := m.Advance(8)
	// The ring holds 5..8 (summaries 4..7); 3 and 4 (summaries 2, 3) went before
	// the view took them.
	if evicted != 2 || missed != 2 || m.Len() != 4 || m.Row(0).Summary != "4" || m.Stored() != 4 {
		t.Fatalf("resume: evicted %d missed %d len %d first %q stored %d", evicted, missed, m.Len(), m.Row(0).Summary, m.Stored())
	}
	m.Clear()
	if m.Len() != 0 || m.Stored() != 0 {
		t.Fatalf("after clear: len %d stored %d", m.Len(), m.Stored())
	}
	if held, _ := r.Len(); held != 4 {
		t.Fatal("clearing the table emptied the ring other readers share")
	}
}

// Clearing with a profile selected hides only that profile's events, up to now;
// its later events show, and so do the other profiles'.
func TestModelClearScope(t *testing.T) {
	r := session.NewRing(100)
	m := NewModel(r)
	for i := 0; i < 10; i++ {
		p := "a"
		if i%2 == 1 {
			p = "b"
		}
		r.Publish(ev(p, "in", "note", fmt.Sprint(i)))
	}
	m.Advance(10)
	m.SetScope(Scope{Profile: "b"})
	if n := m.ClearScope(); n != 5 || m.Len() != 0 {
		t.Fatalf("cleared %d, %d rows", n, m.Len())
	}
	r.Publish(ev("b", "in", "note", "10"))
	m.Advance(11)
	m.SetScope(Scope{})
	var got []string
	for i := 0; i < m.Len(); i++ {
		got = append(got, m.Row(i).Summary)
	}
	if strings.Join(got, ",") != "0,2,4,6,8,10" {
		t.Fatalf("shown %v", got)
	}
	m.Clear()
	r.Publish(ev("b", "in", "note", "11"))
	m.Advance(12)
	if m.Len() != 1 {
		t.Fatalf("after clearing everything: %d rows", m.Len())
	}
}

// A profile pointing at a dead port retries for ever: its connect/fail rounds
// fold into one row that counts them, while other profiles' rows go on as they
// are; anything else from the profile starts a new fold.
func TestModelFoldsRetryLoops(t *testing.T) {
	r := session.NewRing(1000)
	m := NewModel(r)
	for i := 0; i < 72; i++ {
		r.Publish(ev("dead", "state", session.StateConnecting, "connecting to ws://127.0.0.1:1/streaming"))
		r.Publish(ev("dead", "state", session.StateReconnecting, fmt.Sprintf("dial tcp 127.0.0.1:1: connection refused; reconnecting in %dms", 100+i*37)))
		r.Publish(ev("live", "in", "note", fmt.Sprint(i)))
	}
	_, last := r.Bounds()
	m.Advance(last)
	var dead []string
	live := 0
	for i := 0; i < m.Len(); i++ {
		switch e := m.Row(i); e.Profile {
		case "dead":
			dead = append(dead, e.Summary)
		case "live":
			live++
		}
	}
	if live != 72 || len(dead) != 2 || !strings.HasPrefix(dead[1], "×72 · dial tcp") || !strings.HasSuffix(dead[1], "reconnecting in 2727ms") {
		t.Fatalf("%d live rows, dead rows %q", live, dead)
	}
	// The same from scratch (a new filter) folds the same way.
	m.SetScope(Scope{Profile: "dead"})
	if m.Len() != 2 || m.Repeats(1) != 72 {
		t.Fatalf("refiltered: %d rows, %d rounds", m.Len(), m.Repeats(1))
	}
	r.Publish(ev("dead", "state", session.StateOpen, "connected"))
	r.Publish(ev("dead", "state", session.StateReconnecting, "server closed the connection; reconnecting in 500ms"))
	_, last = r.Bounds()
	m.Advance(last)
	if m.Len() != 4 || m.Repeats(3) != 1 {
		t.Fatalf("after an open: %d rows", m.Len())
	}
}
