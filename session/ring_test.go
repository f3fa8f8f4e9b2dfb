package session_test

import (
	"fmt"
	"testing"

	"github.com/feedscope/feedscope/session"
)

// Readers address the ring by sequence number: Get copies one event, Each walks a
// range in place and says how many of it were already overwritten.
func TestRingBySequence(t *testing.T) {
	r := session.NewRing(3)
	for i := 1; i <= 5; i++ {
		r.Publish(session.Event{Summary: fmt.Sprint(i)})
	}
	if before, newest := r.Bounds(); before != 2 || newest != 5 || r.Cap() != 3 {
		t.Fatalf("bounds %d %d", before, newest)
	}
	if _, ok := r.Get(2); ok {
		t.Fatal("an overwritten event was returned")
	}
	if e, ok := r.Get(4); !ok || e.Summary != "4" {
		t.Fatalf("get 4: %+v %v", e, ok)
	}
	if _, ok := r.Get(6); ok {
		t.Fatal("an event from the future")
	}
	var seen []string
	missed := r.Each(0, 4, func(seq uint64, e *session.Event) { seen = append(seen, fmt.Sprint(seq, "=", e.Summary)) })
	if missed != 2 || fmt.Sprint(seen) != "[3=3 4=4]" {
		t.Fatalf("each: missed %d saw %v", missed, seen)
	}
	seen = nil
	if missed := r.Each(4, 99, func(seq uint64, e *session.Event) { seen = append(seen, e.Summary) }); missed != 0 || fmt.Sprint(seen) != "[5]" {
		t.Fatalf("each after 4: missed %d saw %v", missed, seen)
	}
	if missed := r.Each(0, 1, func(uint64, *session.Event) { t.Fatal("called for an overwritten event") }); missed != 1 {
		t.Fatalf("a range wholly overwritten: missed %d", missed)
	}
}
