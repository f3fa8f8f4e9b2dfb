package websocket

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/jsonscan"
)

// Lengths of what an event shows.
const (
	maxKind    = 64
	maxSummary = 200
	maxValue   = 60 // one value inside a summary
	maxFields  = 4  // scalar fields in the default summary
	hexPreview = 16 // bytes of a binary frame shown in hex
)

// Decoder turns frames into events. Its zero value uses DefaultKind and the default
// summary (the first few scalar fields). A Decoder is one session's: it is not safe
// for concurrent use.
type Decoder struct {
	Kind    []Pointer // tried in order; nil: DefaultKind
	Summary Template  // nil: the default summary
	// Key and Label are tried in order for what the event is about (Event.Key,
	// Event.Label): nil means DefaultKey and DefaultLabel.
	Key, Label []Pointer

	plan *plan
	out  []jsonscan.Value
}

// plan is what one pass of jsonscan extracts: each pointer's object-key path and,
// for a pointer with an array index, the path up to its first index (the rest is
// walked in the small value found there).
type plan struct {
	set   *jsonscan.Set
	kinds []lookup
	keys  []lookup
	label []lookup
	tmpl  []lookup // one per template segment; a literal's is unused
}

type lookup struct {
	whole  bool // the empty pointer: the whole document
	full   int  // slot of the pointer as object keys
	prefix int  // slot of the keys before the first array index; -1: none
	rest   Pointer
}

func (d *Decoder) compile() {
	kinds := d.Kind
	if kinds == nil {
		kinds = defaultKind
	}
	var paths jsonscan.Paths
	add := func(p Pointer) lookup {
		if len(p) == 0 {
			return lookup{whole: true}
		}
		l := lookup{full: len(paths), prefix: -1}
		paths = append(paths, p)
		for i, tok := range p {
			if _, err := strconv.Atoi(tok); err == nil {
				if i == 0 {
					l.prefix, l.rest = -2, p // walk from the whole document
				} else {
					l.prefix, l.rest = len(paths), p[i:]
					paths = append(paths, p[:i])
				}
				break
			}
		}
		return l
	}
	pl := &plan{}
	for _, k := range kinds {
		pl.kinds = append(pl.kinds, add(k))
	}
	for _, k := range orDefault(d.Key, defaultKey) {
		pl.keys = append(pl.keys, add(k))
	}
	for _, k := range orDefault(d.Label, defaultLabel) {
		pl.label = append(pl.label, add(k))
	}
	for _, sg := range d.Summary {
		if sg.ptr != nil {
			pl.tmpl = append(pl.tmpl, add(sg.ptr))
		} else {
			pl.tmpl = append(pl.tmpl, lookup{})
		}
	}
	pl.set = jsonscan.Compile(paths)
	d.plan, d.out = pl, make([]jsonscan.Value, pl.set.Len())
}

// Text shows a text frame: JSON when it parses, else the text itself.
func (d *Decoder) Text(frame []byte) session.Event {
	if ev, ok := d.json(frame, KindText); ok {
		return ev
	}
	raw, _ := json.Marshal(string(frame)) // invalid UTF-8 becomes U+FFFD, Raw stays JSON
	return session.Event{Kind: KindText, Summary: oneLine(string(frame), maxSummary), Raw: raw}
}

// Binary shows a binary frame: JSON when it is UTF-8 JSON, else its size and first
// bytes in hex; Raw is then {"binary":"<base64>","size":n}.
func (d *Decoder) Binary(frame []byte) session.Event {
	if utf8.Valid(frame) {
		if ev, ok := d.json(frame, KindBinary); ok {
			return ev
		}
	}
	raw, _ := json.Marshal(struct {
		Binary []byte `json:"binary"` // encoding/json writes []byte as base64
		Size   int    `json:"size"`
	}{frame, len(frame)})
	return session.Event{Kind: KindBinary, Summary: HexPreview(frame), Raw: raw}
}

// HexPreview is "n bytes: " and the first bytes in hex.
func HexPreview(b []byte) string {
	var s strings.Builder
	fmt.Fprintf(&s, "%d bytes", len(b))
	if len(b) == 0 {
		return s.String()
	}
	s.WriteString(":")
	for i, x := range b {
		if i == hexPreview {
			s.WriteString(" …")
			break
		}
		fmt.Fprintf(&s, " %02x", x)
	}
	return s.String()
}

// json decodes frame when it is one JSON value: one validating pass extracts what
// the kind and summary need; nothing builds the document.
func (d *Decoder) json(frame []byte, fallback string) (session.Event, bool) {
	doc := bytes.TrimSpace(frame)
	// A frame that is a JSON string stays text: Raw then holds every text frame as a
	// JSON string, so the frame can always be had back from it (RawFrame, replay).
	if len(doc) == 0 || !strings.ContainsRune(`{[-0123456789tfn`, rune(doc[0])) {
		return session.Event{}, false
	}
	if d.plan == nil {
		d.compile()
	}
	if d.plan.set.Scan(doc, d.out) != nil {
		return session.Event{}, false
	}
	ev := session.Event{Kind: fallback, Raw: doc}
	kinds := d.Kind
	if kinds == nil {
		kinds = defaultKind
	}
	skip := "" // a top-level field that gave the kind is not repeated in the summary
	for i, l := range d.plan.kinds {
		if v, ok := d.resolve(doc, l); ok && v.scalar() && !v.null() {
			if k := v.text(); k != "" {
				ev.Kind = oneLine(k, maxKind)
				if len(kinds[i]) == 1 {
					skip = kinds[i][0]
				}
				break
			}
		}
	}
	ev.Key = d.first(doc, d.plan.keys)
	ev.Label = d.first(doc, d.plan.label)
	if d.Summary != nil {
		var b strings.Builder
		for i, sg := range d.Summary {
			if sg.ptr == nil {
				b.WriteString(sg.lit)
			} else if v, ok := d.resolve(doc, d.plan.tmpl[i]); ok {
				b.WriteString(session.Shorten(v.text(), maxValue))
			}
		}
		ev.Summary = oneLine(b.String(), maxSummary)
	} else {
		ev.Summary = oneLine(defaultSummary(doc, skip), maxSummary)
	}
	return ev, true
}

// first is the text of the first pointer naming a non-empty scalar, on one line
// and short, or "".
func (d *Decoder) first(doc []byte, ls []lookup) string {
	for _, l := range ls {
		if v, ok := d.resolve(doc, l); ok && v.scalar() && !v.null() {
			if k := v.text(); k != "" {
				return oneLine(k, maxKind)
			}
		}
	}
	return ""
}

func orDefault(p, def []Pointer) []Pointer {
	if p == nil {
		return def
	}
	return p
}

// value is what a pointer found: raw bytes from the scan, or a decoded value where
// the pointer went through an array.
type value struct {
	raw     []byte
	decoded any
	isRaw   bool
}

func (v value) scalar() bool {
	if v.isRaw {
		return v.raw[0] != '{' && v.raw[0] != '['
	}
	return isScalar(v.decoded)
}

func (v value) null() bool {
	if v.isRaw {
		return string(v.raw) == "null"
	}
	return v.decoded == nil
}

func (v value) text() string {
	if !v.isRaw {
		return text(v.decoded)
	}
	if v.null() {
		return "null"
	}
	if v.scalar() {
		return jsonscan.Value{Raw: v.raw}.String()
	}
	return compact(v.raw, maxValue)
}

func (d *Decoder) resolve(doc []byte, l lookup) (value, bool) {
	switch {
	case l.whole:
		return value{raw: doc, isRaw: true}, true
	case d.out[l.full].Found():
		return value{raw: d.out[l.full].Raw, isRaw: true}, true
	case l.prefix == -1:
		return value{}, false
	}
	base := doc
	if l.prefix >= 0 {
		if !d.out[l.prefix].Found() {
			return value{}, false
		}
		base = d.out[l.prefix].Raw
	}
	dec := json.NewDecoder(bytes.NewReader(base))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return value{}, false
	}
	found, ok := l.rest.Find(v)
	return value{decoded: found}, ok
}

var (
	defaultKind, _  = parsePointers("", DefaultKind)
	defaultKey, _   = parsePointers("", DefaultKey)
	defaultLabel, _ = parsePointers("", DefaultLabel)
)

// defaultSummary is "key=value" for the first few scalar fields of an object, in the
// frame's order and without the field that gave the kind; a scalar's own text; or
// the compact document when it has no scalar field.
func defaultSummary(doc []byte, skip string) string {
	switch doc[0] {
	case '{':
		var parts []string
		members(doc, func(key string, raw []byte) bool {
			if key != skip && raw[0] != '{' && raw[0] != '[' {
				v := value{raw: raw, isRaw: true}
				parts = append(parts, key+"="+session.Shorten(v.text(), maxValue))
			}
			return len(parts) < maxFields
		})
		if len(parts) > 0 {
			return strings.Join(parts, " ")
		}
	case '[':
		n := 0
		members(doc, func(string, []byte) bool { n++; return true })
		return fmt.Sprintf("[%d items] %s", n, compact(doc, maxSummary))
	default:
		return value{raw: doc, isRaw: true}.text()
	}
	return compact(doc, maxSummary)
}

// members calls fn with each top-level member of an object (key and raw value) or
// element of an array (no key), in order, until fn says stop. doc must be valid JSON.
func members(doc []byte, fn func(key string, raw []byte) bool) {
	i := 1
	for {
		i = skipSpace(doc, i)
		if i >= len(doc) || doc[i] == '}' || doc[i] == ']' {
			return
		}
		key := ""
		if doc[0] == '{' {
			end := skipString(doc, i)
			key = jsonscan.Value{Raw: doc[i:end]}.String()
			i = skipSpace(doc, end) + 1 // the colon
			i = skipSpace(doc, i)
		}
		end := skipValue(doc, i)
		if !fn(key, doc[i:end]) {
			return
		}
		i = skipSpace(doc, end)
		if i < len(doc) && doc[i] == ',' {
			i++
		}
	}
}

func skipSpace(doc []byte, i int) int {
	for i < len(doc) && (doc[i] == ' ' || doc[i] == '\t' || doc[i] == '\n' || doc[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at doc[i].
func skipString(doc []byte, i int) int {
	for i++; i < len(doc); i++ {
		switch doc[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(doc)
}

// skipValue returns the index after the value starting at doc[i].
func skipValue(doc []byte, i int) int {
	switch doc[i] {
	case '"':
		return skipString(doc, i)
	case '{', '[':
		depth := 0
		for i < len(doc) {
			switch doc[i] {
			case '"':
				i = skipString(doc, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(doc)
	default:
		for i < len(doc) && !strings.ContainsRune(",}] \t\r\n", rune(doc[i])) {
			i++
		}
		return i
	}
}

func isScalar(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}

// text is a value as a person reads it: a string unquoted, other scalars as JSON
// writes them, objects and arrays compact and cut short.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return "null"
	}
	b, _ := json.Marshal(v)
	return session.Clip(b, maxValue)
}

func compact(frame []byte, n int) string {
	var b bytes.Buffer
	if json.Compact(&b, frame) != nil {
		return session.Clip(frame, n)
	}
	return session.Clip(b.Bytes(), n)
}

// oneLine puts s on one line and cuts it to n characters.
func oneLine(s string, n int) string {
	if strings.ContainsAny(s, "\r\n\t") {
		s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ").Replace(s)
	}
	return session.Shorten(s, n)
}

// Pointer is a parsed JSON pointer (RFC 6901): its reference tokens, unescaped. The
// empty pointer is the whole document.
type Pointer []string

// ParsePointer parses "" or "/a/b~1c/0".
func ParsePointer(s string) (Pointer, error) {
	if s == "" {
		return Pointer{}, nil
	}
	if s[0] != '/' {
		return nil, fmt.Errorf("%q is not a JSON pointer: it must start with /", s)
	}
	toks := strings.Split(s[1:], "/")
	for i, t := range toks {
		for j := 0; j < len(t); j++ {
			if t[j] == '~' && (j+1 == len(t) || t[j+1] != '0' && t[j+1] != '1') {
				return nil, fmt.Errorf("%q: ~ must be followed by 0 or 1 (~0 is ~, ~1 is /)", s)
			}
		}
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks, nil
}

// Find returns the value p points at in doc.
func (p Pointer) Find(doc any) (any, bool) {
	for _, tok := range p {
		switch v := doc.(type) {
		case map[string]any:
			var ok bool
			if doc, ok = v[tok]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(v) || tok != strconv.Itoa(i) {
				return nil, false
			}
			doc = v[i]
		default:
			return nil, false
		}
	}
	return doc, true
}

// parsePointers parses the space-separated pointers of SettingKind ("" is the default).
func parsePointers(s, def string) ([]Pointer, error) {
	if strings.TrimSpace(s) == "" {
		s = def
	}
	var out []Pointer
	for _, f := range strings.Fields(s) {
		p, err := ParsePointer(f)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Template is a parsed summary template: literal text and pointers, alternating.
type Template []segment

type segment struct {
	lit string
	ptr Pointer // nil for a literal
}

// ParseTemplate parses "text {/pointer} text"; {} is the whole document.
func ParseTemplate(s string) (Template, error) { return parseTemplate(s) }

func parseTemplate(s string) (Template, error) {
	if s == "" {
		return nil, nil
	}
	var t Template
	for len(s) > 0 {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			t = append(t, segment{lit: s})
			break
		}
		if i > 0 {
			t = append(t, segment{lit: s[:i]})
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return nil, fmt.Errorf("the { of %q is not closed", session.Shorten(s[i:], 20))
		}
		p, err := ParsePointer(s[i+1 : i+j])
		if err != nil {
			return nil, err
		}
		t = append(t, segment{ptr: p})
		s = s[i+j+1:]
	}
	return t, nil
}
