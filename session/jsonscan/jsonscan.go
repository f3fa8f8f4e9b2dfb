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
	sieve [4]uint64 // bit keyHash(k) of each kid's key: most keys of a document match no path
}

// keyHash spreads keys over the 256 bits of a sieve by length and end bytes.
func keyHash(k []byte) uint8 {
	if len(k) == 0 {
		return 0
	}
	return uint8(len(k)*31) ^ k[0] ^ k[len(k)-1]<<3
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
				h := keyHash([]byte(k))
				n.sieve[h>>6] |= 1 << (h & 63)
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
//
// It is one loop over doc with an explicit stack of the open objects and
// arrays, the cursor in a local variable: the engine runs it on every frame, so
// it avoids a call per token.
func (set *Set) Scan(doc []byte, out []Value) error {
	if len(out) < set.n {
		return fmt.Errorf("jsonscan: %d values for %d paths", len(out), set.n)
	}
	clear(out)
	type open struct {
		n     *node // the container's node, nil off every path
		start int
		obj   bool
	}
	var stackBuf [16]open
	stack := stackBuf[:0]
	d, i := doc, 0
	cur := &set.root // the node of the value about to be read
	var start int
	var escaped bool
	var c byte

value:
	for i < len(d) && d[i] <= ' ' && isSpace(d[i]) {
		i++
	}
	if i >= len(d) {
		return fail(i, "unexpected end")
	}
	start = i
	switch c = d[i]; {
	case c == '{' || c == '[':
		if len(stack) >= maxDepth {
			return fail(i, "nested too deep")
		}
		stack = append(stack, open{n: cur, start: i, obj: c == '{'})
		i++
		for i < len(d) && d[i] <= ' ' && isSpace(d[i]) {
			i++
		}
		if i < len(d) && (d[i] == '}' && c == '{' || d[i] == ']' && c == '[') {
			i++
			goto closed
		}
		if c == '{' {
			goto key
		}
		cur = nil
		goto value
	case c == '"':
		if i, _ = scanString(d, i); i < 0 {
			return fail(^i, "bad string")
		}
	case c == '-' || c >= '0' && c <= '9':
		if i = scanNumber(d, i); i < 0 {
			return fail(^i, "bad number")
		}
	case c == 't':
		i = literal(d, i, "true")
	case c == 'f':
		i = literal(d, i, "false")
	case c == 'n':
		i = literal(d, i, "null")
	default:
		return fail(i, "unexpected character")
	}
	if i < 0 {
		return fail(^i, "bad literal")
	}
	if cur != nil {
		for _, k := range cur.slots {
			out[k] = Value{Raw: d[start:i]}
		}
	}

after: // a value ended at i
	if len(stack) == 0 {
		for i < len(d) && d[i] <= ' ' && isSpace(d[i]) {
			i++
		}
		if i != len(d) {
			return fail(i, "data after the top-level value")
		}
		return nil
	}
	for i < len(d) && d[i] <= ' ' && isSpace(d[i]) {
		i++
	}
	if i >= len(d) {
		return fail(i, "unexpected end in an object or array")
	}
	if top := &stack[len(stack)-1]; top.obj {
		switch d[i] {
		case ',':
			i++
			goto key
		case '}':
			i++
			goto closed
		}
		return fail(i, "expected ',' or '}'")
	}
	switch d[i] {
	case ',':
		i++
		cur = nil
		goto value
	case ']':
		i++
		goto closed
	}
	return fail(i, "expected ',' or ']'")

closed: // the innermost container ended at i
	if top := stack[len(stack)-1]; top.n != nil {
		for _, k := range top.n.slots {
			out[k] = Value{Raw: d[top.start:i]}
		}
	}
	stack = stack[:len(stack)-1]
	goto after

key: // an object's next key, after '{' or ','
	for i < len(d) && d[i] <= ' ' && isSpace(d[i]) {
		i++
	}
	if i >= len(d) || d[i] != '"' {
		return fail(i, "expected a key")
	}
	start = i
	// Keys are short: a byte loop finds their end before a word test would pay.
	for i++; i < len(d) && plain[d[i]]; i++ {
	}
	if i < len(d) && d[i] == '"' {
		i, escaped = i+1, false
	} else if i, escaped = scanString(d, start); i < 0 {
		return fail(^i, "bad string")
	}
	cur = nil
	if n := stack[len(stack)-1].n; n != nil && len(n.kids) > 0 {
		cur = n.child(d[start+1:i-1], escaped)
	}
	for i < len(d) && d[i] <= ' ' && isSpace(d[i]) {
		i++
	}
	if i >= len(d) || d[i] != ':' {
		return fail(i, "expected ':'")
	}
	i++
	goto value
}

// maxDepth is encoding/json's nesting limit, so both accept the same documents.
const maxDepth = 10000

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

func fail(at int, what string) error {
	return fmt.Errorf("%w at offset %d: %s", ErrSyntax, at, what)
}

// child returns n's node for key (as it stands in the document; escaped says
// it holds escapes), or nil.
func (n *node) child(key []byte, escaped bool) *node {
	if h := keyHash(key); n.sieve[h>>6]&(1<<(h&63)) == 0 && !escaped {
		return nil
	}
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

// scanString reads the string starting at d[i] (a '"') and returns the index
// after its closing quote and whether it holds escapes; a negative index is ^ the
// offset of a fault.
func scanString(d []byte, i int) (int, bool) {
	i++ // "
	escaped := false
	for {
		for i+8 <= len(d) && !special(binary.LittleEndian.Uint64(d[i:])) {
			i += 8
		}
		for i < len(d) && plain[d[i]] {
			i++
		}
		if i >= len(d) {
			return ^i, escaped
		}
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
	} else if d[i] >= '1' && d[i] <= '9' {
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	} else {
		return ^i
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return ^i
		}
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return ^i
		}
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	}
	return i
}

// literal reads word at d[i]; a negative result is ^ the offset of a fault.
func literal(d []byte, i int, word string) int {
	if len(d)-i < len(word) || string(d[i:i+len(word)]) != word {
		return ^i
	}
	return i + len(word)
}
