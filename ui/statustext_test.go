package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// Counts change the status bar at most once per pace; a change of state shows at
// once; flush shows what waits.
func TestStatusTextPacesCounts(t *testing.T) {
	test.NewTempApp(t)
	l := widget.NewLabel("")
	s := newStatusText(l, 250*time.Millisecond)
	t0 := time.Unix(1000, 0)
	s.set("following", "1 kept", t0)
	if l.Text != "1 kept" {
		t.Fatalf("first text %q", l.Text)
	}
	s.set("following", "2 kept", t0.Add(100*time.Millisecond))
	if l.Text != "1 kept" {
		t.Fatalf("counts changed within the pace: %q", l.Text)
	}
	s.set("following", "3 kept", t0.Add(250*time.Millisecond))
	if l.Text != "3 kept" {
		t.Fatalf("counts after the pace: %q", l.Text)
	}
	s.set("paused", "3 kept · paused", t0.Add(260*time.Millisecond))
	if l.Text != "3 kept · paused" {
		t.Fatalf("a change of state waited: %q", l.Text)
	}
	s.set("paused", "4 kept · paused", t0.Add(270*time.Millisecond))
	s.set("paused", "3 kept · paused", t0.Add(280*time.Millisecond))
	s.flush()
	if l.Text != "3 kept · paused" {
		t.Fatalf("back to the shown text, flush showed a stale one: %q", l.Text)
	}
	s.set("paused", "5 kept · paused", t0.Add(290*time.Millisecond))
	s.flush()
	if l.Text != "5 kept · paused" {
		t.Fatalf("flush: %q", l.Text)
	}
}
