package websocket

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/feedscope/feedscope/session"
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
// summary (the first few scalar fields).
type Decoder struct {
	Kind    []Pointer // tried in order; nil: DefaultKind
	Summary Template  // nil: the default summary
}

// Text shows a text frame: JSON when it parses, else the text itself.
func (d *Decoder) Text(frame []byte) session.Event {
	if doc, ok := parseJSON(frame); ok {
		return d.json(frame, doc, KindText)
	}
	raw, _ := json.Marshal(string(frame)) // invalid UTF-8 becomes U+FFFD, Raw stays JSON
	return session.Event{Kind: KindText, Summary: oneLine(string(frame), maxSummary), Raw: raw}
}

// Binary shows a binary frame: JSON when it is UTF-8 JSON, else its size and first
// bytes in hex; Raw is then {"binary":"<base64>","size":n}.
func (d *Decoder) Binary(frame []byte) session.Event {
	if utf8.Valid(frame) {
		if doc, ok := parseJSON(frame); ok {
			return d.json(frame, doc, KindBinary)
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

// parseJSON parses frame when it is one JSON value, numbers kept as written.
func parseJSON(frame []byte) (any, bool) {
	t := bytes.TrimLeft(frame, " \t\r\n")
	if len(t) == 0 || !strings.ContainsRune(`{["-0123456789tfn`, rune(t[0])) || !json.Valid(t) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(t))
	dec.UseNumber()
	var doc any
	if dec.Decode(&doc) != nil {
		return nil, false
	}
	return doc, true
}

func (d *Decoder) json(frame []byte, doc any, fallback string) session.Event {
	ev := session.Event{Kind: fallback, Raw: bytes.TrimSpace(frame)}
	kinds := d.Kind
	if kinds == nil {
		kinds = defaultKind
	}
	skip := ""
	for _, p := range kinds {
		if v, ok := p.Find(doc); ok && isScalar(v) && v != nil {
			if k := text(v); k != "" {
				ev.Kind = oneLine(k, maxKind)
				if len(p) == 1 {
					skip = p[0]
				}
				break
			}
		}
	}
	if d.Summary != nil {
		ev.Summary = oneLine(d.Summary.Render(doc), maxSummary)
	} else {
		ev.Summary = oneLine(defaultSummary(ev.Raw, doc, skip), maxSummary)
	}
	return ev
}

var defaultKind, _ = parsePointers("")

// defaultSummary is "key=value" for the first few scalar fields of an object, in the
// frame's order and without the field that gave the kind; a scalar's own text; or
// the compact document when it has no scalar field.
func defaultSummary(frame []byte, doc any, skip string) string {
	switch v := doc.(type) {
	case map[string]any:
		if s := firstScalars(frame, skip); s != "" {
			return s
		}
	case []any:
		return fmt.Sprintf("[%d items] %s", len(v), compact(frame, maxSummary))
	default:
		return text(v)
	}
	return compact(frame, maxSummary)
}

// firstScalars walks the top level of an object in order (a map would lose it).
func firstScalars(frame []byte, skip string) string {
	dec := json.NewDecoder(bytes.NewReader(frame))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return ""
	}
	var parts []string
	for dec.More() && len(parts) < maxFields {
		t, err := dec.Token()
		if err != nil {
			break
		}
		key, _ := t.(string)
		var v any
		if dec.Decode(&v) != nil {
			break
		}
		if key == skip || !isScalar(v) {
			continue
		}
		parts = append(parts, key+"="+session.Shorten(text(v), maxValue))
	}
	return strings.Join(parts, " ")
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
func parsePointers(s string) ([]Pointer, error) {
	if strings.TrimSpace(s) == "" {
		s = DefaultKind
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

// Render fills the template from doc; a pointer that finds nothing gives "".
func (t Template) Render(doc any) string {
	var b strings.Builder
	for _, sg := range t {
		if sg.ptr == nil {
			b.WriteString(sg.lit)
			continue
		}
		if v, ok := sg.ptr.Find(doc); ok {
			if isScalar(v) {
				b.WriteString(session.Shorten(text(v), maxValue))
			} else {
				b.WriteString(text(v))
			}
		}
	}
	return b.String()
}
