package ui

import (
	"encoding/json"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/feedscope/feedscope/session/isymphony"
)

func init() {
	registerForm(isymphony.Name, func() SubForm { return newISymphonyForm() })
	registerExamples(isymphony.Name, Examples{
		Name: "isymphony-pbx", URL: "ws://pbx.example.com:58080" + isymphony.Path,
		Token: "not used: iSymphony logs in with user and password",
		User:  "administrator user", Password: "its password, kept as a secret",
		Subs: `[{"property":"type","value":"userLogin"}]   one filter set`,
	})
}

type isymphonyForm struct {
	onChange
	rows    *rowList
	explain *widget.Label
	content fyne.CanvasObject
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
	f.onChange.changed()
}

func (f *isymphonyForm) Content() fyne.CanvasObject { return f.content }

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
