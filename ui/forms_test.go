package ui

import (
	"encoding/json"
	"fmt"
	"image/color"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/feedscope/feedscope/control"
	"github.com/feedscope/feedscope/session"
)

// tipText is what the window's tip shows, "" while it is hidden.
func tipText(c fyne.Canvas) string {
	tipLayers.Lock()
	l := tipLayers.of[c]
	tipLayers.Unlock()
	if l == nil || !l.box.Visible() {
		return ""
	}
	var rows []string
	for _, o := range l.lines.Objects {
		rows = append(rows, o.(*canvas.Text).Text)
	}
	return strings.Join(rows, " ")
}

// A cut-off label shows its whole text after the pointer rests on it; the tip
// takes no event from what lies under it, and goes when the pointer leaves.
func TestTipShowsCutText(t *testing.T) {
	test.NewTempApp(t)
	// The test's UI goroutine is its own: the delay's callbacks run here, in turn.
	var due []func()
	orig := tipAfter
	tipAfter = func(_ time.Duration, f func()) { due = append(due, f) }
	t.Cleanup(func() { tipAfter = orig })
	wait := func() {
		for _, f := range due {
			f()
		}
		due = nil
	}
	long := "demo-misskey · rejected: 401 Unauthorized: the token was refused by misskey.example; check the Token field"
	cut := newTipLabel(long)
	fits := newTipLabel("short")
	tapped := 0
	under := widget.NewButton("under the tip", func() { tapped++ })
	w := test.NewWindow(nil)
	w.SetContent(withTips(w.Canvas(), container.NewVBox(container.NewGridWithColumns(2, cut, fits), under)))
	w.Resize(fyne.NewSize(400, 300))
	c := w.Canvas()
	if fits.TipText() != "" || cut.TipText() != long {
		t.Fatalf("tip texts: short %q, cut %q", fits.TipText(), cut.TipText())
	}
	over := fyne.NewPos(20, cut.Size().Height/2)
	test.MoveMouse(c, over)
	if tipText(c) != "" {
		t.Fatal("the tip shows before the delay")
	}
	wait()
	if tipText(c) != long {
		t.Fatalf("tip %q after the delay", tipText(c))
	}
	// The tip lies over the button, yet a tap there reaches the button, and the
	// label keeps the hover.
	tipLayers.Lock()
	box := tipLayers.of[c].box
	tipLayers.Unlock()
	if box.Position().X < 0 || box.Position().X+box.Size().Width > 400 || box.Size().Width > tipMaxWidth {
		t.Fatalf("tip at %v size %v in a 400 px window", box.Position(), box.Size())
	}
	test.MoveMouse(c, over.AddXY(2, 0))
	wait()
	if tipText(c) != long {
		t.Fatal("the tip went while the pointer stayed on the label")
	}
	onButton := fyne.NewPos(20, under.Position().Y+under.Size().Height/2)
	if tipText(c) == "" || box.Position().Y > onButton.Y || box.Position().Y+box.Size().Height < onButton.Y {
		t.Fatalf("the tip (at %v, %v) is not over the button at %v", box.Position(), box.Size(), onButton)
	}
	test.TapCanvas(c, onButton)
	if tapped != 1 {
		t.Fatal("the tap under the tip did not reach the button")
	}
	test.MoveMouse(c, onButton)
	if tipText(c) != "" {
		t.Fatal("the tip outlived the pointer leaving its label")
	}
	// A label that shows all of its text has no tip.
	test.MoveMouse(c, fits.Position().AddXY(10, 10))
	wait()
	if fits.TipText() != "" || tipText(c) != "" {
		t.Fatalf("tip %q over a label that fits", tipText(c))
	}
}

func TestWrapWords(t *testing.T) {
	test.NewTempApp(t)
	text := "connected to ws://127.0.0.1:43547/api/ws/gotham/v1/observations/demo-vessels?preview=true now"
	rows := wrapWords(text, 150, 14, fyne.TextStyle{})
	if len(rows) < 3 || strings.ReplaceAll(strings.Join(rows, ""), " ", "") != strings.ReplaceAll(text, " ", "") {
		t.Fatalf("rows %q", rows)
	}
	for _, r := range rows {
		if w := fyne.MeasureText(r, 14, fyne.TextStyle{}).Width; w > 150 {
			t.Fatalf("row %q is %.0f wide", r, w)
		}
	}
	if got := wrapWords("a\nb", 10, 14, fyne.TextStyle{}); len(got) != 2 {
		t.Fatalf("line breaks: %q", got)
	}
}

// The mouse wheel over an input scrolls the form around it: the entry's own
// scroller would otherwise take every turn.
func TestWheelOverAnInputScrollsTheForm(t *testing.T) {
	test.NewTempApp(t)
	build := func() (*fyne.Container, *widget.Entry) {
		box := container.NewVBox()
		multi := widget.NewMultiLineEntry()
		multi.SetText("a\nb\nc\nd\ne\nf")
		growRows(multi, 3, 20)
		for i := range 12 {
			e := widget.NewEntry()
			e.SetText(fmt.Sprint("field ", i))
			box.Add(widget.NewForm(widget.NewFormItem(fmt.Sprint("Field ", i), e)))
		}
		box.Add(multi)
		return box, multi
	}
	offset := func(wrap func(fyne.CanvasObject) fyne.CanvasObject) (float32, *widget.Entry) {
		box, multi := build()
		w := test.NewWindow(wrap(box))
		defer w.Close()
		w.Resize(fyne.NewSize(400, 300))
		at := fyne.NewPos(300, 20) // over the first entry
		test.Scroll(w.Canvas(), at, 0, -120)
		var s *container.Scroll
		var find func(o fyne.CanvasObject)
		find = func(o fyne.CanvasObject) {
			switch v := o.(type) {
			case *container.Scroll:
				if s == nil {
					s = v
				}
			case *fyne.Container:
				for _, c := range v.Objects {
					find(c)
				}
			}
		}
		find(w.Content())
		return s.Offset.Y, multi
	}
	if y, _ := offset(func(o fyne.CanvasObject) fyne.CanvasObject { return container.NewVScroll(o) }); y != 0 {
		t.Fatalf("a plain scroller moved %.0f over an entry: Fyne passes the wheel on now, and formScroll can go", y)
	}
	y, multi := offset(formScroll)
	if y <= 0 {
		t.Fatal("the wheel over an entry did not scroll the form")
	}
	if h, want := multi.MinSize().Height, widget.NewMultiLineEntry(); h <= want.MinSize().Height {
		t.Fatalf("a six-line entry is %.0f high, a three-line one %.0f: it did not grow", h, want.MinSize().Height)
	}
}

// Every dialect shows examples of its own in the profile form's empty fields.
func TestProfileFormExamplesFollowTheDialect(t *testing.T) {
	test.NewTempApp(t)
	f := NewProfileForm(session.Profile{}, nil, "a test file")
	w := test.NewWindow(f.Content)
	defer w.Close()
	// Where the secrets are kept is said once, not in every secret field's hint.
	said := 0
	for _, o := range flatten(f.Content) {
		if x, ok := o.(*canvas.Text); ok { // what is drawn: labels and hints end as these
			said += strings.Count(x.Text, "a test file")
		}
	}
	if said != 1 {
		t.Errorf("the secrets' place is said %d times", said)
	}
	seen := map[string]string{}
	for _, d := range session.Dialects() {
		if _, ok := examples[d]; !ok {
			t.Errorf("%s registers no examples", d)
		}
		f.Dialect.SetSelected(d)
		if f.URL.PlaceHolder != examplesOf(d).URL || f.Subs.PlaceHolder != examplesOf(d).Subs || f.Token.PlaceHolder != examplesOf(d).Token {
			t.Errorf("%s: URL %q, subscriptions %q", d, f.URL.PlaceHolder, f.Subs.PlaceHolder)
		}
		if other, dup := seen[f.URL.PlaceHolder]; dup {
			t.Errorf("%s and %s show the same URL example", d, other)
		}
		seen[f.URL.PlaceHolder] = d
		// The example subscription is one the dialect takes.
		dl, _ := session.Lookup(d)
		sub, _, _ := strings.Cut(examplesOf(d).Subs, "   ")
		if err := dl.CheckSub(json.RawMessage(sub)); err != nil {
			t.Errorf("%s: example subscription %s: %v", d, sub, err)
		}
	}
}

// At 1280×800 the Subscriptions tab shows several subscriptions at once, and its
// Subscribe button and what would be sent stay in view however far the form is
// scrolled.
func TestSubscriptionsTabFits1280(t *testing.T) {
	a, _ := newLiveMisskey(t)
	for _, sub := range []string{`{"channel":"globalTimeline"}`, `{"channel":"hybridTimeline"}`, `{"channel":"hashtag","params":{"q":[["go"]]}}`, `{"channel":"main"}`} {
		if _, err := a.ctl.Subscribe("mk", json.RawMessage(sub)); err != nil {
			t.Fatal(err)
		}
	}
	a.tabs.SelectIndex(1)
	a.subs.Refresh()
	m := a.subs
	if len(m.subs) < 5 {
		t.Fatalf("%d subscriptions", len(m.subs))
	}
	rowH := m.list.MinSize().Height
	if visible := m.list.Size().Height / rowH; visible < 5 {
		t.Fatalf("the list shows %.1f rows of %.0f px in %.0f px", visible, rowH, m.list.Size().Height)
	}
	d := fyne.CurrentApp().Driver()
	inView := func(o fyne.CanvasObject) bool {
		pos, size := d.AbsolutePositionForObject(o), a.win.Canvas().Size()
		return o.Visible() && pos.Y >= 0 && pos.Y+o.Size().Height <= size.Height && o.Size().Height > 0
	}
	m.form.(*misskeyForm).channel.SetSelected("hashtag")
	test.Scroll(a.win.Canvas(), d.AbsolutePositionForObject(m.formBox).AddXY(200, 10), 0, -2000)
	if !inView(m.apply) || !inView(m.preview) {
		t.Fatalf("Subscribe in view %v, Sends in view %v", inView(m.apply), inView(m.preview))
	}
}

// flatten lists o and every object inside it, as the renderers lay them out.
func flatten(o fyne.CanvasObject) []fyne.CanvasObject {
	out := []fyne.CanvasObject{o}
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			out = append(out, flatten(c)...)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			out = append(out, flatten(c)...)
		}
	}
	return out
}

// dialogParts finds the file dialog's name entry, a button by its text and
// whether a label names file.
func dialogParts(c fyne.Canvas, button, file string) (name *widget.Entry, b *widget.Button, listed bool) {
	for _, o := range flatten(c.Overlays().Top()) {
		switch x := o.(type) {
		case *widget.Entry:
			if name == nil {
				name = x
			}
		case *widget.Button:
			if x.Text == button {
				b = x
			}
		case *widget.Label: // the grid view drops the extension
			listed = listed || file != "" && (x.Text == file || x.Text == strings.TrimSuffix(file, filepath.Ext(file)))
		}
	}
	return name, b, listed
}

// A save dialog suggests a name in the folder its kind of file last went to, and
// remembers the folder a file was saved in; an open dialog starts there too.
func TestFileDialogsSuggestANameAndAFolder(t *testing.T) {
	a := newTestApp(t, false)
	dir, other := t.TempDir(), t.TempDir()
	prefs := a.fyne.Preferences()
	prefs.SetString(prefDialogDir+fileProfiles, dir)
	a.onExportProfiles()
	name, cancel, _ := dialogParts(a.win.Canvas(), "Cancel", "")
	if name == nil || !strings.HasPrefix(name.Text, "feedscope-profiles-") || !strings.HasSuffix(name.Text, ".json") {
		t.Fatalf("suggested name %v", name)
	}
	test.Tap(cancel)

	// Saving: the file goes to the kind's folder under the suggested name, and the
	// folder is remembered for the next dialog of the kind.
	files := a.files()
	var got fyne.URI
	files.save(fileEvents, fileName("demo/misskey: x", time.Date(2026, 12, 1, 11, 5, 0, 0, time.UTC), ".ndjson"), other, nil, func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			t.Errorf("save: %v", err)
			return
		}
		got = w.URI()
		_ = w.Close()
	})
	name, save, _ := dialogParts(a.win.Canvas(), "Save", "")
	if name.Text != "feedscope-demo-misskey-x-20261201-110500.ndjson" {
		t.Fatalf("suggested %q", name.Text)
	}
	test.Tap(save)
	if got == nil || got.Path() != other+"/"+name.Text || prefs.String(prefDialogDir+fileEvents) != other {
		t.Fatalf("saved to %v; remembered %q", got, prefs.String(prefDialogDir+fileEvents))
	}
	files.open(fileEvents, "", nil, func(fyne.URIReadCloser, error) {})
	if _, _, listed := dialogParts(a.win.Canvas(), "Open", name.Text); !listed {
		t.Fatal("the open dialog does not start in the folder last saved to")
	}
}

// A state says its phase once, and a retry line holds still between attempts.
func TestStateWords(t *testing.T) {
	for _, c := range []struct {
		st   session.Status
		want string
	}{
		{session.Status{Phase: session.PhaseRejected, Detail: "rejected: 401 invalid_token"}, "rejected: 401 invalid_token"},
		{session.Status{Phase: session.PhaseOpen, Detail: "connected to ws://x"}, "open: connected to ws://x"},
		{session.Status{Phase: session.PhaseClosed}, "closed"},
	} {
		if got := StateText(c.st); got != c.want {
			t.Errorf("%+v: %q", c.st, got)
		}
	}
	at := time.Now().Add(90 * time.Second)
	st := control.State{Live: true, Status: session.Status{Phase: session.PhaseReconnecting, RetryAt: at}}
	line, _ := ProfileLine(session.Profile{Name: "p"}, st, 0)
	if line != "p · retry at "+at.Local().Format("15:04:05") {
		t.Fatalf("line %q", line)
	}
	st.Status.RetryAt = time.Now().Add(time.Millisecond)
	if line, _ := ProfileLine(session.Profile{Name: "p"}, st, 0); line != "p · reconnecting" {
		t.Fatalf("line %q for a retry about to start", line)
	}
}

// A subscription's rates are bars scaled to their maximum, the newest n of them.
func TestSparkBars(t *testing.T) {
	test.NewTempApp(t)
	s := newSparkBars(4)
	w := test.NewWindow(s)
	defer w.Close()
	s.SetRates([]float64{9, 0, 1, 2, 4})
	r := test.WidgetRenderer(s).(*sparkRenderer)
	var heights []float32
	for _, b := range r.bars {
		if b.Visible() {
			heights = append(heights, b.Size().Height)
		}
	}
	if fmt.Sprint(heights) != "[1 4 8 16]" {
		t.Fatalf("bar heights %v", heights)
	}
	s.SetRates([]float64{0, 0})
	for _, b := range r.bars {
		if b.Visible() {
			t.Fatal("a bar for no events at all")
		}
	}
}

// An opened recording closed at its clock's moment is not drawn as trouble; a
// live profile closed by the server is.
func TestSidebarRecordingClosedIsNotAnError(t *testing.T) {
	test.NewTempApp(t)
	s := NewSidebar()
	s.IsSource = func(name string) bool { return name == "rec: x" }
	closed := control.State{Status: session.Status{Phase: session.PhaseClosed, Detail: "nothing recorded yet at this moment"}}
	s.Update([]session.Profile{{Name: "rec: x"}, {Name: "live"}}, map[string]control.State{"rec: x": closed, "live": closed}, nil)
	dot := func(name string) color.Color {
		row := s.create(true)
		s.update(name, true, row)
		return row.(*fyne.Container).Objects[1].(*fyne.Container).Objects[0].(*fyne.Container).Objects[0].(*canvas.Circle).FillColor
	}
	if dot("rec: x") != theme.Color(theme.ColorNameDisabled) || dot("live") != theme.Color(theme.ColorNameError) {
		t.Fatalf("recording %v, live %v", dot("rec: x"), dot("live"))
	}
}
