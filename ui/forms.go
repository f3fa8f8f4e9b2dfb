package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/feedscope/feedscope/session"
)

// SubForm edits one native subscription of a dialect.
type SubForm interface {
	// Content is the form's widgets.
	Content() fyne.CanvasObject
	// Spec builds the subscription, or says exactly what is wrong.
	Spec() (json.RawMessage, error)
	// Load fills the form from an existing subscription.
	Load(spec json.RawMessage)
	// SetOnChanged registers what to call on every edit.
	SetOnChanged(func())
}

// ProfileFields are a dialect's own profile-form fields, kept in Profile.Settings
// (never secrets).
type ProfileFields interface {
	Items() []*widget.FormItem
	Load(settings map[string]string)
	// Settings returns what the fields hold, or says what is wrong.
	Settings() (map[string]string, error)
	SetOnChanged(func())
}

// A dialect's form file registers its forms from init; nothing else in ui knows
// a dialect by name.
var (
	subForms      = map[string]func() SubForm{}
	profileFields = map[string]func() ProfileFields{}
)

func registerForm(dialect string, f func() SubForm) { subForms[dialect] = f }

func registerProfileFields(dialect string, f func() ProfileFields) { profileFields[dialect] = f }

// Examples are what a dialect's profile form shows in its empty fields: an
// address of the dialect's own shape, how it logs in, a native subscription.
type Examples struct {
	Name, URL, Token, User, Password, Subs string
}

var examples = map[string]Examples{}

func registerExamples(dialect string, e Examples) { examples[dialect] = e }

// examplesOf returns the dialect's examples, any field it left empty filled with
// the general one.
func examplesOf(dialect string) Examples {
	e, general := examples[dialect], Examples{
		Name: "my-feed", URL: "wss://host/path", Token: "bearer token, if the server wants one",
		User: "for servers that log in with Basic auth", Password: "kept like the token",
		Subs: "one subscription per line, in the dialect's own JSON",
	}
	for _, f := range []struct {
		v   *string
		def string
	}{
		{&e.Name, general.Name}, {&e.URL, general.URL}, {&e.Token, general.Token},
		{&e.User, general.User}, {&e.Password, general.Password}, {&e.Subs, general.Subs},
	} {
		if *f.v == "" {
			*f.v = f.def
		}
	}
	return e
}

// NewSubForm returns the dialect's form, or a plain JSON editor for a dialect that
// registered none.
func NewSubForm(dialect string) SubForm {
	if f, ok := subForms[dialect]; ok {
		return f()
	}
	return newJSONForm(dialect)
}

// newProfileFields returns the dialect's own profile fields, or nil.
func newProfileFields(dialect string) ProfileFields {
	if f, ok := profileFields[dialect]; ok {
		return f()
	}
	return nil
}

// onChange is the SetOnChanged half every form shares.
type onChange struct{ fn func() }

func (o *onChange) SetOnChanged(fn func()) { o.fn = fn }

func (o *onChange) changed() {
	if o.fn != nil {
		o.fn()
	}
}

// jsonForm edits a subscription as JSON text, checked by the dialect.
type jsonForm struct {
	onChange
	dialect string
	text    *widget.Entry
}

func newJSONForm(dialect string) *jsonForm {
	f := &jsonForm{dialect: dialect, text: widget.NewMultiLineEntry()}
	f.text.TextStyle = fyne.TextStyle{Monospace: true}
	f.text.SetMinRowsVisible(4)
	f.text.OnChanged = func(string) { f.changed() }
	return f
}

func (f *jsonForm) Content() fyne.CanvasObject { return f.text }

func (f *jsonForm) Spec() (json.RawMessage, error) {
	text := strings.TrimSpace(f.text.Text)
	if err := session.CheckJSON([]byte(text)); err != nil {
		return nil, err
	}
	return json.RawMessage(text), nil
}

func (f *jsonForm) Load(spec json.RawMessage) { f.text.SetText(Pretty(spec)) }

// rowList is a list of removable rows of widgets with an Add button.
type rowList struct {
	box      *fyne.Container
	rows     [][]fyne.CanvasObject
	newRow   func() []fyne.CanvasObject
	changed  func()
	addLabel string
	content  *fyne.Container
}

func newRowList(addLabel string, newRow func() []fyne.CanvasObject, changed func()) *rowList {
	l := &rowList{box: container.NewVBox(), newRow: newRow, changed: changed, addLabel: addLabel}
	add := widget.NewButtonWithIcon(addLabel, theme.ContentAddIcon(), func() { l.add(); l.changed() })
	l.content = container.NewVBox(l.box, container.NewHBox(add))
	return l
}

func (l *rowList) add() []fyne.CanvasObject {
	row := l.newRow()
	l.rows = append(l.rows, row)
	l.render()
	return row
}

func (l *rowList) clear() {
	l.rows = nil
	l.render()
}

func (l *rowList) render() {
	l.box.RemoveAll()
	for i, row := range l.rows {
		del := widget.NewButtonWithIcon("", theme.ContentRemoveIcon(), func() {
			l.rows = append(l.rows[:i], l.rows[i+1:]...)
			l.render()
			l.changed()
		})
		cells := container.NewGridWithColumns(len(row), row...)
		l.box.Add(container.NewBorder(nil, nil, nil, del, cells))
	}
	l.box.Refresh()
}

// splitValues splits a comma-separated list, dropping blanks.
func splitValues(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// durationField is a dialect setting that holds a wait, such as how long a reply may
// take: one entry, a Go duration ("10s"), empty for the dialect's default.
type durationField struct {
	onChange
	key   string
	item  *widget.FormItem
	entry *widget.Entry
}

func newDurationField(key, label, def, hint string) *durationField {
	f := &durationField{key: key, entry: widget.NewEntry()}
	f.entry.SetPlaceHolder(def)
	f.entry.OnChanged = func(string) { f.changed() }
	f.item = &widget.FormItem{Text: label, Widget: f.entry, HintText: hint + "; empty: " + def}
	return f
}

func (f *durationField) Items() []*widget.FormItem       { return []*widget.FormItem{f.item} }
func (f *durationField) Load(settings map[string]string) { f.entry.SetText(settings[f.key]) }

func (f *durationField) Settings() (map[string]string, error) {
	v := strings.TrimSpace(f.entry.Text)
	if v == "" {
		return nil, nil
	}
	if d, err := time.ParseDuration(v); err != nil || d <= 0 {
		return nil, fmt.Errorf("%s must be a duration such as %s", strings.ToLower(f.item.Text), f.entry.PlaceHolder)
	}
	return map[string]string{f.key: v}, nil
}

// compactJSON is JSON on as few lines as it takes, for a preview that must stay
// small; text that is not JSON is shown as it is.
func compactJSON(raw []byte) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

// formScroll scrolls a form vertically with the mouse wheel wherever the pointer
// is. The driver gives a wheel turn to the innermost scrollable under the
// pointer, and every Entry holds a scroller of its own that takes the turn even
// when it has nothing to scroll, so over an input the form would not move. A
// layer above the form takes every turn and scrolls the form; multi-line entries
// in forms grow with their text (growRows) so they need no wheel of their own.
func formScroll(form fyne.CanvasObject) fyne.CanvasObject {
	s := container.NewVScroll(form)
	return container.NewStack(s, newWheelTo(s))
}

// wheelTo passes the wheel to a scroller; it takes no other event.
type wheelTo struct {
	widget.BaseWidget
	to fyne.Scrollable
}

func newWheelTo(to fyne.Scrollable) *wheelTo {
	w := &wheelTo{to: to}
	w.ExtendBaseWidget(w)
	return w
}

func (w *wheelTo) Scrolled(ev *fyne.ScrollEvent) { w.to.Scrolled(ev) }

func (w *wheelTo) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}

// growRows makes a multi-line entry as tall as its text, from lo to hi rows, so
// its text shows without a scroller of its own inside a scrolling form.
func growRows(e *widget.Entry, lo, hi int) {
	e.SetMinRowsVisible(min(max(strings.Count(e.Text, "\n")+1, lo), hi))
}

// leadLayout lays out two objects on one line: the first, a label, as wide as its
// text up to leadShare of the line, the second in the rest.
type leadLayout struct{}

const leadShare = 0.45

func (leadLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w := size.Width * leadShare
	if l, ok := objs[0].(*tipLabel); ok {
		w = min(l.textWidth(), w)
	}
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(w, size.Height))
	objs[1].Move(fyne.NewPos(w, 0))
	objs[1].Resize(fyne.NewSize(size.Width-w, size.Height))
}

func (leadLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	a, b := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(a.Width+b.Width, max(a.Height, b.Height))
}
