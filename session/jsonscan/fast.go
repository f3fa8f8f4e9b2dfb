package jsonscan

import (
	"encoding/binary"
	"math/bits"
)

// The fast roads: leaf functions (they call nothing) for what a frame mostly is,
// members no path takes and containers no path enters, made only of plain
// strings, literals, numbers and nested containers. Go keeps no register across
// a call (every register is the caller's to save), and a loop with a call on any
// of its branches spills its state on every turn: here the state stays in
// registers. Anything else (an escape, white space inside a member, a key on a
// path, a fault) sends them back to the exact road, which reads it again from
// where they stopped and says what is wrong.

// plainEnd returns the index of the first byte from i that is not plain, found
// eight bytes at a time, or the start of the last, partial word of d: the
// caller checks that it stopped at a quote. It is small enough to be inlined.
func plainEnd(d []byte, i int) int {
	for i >= 0 && i+8 <= len(d) {
		if m := specials(binary.LittleEndian.Uint64(d[i : i+8 : i+8])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	return i
}

// skipMembers reads, from d[i] (where a member's key should start), the
// members of n's object whose values are plain strings, null, true, false,
// integers or empty containers, and whose keys are on no path or on one that
// ends there: it records those values in out. It returns the index after the
// object's '}' and true when it read the object to its end. Else it returns
// the index of the first member it left to the caller and, when it read that
// member's key as a plain one, the index of the key's closing quote (else key
// is -1) and the key's node (nil for a key on no path), or its head and index
// entry when it left the comparison to the caller (k != 0): no key is read
// twice.
func skipMembers(d []byte, i int, n *node, out []Value) (at, key int, child *node, head uint64, k uint8, closed bool) {
	for {
		// A key's first word gives its end when it is short, and its hash.
		from := i + 1
		if i < 0 || from+8 > len(d) || d[i] != '"' {
			return i, -1, nil, 0, 0, false
		}
		head = binary.LittleEndian.Uint64(d[from : from+8 : from+8])
		if m := specials(head); m != 0 {
			key = from + bits.TrailingZeros64(m)>>3
			head &= 1<<(8*(key-from)) - 1
		} else {
			key = plainEnd(d, from+8)
		}
		if key >= len(d) || d[key] != '"' {
			return i, -1, nil, 0, 0, false
		}
		var slots []int // of the path this key ends, if any
		child = nil
		if k = n.index[keyHash(head, key-from)]; k != 0 {
			if k == several || key-from > 8 {
				return i, key, nil, head, k, false // kid compares them
			}
			if c := &n.kids[k-1]; c.head == head && len(c.key) == key-from {
				if len(c.kids) > 0 {
					return i, key, c, 0, 0, false // walk may descend
				}
				child, slots = c, c.slots
			}
		}
		j := key + 2
		if j >= len(d) || d[j-1] != ':' {
			return i, key, child, 0, 0, false
		}
		switch c := d[j]; {
		case c == '"':
			if j = plainEnd(d, j+1); j >= len(d) || d[j] != '"' {
				return i, key, child, 0, 0, false
			}
			j++
		case c == 'n' && hasWord(d, j, wordNull), c == 't' && hasWord(d, j, wordTrue):
			j += 4
		case c == 'f' && hasWord(d, j+1, wordAlse):
			j += 5
		case c-'1' <= 8:
			for j++; j < len(d) && d[j]-'0' <= 9; j++ {
			}
		case c == '0' || (c == '[' || c == '{') && j+1 < len(d) && d[j+1] == c+2:
			j += 1 + int(c>>6) // "0" is one byte; [] and {} ('[' and '{' have bit 6 set) are two
		default:
			return i, key, child, 0, 0, false
		}
		if j >= len(d) || d[j] != ',' && d[j] != '}' {
			return i, key, child, 0, 0, false // a fraction, white space, a fault: the caller reads the member
		}
		for _, s := range slots {
			out[s] = Value{Raw: d[key+2 : j]}
		}
		if d[j] == '}' {
			return j + 1, -1, nil, 0, 0, true
		}
		i = j + 1
	}
}

// skipFast skips the container at d[i] ('{' or '['), and reports whether it
// could: it gives up (false) on an escape, a container nested 64 deep, and
// anything that is not JSON, all of which skipContainer reads exactly.
func skipFast(d []byte, i int) (int, bool) {
	var (
		kinds uint64 // bit k: level k is an object
		level int
		obj   bool
	)
open: // d[i] is '{' or '['; i < len(d)
	if level == 64 {
		return i, false
	}
	obj = d[i] == '{'
	if obj {
		kinds |= 1 << level
	} else {
		kinds &^= 1 << level
	}
	level++
	if i = skipSpace(d, i+1); i >= len(d) {
		return i, false
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

value: // i < len(d)
	switch c := d[i]; {
	case c == '"':
		if i = plainEnd(d, i+1); i >= len(d) || d[i] != '"' {
			return i, false
		}
		i++
	case c == '{' || c == '[':
		goto open
	case c == 'n' && hasWord(d, i, wordNull), c == 't' && hasWord(d, i, wordTrue):
		i += 4
	case c == 'f' && hasWord(d, i+1, wordAlse):
		i += 5
	case c == '-' || c-'0' <= 9:
		// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, per RFC 8259 section 6
		if c == '-' {
			if i++; i >= len(d) {
				return i, false
			}
		}
		if d[i] == '0' {
			i++
		} else if d[i]-'1' <= 8 {
			for i++; i < len(d) && d[i]-'0' <= 9; i++ {
			}
		} else {
			return i, false
		}
		if i < len(d) && d[i] == '.' {
			if i++; i >= len(d) || d[i]-'0' > 9 {
				return i, false
			}
			for i++; i < len(d) && d[i]-'0' <= 9; i++ {
			}
		}
		if i < len(d) && d[i]|0x20 == 'e' {
			if i++; i < len(d) && (d[i] == '+' || d[i] == '-') {
				i++
			}
			if i >= len(d) || d[i]-'0' > 9 {
				return i, false
			}
			for i++; i < len(d) && d[i]-'0' <= 9; i++ {
			}
		}
	default:
		return i, false
	}

after: // a value ended at i
	if i = skipSpace(d, i); i >= len(d) {
		return i, false
	}
	switch c := d[i]; {
	case c == ',':
		if i = skipSpace(d, i+1); i >= len(d) {
			return i, false
		}
		if obj {
			goto key
		}
		goto value
	case c == '}' && obj, c == ']' && !obj:
		i++
		goto closed
	}
	return i, false

key: // i < len(d)
	if d[i] != '"' {
		return i, false
	}
	if i = plainEnd(d, i+1); i >= len(d) || d[i] != '"' {
		return i, false
	}
	if i = skipSpace(d, i+1); i >= len(d) || d[i] != ':' {
		return i, false
	}
	if i = skipSpace(d, i+1); i >= len(d) {
		return i, false
	}
	goto value

closed: // the innermost container ended at i
	if level--; level == 0 {
		return i, true
	}
	obj = kinds>>(level-1)&1 != 0
	goto after
}
