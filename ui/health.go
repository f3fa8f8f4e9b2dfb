package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/feedscope/feedscope/control"
	"github.com/feedscope/feedscope/session"
)

// healthSample is how often subscription counters are sampled for the sparkline.
const (
	healthSample  = 5 * time.Second
	healthSamples = 36 // three minutes
)

// Health keeps a short history of each subscription's event counter, bounded per
// subscription, and forgets subscriptions that are gone.
type Health struct {
	last    time.Time
	history map[string][]uint64 // profile\x00sub → counters, oldest first
}

// NewHealth returns an empty history.
func NewHealth() *Health { return &Health{history: map[string][]uint64{}} }

// Sample records counters when a sample period has passed.
func (h *Health) Sample(now time.Time, states map[string]control.State) {
	if now.Sub(h.last) < healthSample {
		return
	}
	h.last = now
	seen := map[string]bool{}
	for name, st := range states {
		for _, sub := range st.Subs {
			k := name + subSep + sub.ID
			seen[k] = true
			hist := append(h.history[k], sub.Events)
			if len(hist) > healthSamples+1 {
				hist = hist[len(hist)-healthSamples-1:]
			}
			h.history[k] = hist
		}
	}
	for k := range h.history {
		if !seen[k] {
			delete(h.history, k)
		}
	}
}

// Rates returns events per second for each sample period, oldest first.
func (h *Health) Rates(profile, sub string) []float64 {
	hist := h.history[profile+subSep+sub]
	var out []float64
	for i := 1; i < len(hist); i++ {
		d := float64(0)
		if hist[i] >= hist[i-1] { // a counter restarts when a subscription is replaced
			d = float64(hist[i] - hist[i-1])
		}
		out = append(out, d/healthSample.Seconds())
	}
	return out
}

// Sparkline draws rates with block characters, scaled between their minimum and
// maximum.
func Sparkline(rates []float64) string {
	if len(rates) == 0 {
		return ""
	}
	blocks := []rune("▁▂▃▄▅▆▇█")
	lo, hi := rates[0], rates[0]
	for _, r := range rates {
		lo, hi = min(lo, r), max(hi, r)
	}
	var b strings.Builder
	for _, r := range rates {
		i := 3 // a steady rate draws a level middle line
		switch {
		case hi == 0:
			i = 0
		case hi > lo:
			i = int((r - lo) / (hi - lo) * 7.999)
		}
		b.WriteRune(blocks[i])
	}
	return b.String()
}

// HealthLine is a subscription's health in one line: state, counters, rate, last
// event, replays.
func HealthLine(sub session.Sub, rates []float64) string {
	s := sub.State
	if sub.Error != "" {
		s += ": " + sub.Error
	}
	s += fmt.Sprintf(" · %d ev", sub.Events)
	if n := len(rates); n > 0 {
		s += fmt.Sprintf(" · %.1f/s %s", rates[n-1], Sparkline(rates))
	}
	if !sub.LastSeen.IsZero() {
		s += " · last " + sub.LastSeen.Local().Format("15:04:05")
	}
	if sub.ServerID != "" && sub.ServerID != sub.ID {
		s += " · server id " + sub.ServerID
	}
	if sub.Replays > 0 {
		s += fmt.Sprintf(" · replayed %d×", sub.Replays)
	}
	return s
}
