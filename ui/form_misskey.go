package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/feedscope/feedscope/session/misskey"
)

func init() {
	registerForm(misskey.Name, func() SubForm { return newMisskeyForm() })
	registerExamples(misskey.Name, Examples{
		Name: "misskey-io", URL: "wss://misskey.io/streaming",
		Token: "access token (Settings → API); empty: public channels only",
		User:  "not used: Misskey takes a token", Password: "not used",
		Subs: `{"channel":"localTimeline"}   one per line`,
	})
	registerProfileFields(misskey.Name, func() ProfileFields {
		return newDurationField(misskey.SettingSilence, "Silent after", misskey.DefaultSilence.String(),
			"a channel quiet this long says on its row why that is likely")
	})
}

type misskeyForm struct {
	onChange
	channel  *widget.Select
	params   *fyne.Container
	flags    map[string]*widget.Check
	ids      map[string]*widget.Entry
	hashtags *widget.Entry
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
			f.hashtags.OnChanged = func(string) { growRows(f.hashtags, 3, 20); f.changed() }
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

func (f *misskeyForm) Content() fyne.CanvasObject { return f.content }

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
