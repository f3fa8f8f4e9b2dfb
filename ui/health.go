package ui

import (
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

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

// HealthLine is a subscription's health in one line: state, counters, rate, last
// event, replays (its chart is drawn beside it by sparkBars).
func HealthLine(sub session.Sub, rates []float64) string {
	s := sub.State
	if sub.Error != "" {
		s += ": " + sub.Error
	}
	s += fmt.Sprintf(" · %d ev", sub.Events)
	if n := len(rates); n > 0 {
		s += fmt.Sprintf(" · %.1f/s", rates[n-1])
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

// sparkBars draws a subscription's recent rates as thin bars in the theme's
// primary colour, scaled to their maximum: a chart, where block characters in
// the text font read as a rendering glitch.
type sparkBars struct {
	widget.BaseWidget
	rates []float64
	n     int // how many of the newest rates it shows
}

const (
	sparkBar    = 2 // px per bar, and 1 between
	sparkHeight = 16
)

func newSparkBars(n int) *sparkBars {
	s := &sparkBars{n: n}
	s.ExtendBaseWidget(s)
	return s
}

// SetRates shows rates, oldest first.
func (s *sparkBars) SetRates(rates []float64) {
	s.rates = rates[max(0, len(rates)-s.n):]
	s.Refresh()
}

func (s *sparkBars) CreateRenderer() fyne.WidgetRenderer {
	r := &sparkRenderer{s: s, base: canvas.NewRectangle(color.Transparent)}
	for range s.n {
		r.bars = append(r.bars, canvas.NewRectangle(color.Transparent))
	}
	return r
}

type sparkRenderer struct {
	s    *sparkBars
	base *canvas.Rectangle
	bars []*canvas.Rectangle
}

func (r *sparkRenderer) MinSize() fyne.Size {
	return fyne.NewSize(float32(r.s.n*(sparkBar+1)), sparkHeight)
}

func (r *sparkRenderer) Layout(size fyne.Size) {
	top := (size.Height - sparkHeight) / 2
	r.base.Move(fyne.NewPos(0, top+sparkHeight-1))
	r.base.Resize(fyne.NewSize(float32(r.s.n*(sparkBar+1)), 1))
	hi := 0.0
	for _, v := range r.s.rates {
		hi = max(hi, v)
	}
	skip := r.s.n - len(r.s.rates) // the newest bar at the right end: now
	for i, b := range r.bars {
		if i >= len(r.s.rates) || hi == 0 {
			b.Hide()
			continue
		}
		h := float32(max(1, r.s.rates[i]/hi*sparkHeight))
		b.Move(fyne.NewPos(float32((skip+i)*(sparkBar+1)), top+sparkHeight-h))
		b.Resize(fyne.NewSize(sparkBar, h))
		b.Show()
	}
}

func (r *sparkRenderer) Refresh() {
	r.base.FillColor = theme.Color(theme.ColorNameSeparator)
	for _, b := range r.bars {
		b.FillColor = theme.Color(theme.ColorNamePrimary)
	}
	r.Layout(r.s.Size())
	canvas.Refresh(r.s)
}

func (r *sparkRenderer) Objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{r.base}
	for _, b := range r.bars {
		objs = append(objs, b)
	}
	return objs
}

func (r *sparkRenderer) Destroy() {}
