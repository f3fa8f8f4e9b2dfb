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
	// pendingMax is how many formatted bytes may wait for the writer; beyond it
	// the session's reader waits, which slows the socket rather than losing lines.
	pendingMax = 1 << 20
	// Below writeAt the writer naps before it takes the lines: they wait at most
	// nap longer, and a busy feed costs one wake per nap, not one per line.
	nap = 200 * time.Microsecond
)

// output is tail's Sink. Publish filters and formats the event into the lines
// waiting for the writer, under a lock, during the call: an event's Raw is only
// lent to a sink (session.Sink), and its bytes are copied once, into the line.
// The writer takes every waiting line at once and writes them in one call,
// woken only when it waits and a line comes (so a quiet feed's lines appear at
// once and a busy one costs one write per 64 KB, not one per event).
type output struct {
	w      io.Writer
	format func(b []byte, e *session.Event) []byte // appends e's line, or nothing to skip it
	keep   func(e *session.Event) bool
	max    int // stop after this many lines (0: no limit)

	mu      sync.Mutex
	room    sync.Cond     // signalled when the writer takes the lines
	lines   []byte        // formatted, waiting for the writer
	ev      session.Event // the event being published
	idle    bool          // the writer waits for a wake token
	closing bool
	failed  bool // a write failed: later events are dropped
	written int  // lines formatted; all of them written unless a write failed

	wake   chan struct{} // one token: lines wait
	full   chan struct{} // closed when max lines are formatted
	broken chan struct{} // closed when a write failed
	done   chan struct{} // closed when the writer has ended
	err    error         // the failed write's error, read after broken or done
}

func newOutput(w io.Writer, format func([]byte, *session.Event) []byte, keep func(*session.Event) bool, max int) *output {
	o := &output{w: w, format: format, keep: keep, max: max, lines: make([]byte, 0, writeAt+4096),
		wake: make(chan struct{}, 1), full: make(chan struct{}), broken: make(chan struct{}), done: make(chan struct{})}
	o.room.L = &o.mu
	go o.run()
	return o
}

// Publish is part of session.Sink.
func (o *output) Publish(e session.Event) {
	o.mu.Lock()
	for len(o.lines) >= pendingMax && !o.closing && !o.failed {
		o.room.Wait()
	}
	// The filter and the formatter see the event at o.ev: a pointer to e would
	// move every event to the heap.
	o.ev = e
	ev := &o.ev
	kept := !(o.closing || o.failed || o.max > 0 && o.written >= o.max) && o.keep(ev)
	n := len(o.lines)
	if kept {
		o.lines = o.format(o.lines, ev)
	}
	ev.Raw = nil // lent for the call only
	if len(o.lines) == n {
		o.mu.Unlock()
		return
	}
	o.written++
	if o.written == o.max {
		close(o.full)
	}
	wake := o.idle
	o.idle = false
	o.mu.Unlock()
	if wake {
		select {
		case o.wake <- struct{}{}:
		default:
		}
	}
}

func (o *output) run() {
	defer close(o.done)
	out := make([]byte, 0, writeAt+4096)
	for {
		o.mu.Lock()
		for len(o.lines) == 0 && !o.closing {
			o.idle = true
			o.mu.Unlock()
			<-o.wake
			o.mu.Lock()
		}
		if len(o.lines) < writeAt && !o.closing {
			// A writer quicker than the feed would wake for every line, and a
			// wake costs more than the line: let a few gather first.
			o.mu.Unlock()
			time.Sleep(nap)
			o.mu.Lock()
		}
		o.idle = false
		closing := o.closing
		out, o.lines = o.lines, out[:0]
		o.room.Broadcast()
		o.mu.Unlock()
		if len(out) > 0 {
			if _, err := o.w.Write(out); err != nil {
				o.mu.Lock()
				o.err, o.failed = err, true
				o.room.Broadcast()
				o.mu.Unlock()
				close(o.broken)
				return
			}
		}
		if closing {
			return // nothing is formatted once closing is set
		}
	}
}

// stop writes what is formatted, then ends the writer; later events are dropped.
func (o *output) stop() {
	o.mu.Lock()
	o.closing = true
	o.room.Broadcast()
	o.mu.Unlock()
	select {
	case o.wake <- struct{}{}:
	default:
	}
	<-o.done
}

// formatter returns the line writer of a format.
func formatter(format string, color bool) func([]byte, *session.Event) []byte {
	switch format {
	case FormatText:
		return textLine(color)
	case FormatRaw:
		return rawLine()
	}
	return func(b []byte, e *session.Event) []byte { return append(e.AppendJSON(b), '\n') }
}

// rawLine writes each frame received once (a frame that yields several events is
// one line), compacted onto one line when it spans several; sent frames, state
// changes and decoding errors are not frames received.
func rawLine() func([]byte, *session.Event) []byte {
	// The last frame printed: where its bytes were, how many and when it
	// arrived. The reader reads every frame into the same buffer, so only the
	// arrival tells two frames at one address apart (the events of one frame
	// share it, two frames never do).
	var last struct {
		at   *byte
		n    int
		time time.Time
	}
	return func(b []byte, e *session.Event) []byte {
		if e.Dir != session.DirIn || e.Kind == "error" || len(e.Raw) == 0 {
			return b
		}
		if last.at == &e.Raw[0] && last.n == len(e.Raw) && last.time.Equal(e.Time) {
			return b
		}
		last.at, last.n, last.time = &e.Raw[0], len(e.Raw), e.Time
		if f, ok := session.RawFrameOf(e); ok {
			return append(appendPrintable(b, f), '\n') // text as it came, on one line
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
