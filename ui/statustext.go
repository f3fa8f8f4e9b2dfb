package ui

import "time"

// statusEvery is how often the status bar's counts may change: at every drain
// (30 a second) they are a blur; four a second reads as live all the same.
const statusEvery = 250 * time.Millisecond

// statusText is the status bar's label with its changes paced: a change of
// state (its key: what is open, paused, scrolled back, sorted, dropping,
// alerting) shows at once, a change of counts alone at most once per every.
type statusText struct {
	label   textSetter
	every   time.Duration
	key     string    // the state the label's text shows
	shown   string    // the label's text
	at      time.Time // when the label last changed
	pending string    // the newest text, when not shown yet
	dirty   bool
}

// textSetter is a label: a pieceLabel, or a widget.Label in tests.
type textSetter interface {
	SetText(string)
}

func newStatusText(l textSetter, every time.Duration) *statusText {
	return &statusText{label: l, every: every}
}

// set shows text, of the state key, now or at the first set after the pace
// allows (the drain calls set 30 times a second, so that is soon).
func (s *statusText) set(key, text string, now time.Time) {
	if text == s.shown {
		s.dirty = false
		return
	}
	if key != s.key || now.Sub(s.at) >= s.every {
		s.show(key, text, now)
		return
	}
	s.pending, s.dirty = text, true
}

// flush shows the pending text now: for tests that step the app and then read
// the status bar.
func (s *statusText) flush() {
	if s.dirty {
		s.show(s.key, s.pending, time.Now())
	}
}

func (s *statusText) show(key, text string, now time.Time) {
	s.key, s.at, s.dirty, s.shown = key, now, false, text
	s.label.SetText(text)
}
