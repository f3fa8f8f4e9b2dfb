package ui

import (
	"encoding/json"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// StatsChart draws a Misskey stats log: cpu and memory over time, newest right.
type StatsChart struct {
	widget.BaseWidget
	CPU []float64 // 0..1
	Mem []float64 // bytes
}

// NewStatsChart returns an empty chart.
func NewStatsChart() *StatsChart {
	c := &StatsChart{}
	c.ExtendBaseWidget(c)
	return c
}

// SetLog takes a statsLog body (newest first) and redraws.
func (c *StatsChart) SetLog(entries []json.RawMessage) {
	c.CPU, c.Mem = nil, nil
	for i := len(entries) - 1; i >= 0; i-- {
		var e struct {
			CPU float64 `json:"cpu"`
			Mem struct {
				Used float64 `json:"used"`
			} `json:"mem"`
		}
		if json.Unmarshal(entries[i], &e) == nil {
			c.CPU = append(c.CPU, e.CPU)
			c.Mem = append(c.Mem, e.Mem.Used)
		}
	}
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
	series := []struct {
		vals []float64
		col  fyne.ThemeColorName
	}{{r.c.CPU, theme.ColorNamePrimary}, {normalise(r.c.Mem), theme.ColorNameWarning}}
	for _, s := range series {
		n := len(s.vals)
		for i := 1; i < n; i++ {
			l := canvas.NewLine(theme.Color(s.col))
			l.StrokeWidth = 2
			x0 := size.Width * float32(i-1) / float32(n-1)
			x1 := size.Width * float32(i) / float32(n-1)
			l.Position1 = fyne.NewPos(x0, size.Height*(1-float32(s.vals[i-1])))
			l.Position2 = fyne.NewPos(x1, size.Height*(1-float32(s.vals[i])))
			r.lines = append(r.lines, l)
		}
	}
	canvas.Refresh(r.c)
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
