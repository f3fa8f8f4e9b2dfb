package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/feedscope/feedscope/session"
)

// Tail's output formats.
const (
	FormatNDJSON = "ndjson" // one event per line, the session.Event document
	FormatText   = "text"   // one aligned line per event for a person
	FormatRaw    = "raw"    // the frames received, one per line, as they came
)

// Formats lists the values --format takes.
var Formats = []string{FormatNDJSON, FormatText, FormatRaw}

const (
	// writeAt is how many formatted bytes make one write.
	writeAt = 64 << 10
	// flushAfter is how long a line waits at most when no Idle follows it: an
	// event from another goroutine than the session's reader (a state change, a
	// sent frame, an alert).
	flushAfter = time.Millisecond
)

// output is tail's Sink. Publish filters and formats the event into one buffer
// during the call (an event's Raw is only lent to a sink, session.Sink, and its
// bytes are copied once, into the line) and writes the buffer once it holds
// writeAt bytes. The session's reader calls Idle before it waits on the socket
// (session.Idler), which writes what is left: a quiet feed's line appears at
// once, a busy one costs one write per socket read or per 64 KB, and no event
// is handed to another goroutine. A line that no Idle follows is written by a
// timer. A slow reader of the output holds up the session's reader, which slows
// the socket rather than losing lines.
type output struct {
	w      io.Writer
	format func(b []byte, e *session.Event) []byte // appends e's line, or nothing to skip it
	keep   func(e *session.Event) bool
	max    int // stop after this many lines (0: no limit)

	mu      sync.Mutex
	ev      session.Event // the event being published
	lines   []byte        // formatted, not yet written
	timer   *time.Timer   // runs Idle flushAfter after the first line a write left
	armed   bool          // the timer runs for the lines waiting
	closing bool
	failed  bool // a write failed: later events are dropped
	written int  // lines formatted; all of them written unless a write failed

	full   chan struct{} // closed when max lines are formatted
	broken chan struct{} // closed when a write failed
	done   chan struct{} // closed by stop, once everything is written
	err    error         // the failed write's error, read after broken or done
}

func newOutput(w io.Writer, format func([]byte, *session.Event) []byte, keep func(*session.Event) bool, max int) *output {
	o := &output{w: w, format: format, keep: keep, max: max, lines: make([]byte, 0, writeAt+4096),
		full: make(chan struct{}), broken: make(chan struct{}), done: make(chan struct{})}
	o.timer = time.AfterFunc(time.Hour, o.Idle)
	o.timer.Stop()
	return o
}

// Publish is part of session.Sink.
func (o *output) Publish(e session.Event) {
	o.mu.Lock()
	// The filter and the formatter see the event at o.ev: a pointer to e would
	// move every event to the heap.
	o.ev = e
	ev := &o.ev
	if !(o.closing || o.failed || o.max > 0 && o.written >= o.max) && o.keep(ev) {
		n := len(o.lines)
		if o.lines = o.format(o.lines, ev); len(o.lines) > n {
			o.written++
			if o.written == o.max {
				close(o.full)
			}
			switch {
			case len(o.lines) >= writeAt:
				o.write()
			case !o.armed:
				o.armed = true
				o.timer.Reset(flushAfter)
			}
		}
	}
	ev.Raw = nil // lent for the call only
	o.mu.Unlock()
}

// Idle writes what is formatted; it makes output a session.Idler.
func (o *output) Idle() {
	o.mu.Lock()
	o.write()
	o.mu.Unlock()
}

// write writes the lines formatted; o.mu is held.
func (o *output) write() {
	if len(o.lines) > 0 && !o.failed {
		if _, err := o.w.Write(o.lines); err != nil {
			o.err, o.failed = err, true
			close(o.broken)
		}
	}
	o.lines, o.armed = o.lines[:0], false
}

// stop writes what is formatted; later events are dropped.
func (o *output) stop() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.closing {
		o.closing = true
		o.write()
		o.timer.Stop()
		close(o.done)
	}
}

// formatter returns the line writer of a format.
func formatter(format string, color bool) func([]byte, *session.Event) []byte {
	switch format {
	case FormatText:
		return textLine(color)
	case FormatRaw:
		return rawLine()
	}
	var names session.Names // the formatter runs under the output's lock
	return func(b []byte, e *session.Event) []byte { return append(e.AppendJSONNames(b, &names), '\n') }
}

// rawLine writes each frame received once (a frame that yields several events is
// one line), compacted onto one line when it spans several; sent frames, state
// changes and decoding errors are not frames received.
func rawLine() func([]byte, *session.Event) []byte {
	// The last frame printed: where its bytes were, how many and when it
	// arrived. The reader reads every frame into the same buffer, so only the
	// arrival tells two frames at one address apart (the events of one frame
	// share it, two frames never do). The pointer is only compared, never read;
	// holding it keeps those bytes from being reused for another event's Raw.
	var last struct {
		at   *byte
		n    int
		time time.Time
	}
	// The dialect of the last event and its RawFramer, if it has one: a lookup
	// in the registry per event costs a lock and a map.
	var dialect string
	var framer session.RawFramer
	return func(b []byte, e *session.Event) []byte {
		if e.Dir != session.DirIn || e.Kind == "error" || len(e.Raw) == 0 {
			return b
		}
		if last.at == &e.Raw[0] && last.n == len(e.Raw) && last.time.Equal(e.Time) {
			return b
		}
		last.at, last.n, last.time = &e.Raw[0], len(e.Raw), e.Time
		if e.Dialect != dialect || dialect == "" {
			d, _ := session.Lookup(e.Dialect)
			dialect, framer = e.Dialect, nil
			if rf, ok := d.(session.RawFramer); ok {
				framer = rf
			}
		}
		if framer != nil {
			if f, ok := framer.RawFrame(e); ok {
				return append(appendPrintable(b, f), '\n') // text as it came, on one line
			}
		}
		if bytes.IndexByte(e.Raw, '\n') >= 0 || bytes.IndexByte(e.Raw, '\r') >= 0 {
			var c bytes.Buffer
			if json.Compact(&c, e.Raw) == nil {
				return append(append(b, c.Bytes()...), '\n')
			}
			return append(appendPrintable(b, e.Raw), '\n')
		}
		return append(append(b, e.Raw...), '\n')
	}
}

// ANSI SGR colours of the text format.
const (
	ansiReset  = "\x1b[0m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

// textLine writes "15:04:05.000 ← #1  note            @alice: hello": the local
// time, the direction, our subscription id, the kind and the summary, columns
// aligned, coloured by direction when color is set. Summaries come from remote
// frames: control characters (an escape sequence could rewrite the terminal)
// are shown as "·".
func textLine(color bool) func([]byte, *session.Event) []byte {
	paint := func(b []byte, code string) []byte {
		if color {
			b = append(b, code...)
		}
		return b
	}
	return func(b []byte, e *session.Event) []byte {
		b = paint(b, ansiDim)
		b = e.Time.Local().AppendFormat(b, "15:04:05.000")
		b = paint(b, ansiReset)
		arrow, code := "←", ansiGreen
		switch e.Dir {
		case session.DirOut:
			arrow, code = "→", ansiCyan
		case session.DirState:
			arrow, code = "•", ansiYellow
		}
		if e.Kind == "error" {
			code = ansiRed
		}
		b = append(append(append(b, ' '), arrow...), ' ')
		sub := len(b)
		if e.Sub != "" {
			b = appendPrintable(append(b, '#'), []byte(e.Sub))
		}
		b = pad(b, sub, 4)
		b = append(b, ' ')
		b = paint(b, code)
		kind := len(b)
		b = appendPrintable(b, []byte(e.Kind))
		b = pad(b, kind, 16)
		b = paint(b, ansiReset)
		b = append(b, ' ')
		b = appendPrintable(b, []byte(e.Summary))
		return append(b, '\n')
	}
}

// pad fills b with spaces until what follows from has width characters.
func pad(b []byte, from, width int) []byte {
	for n := utf8.RuneCount(b[from:]); n < width; n++ {
		b = append(b, ' ')
	}
	return b
}

// appendPrintable appends s with every control character (C0, DEL, C1) and
// invalid byte shown as "·".
func appendPrintable(b, s []byte) []byte {
	for len(s) > 0 {
		r, n := utf8.DecodeRune(s)
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 || r == utf8.RuneError && n == 1 {
			b = append(b, "·"...)
		} else {
			b = append(b, s[:n]...)
		}
		s = s[n:]
	}
	return b
}

// isTerminal reports whether w is a terminal, the only place colour goes: a
// character device other than the null device. NO_COLOR (https://no-color.org)
// and TERM=dumb turn colour off.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(fi, null)
}
