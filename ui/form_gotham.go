package ui

import (
	"encoding/json"
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
)

func init() {
	registerForm(gotham.Name, func() SubForm { return newGothamForm() })
	registerExamples(gotham.Name, Examples{
		Name: "gotham-vessels", URL: "wss://host/api/ws/gotham/v1/observations/{specId}?preview=true",
		Token: "bearer token of a user or service account",
		User:  "not used: Gotham takes a bearer token", Password: "not used",
		Subs: `{}   every observation; one subscription per line`,
	})
	registerProfileFields(gotham.Name, func() ProfileFields {
		return newDurationField(gotham.SettingSubscribeTimeout, "Subscribe timeout", gotham.DefaultSubscribeTimeout.String(),
			"how long a subscribe waits for its reply before its row says no reply")
	})
}

type gothamForm struct {
	onChange
	start, end *widget.Entry
	property   *widget.Entry
	values     *widget.Entry
	location   *widget.Entry
	repair     *widget.Button
	warn       *widget.Label // what is sent although the docs would not expect it
	content    fyne.CanvasObject
}

func newGothamForm() *gothamForm {
	f := &gothamForm{}
	changed := func(string) { growRows(f.location, 5, 30); f.showWarnings(); f.changed() }
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
	f.warn = widget.NewLabel("")
	f.warn.Importance = widget.WarningImportance
	f.warn.Wrapping = fyne.TextWrapWord
	f.warn.Hide()
	f.content = container.NewVBox(note, form, f.warn, container.NewHBox(f.repair))
	return f
}

// showWarnings lists what the query sends although the docs would not expect it (a
// clockwise ring, a field they do not list): a warning, never a refusal.
func (f *gothamForm) showWarnings() {
	var warns []string
	if spec, err := f.Spec(); err == nil {
		warns = gotham.QueryWarnings(spec)
	}
	f.warn.SetText(strings.Join(warns, "\n"))
	f.warn.Hidden = len(warns) == 0
	f.warn.Refresh()
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

func (f *gothamForm) Content() fyne.CanvasObject { return f.content }

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
