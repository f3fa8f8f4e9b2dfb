package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/feedscope/feedscope/session"
)

// Detail shows one event: its fields, its raw JSON as a collapsible tree and as
// pretty text, with copy buttons.
type Detail struct {
	app      fyne.App
	event    *session.Event
	nodes    map[string]*jsonNode
	selected string

	header   *widget.Label
	tree     *widget.Tree
	pretty   *widget.Entry
	copyRaw  *widget.Button
	copyVal  *widget.Button
	Content  fyne.CanvasObject
	OnCopied func(what string)
}

// jsonNode is one value of the raw frame; its id is its JSON path.
type jsonNode struct {
	key      string
	value    any
	children []string
}

// NewDetail builds the pane.
func NewDetail(a fyne.App) *Detail {
	d := &Detail{app: a, nodes: map[string]*jsonNode{}}
	d.header = widget.NewLabel("Select an event to see it here.")
	d.header.Wrapping = fyne.TextWrapWord
	d.tree = widget.NewTree(d.childIDs, d.isBranch,
		func(bool) fyne.CanvasObject { return widget.NewLabel("") },
		d.updateNode)
	d.tree.OnSelected = func(id widget.TreeNodeID) { d.selected = id; d.copyVal.Enable() }
	d.pretty = widget.NewMultiLineEntry()
	d.pretty.TextStyle = fyne.TextStyle{Monospace: true}
	d.pretty.Wrapping = fyne.TextWrapOff
	d.copyRaw = widget.NewButton("Copy raw", d.onCopyRaw)
	d.copyVal = widget.NewButton("Copy value", d.onCopyValue)
	d.copyRaw.Disable()
	d.copyVal.Disable()
	tabs := container.NewAppTabs(container.NewTabItem("Tree", d.tree), container.NewTabItem("Text", d.pretty))
	d.Content = container.NewBorder(d.header, container.NewGridWithColumns(2, d.copyRaw, d.copyVal), nil, nil, tabs)
	return d
}

// Show displays e, or nothing when e is nil.
func (d *Detail) Show(e *session.Event) {
	d.selected = ""
	d.copyVal.Disable()
	if e == nil {
		d.event = nil
		d.nodes = map[string]*jsonNode{}
		d.header.SetText("Select an event to see it here.")
		d.pretty.SetText("")
		d.copyRaw.Disable()
		d.tree.Refresh()
		return
	}
	ev := *e
	d.event = &ev
	d.header.SetText(fmt.Sprintf("%s · %s · %s %s%s\n%s", ev.Time.Local().Format("2006-01-02 15:04:05.000"),
		ev.Profile, ev.Dir, ev.Kind, subSuffix(ev.Sub), ev.Summary))
	d.nodes = map[string]*jsonNode{}
	var v any
	if len(ev.Raw) > 0 && json.Unmarshal(ev.Raw, &v) == nil {
		d.build("", "", v)
	}
	text, own := session.DetailText(&ev)
	if !own {
		text = Pretty(ev.Raw)
	}
	d.pretty.SetText(text)
	d.copyRaw.Enable()
	d.tree.Refresh()
	d.tree.OpenBranch("")
	// The first two levels open (a frame's type, its body and what the body
	// holds), unless a level is a long list.
	for _, id := range d.childIDs("") {
		if !d.isBranch(id) {
			continue
		}
		d.tree.OpenBranch(id)
		for _, c := range d.childIDs(id) {
			if d.isBranch(c) && len(d.childIDs(c)) <= 20 {
				d.tree.OpenBranch(c)
			}
		}
	}
}

func subSuffix(sub string) string {
	if sub == "" {
		return ""
	}
	return " · sub " + sub
}

// build indexes v under id, depth first, so the tree can ask for children.
func (d *Detail) build(id, key string, v any) {
	n := &jsonNode{key: key, value: v}
	d.nodes[id] = n
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			cid := id + "/" + k
			n.children = append(n.children, cid)
			d.build(cid, k, x[k])
		}
	case []any:
		for i, e := range x {
			cid := id + "/" + strconv.Itoa(i)
			n.children = append(n.children, cid)
			d.build(cid, "["+strconv.Itoa(i)+"]", e)
		}
	}
}

func (d *Detail) childIDs(id widget.TreeNodeID) []widget.TreeNodeID {
	if id == "" {
		if _, ok := d.nodes[""]; ok {
			return d.nodes[""].children
		}
		return nil
	}
	if n := d.nodes[id]; n != nil {
		return n.children
	}
	return nil
}

func (d *Detail) isBranch(id widget.TreeNodeID) bool {
	if id == "" {
		return true
	}
	n := d.nodes[id]
	return n != nil && n.children != nil
}

func (d *Detail) updateNode(id widget.TreeNodeID, branch bool, o fyne.CanvasObject) {
	n := d.nodes[id]
	if n == nil {
		return
	}
	label := o.(*widget.Label)
	switch x := n.value.(type) {
	case map[string]any:
		label.SetText(fmt.Sprintf("%s {%d}", n.key, len(x)))
	case []any:
		label.SetText(fmt.Sprintf("%s [%d]", n.key, len(x)))
	default:
		b, _ := json.Marshal(x)
		label.SetText(n.key + ": " + fit(string(b), 80))
	}
}

// Value returns the selected node's value as JSON (strings without quotes).
func (d *Detail) Value() string {
	n := d.nodes[d.selected]
	if n == nil {
		return ""
	}
	if s, ok := n.value.(string); ok {
		return s
	}
	b, _ := json.MarshalIndent(n.value, "", "  ")
	return string(b)
}

// SelectPath selects a node by its path, e.g. "/body/id".
func (d *Detail) SelectPath(path string) { d.tree.Select(path) }

func (d *Detail) onCopyRaw() {
	if d.event == nil {
		return
	}
	d.app.Clipboard().SetContent(string(d.event.Raw))
	if d.OnCopied != nil {
		d.OnCopied("raw frame")
	}
}

func (d *Detail) onCopyValue() {
	if v := d.Value(); v != "" || d.selected != "" {
		d.app.Clipboard().SetContent(v)
		if d.OnCopied != nil {
			d.OnCopied(strings.TrimPrefix(d.selected, "/"))
		}
	}
}

// Pretty indents JSON; anything else is returned as it is.
func Pretty(raw []byte) string {
	var b bytes.Buffer
	if json.Indent(&b, raw, "", "  ") != nil {
		return string(raw)
	}
	return b.String()
}
