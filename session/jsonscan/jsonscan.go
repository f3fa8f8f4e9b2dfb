// Package jsonscan reads chosen fields out of a JSON document in one validating pass,
// without building the document: the engine's hot path needs a handful of fields
// of a 1 KB frame for its summary, and keeps the frame's bytes as they are.
//
// Scan accepts exactly what encoding/json's Valid accepts (a fuzz test holds it to
// that), so a frame it passes is JSON.
package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"unicode/utf8"
)

// Paths is a set of field paths to extract, e.g. {"body","id"}. Array elements are
// not addressable: paths stop at the first array.
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

// Scan validates doc and fills out[i] with the value at paths[i] (the last one
// wins for a repeated key). out must have len(paths) entries; at most 64 paths.
func Scan(doc []byte, paths Paths, out []Value) error {
	if len(paths) > 64 {
		return errors.New("jsonscan: at most 64 paths")
	}
	s := scanner{doc: doc, paths: paths, out: out}
	for i := range out {
		out[i] = Value{}
	}
	all := uint64(1)<<len(paths) - 1
	if len(paths) == 64 {
		all = ^uint64(0)
	}
	s.ws()
	if err := s.value(0, all); err != nil {
		return err
	}
	s.ws()
	if s.i != len(s.doc) {
		return s.fail("data after the top-level value")
	}
	return nil
}

type scanner struct {
	doc   []byte
	i     int
	paths Paths
	out   []Value
}

func (s *scanner) fail(what string) error {
	return fmt.Errorf("%w at offset %d: %s", ErrSyntax, s.i, what)
}

func (s *scanner) ws() {
	for s.i < len(s.doc) {
		switch s.doc[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value parses one value at depth; cand is the set of paths (a bit each) whose
// keys so far lead here: empty inside arrays and off every path, where nothing
// is recorded.
func (s *scanner) value(depth int, cand uint64) error {
	if s.i >= len(s.doc) {
		return s.fail("unexpected end")
	}
	start := s.i
	var err error
	switch c := s.doc[s.i]; {
	case c == '{':
		err = s.object(depth, cand)
	case c == '[':
		err = s.array(depth)
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
	if depth > 0 {
		for m := cand; m != 0; m &= m - 1 {
			if i := bits.TrailingZeros64(m); len(s.paths[i]) == depth {
				s.out[i] = Value{Raw: s.doc[start:s.i]}
			}
		}
	}
	return nil
}

// narrow keeps the candidate paths whose key at depth is key.
func (s *scanner) narrow(cand uint64, depth int, key []byte) uint64 {
	var out uint64
	for m := cand; m != 0; m &= m - 1 {
		i := bits.TrailingZeros64(m)
		if p := s.paths[i]; len(p) > depth && p[depth] == string(key) {
			out |= 1 << i
		}
	}
	return out
}

func (s *scanner) object(depth int, cand uint64) error {
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
		key := s.doc[kstart+1 : s.i-1]
		s.ws()
		if s.i >= len(s.doc) || s.doc[s.i] != ':' {
			return s.fail("expected ':'")
		}
		s.i++
		s.ws()
		var inner uint64
		if cand != 0 {
			inner = s.narrow(cand, depth, key)
		}
		if err := s.value(depth+1, inner); err != nil {
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

func (s *scanner) array(depth int) error {
	s.i++ // [
	s.ws()
	if s.i < len(s.doc) && s.doc[s.i] == ']' {
		s.i++
		return nil
	}
	for {
		s.ws()
		if err := s.value(depth+1, 0); err != nil {
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

func (s *scanner) str() error {
	s.i++ // "
	for s.i < len(s.doc) {
		c := s.doc[s.i]
		switch {
		case c == '"':
			s.i++
			return nil
		case c == '\\':
			s.i++
			if s.i >= len(s.doc) {
				return s.fail("unexpected end in an escape")
			}
			switch s.doc[s.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i++
			case 'u':
				if s.i+5 > len(s.doc) {
					return s.fail("short \\u escape")
				}
				for _, h := range s.doc[s.i+1 : s.i+5] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return s.fail("bad \\u escape")
					}
				}
				s.i += 5
			default:
				return s.fail("bad escape")
			}
		case c < 0x20:
			return s.fail("control character in a string")
		case c < utf8.RuneSelf:
			s.i++
		default:
			// encoding/json accepts invalid UTF-8 (replacing it), so only skip here.
			_, n := utf8.DecodeRune(s.doc[s.i:])
			s.i += n
		}
	}
	return s.fail("unterminated string")
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
