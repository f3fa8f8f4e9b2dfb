package session

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"strconv"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// AppendJSON appends e as one line of JSON, the `tail` format, without a newline.
// It writes the same document as json.Marshal(e), but copies Raw as it is rather
// than re-validating it (every Raw the engine makes is JSON already), compacting it
// only when it spans lines.
func (e *Event) AppendJSON(b []byte) []byte { return e.AppendJSONNames(b, nil) }

// Names remembers the JSON of the last event's names (profile, dialect,
// direction, subscription, kind), for one writer of many lines: a feed's events
// mostly repeat them, and comparing five strings costs less than escaping them
// (about a fifth of an NDJSON line's work). The zero value is ready; it is not
// safe for concurrent use.
type Names struct {
	profile, dialect, dir, sub, kind string
	json                             []byte // from `","profile":` to the kind's closing quote
	ok                               bool
}

// AppendJSONNames is AppendJSON with the names written from n when they are the
// last event's (n nil: AppendJSON).
func (e *Event) AppendJSONNames(b []byte, n *Names) []byte {
	b = append(b, `{"time":"`...)
	b = appendTime(b, e.Time)
	if n != nil && n.ok && n.profile == e.Profile && n.dialect == e.Dialect && n.dir == e.Dir && n.sub == e.Sub && n.kind == e.Kind {
		b = append(b, n.json...)
	} else {
		from := len(b)
		b = append(b, `","profile":`...)
		b = appendString(b, e.Profile)
		b = append(b, `,"dialect":`...)
		b = appendString(b, e.Dialect)
		b = append(b, `,"dir":`...)
		b = appendString(b, e.Dir)
		b = append(b, `,"sub":`...)
		b = appendString(b, e.Sub)
		b = append(b, `,"kind":`...)
		b = appendString(b, e.Kind)
		if n != nil {
			n.profile, n.dialect, n.dir, n.sub, n.kind = e.Profile, e.Dialect, e.Dir, e.Sub, e.Kind
			n.json, n.ok = append(n.json[:0], b[from:]...), true
		}
	}
	if b = append(b, `,"summary":`...); e.SummaryPlain {
		b = append(append(append(b, '"'), e.Summary...), '"')
	} else {
		b = appendString(b, e.Summary)
	}
	if e.Geo != nil {
		b = append(b, `,"geo":{"lon":`...)
		b = strconv.AppendFloat(b, e.Geo.Lon, 'f', -1, 64)
		b = append(b, `,"lat":`...)
		b = strconv.AppendFloat(b, e.Geo.Lat, 'f', -1, 64)
		b = append(b, '}')
	}
	if e.Key != "" {
		b = append(b, `,"key":`...)
		b = appendString(b, e.Key)
	}
	if e.Label != "" {
		b = append(b, `,"label":`...)
		b = appendString(b, e.Label)
	}
	if e.Heading != nil {
		b = append(b, `,"heading":`...)
		b = strconv.AppendFloat(b, *e.Heading, 'f', -1, 64)
	}
	if e.Speed != nil {
		b = append(b, `,"speed":`...)
		b = strconv.AppendFloat(b, *e.Speed, 'f', -1, 64)
	}
	if len(e.Raw) > 0 {
		b = append(b, `,"raw":`...)
		if spansLines(e.Raw) {
			var c bytes.Buffer
			if json.Compact(&c, e.Raw) == nil {
				b = append(b, c.Bytes()...)
			} else {
				b = appendString(b, string(e.Raw))
			}
		} else {
			b = append(b, e.Raw...)
		}
	}
	return append(b, '}')
}

// stamp is the formatting of one second in one location, split around the
// fraction: a feed's events share their second, so most events format only
// their nanoseconds (the calendar arithmetic was 4 % of tail's CPU).
type stamp struct {
	sec        int64
	loc        *time.Location
	date, zone []byte // "2006-01-02T15:04:05" and "Z07:00"
}

var lastStamp atomic.Pointer[stamp]

// appendTime appends t as time.RFC3339Nano does.
func appendTime(b []byte, t time.Time) []byte {
	sec, loc := t.Unix(), t.Location()
	st := lastStamp.Load()
	if st == nil || st.sec != sec || st.loc != loc {
		whole := t.Truncate(time.Second).AppendFormat(nil, time.RFC3339)
		const dateLen = len("2006-01-02T15:04:05")
		if len(whole) < dateLen || whole[dateLen-3] != ':' {
			return t.AppendFormat(b, time.RFC3339Nano) // a year of other than four digits
		}
		st = &stamp{sec: sec, loc: loc, date: whole[:dateLen], zone: whole[dateLen:]}
		lastStamp.Store(st)
	}
	b = append(b, st.date...)
	if ns := t.Nanosecond(); ns != 0 {
		var f [10]byte
		f[0] = '.'
		for i := 9; i > 0; i-- {
			f[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := len(f)
		for f[n-1] == '0' {
			n--
		}
		b = append(b, f[:n]...)
	}
	return append(b, st.zone...)
}

// spansLines reports whether b holds a line break; IndexByte is vectorised, so
// two of them beat one pass of ContainsAny over a 1 KB frame.
func spansLines(b []byte) bool {
	return bytes.IndexByte(b, '\n') >= 0 || bytes.IndexByte(b, '\r') >= 0
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped as encoding/json does without
// HTML escaping, in one pass that also replaces invalid UTF-8. Printable ASCII is
// crossed eight bytes at a time, straight to the next byte that needs a look
// (a byte-by-byte loop cost ~18 instructions a byte, a third of tail's work
// outside the scanner); a common three-byte character (CJK, "—", "…") is checked
// in place. (Validating the whole string with utf8.ValidString first, and then
// crossing non-ASCII bytes eight at a time too, measured more instructions per
// firehose note under callgrind, not fewer: the validation costs more than the
// escaping.)
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		for i+8 <= len(s) {
			if m := special8(load8(s, i)); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++ // the last bytes, fewer than eight
				continue
			}
			b = appendEscaped(append(b, s[start:i]...), c)
			i++
			start = i
			continue
		}
		if c >= 0xe1 && c <= 0xef && c != 0xed && i+2 < len(s) && s[i+1]&0xc0 == 0x80 && s[i+2]&0xc0 == 0x80 &&
			(c != 0xe2 || s[i+1] != 0x80 || s[i+2]&0xfe != 0xa8) {
			i += 3 // a valid three-byte character (no overlong form, no surrogate) other than U+2028 and U+2029
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// load8 is s[i:i+8] as a little-endian word, in one load (a shift-and-or of
// eight string bytes is not combined into one).
func load8(s string, i int) uint64 { return binary.LittleEndian.Uint64(raw(s)[i:]) }

// special8 has the high bit of a byte of x set where that byte needs a look in a
// JSON string (a control character, '"', '\\' or not ASCII), and of no byte
// below the first such one: borrows only run upwards from a byte that matched
// (the has-less and has-zero tricks of graphics.stanford.edu/~seander/bithacks.html).
func special8(x uint64) uint64 {
	const lsb, msb = 0x0101010101010101, 0x8080808080808080
	ctl := x - 0x20*lsb
	quote := (x ^ '"'*lsb) - lsb
	slash := (x ^ '\\'*lsb) - lsb
	return ((ctl|quote|slash)&^x | x) & msb
}

// appendEscaped appends the escape of an ASCII byte that a JSON string cannot
// hold as it is, spelled as encoding/json spells it.
func appendEscaped(b []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	case '\b':
		return append(b, '\\', 'b')
	case '\f':
		return append(b, '\\', 'f')
	}
	return append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}
