package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/feedscope/feedscope/session"
)

// StatsChart draws a few value series (a stats log's cpu and memory), oldest left.
type StatsChart struct {
	widget.BaseWidget
	Series []session.Series
}

// NewStatsChart returns an empty chart.
func NewStatsChart() *StatsChart {
	c := &StatsChart{}
	c.ExtendBaseWidget(c)
	return c
}

// SetSeries replaces what the chart draws.
func (c *StatsChart) SetSeries(s []session.Series) {
	c.Series = s
	c.Refresh()
}

// CreateRenderer is part of fyne.Widget.
func (c *StatsChart) CreateRenderer() fyne.WidgetRenderer {
	r := &statsChartRenderer{c: c, bg: canvas.NewRectangle(color.Transparent)}
	return r
}

type statsChartRenderer struct {
	c     *StatsChart
	bg    *canvas.Rectangle
	lines []fyne.CanvasObject
}

func (r *statsChartRenderer) Layout(fyne.Size) { r.Refresh() }
func (r *statsChartRenderer) MinSize() fyne.Size {
	return fyne.NewSize(200, 80)
}
func (r *statsChartRenderer) Objects() []fyne.CanvasObject {
	return append([]fyne.CanvasObject{r.bg}, r.lines...)
}
func (r *statsChartRenderer) Destroy() {}

func (r *statsChartRenderer) Refresh() {
	size := r.c.Size()
	r.bg.FillColor = theme.Color(theme.ColorNameInputBackground)
	r.bg.Resize(size)
	r.bg.Refresh()
	r.lines = r.lines[:0]
	colours := []fyne.ThemeColorName{theme.ColorNamePrimary, theme.ColorNameWarning, theme.ColorNameSuccess}
	for k, s := range r.c.Series {
		vals := scale(s)
		n := len(vals)
		for i := 1; i < n; i++ {
			l := canvas.NewLine(theme.Color(colours[k%len(colours)]))
			l.StrokeWidth = 2
			x0 := size.Width * float32(i-1) / float32(n-1)
			x1 := size.Width * float32(i) / float32(n-1)
			l.Position1 = fyne.NewPos(x0, size.Height*(1-float32(vals[i-1])))
			l.Position2 = fyne.NewPos(x1, size.Height*(1-float32(vals[i])))
			r.lines = append(r.lines, l)
		}
	}
	canvas.Refresh(r.c)
}

// scale maps a series into 0..1: between its Min and Max when it has them.
func scale(s session.Series) []float64 {
	if s.Max <= s.Min {
		return normalise(s.Values)
	}
	out := make([]float64, len(s.Values))
	for i, x := range s.Values {
		out[i] = (min(max(x, s.Min), s.Max) - s.Min) / (s.Max - s.Min)
	}
	return out
}

// normalise scales values into 0..1 between their minimum and maximum, with margin.
func normalise(v []float64) []float64 {
	if len(v) == 0 {
		return nil
	}
	lo, hi := v[0], v[0]
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	out := make([]float64, len(v))
	for i, x := range v {
		if hi > lo {
			out[i] = 0.1 + 0.8*(x-lo)/(hi-lo)
		} else {
			out[i] = 0.5
		}
	}
	return out
}
