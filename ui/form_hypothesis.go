package ui

import (
	"encoding/json"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/feedscope/feedscope/session/hypothesis"
)

func init() {
	registerForm(hypothesis.Name, func() SubForm { return newHypothesisForm() })
	registerExamples(hypothesis.Name, Examples{
		Name: "hypothesis-public", URL: "wss://hypothes.is/ws",
		Token: "developer token (hypothes.is/account/developer); empty: anonymous",
		User:  "not used: Hypothesis takes a token", Password: "not used",
		Subs: `{"match_policy":"include_any","clauses":[{"field":"/group","operator":"one_of","value":["__world__"]}],"actions":{"create":true}}`,
	})
}

type hypothesisForm struct {
	onChange
	clauses *rowList
	create  *widget.Check
	update  *widget.Check
	delete  *widget.Check
	content fyne.CanvasObject
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

func (f *hypothesisForm) Content() fyne.CanvasObject { return f.content }

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
