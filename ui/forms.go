package ui

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
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
