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
	"math/bits"
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
	if as, _ := asIs(body); !as {
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
	dst, _ = v.AppendPlain(dst)
	return dst
}

// AppendPlain is AppendString, and also reports whether what it appended is
// plain: a string JSON writes back as it stands in the document (no escapes,
// valid UTF-8, no U+2028 or U+2029, which encoding/json escapes), or nothing
// (null or absent). A text made of plain strings needs no escaping.
func (v Value) AppendPlain(dst []byte) (_ []byte, plain bool) {
	if v.IsNull() {
		return dst, true
	}
	if v.Raw[0] != '"' {
		return append(dst, v.Raw...), false
	}
	body := v.Raw[1 : len(v.Raw)-1]
	as, ascii := asIs(body)
	if !as {
		return append(dst, v.String()...), false
	}
	return append(dst, body...), ascii || !hasLineSeparator(body)
}

// hasLineSeparator reports whether b holds U+2028 or U+2029 (E2 80 A8 or A9 in
// UTF-8), the two characters JSON holds as they are and encoding/json escapes.
func hasLineSeparator(b []byte) bool {
	for {
		i := bytes.IndexByte(b, 0xE2)
		if i < 0 || i+2 >= len(b) {
			return false
		}
		if b[i+1] == 0x80 && b[i+2]&^1 == 0xA8 {
			return true
		}
		b = b[i+1:]
	}
}

// asIs reports whether a string's body means what it says (no escapes, valid
// UTF-8), and whether it is ASCII. Names and ids are short and ASCII: a byte
// loop answers for them before a call would.
func asIs(body []byte) (as, ascii bool) {
	if len(body) <= 16 {
		ascii = true
		for _, c := range body {
			ascii = ascii && c < utf8.RuneSelf && c != '\\'
		}
		if ascii {
			return true, true
		}
	}
	return bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body), false
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
	head  uint64 // headOf(key)
	slots []int  // indexes of the paths ending here
	kids  []node
	// index maps keyHash of a key to 1 + the index of the kid it may be, 0
	// when no kid has that hash (most keys of a document are on no path) or
	// several when more than one has: a key costs one look and at most one
	// comparison.
	index [256]uint8
}

// several marks an index entry that more than one kid hashes to.
const several = 255

// headOf is the first (up to) eight bytes of a key as a little-endian word: the
// word the scanner loads to find a short key's end, so hashing and comparing
// the key cost no further load.
func headOf(k []byte) uint64 {
	var w uint64
	for i := 0; i < len(k) && i < 8; i++ {
		w |= uint64(k[i]) << (8 * i)
	}
	return w
}

// keyHash spreads keys over the 256 entries of an index by their head and
// length (a multiplicative hash: the top byte of the product).
func keyHash(head uint64, n int) uint8 { return uint8((head + uint64(n)) * 0x9E3779B97F4A7C15 >> 56) }

func keyHashOf(k []byte) uint8 { return keyHash(headOf(k), len(k)) }

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
				n.kids = append(n.kids, node{key: k, head: headOf([]byte(k))})
			}
			n = &n.kids[j]
		}
		n.slots = append(n.slots, i)
	}
	set.root.buildIndex()
	return set
}

func (n *node) buildIndex() {
	for i := range n.kids {
		h := keyHashOf([]byte(n.kids[i].key))
		switch {
		case n.index[h] == 0 && i < several-1:
			n.index[h] = uint8(i + 1)
		default:
			n.index[h] = several
		}
		n.kids[i].buildIndex()
	}
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
//
// The engine runs it on every frame, so it does as little as a validator can:
// only the objects on a path are walked key by key (each key looked up in the
// compiled tree), every other value is skipped by one loop that validates it
// without recursing and without looking at its keys, and string bodies are
// crossed eight bytes at a time. Nothing is allocated unless a document nests
// deeper than 256 levels off the paths.
func (set *Set) Scan(doc []byte, out []Value) error {
	if len(out) < set.n {
		return fmt.Errorf("jsonscan: %d values for %d paths", len(out), set.n)
	}
	clear(out)
	d := doc
	i := skipSpace(d, 0)
	var why fault
	if len(set.root.kids) > 0 && i < len(d) && d[i] == '{' {
		i, why = walk(d, i, &set.root, out, 1)
	} else {
		i, why = skipValue(d, i, 0)
	}
	if why != ok {
		return fail(i, why)
	}
	if i = skipSpace(d, i); i != len(d) {
		return fail(i, faultTrailing)
	}
	return nil
}

// walk reads the object at d[i] (a '{') of node n, inside depth open
// containers: it descends into the objects on a path and skips every other
// value. It returns the index after the object, or where and why the document
// is not JSON. It recurses only into objects on a path, so no deeper than the
// longest path, whatever the document.
//
// The common cases (a plain string, a literal, a key on no path) are read
// here rather than through skipValue: Go saves every live register around a
// call, which costs more than such a token.
func walk(d []byte, i int, n *node, out []Value, depth int) (int, fault) {
	start := i
	var why fault
	if i = skipSpace(d, i+1); i < len(d) && d[i] == '}' {
		i++
		n.record(out, d[start:i])
		return i, ok
	}
	// White space is looked for only where the expected byte is not found:
	// frames seldom hold any.
	for {
		at, key, child, head, k, closed := skipMembers(d, i, n, out)
		if i = at; closed {
			n.record(out, d[start:i])
			return i, ok
		}
		if key < 0 && (i >= len(d) || d[i] != '"') {
			if i = skipSpace(d, i); i >= len(d) || d[i] != '"' {
				return i, faultKey
			}
		}
		from := i + 1
		if key >= 0 { // skipMembers read the key, a plain one
			i = key + 1
			if k != 0 {
				child = n.kid(k, head, d[from:key])
			}
		} else if j := plainEnd(d, from); j < len(d) && d[j] == '"' {
			i = j + 1
			child = n.child(d[from:j], false)
		} else {
			var escaped bool
			if i, escaped = scanString(d, i); i < 0 {
				return ^i, faultString
			}
			child = n.child(d[from:i-1], escaped)
		}
		if i < len(d) && d[i] == ':' {
			i++
		} else if i = skipSpace(d, i); i < len(d) && d[i] == ':' {
			i++
		} else {
			return i, faultColon
		}
		if i >= len(d) || d[i] <= ' ' {
			if i = skipSpace(d, i); i >= len(d) {
				return i, faultEnd
			}
		}
		from = i
		switch c := d[i]; {
		case c == '"':
			if j := plainEnd(d, i+1); j < len(d) && d[j] == '"' {
				i = j + 1
			} else if i, _ = scanString(d, i); i < 0 {
				return ^i, faultString
			}
		case c == '{' && child != nil && len(child.kids) > 0:
			if depth+1 >= maxDepth {
				return i, faultDeep
			}
			if i, why = walk(d, i, child, out, depth+1); why != ok {
				return i, why
			}
			child = nil // it recorded itself
		case (c == '[' || c == '{') && i+1 < len(d) && d[i+1] == c+2:
			i += 2 // [] or {}: ']' and '}' come two after their openers in ASCII
		case c == '{' || c == '[':
			if i, why = skipContainer(d, i, depth); why != ok {
				return i, why
			}
		case c == 'n' && hasWord(d, i, wordNull), c == 't' && hasWord(d, i, wordTrue):
			i += 4
		case c-'0' <= 9 && i+1 < len(d) && d[i+1]-'0' > 9 && d[i+1] != '.' && d[i+1]|0x20 != 'e':
			i++ // a one-digit number, the commonest: counts and flags
		default:
			if i, why = skipScalar(d, i); why != ok {
				return i, why
			}
		}
		if child != nil {
			child.record(out, d[from:i])
		}
		if i >= len(d) || d[i] <= ' ' {
			if i = skipSpace(d, i); i >= len(d) {
				return i, faultEnd
			}
		}
		if d[i] == ',' {
			i++
			continue
		}
		if d[i] != '}' {
			return i, faultObject
		}
		i++
		n.record(out, d[start:i])
		return i, ok
	}
}

func (n *node) record(out []Value, raw []byte) {
	for _, k := range n.slots {
		out[k] = Value{Raw: raw}
	}
}

// skipValue validates the value at d[i], inside depth open containers, and
// returns the index after it.
func skipValue(d []byte, i, depth int) (int, fault) {
	if i >= len(d) {
		return i, faultEnd
	}
	if c := d[i]; c == '{' || c == '[' {
		return skipContainer(d, i, depth)
	}
	return skipScalar(d, i)
}

// skipContainer validates the object or array at d[i], inside depth open
// containers, and returns the index after it. It is one loop that keeps, one
// bit per level, whether each open container is an object: no recursion, no
// look at what the keys say, and no stack that grows with the document past
// what the depth limit allows.
func skipContainer(d []byte, i, depth int) (int, fault) {
	if j, done := skipFast(d, i); done && depth+64 < maxDepth {
		return j, ok
	}
	var (
		small [4]uint64 // bit k: level k is an object (the first 256 levels)
		kinds = small[:]
		level int  // containers open inside this value
		obj   bool // the innermost one is an object
		why   fault
		j     int
	)

open: // d[i] is '{' or '['
	if depth+level >= maxDepth {
		return i, faultDeep
	}
	if level>>6 >= len(kinds) {
		kinds = append(kinds, make([]uint64, len(kinds))...)
	}
	obj = d[i] == '{'
	if obj {
		kinds[level>>6] |= 1 << (level & 63)
	} else {
		kinds[level>>6] &^= 1 << (level & 63)
	}
	level++
	if i++; i >= len(d) || d[i] <= ' ' {
		if i = skipSpace(d, i); i >= len(d) {
			return i, faultEnd
		}
	}
	if obj {
		if d[i] == '}' {
			i++
			goto closed
		}
		goto key
	}
	if d[i] == ']' {
		i++
		goto closed
	}

value: // at a value inside a container; i < len(d)
	switch c := d[i]; {
	case c == '"':
		if j = plainEnd(d, i+1); j < len(d) && d[j] == '"' {
			i = j + 1
		} else if i, _ = scanString(d, i); i < 0 {
			return ^i, faultString
		}
	case c == '{' || c == '[':
		goto open
	case c == 'n' && hasWord(d, i, wordNull), c == 't' && hasWord(d, i, wordTrue):
		i += 4
	default:
		if i, why = skipScalar(d, i); why != ok {
			return i, why
		}
	}

after: // a value inside the innermost container ended at i
	if i >= len(d) || d[i] <= ' ' {
		if i = skipSpace(d, i); i >= len(d) {
			return i, faultEnd
		}
	}
	switch c := d[i]; {
	case c == ',':
		if i++; i >= len(d) || d[i] <= ' ' {
			if i = skipSpace(d, i); i >= len(d) {
				return i, faultEnd
			}
		}
		if obj {
			goto key
		}
		goto value
	case c == '}' && obj, c == ']' && !obj:
		i++
		goto closed
	case obj:
		return i, faultObject
	}
	return i, faultArray

key: // at an object's key; i < len(d)
	if d[i] != '"' {
		return i, faultKey
	}
	if j = plainEnd(d, i+1); j < len(d) && d[j] == '"' {
		i = j + 1
	} else if i, _ = scanString(d, i); i < 0 {
		return ^i, faultString
	}
	if i >= len(d) || d[i] != ':' {
		if i = skipSpace(d, i); i >= len(d) || d[i] != ':' {
			return i, faultColon
		}
	}
	if i++; i >= len(d) || d[i] <= ' ' {
		if i = skipSpace(d, i); i >= len(d) {
			return i, faultEnd
		}
	}
	goto value

closed: // the innermost container ended at i
	if level--; level == 0 {
		return i, ok
	}
	obj = kinds[(level-1)>>6]&(1<<((level-1)&63)) != 0
	goto after
}

// skipScalar validates the string, number or literal at d[i] (i < len(d)).
func skipScalar(d []byte, i int) (int, fault) {
	switch c := d[i]; {
	case c == '"':
		if i, _ = scanString(d, i); i < 0 {
			return ^i, faultString
		}
		return i, ok
	case c == '-' || c-'0' <= 9:
		if i = scanNumber(d, i); i < 0 {
			return ^i, faultNumber
		}
		return i, ok
	case c == 'n' && hasWord(d, i, wordNull), c == 't' && hasWord(d, i, wordTrue):
		return i + 4, ok
	case c == 'f' && hasWord(d, i+1, wordAlse):
		return i + 5, ok
	case c == 'n' || c == 't' || c == 'f':
		return i, faultLiteral
	}
	return i, faultChar
}

// The literals as little-endian words, so one comparison reads four bytes.
const (
	wordNull = 'n' | 'u'<<8 | 'l'<<16 | 'l'<<24
	wordTrue = 't' | 'r'<<8 | 'u'<<16 | 'e'<<24
	wordAlse = 'a' | 'l'<<8 | 's'<<16 | 'e'<<24
)

func hasWord(d []byte, i int, w uint32) bool {
	return i+4 <= len(d) && binary.LittleEndian.Uint32(d[i:]) == w
}

// maxDepth is encoding/json's nesting limit, so both accept the same documents.
const maxDepth = 10000

// skipSpace returns the index of the first byte from i that is not JSON white
// space. Frames seldom hold any: the first test usually answers.
func skipSpace(d []byte, i int) int {
	for i < len(d) && d[i] <= ' ' && (d[i] == ' ' || d[i] == '\n' || d[i] == '\r' || d[i] == '\t') {
		i++
	}
	return i
}

// fault says why a document is not JSON.
type fault uint8

const (
	ok fault = iota
	faultEnd
	faultTrailing
	faultKey
	faultColon
	faultObject
	faultArray
	faultString
	faultNumber
	faultLiteral
	faultChar
	faultDeep
)

var faults = [...]string{
	ok:            "",
	faultEnd:      "unexpected end",
	faultTrailing: "data after the top-level value",
	faultKey:      "expected a key",
	faultColon:    "expected ':'",
	faultObject:   "expected ',' or '}'",
	faultArray:    "expected ',' or ']'",
	faultString:   "bad string",
	faultNumber:   "bad number",
	faultLiteral:  "bad literal",
	faultChar:     "unexpected character",
	faultDeep:     "nested too deep",
}

func fail(at int, why fault) error {
	return fmt.Errorf("%w at offset %d: %s", ErrSyntax, at, faults[why])
}

// kid returns the kid that index entry k names if its key is key (whose head
// is head), or nil.
func (n *node) kid(k uint8, head uint64, key []byte) *node {
	if k == several {
		for i := range n.kids {
			if n.kids[i].key == string(key) {
				return &n.kids[i]
			}
		}
		return nil
	}
	if c := &n.kids[k-1]; c.head == head && len(c.key) == len(key) && (len(key) <= 8 || c.key[8:] == string(key[8:])) {
		return c
	}
	return nil
}

// child returns n's node for key (as it stands in the document; escaped says
// it holds escapes), or nil.
func (n *node) child(key []byte, escaped bool) *node {
	if escaped {
		// A key written with escapes ("\u0074ype") means what it decodes to.
		var k string
		if json.Unmarshal(append(append([]byte{'"'}, key...), '"'), &k) != nil {
			return nil
		}
		key = []byte(k)
	}
	if k := n.index[keyHashOf(key)]; k != 0 {
		return n.kid(k, headOf(key), key)
	}
	return nil
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

// specials marks, by its high bit, each of the 8 bytes of x that is not plain:
// a byte below 0x20, a quote or a backslash (the has-less and has-zero bit
// tricks, sharing one mask of the ASCII bytes, after Daniel Lemire's "Check
// whether a string needs escaping", lemire.me, 2024). Only ASCII bytes can be
// marked, and a borrow can mark a byte above a special one, never below, so
// the lowest mark is exact.
func specials(x uint64) uint64 {
	lt32 := x - ones*0x20
	quote := (x ^ ones*'"') - ones
	slash := (x ^ ones*'\\') - ones
	return (lt32 | quote | slash) &^ x & highs
}

// scanString reads the string starting at d[i] (a '"') and returns the index
// after its closing quote and whether it holds escapes; a negative index is ^ the
// offset of a fault. The body is crossed a word at a time to its first quote,
// backslash or control character.
func scanString(d []byte, i int) (int, bool) {
	i++ // "
	escaped := false
	for {
		for i+8 <= len(d) {
			if m := specials(binary.LittleEndian.Uint64(d[i:])); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				goto special
			}
			i += 8
		}
		for i < len(d) && plain[d[i]] {
			i++
		}
		if i >= len(d) {
			return ^i, escaped
		}
	special:
		switch d[i] {
		case '"':
			return i + 1, escaped
		case '\\':
			escaped = true
			i++
			if i >= len(d) {
				return ^i, escaped
			}
			switch d[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if i+5 > len(d) {
					return ^i, escaped
				}
				for _, h := range d[i+1 : i+5] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return ^i, escaped
					}
				}
				i += 5
			default:
				return ^i, escaped
			}
		default:
			return ^i, escaped // a control character
		}
	}
}

// scanNumber reads the number starting at d[i]; a negative result is ^ the
// offset of a fault.
func scanNumber(d []byte, i int) int {
	if d[i] == '-' {
		i++
	}
	if i >= len(d) {
		return ^i
	}
	if d[i] == '0' {
		i++
	} else if d[i]-'1' <= 8 {
		for i++; i < len(d) && d[i]-'0' <= 9; i++ {
		}
	} else {
		return ^i
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || d[i]-'0' > 9 {
			return ^i
		}
		for i++; i < len(d) && d[i]-'0' <= 9; i++ {
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || d[i]-'0' > 9 {
			return ^i
		}
		for i++; i < len(d) && d[i]-'0' <= 9; i++ {
		}
	}
	return i
}
