package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/paulmach/orb"

	"github.com/feedscope/feedscope/geo"
	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/gotham"
	"github.com/feedscope/feedscope/session/hypothesis"
	"github.com/feedscope/feedscope/session/isymphony"
	"github.com/feedscope/feedscope/session/misskey"
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

// NewSubForm returns the form for a dialect.
func NewSubForm(dialect string) SubForm {
	switch dialect {
	case hypothesis.Name:
		return newHypothesisForm()
	case misskey.Name:
		return newMisskeyForm()
	case gotham.Name:
		return newGothamForm()
	case isymphony.Name:
		return newISymphonyForm()
	}
	return nil
}

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
		i := i
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

// --- Hypothesis -------------------------------------------------------------------

type hypothesisForm struct {
	clauses  *rowList
	create   *widget.Check
	update   *widget.Check
	delete   *widget.Check
	onChange func()
	content  fyne.CanvasObject
}

var hypothesisFields = []string{"/uri", "/group", "/id", "/references"}

func newHypothesisForm() *hypothesisForm {
	f := &hypothesisForm{}
	changed := func() { f.changed() }
	f.clauses = newRowList("Clause", func() []fyne.CanvasObject {
		field := widget.NewSelect(hypothesisFields, func(string) { changed() })
		field.SetSelected("/group")
		vals := widget.NewEntry()
		vals.SetPlaceHolder("values, comma-separated")
		vals.OnChanged = func(string) { changed() }
		return []fyne.CanvasObject{field, vals}
	}, changed)
	f.create = widget.NewCheck("create", func(bool) { changed() })
	f.update = widget.NewCheck("update", func(bool) { changed() })
	f.delete = widget.NewCheck("delete", func(bool) { changed() })
	f.create.Checked, f.update.Checked, f.delete.Checked = true, true, true
	note := widget.NewLabel("One filter per socket: applying replaces it. Clauses are OR'd. An empty filter receives no annotations at all.")
	note.Wrapping = fyne.TextWrapWord
	f.content = container.NewVBox(note, f.clauses.content, container.NewHBox(widget.NewLabel("Actions:"), f.create, f.update, f.delete))
	return f
}

func (f *hypothesisForm) changed() {
	if f.onChange != nil {
		f.onChange()
	}
}

func (f *hypothesisForm) Content() fyne.CanvasObject { return f.content }
func (f *hypothesisForm) SetOnChanged(fn func())     { f.onChange = fn }

func (f *hypothesisForm) Spec() (json.RawMessage, error) {
	var clauses []hypothesis.Clause
	for i, row := range f.clauses.rows {
		field := row[0].(*widget.Select).Selected
		vals := splitValues(row[1].(*widget.Entry).Text)
		if len(vals) == 0 {
			return nil, fmt.Errorf("clause %d (%s): give at least one value", i+1, field)
		}
		v, _ := json.Marshal(vals)
		clauses = append(clauses, hypothesis.Clause{Field: field, Operator: "one_of", Value: v})
	}
	return hypothesis.BuildFilter(clauses, map[string]bool{"create": f.create.Checked, "update": f.update.Checked, "delete": f.delete.Checked}), nil
}

func (f *hypothesisForm) Load(spec json.RawMessage) {
	flt, err := hypothesis.ParseFilter(spec)
	f.clauses.clear()
	if err != nil {
		return
	}
	for _, c := range flt.Clauses {
		row := f.clauses.add()
		row[0].(*widget.Select).SetSelected(c.Field)
		vals, _ := c.Values()
		row[1].(*widget.Entry).SetText(strings.Join(vals, ", "))
	}
	f.create.SetChecked(flt.Actions["create"])
	f.update.SetChecked(flt.Actions["update"])
	f.delete.SetChecked(flt.Actions["delete"])
}

// --- Misskey ----------------------------------------------------------------------

type misskeyForm struct {
	channel  *widget.Select
	params   *fyne.Container
	flags    map[string]*widget.Check
	ids      map[string]*widget.Entry
	hashtags *widget.Entry
	onChange func()
	content  fyne.CanvasObject
}

// channelLabel marks channels that need a logged-in socket.
func channelLabel(c misskey.Channel) string {
	if c.Login {
		return c.Name + " (login)"
	}
	return c.Name
}

func newMisskeyForm() *misskeyForm {
	f := &misskeyForm{params: container.NewVBox()}
	var labels []string
	for _, c := range misskey.Channels {
		labels = append(labels, channelLabel(c))
	}
	f.channel = widget.NewSelect(labels, func(string) { f.layoutParams(); f.changed() })
	f.content = container.NewVBox(widget.NewForm(widget.NewFormItem("Channel", f.channel)), f.params)
	f.channel.SetSelected("localTimeline")
	return f
}

func (f *misskeyForm) selected() misskey.Channel {
	name := strings.TrimSuffix(f.channel.Selected, " (login)")
	c, _ := misskey.LookupChannel(name)
	return c
}

// layoutParams shows the selected channel's own parameters, with the real defaults.
func (f *misskeyForm) layoutParams() {
	f.params.RemoveAll()
	f.flags, f.ids, f.hashtags = map[string]*widget.Check{}, map[string]*widget.Entry{}, nil
	c := f.selected()
	if c.Login {
		f.params.Add(widget.NewLabel("Needs a token: on an anonymous socket the server drops this connect silently."))
	}
	if c.Shared {
		f.params.Add(widget.NewLabel("Shared channel: one connection per socket."))
	}
	for _, p := range c.Params {
		switch {
		case strings.HasPrefix(p, "with"):
			chk := widget.NewCheck(fmt.Sprintf("%s (default %v)", p, misskey.Defaults[p]), func(bool) { f.changed() })
			chk.Checked = misskey.Defaults[p]
			f.flags[p] = chk
			f.params.Add(chk)
		case p == "q":
			f.hashtags = widget.NewMultiLineEntry()
			f.hashtags.SetPlaceHolder("one group per line; tags in a line must all match, any line may match\ngo fyne\nmisskey")
			f.hashtags.SetMinRowsVisible(3)
			f.hashtags.OnChanged = func(string) { f.changed() }
			f.params.Add(widget.NewForm(&widget.FormItem{Text: "Hashtags", Widget: f.hashtags, HintText: "OR of lines, AND within a line"}))
		default:
			e := widget.NewEntry()
			e.OnChanged = func(string) { f.changed() }
			f.ids[p] = e
			f.params.Add(widget.NewForm(widget.NewFormItem(p, e)))
		}
	}
	f.params.Refresh()
}

func (f *misskeyForm) changed() {
	if f.onChange != nil {
		f.onChange()
	}
}

func (f *misskeyForm) Content() fyne.CanvasObject { return f.content }
func (f *misskeyForm) SetOnChanged(fn func())     { f.onChange = fn }

func (f *misskeyForm) Spec() (json.RawMessage, error) {
	c := f.selected()
	if c.Name == "" {
		return nil, errors.New("choose a channel")
	}
	params := map[string]any{}
	for name, chk := range f.flags {
		if chk.Checked != misskey.Defaults[name] {
			params[name] = chk.Checked
		}
	}
	for name, e := range f.ids {
		v := strings.TrimSpace(e.Text)
		if v == "" {
			return nil, fmt.Errorf("%s needs %s", c.Name, name)
		}
		params[name] = v
	}
	if f.hashtags != nil {
		var q [][]string
		for _, line := range strings.Split(f.hashtags.Text, "\n") {
			var group []string
			for _, t := range strings.Fields(line) {
				group = append(group, strings.TrimPrefix(t, "#"))
			}
			if len(group) > 0 {
				q = append(q, group)
			}
		}
		if len(q) == 0 {
			return nil, errors.New("hashtag needs at least one tag")
		}
		params["q"] = q
	}
	return misskey.BuildSub(c.Name, params), nil
}

func (f *misskeyForm) Load(spec json.RawMessage) {
	s, err := misskey.ParseSub(spec)
	if err != nil || s.Channel == "" {
		return
	}
	if c, ok := misskey.LookupChannel(s.Channel); ok {
		f.channel.SetSelected(channelLabel(c))
	}
	var params map[string]json.RawMessage
	_ = json.Unmarshal(s.Params, &params)
	for name, raw := range params {
		if chk, ok := f.flags[name]; ok {
			var v bool
			_ = json.Unmarshal(raw, &v)
			chk.SetChecked(v)
		}
		if e, ok := f.ids[name]; ok {
			var v string
			_ = json.Unmarshal(raw, &v)
			e.SetText(v)
		}
		if name == "q" && f.hashtags != nil {
			var q [][]string
			_ = json.Unmarshal(raw, &q)
			lines := make([]string, len(q))
			for i, g := range q {
				lines[i] = strings.Join(g, " ")
			}
			f.hashtags.SetText(strings.Join(lines, "\n"))
		}
	}
}

// --- Gotham -----------------------------------------------------------------------

type gothamForm struct {
	start, end *widget.Entry
	property   *widget.Entry
	values     *widget.Entry
	location   *widget.Entry
	repair     *widget.Button
	onChange   func()
	content    fyne.CanvasObject
}

func newGothamForm() *gothamForm {
	f := &gothamForm{}
	changed := func(string) { f.changed() }
	f.start, f.end = widget.NewEntry(), widget.NewEntry()
	f.start.SetPlaceHolder("2025-03-01T00:00:00Z")
	f.end.SetPlaceHolder("2025-03-02T00:00:00Z")
	lastHour := widget.NewButton("Last hour → next day", func() {
		now := time.Now().UTC().Truncate(time.Second)
		f.start.SetText(now.Add(-time.Hour).Format(time.RFC3339))
		f.end.SetText(now.Add(24 * time.Hour).Format(time.RFC3339))
	})
	f.property, f.values = widget.NewEntry(), widget.NewEntry()
	f.property.SetPlaceHolder("speed")
	f.values.SetPlaceHolder(`12.5, 13, "WDX1234", "2021-05-01"`)
	f.location = widget.NewMultiLineEntry()
	f.location.SetPlaceHolder("one longitude, latitude per line, first = last, counter-clockwise\n-77.0640, 38.9020\n…")
	f.location.SetMinRowsVisible(5)
	f.location.TextStyle = fyne.TextStyle{Monospace: true}
	f.repair = widget.NewButton("Repair polygon", f.onRepair)
	for _, e := range []*widget.Entry{f.start, f.end, f.property, f.values, f.location} {
		e.OnChanged = changed
	}
	form := widget.NewForm(
		&widget.FormItem{Text: "Time from", Widget: container.NewBorder(nil, nil, nil, datePicker(f.start, false), f.start), HintText: "ISO-8601 UTC, inclusive; empty for no time limit"},
		&widget.FormItem{Text: "Time to", Widget: container.NewBorder(nil, nil, nil, container.NewHBox(datePicker(f.end, true), lastHour), f.end)},
		&widget.FormItem{Text: "Property", Widget: f.property, HintText: "matches any of the values below"},
		&widget.FormItem{Text: "Values", Widget: f.values, HintText: `numbers for Double/Integer, "quoted" for strings, Decimal and Long, dates and timestamps`},
		&widget.FormItem{Text: "Polygon", Widget: f.location},
	)
	note := widget.NewLabel("Fields combine with AND; leave all empty for everything ({}).")
	f.content = container.NewVBox(note, form, container.NewHBox(f.repair))
	return f
}

// datePicker is a calendar button that fills e with the picked day, from its
// first second (or its last, for an end) in UTC, keeping a time already typed.
func datePicker(e *widget.Entry, endOfDay bool) *widget.Button {
	var b *widget.Button
	b = widget.NewButtonWithIcon("", theme.CalendarIcon(), func() {
		c := fyne.CurrentApp().Driver().CanvasForObject(b)
		if c == nil {
			return
		}
		start := time.Now().UTC()
		if t, err := time.Parse(time.RFC3339, e.Text); err == nil {
			start = t
		}
		var pop *widget.PopUp
		cal := widget.NewCalendar(start, func(d time.Time) {
			clock := "00:00:00"
			if endOfDay {
				clock = "23:59:59"
			}
			if t, err := time.Parse(time.RFC3339, e.Text); err == nil {
				clock = t.UTC().Format("15:04:05")
			}
			e.SetText(d.Format("2006-01-02") + "T" + clock + "Z")
			pop.Hide()
		})
		pop = widget.NewPopUp(cal, c)
		pop.ShowAtRelativePosition(fyne.NewPos(0, b.Size().Height), b)
	})
	return b
}

func (f *gothamForm) changed() {
	if f.onChange != nil {
		f.onChange()
	}
}

func (f *gothamForm) Content() fyne.CanvasObject { return f.content }
func (f *gothamForm) SetOnChanged(fn func())     { f.onChange = fn }

// ring parses the polygon box: "lon, lat" lines or a JSON location array.
func (f *gothamForm) ring() (orb.Ring, error) {
	text := strings.TrimSpace(f.location.Text)
	if text == "" {
		return nil, nil
	}
	if strings.HasPrefix(text, "[") {
		var loc []geo.Position
		if err := json.Unmarshal([]byte(text), &loc); err != nil {
			return nil, fmt.Errorf("polygon: %v", session.CheckJSON([]byte(text)))
		}
		return geo.RingFromLocation(loc), nil
	}
	var r orb.Ring
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		parts := strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
		if len(parts) != 2 {
			return nil, fmt.Errorf("polygon line %d: want \"longitude, latitude\"", i+1)
		}
		lon, err1 := strconv.ParseFloat(parts[0], 64)
		lat, err2 := strconv.ParseFloat(parts[1], 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("polygon line %d: %q is not two numbers", i+1, line)
		}
		r = append(r, orb.Point{lon, lat})
	}
	return r, nil
}

func (f *gothamForm) onRepair() {
	r, err := f.ring()
	if err != nil || r == nil {
		return
	}
	f.setRing(geo.Repair(r))
}

func (f *gothamForm) setRing(r orb.Ring) {
	lines := make([]string, len(r))
	for i, p := range r {
		lines[i] = fmt.Sprintf("%.6f, %.6f", p.Lon(), p.Lat())
	}
	f.location.SetText(strings.Join(lines, "\n"))
}

// parseValue reads one property value with the reference's encodings.
func parseValue(s string) json.RawMessage {
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(strings.Trim(s, `"`))
	return b
}

func (f *gothamForm) Spec() (json.RawMessage, error) {
	q := gotham.Query{}
	start, end := strings.TrimSpace(f.start.Text), strings.TrimSpace(f.end.Text)
	if start != "" || end != "" {
		q.Time = &gotham.TimeRange{Start: start, End: end}
	}
	if p := strings.TrimSpace(f.property.Text); p != "" || strings.TrimSpace(f.values.Text) != "" {
		pq := &gotham.PropertyQuery{Property: p}
		for _, v := range splitValues(f.values.Text) {
			pq.Values = append(pq.Values, parseValue(v))
		}
		q.Property = pq
	}
	r, err := f.ring()
	if err != nil {
		return nil, err
	}
	if r != nil {
		q.Location = geo.LocationFromRing(r)
	}
	b, _ := json.Marshal(q)
	if _, arg := gotham.ParseQuery(b); arg != nil {
		return nil, fmt.Errorf("gotham subscribe: %s: %s", arg.Name, arg.Value)
	}
	return b, nil
}

func (f *gothamForm) Load(spec json.RawMessage) {
	q, arg := gotham.ParseQuery(spec)
	if arg != nil {
		return
	}
	if q.Time != nil {
		f.start.SetText(q.Time.Start)
		f.end.SetText(q.Time.End)
	}
	if q.Property != nil {
		f.property.SetText(q.Property.Property)
		vals := make([]string, len(q.Property.Values))
		for i, v := range q.Property.Values {
			vals[i] = string(v)
		}
		f.values.SetText(strings.Join(vals, ", "))
	}
	if q.Location != nil {
		f.setRing(geo.RingFromLocation(q.Location))
	}
}

// --- iSymphony --------------------------------------------------------------------

type isymphonyForm struct {
	rows     *rowList
	explain  *widget.Label
	onChange func()
	content  fyne.CanvasObject
}

func newISymphonyForm() *isymphonyForm {
	f := &isymphonyForm{explain: widget.NewLabel("every event passes")}
	f.explain.Wrapping = fyne.TextWrapWord
	f.explain.TextStyle = fyne.TextStyle{Italic: true}
	changed := func() { f.changed() }
	f.rows = newRowList("Filter", func() []fyne.CanvasObject {
		prop, val := widget.NewEntry(), widget.NewEntry()
		prop.SetPlaceHolder("property, e.g. type")
		val.SetPlaceHolder("value, or * for any")
		prop.OnChanged = func(string) { changed() }
		val.OnChanged = func(string) { changed() }
		return []fyne.CanvasObject{prop, val}
	}, changed)
	note := widget.NewLabel("Filters on one property are OR'd, on different properties AND'd; an event without a filtered property never passes. Applying replaces the set.")
	note.Wrapping = fyne.TextWrapWord
	f.content = container.NewVBox(note, f.rows.content, f.explain)
	return f
}

func (f *isymphonyForm) filters() ([]isymphony.Filter, error) {
	var out []isymphony.Filter
	for i, row := range f.rows.rows {
		p := strings.TrimSpace(row[0].(*widget.Entry).Text)
		v := strings.TrimSpace(row[1].(*widget.Entry).Text)
		if p == "" {
			return nil, fmt.Errorf("filter %d: the property is empty", i+1)
		}
		out = append(out, isymphony.Filter{Property: p, Value: v})
	}
	return out, nil
}

func (f *isymphonyForm) changed() {
	if fs, err := f.filters(); err == nil {
		f.explain.SetText("Passes: " + isymphony.Explain(fs))
	}
	if f.onChange != nil {
		f.onChange()
	}
}

func (f *isymphonyForm) Content() fyne.CanvasObject { return f.content }
func (f *isymphonyForm) SetOnChanged(fn func())     { f.onChange = fn }

func (f *isymphonyForm) Spec() (json.RawMessage, error) {
	fs, err := f.filters()
	if err != nil {
		return nil, err
	}
	if fs == nil {
		fs = []isymphony.Filter{}
	}
	b, _ := json.Marshal(fs)
	return b, nil
}

func (f *isymphonyForm) Load(spec json.RawMessage) {
	fs, err := isymphony.ParseFilters(spec)
	f.rows.clear()
	if err != nil {
		return
	}
	for _, flt := range fs {
		row := f.rows.add()
		row[0].(*widget.Entry).SetText(flt.Property)
		row[1].(*widget.Entry).SetText(flt.Value)
	}
	f.changed()
}
