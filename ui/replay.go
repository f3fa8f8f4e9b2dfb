package ui

import (
	"fmt"
	"image/color"
	"os"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/feedscope/feedscope/control"
	"github.com/feedscope/feedscope/playback"
	"github.com/feedscope/feedscope/session"
)

// recRed is the recording indicator's colour.
var recRed = color.NRGBA{R: 0xe0, G: 0x20, B: 0x20, A: 0xff}

// replaySpeeds are the timeline bar's speeds.
var replaySpeeds = []string{"0.25×", "0.5×", "1×", "2×", "5×", "10×", "25×", "50×", "100×"}

// replayBar is the timeline of the opened recordings: play/pause, speed, a bar to
// click or drag to a moment, to the end, and the moment shown. It drives the
// selected recording's clock; the events follow it through the drain.
type replayBar struct {
	Content *fyne.Container

	sources func() []*playback.Source
	changed func() // the clock moved by hand: drain now

	pick     *widget.Select
	play     *widget.Button
	speed    *widget.Select
	slider   *widget.Slider
	end      *widget.Button
	when     *widget.Label
	closeBtn *widget.Button
	setting  bool // the slider is being moved to the clock, not by the user
}

const sliderSteps = 10000

func newReplayBar(sources func() []*playback.Source, changed func(), closeSource func(name string)) *replayBar {
	b := &replayBar{sources: sources, changed: changed}
	b.pick = widget.NewSelect(nil, func(string) { b.refresh() })
	b.play = widget.NewButtonWithIcon("", theme.MediaPlayIcon(), b.onPlay)
	b.speed = widget.NewSelect(replaySpeeds, func(s string) {
		if src := b.source(); src != nil {
			x, _ := strconv.ParseFloat(strings.TrimSuffix(s, "×"), 64)
			_ = src.Clock.SetSpeed(x)
		}
	})
	b.speed.SetSelected("1×")
	b.slider = widget.NewSlider(0, sliderSteps)
	b.slider.OnChanged = func(v float64) {
		if b.setting {
			return
		}
		if src := b.source(); src != nil {
			src.Clock.SeekFraction(v / sliderSteps)
			b.changed()
		}
	}
	b.end = widget.NewButtonWithIcon("", theme.MediaSkipNextIcon(), func() {
		if src := b.source(); src != nil {
			src.Clock.ToEnd()
			b.changed()
		}
	})
	b.when = widget.NewLabel("")
	b.when.TextStyle = fyne.TextStyle{Monospace: true}
	b.closeBtn = widget.NewButtonWithIcon("", theme.WindowCloseIcon(), func() {
		if src := b.source(); src != nil {
			closeSource(src.Name)
		}
	})
	left := container.NewHBox(widget.NewIcon(theme.MediaReplayIcon()), b.pick, b.play, b.speed)
	right := container.NewHBox(b.end, b.when, b.closeBtn)
	b.Content = container.NewBorder(nil, nil, left, right, b.slider)
	b.Content.Hide()
	return b
}

// source is the recording the bar drives.
func (b *replayBar) source() *playback.Source {
	for _, s := range b.sources() {
		if s.Name == b.pick.Selected {
			return s
		}
	}
	return nil
}

// show makes the bar drive the named recording.
func (b *replayBar) show(name string) {
	b.refreshOptions()
	b.pick.SetSelected(name)
	b.refresh()
}

func (b *replayBar) refreshOptions() {
	var names []string
	for _, s := range b.sources() {
		names = append(names, s.Name)
	}
	b.pick.Options = names
	b.pick.Refresh()
}

func (b *replayBar) onPlay() {
	src := b.source()
	if src == nil {
		return
	}
	if src.Clock.Playing() {
		src.Clock.Pause()
	} else {
		src.Clock.Play()
	}
	b.changed()
}

// refresh shows the clock: its moment, where it stands on the bar, play or pause.
func (b *replayBar) refresh() {
	srcs := b.sources()
	if len(srcs) == 0 {
		b.Content.Hide()
		return
	}
	b.Content.Show()
	src := b.source()
	if src == nil {
		b.refreshOptions()
		b.pick.SetSelected(srcs[len(srcs)-1].Name)
		return // SetSelected refreshes again
	}
	now := src.Clock.Now()
	start, end := src.Clock.Span()
	b.setting = true
	b.slider.SetValue(src.Clock.Fraction() * sliderSteps)
	b.setting = false
	b.when.SetText(fmt.Sprintf("%s  +%s / %s", now.Local().Format("2006-01-02 15:04:05.000"),
		now.Sub(start).Round(100*time.Millisecond), end.Sub(start).Round(100*time.Millisecond)))
	if src.Clock.Playing() {
		b.play.SetIcon(theme.MediaPauseIcon())
	} else {
		b.play.SetIcon(theme.MediaPlayIcon())
	}
	if want := formatSpeed(src.Clock.Speed()); b.speed.Selected != want {
		b.speed.SetSelected(want)
	}
}

func formatSpeed(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) + "×" }

// recordControls are the Record toggle of the selected profile, Record all, and the
// red indicator with the files' size in the status bar.
type recordControls struct {
	toggle *widget.Button
	all    *widget.Button
	dot    *canvas.Text
	label  *canvas.Text
	box    *fyne.Container
}

func newRecordControls(toggle, all func()) *recordControls {
	r := &recordControls{
		toggle: widget.NewButtonWithIcon("Record", theme.MediaRecordIcon(), toggle),
		all:    widget.NewButtonWithIcon("Record all", theme.MediaRecordIcon(), all),
		dot:    canvas.NewText("●", recRed),
		label:  canvas.NewText("", recRed),
	}
	r.label.TextStyle = fyne.TextStyle{Monospace: true, Bold: true}
	r.box = container.NewHBox(r.dot, r.label)
	r.box.Hide()
	return r
}

// update shows what records now.
func (r *recordControls) update(ctl *control.Controller, selected string, isSource bool) {
	names, size := ctl.Recordings()
	if len(names) == 0 {
		r.box.Hide()
		r.all.SetText("Record all")
	} else {
		r.label.Text = fmt.Sprintf("REC %d · %s", len(names), humanBytes(size))
		r.label.Refresh()
		r.box.Show()
		r.all.SetText("Stop all")
	}
	switch {
	case selected == "" || isSource:
		r.toggle.SetText("Record")
		r.toggle.Disable()
	case ctl.Recording(selected).On:
		r.toggle.SetText("Stop recording")
		r.toggle.SetIcon(theme.MediaStopIcon())
		r.toggle.Importance = widget.DangerImportance
		r.toggle.Enable()
	default:
		r.toggle.SetText("Record")
		r.toggle.SetIcon(theme.MediaRecordIcon())
		r.toggle.Importance = widget.MediumImportance
		r.toggle.Enable()
	}
	r.toggle.Refresh()
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// sourceClock is the moment a profile's events are seen at: an opened
// recording's playback clock, else the wall clock.
func (a *App) sourceClock(name string) time.Time {
	if src := a.ctl.Source(name); src != nil {
		return src.Clock.Now()
	}
	return time.Now()
}

// replayMoved shows a clock moved by hand at once; the events follow at the next
// drain, a thirtieth of a second later.
func (a *App) replayMoved() { a.replay.refresh() }

// isSource reports whether name is an opened recording.
func (a *App) isSource(name string) bool { return name != "" && a.ctl.Source(name) != nil }

// onRecordTapped starts or stops recording the selected profile. The file opens
// and closes off the UI goroutine.
func (a *App) onRecordTapped() {
	name := profileOf(a.selectedNode)
	if name == "" || a.isSource(name) {
		return
	}
	on := !a.ctl.Recording(name).On
	a.background(func() func() {
		path, err := a.ctl.Record(name, on)
		return func() {
			switch {
			case err != nil:
				a.setNotice(fmt.Sprintf("%s: cannot record: %v", name, err))
			case on:
				a.setNotice(fmt.Sprintf("Recording %s into %s.", name, path))
			default:
				a.setNotice(fmt.Sprintf("Recorded %s into %s.", name, path))
			}
			a.updateStatus()
		}
	})
}

// background runs work off the UI goroutine (it may wait on the disk) and then
// what it returns on it. A test app (ManualDrain) runs both at once, on the
// test's goroutine, which owns the widgets there.
func (a *App) background(work func() func()) {
	if a.opts.ManualDrain {
		work()()
		return
	}
	go func() {
		done := work()
		fyne.Do(done)
	}()
}

// onRecordAllTapped records every profile, or stops every recording.
func (a *App) onRecordAllTapped() {
	names, _ := a.ctl.Recordings()
	on := len(names) == 0
	a.background(func() func() {
		err := a.ctl.RecordAll(on)
		return func() {
			if err != nil {
				a.setNotice("Recording: " + err.Error())
			} else if on {
				a.setNotice("Recording every profile into " + a.recordDir() + ".")
			} else {
				a.setNotice("Stopped every recording.")
			}
			a.updateStatus()
		}
	})
}

func (a *App) recordDir() string {
	if a.opts.RecordDir != "" {
		return a.opts.RecordDir
	}
	wd, _ := os.Getwd()
	return wd
}

// onOpenRecording asks for a recording file and opens it beside the profiles.
func (a *App) onOpenRecording() {
	a.files().open(fileRecordings, a.recordDir(), []string{".ndjson", ".gz"}, func(r fyne.URIReadCloser, err error) {
		if err != nil {
			a.setNotice("Open recording: " + err.Error())
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		_ = r.Close()
		a.openRecording(path)
	})
}

// openRecording loads a recording off the UI goroutine and shows it as a source,
// its clock paused at the start.
func (a *App) openRecording(path string) {
	a.setNotice("Opening " + path + "…")
	a.background(func() func() {
		src, err := a.ctl.OpenRecording(path)
		return func() {
			if err != nil {
				a.setNotice("Cannot open the recording: " + err.Error())
				return
			}
			a.sourceOpened(src)
		}
	})
}

// sourceOpened shows a newly opened recording: in the sidebar, on the timeline bar.
func (a *App) sourceOpened(src *playback.Source) {
	msg := fmt.Sprintf("Opened %s: %s over %s. Press play, or click the bar to go to a moment.",
		src.Path, count(src.Len(), "event", "events"), spanOf(src).Round(time.Second))
	if src.Err != nil {
		msg = fmt.Sprintf("%s: %v — opened the %s before it.", src.Path, src.Err, count(src.Len(), "event", "events"))
	}
	a.setNotice(msg)
	a.replay.show(src.Name)
	a.refreshSide()
}

func spanOf(src *playback.Source) time.Duration {
	s, e := src.Clock.Span()
	return e.Sub(s)
}

// closeSource takes an opened recording away, with its events.
func (a *App) closeSource(name string) {
	a.ctl.CloseRecording(name)
	_, newest := a.ctl.Ring().Bounds()
	a.hideSourceEvents(map[string]uint64{name: newest})
	if profileOf(a.selectedNode) == name {
		a.sidebar.Tree.UnselectAll()
	}
	a.replay.refreshOptions()
	a.replay.pick.ClearSelected()
	a.replay.refresh()
	a.refreshSide()
}

// hideSourceEvents takes recordings' events up to a sequence out of the table and
// the map (a recording whose clock went back, or closed); the map is rebuilt from
// what the table still covers, and the events put in again arrive as new ones.
func (a *App) hideSourceEvents(upTo map[string]uint64) {
	if len(upTo) == 0 {
		return
	}
	for name, seq := range upTo {
		a.model.Hide(name, seq)
	}
	a.list.Reset()
	var fixes []trackFix
	_, last := a.ctl.Ring().Bounds()
	a.ctl.Ring().EachHead(0, min(a.model.Last(), last), nil, func(seq uint64, e *session.Event) {
		if e.Dir == session.DirIn && a.model.InView(seq, e) {
			if f, ok := fixOf(e); ok {
				fixes = append(fixes, f)
			}
		}
	})
	a.mapPanel.Rebuild(fixes)
}

// withSources adds the opened recordings to the profiles and states a screen shows.
func (a *App) withSources(ps []session.Profile, states map[string]control.State) ([]session.Profile, map[string]control.State) {
	srcs := a.ctl.Sources()
	if len(srcs) == 0 {
		return ps, states
	}
	merged := make(map[string]control.State, len(states)+len(srcs))
	for k, v := range states {
		merged[k] = v
	}
	for k, v := range a.ctl.SourceStates() {
		merged[k] = v
	}
	for _, s := range srcs {
		ps = append(ps, s.Profile())
	}
	return ps, merged
}
