// Package jsonscan reads chosen fields out of a JSON document in one validating pass,
// without building the document: the engine's hot path needs a handful of fields
// of a 1 KB frame for its summary, and keeps the frame's bytes as they are.
//
// Scan accepts exactly what encoding/json's Valid accepts (a fuzz test holds it to
// that), so a frame it passes is JSON.
package jsonscan

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Paths is a set of field paths to extract, e.g. {"body","id"}. Array elements are
// not addressable: paths stop at the first array. Compile them once for a hot path.
type Paths [][]string

// Value is one extracted value: its raw bytes as they stand in the document.
type Value struct {
	Raw []byte
}

// Found reports whether the path was present.
func (v Value) Found() bool { return v.Raw != nil }

// IsNull reports whether the value is null (or absent).
func (v Value) IsNull() bool { return v.Raw == nil || string(v.Raw) == "null" }

// String returns a string value unquoted; any other kind of value as its raw text;
// "" when absent or null.
func (v Value) String() string {
	if v.IsNull() {
		return ""
	}
	if v.Raw[0] != '"' {
		return string(v.Raw)
	}
	body := v.Raw[1 : len(v.Raw)-1]
	if bytes.IndexByte(body, '\\') >= 0 || !utf8.Valid(body) {
		// Escapes, and invalid UTF-8 (which becomes U+FFFD), take the slow road.
		var s string
		_ = json.Unmarshal(v.Raw, &s)
		return s
	}
	return string(body)
}

// AppendString appends what String returns to dst, without allocating for a
// string free of escapes: a summary built from several values costs one string.
func (v Value) AppendString(dst []byte) []byte {
	if v.IsNull() {
		return dst
	}
	if v.Raw[0] != '"' {
		return append(dst, v.Raw...)
	}
	body := v.Raw[1 : len(v.Raw)-1]
	if bytes.IndexByte(body, '\\') >= 0 || !utf8.Valid(body) {
		return append(dst, v.String()...)
	}
	return append(dst, body...)
}

// Float returns a number value, and whether it was one.
func (v Value) Float() (float64, bool) {
	if len(v.Raw) == 0 || !(v.Raw[0] == '-' || v.Raw[0] >= '0' && v.Raw[0] <= '9') {
		return 0, false
	}
	f, err := strconv.ParseFloat(string(v.Raw), 64)
	return f, err == nil
}

// ErrSyntax is returned for a document that is not JSON.
var ErrSyntax = errors.New("jsonscan: invalid JSON")

// Set is a compiled Paths: a tree of the keys, so each key of a document is
// compared only with the keys that may come at its place. Compile a decoder's
// paths once; a Set is safe for concurrent use.
type Set struct {
	root node
	n    int
}

type node struct {
	key   string
	slots []int // indexes of the paths ending here
	kids  []node
}

// Compile builds the Set of paths. A path with no key selects nothing.
func Compile(paths Paths) *Set {
	set := &Set{n: len(paths)}
	for i, p := range paths {
		if len(p) == 0 {
			continue
		}
		n := &set.root
		for _, k := range p {
			j := 0
			for j < len(n.kids) && n.kids[j].key != k {
				j++
			}
			if j == len(n.kids) {
				n.kids = append(n.kids, node{key: k})
			}
			n = &n.kids[j]
		}
		n.slots = append(n.slots, i)
	}
	return set
}

// Len is how many paths the set was compiled from: the size Scan's out needs.
func (set *Set) Len() int { return set.n }

// Scan validates doc and fills out[i] with the value at paths[i] (the last one
// wins for a repeated key). out must have len(paths) entries.
func Scan(doc []byte, paths Paths, out []Value) error {
	return Compile(paths).Scan(doc, out)
}

// Scan validates doc and fills out[i] with the value at the set's path i (the
// last one wins for a repeated key). out must have Len() entries.
func (set *Set) Scan(doc []byte, out []Value) error {
	if len(out) < set.n {
		return fmt.Errorf("jsonscan: %d values for %d paths", len(out), set.n)
	}
	s := scanner{doc: doc, out: out}
	for i := range out {
		out[i] = Value{}
	}
	s.ws()
	if err := s.value(&set.root); err != nil {
		return err
	}
	s.ws()
	if s.i != len(s.doc) {
		return s.fail("data after the top-level value")
	}
	return nil
}

type scanner struct {
	doc     []byte
	i       int
	out     []Value
	escaped bool // the last string held an escape
}

func (s *scanner) fail(what string) error {
	return fmt.Errorf("%w at offset %d: %s", ErrSyntax, s.i, what)
}

func (s *scanner) ws() {
	d, i := s.doc, s.i
	for i < len(d) && (d[i] == ' ' || d[i] == '\n' || d[i] == '\r' || d[i] == '\t') {
		i++
	}
	s.i = i
}

// value parses one value; n is the tree node of the keys that led here, nil
// inside arrays and off every path, where nothing is recorded.
func (s *scanner) value(n *node) error {
	if s.i >= len(s.doc) {
		return s.fail("unexpected end")
	}
	start := s.i
	var err error
	switch c := s.doc[s.i]; {
	case c == '{':
		err = s.object(n)
	case c == '[':
		err = s.array()
	case c == '"':
		err = s.str()
	case c == '-' || c >= '0' && c <= '9':
		err = s.number()
	case c == 't':
		err = s.literal("true")
	case c == 'f':
		err = s.literal("false")
	case c == 'n':
		err = s.literal("null")
	default:
		return s.fail("unexpected character")
	}
	if err != nil {
		return err
	}
	if n != nil {
		for _, i := range n.slots {
			s.out[i] = Value{Raw: s.doc[start:s.i]}
		}
	}
	return nil
}

// child returns n's node for key (as it stands in the document; escaped says
// it holds escapes), or nil.
func (n *node) child(key []byte, escaped bool) *node {
	for i := range n.kids {
		if k := n.kids[i].key; len(k) == len(key) && k == string(key) {
			return &n.kids[i]
		}
	}
	if escaped {
		// A key written with escapes ("\u0074ype") means what it decodes to.
		var k string
		if json.Unmarshal(append(append([]byte{'"'}, key...), '"'), &k) == nil && !bytes.Equal([]byte(k), key) {
			return n.child([]byte(k), false)
		}
	}
	return nil
}

func (s *scanner) object(n *node) error {
	s.i++ // {
	s.ws()
	if s.i < len(s.doc) && s.doc[s.i] == '}' {
		s.i++
		return nil
	}
	for {
		s.ws()
		if s.i >= len(s.doc) || s.doc[s.i] != '"' {
			return s.fail("expected a key")
		}
		kstart := s.i
		if err := s.str(); err != nil {
			return err
		}
		var inner *node
		if n != nil && len(n.kids) > 0 {
			inner = n.child(s.doc[kstart+1:s.i-1], s.escaped)
		}
		s.ws()
		if s.i >= len(s.doc) || s.doc[s.i] != ':' {
			return s.fail("expected ':'")
		}
		s.i++
		s.ws()
		if err := s.value(inner); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.doc) {
			return s.fail("unexpected end in an object")
		}
		switch s.doc[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return s.fail("expected ',' or '}'")
		}
	}
}

func (s *scanner) array() error {
	s.i++ // [
	s.ws()
	if s.i < len(s.doc) && s.doc[s.i] == ']' {
		s.i++
		return nil
	}
	for {
		s.ws()
		if err := s.value(nil); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.doc) {
			return s.fail("unexpected end in an array")
		}
		switch s.doc[s.i] {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return s.fail("expected ',' or ']'")
		}
	}
}

// plain marks the bytes a string holds as they are: anything but a quote, a
// backslash or a control character. Bytes of UTF-8 sequences are plain too:
// encoding/json accepts invalid UTF-8 (replacing it), so a validator only skips it.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// special reports whether any of the 8 bytes in x is not plain: a zero byte of
// x^'"'…, of x^'\\'…, or a byte below 0x20 (the classic has-zero and has-less
// bit tricks, exact for "any byte").
func special(x uint64) bool {
	q := x ^ (ones * '"')
	b := x ^ (ones * '\\')
	return ((q-ones)&^q|(b-ones)&^b|(x-ones*0x20)&^x)&highs != 0
}

func (s *scanner) str() error {
	d := s.doc
	i := s.i + 1 // "
	s.escaped = false
	for {
		for i+8 <= len(d) && !special(binary.LittleEndian.Uint64(d[i:])) {
			i += 8
		}
		for i < len(d) && plain[d[i]] {
			i++
		}
		if i >= len(d) {
			s.i = i
			return s.fail("unterminated string")
		}
		switch d[i] {
		case '"':
			s.i = i + 1
			return nil
		case '\\':
			s.escaped = true
			i++
			if i >= len(d) {
				s.i = i
				return s.fail("unexpected end in an escape")
			}
			switch d[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if i+5 > len(d) {
					s.i = i
					return s.fail("short \\u escape")
				}
				for _, h := range d[i+1 : i+5] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						s.i = i
						return s.fail("bad \\u escape")
					}
				}
				i += 5
			default:
				s.i = i
				return s.fail("bad escape")
			}
		default:
			s.i = i
			return s.fail("control character in a string")
		}
	}
}

func (s *scanner) number() error {
	d := s.doc
	if d[s.i] == '-' {
		s.i++
	}
	if s.i >= len(d) {
		return s.fail("bad number")
	}
	if d[s.i] == '0' {
		s.i++
	} else if d[s.i] >= '1' && d[s.i] <= '9' {
		for s.i < len(d) && d[s.i] >= '0' && d[s.i] <= '9' {
			s.i++
		}
	} else {
		return s.fail("bad number")
	}
	if s.i < len(d) && d[s.i] == '.' {
		s.i++
		if s.i >= len(d) || d[s.i] < '0' || d[s.i] > '9' {
			return s.fail("bad fraction")
		}
		for s.i < len(d) && d[s.i] >= '0' && d[s.i] <= '9' {
			s.i++
		}
	}
	if s.i < len(d) && (d[s.i] == 'e' || d[s.i] == 'E') {
		s.i++
		if s.i < len(d) && (d[s.i] == '+' || d[s.i] == '-') {
			s.i++
		}
		if s.i >= len(d) || d[s.i] < '0' || d[s.i] > '9' {
			return s.fail("bad exponent")
		}
		for s.i < len(d) && d[s.i] >= '0' && d[s.i] <= '9' {
			s.i++
		}
	}
	return nil
}

func (s *scanner) literal(word string) error {
	if len(s.doc)-s.i < len(word) || string(s.doc[s.i:s.i+len(word)]) != word {
		return s.fail("bad literal")
	}
	s.i += len(word)
	return nil
}
