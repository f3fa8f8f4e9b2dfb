package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// Counts change the status bar at most once per pace; a change of state shows at
// once; flush shows what waits, and nothing stale.
func TestStatusTextPacesCounts(t *testing.T) {
	test.NewTempApp(t)
	l := widget.NewLabel("")
	s := newStatusText(l, 250*time.Millisecond)
	t0 := time.Unix(1000, 0)
	for i, step := range []struct {
		ms        int // after t0; -1: flush
		key, text string
		want      string
	}{
		{0, "following", "1 kept", "1 kept"},
		{100, "following", "2 kept", "1 kept"}, // within the pace
		{250, "following", "3 kept", "3 kept"}, // the pace over
		{260, "paused", "3 · paused", "3 · paused"},
		{270, "paused", "4 · paused", "3 · paused"},
		{280, "paused", "3 · paused", "3 · paused"}, // back to what shows
		{-1, "", "", "3 · paused"},
		{290, "paused", "5 · paused", "3 · paused"},
		{-1, "", "", "5 · paused"},
	} {
		if step.ms < 0 {
			s.flush()
		} else {
			s.set(step.key, step.text, t0.Add(time.Duration(step.ms)*time.Millisecond))
		}
		if l.Text != step.want {
			t.Fatalf("step %d: %q, want %q", i, l.Text, step.want)
		}
	}
}
