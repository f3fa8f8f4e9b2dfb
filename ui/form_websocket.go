package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	ws "github.com/feedscope/feedscope/session/websocket"
)

func init() {
	registerForm(ws.Name, func() SubForm { return newWebSocketForm() })
	registerExamples(ws.Name, Examples{
		Name: "ticker", URL: "wss://stream.example.com/v1",
		Token: "sent as Authorization: Bearer; or use a header below",
		Subs:  `{"type":"subscribe","channel":"ticker"}   one message per line, sent on every open`,
	})
	registerProfileFields(ws.Name, func() ProfileFields { return newWebSocketFields() })
}

// Ways a plain WebSocket message is written.
const (
	wsAsText = "Text, as typed"
	wsAsJSON = "JSON, sent compact"
)

// websocketForm edits one raw message: sent on every open, so again after each
// reconnect.
type websocketForm struct {
	onChange
	as      *widget.RadioGroup
	text    *widget.Entry
	preview *widget.Label
	content fyne.CanvasObject
}

func newWebSocketForm() *websocketForm {
	f := &websocketForm{text: widget.NewMultiLineEntry(), preview: widget.NewLabel("")}
	f.as = widget.NewRadioGroup([]string{wsAsText, wsAsJSON}, func(string) { f.changed() })
	f.as.Horizontal = true
	f.as.Required = true
	f.as.SetSelected(wsAsText)
	f.text.TextStyle = fyne.TextStyle{Monospace: true}
	f.text.SetMinRowsVisible(4)
	f.text.SetPlaceHolder(`hello   or   {"type":"subscribe","channel":"ticker"}`)
	f.text.OnChanged = func(string) { growRows(f.text, 4, 20); f.changed() }
	f.preview.TextStyle = fyne.TextStyle{Italic: true}
	f.preview.Wrapping = fyne.TextWrapWord
	note := widget.NewLabel("Sent as it is on every open, so again after each reconnect. Removing it sends nothing: send the feed's own unsubscribe message for that.")
	note.Wrapping = fyne.TextWrapWord
	f.content = container.NewVBox(note, f.as, f.text, f.preview)
	return f
}

func (f *websocketForm) changed() {
	if spec, err := f.Spec(); err == nil {
		msg, _ := ws.Message(spec)
		f.preview.SetText(fmt.Sprintf("Sends %s: %s", count(len(msg), "byte", "bytes"), ws.Dialect{}.DescribeSub(spec)))
	} else {
		f.preview.SetText("")
	}
	f.onChange.changed()
}

func (f *websocketForm) Content() fyne.CanvasObject { return f.content }

func (f *websocketForm) Spec() (json.RawMessage, error) {
	var spec json.RawMessage
	if f.as.Selected == wsAsJSON {
		spec = json.RawMessage(strings.TrimSpace(f.text.Text))
	} else {
		if f.text.Text == "" {
			return nil, errors.New("the message is empty")
		}
		spec, _ = json.Marshal(f.text.Text)
	}
	if _, err := ws.Message(spec); err != nil {
		return nil, err
	}
	return spec, nil
}

// Load shows a JSON string as its text, any other value as indented JSON.
func (f *websocketForm) Load(spec json.RawMessage) {
	var s string
	if json.Unmarshal(spec, &s) == nil {
		f.as.SetSelected(wsAsText)
		f.text.SetText(s)
	} else {
		f.as.SetSelected(wsAsJSON)
		f.text.SetText(Pretty(spec))
	}
	f.changed()
}

// websocketFields are a plain WebSocket profile's own: which JSON pointers name an
// event's kind and its subject (key, label), and the summary template.
type websocketFields struct {
	onChange
	kind, key, label, summary *widget.Entry
}

func newWebSocketFields() *websocketFields {
	f := &websocketFields{kind: widget.NewEntry(), key: widget.NewEntry(), label: widget.NewEntry(), summary: widget.NewEntry()}
	f.kind.SetPlaceHolder(ws.DefaultKind)
	f.key.SetPlaceHolder(ws.DefaultKey)
	f.label.SetPlaceHolder(ws.DefaultLabel)
	f.summary.SetPlaceHolder("{/user/name}: {/text}")
	for _, e := range []*widget.Entry{f.kind, f.key, f.label, f.summary} {
		e.OnChanged = func(string) { f.changed() }
	}
	return f
}

// pointerFields are the entries that hold pointers, with their settings' keys and
// defaults (a default is not saved).
func (f *websocketFields) pointerFields() []struct {
	entry    *widget.Entry
	key, def string
} {
	return []struct {
		entry    *widget.Entry
		key, def string
	}{{f.kind, ws.SettingKind, ws.DefaultKind}, {f.key, ws.SettingKey, ws.DefaultKey}, {f.label, ws.SettingLabel, ws.DefaultLabel}}
}

func (f *websocketFields) Items() []*widget.FormItem {
	return []*widget.FormItem{
		{Text: "Kind from", Widget: f.kind, HintText: "JSON pointers tried in order, e.g. /type /data/event; none found: text or binary"},
		{Text: "Key from", Widget: f.key, HintText: "what an event is about (an id, a symbol): one row each in the Latest per key view"},
		{Text: "Label from", Widget: f.label, HintText: "the name a person knows that subject by"},
		{Text: "Summary", Widget: f.summary, HintText: "text with {/pointer} for values; empty: the first few fields"},
	}
}

func (f *websocketFields) Load(s map[string]string) {
	for _, p := range f.pointerFields() {
		p.entry.SetText(s[p.key])
	}
	f.summary.SetText(s[ws.SettingSummary])
}

// Settings keeps only what differs from the defaults, checked as the session will.
func (f *websocketFields) Settings() (map[string]string, error) {
	out := map[string]string{}
	for _, p := range f.pointerFields() {
		if k := strings.TrimSpace(p.entry.Text); k != "" && k != p.def {
			out[p.key] = k
		}
	}
	if s := f.summary.Text; strings.TrimSpace(s) != "" {
		out[ws.SettingSummary] = s
	}
	if err := (ws.Dialect{}).CheckSettings(out); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
