package record

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/feedscope/feedscope/session"
)

// MaxLine is the longest line a reader takes: a frame at the default read limit,
// with room for its escaping.
const MaxLine = 2*session.DefaultReadLimit + 64<<10

// LineError is a line a reader could not take: everything before it was read.
type LineError struct {
	Line int // from 1
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

func (e *LineError) Unwrap() error { return e.Err }

// Reader reads a recording, or a plain `tail` output, one event at a time.
type Reader struct {
	br      *bufio.Reader
	header  Header
	line    int
	pending *session.Event // the first event of a headerless file
	buf     []byte
	err     error
}

func marshalHeader(h *Header) ([]byte, error) {
	b, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("recording: cannot encode the header: %w", err)
	}
	return b, nil
}

// NewReader reads the header from r (gzip is recognised by its magic bytes, whatever
// the name). A file whose first line is an event rather than a header is a plain
// `tail` output: its header is inferred from that event. An unknown format version,
// or a first line that is neither, is an error.
func NewReader(r io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("recording: the gzip header is damaged: %w", err)
		}
		br = bufio.NewReaderSize(zr, 64<<10)
	}
	rd := &Reader{br: br}
	line, err := rd.next()
	if err == io.EOF {
		return nil, fmt.Errorf("recording: the file is empty")
	}
	if err != nil {
		return nil, err
	}
	if isHeader(line, true) {
		if err := json.Unmarshal(line, &rd.header); err != nil {
			return nil, &LineError{Line: rd.line, Err: fmt.Errorf("the recording header is not valid JSON: %w", err)}
		}
		if err := rd.header.check(); err != nil {
			return nil, err
		}
		return rd, nil
	}
	ev, err := parseEvent(line, "")
	if err != nil {
		return nil, &LineError{Line: rd.line, Err: fmt.Errorf("neither a recording header nor a tail event: %w", err)}
	}
	rd.pending = &ev
	rd.header = Header{Format: Format, Version: Version, Start: ev.Time, Inferred: true,
		Profile: Profile{Name: ev.Profile, Dialect: ev.Dialect}}
	return rd, nil
}

// Header is the recording's header, inferred for a plain tail output.
func (r *Reader) Header() Header { return r.header }

// Next returns the next event; io.EOF at the end, or a *LineError for the line
// that could not be read (and the same error ever after).
func (r *Reader) Next() (session.Event, error) {
	if r.pending != nil {
		ev := *r.pending
		r.pending = nil
		return ev, nil
	}
	if r.err != nil {
		return session.Event{}, r.err
	}
	for {
		line, err := r.next()
		if err != nil {
			r.err = err
			return session.Event{}, err
		}
		if isHeader(line, false) {
			// Parts of a rotated recording joined with cat: a header of the same
			// feed is skipped; any other stops the reading.
			var h Header
			if err := json.Unmarshal(line, &h); err == nil && h.check() == nil && h.Profile.Dialect == r.header.Profile.Dialect {
				continue
			}
			r.err = &LineError{Line: r.line, Err: fmt.Errorf("a second recording header, of another feed, starts here")}
			return session.Event{}, r.err
		}
		ev, err := parseEvent(line, r.header.Profile.Dialect)
		if err != nil {
			r.err = &LineError{Line: r.line, Err: err}
			return session.Event{}, r.err
		}
		if ev.Profile == "" {
			ev.Profile = r.header.Profile.Name
		}
		return ev, nil
	}
}

// next returns the next non-blank line, without its newline.
func (r *Reader) next() ([]byte, error) {
	for {
		r.buf = r.buf[:0]
		var err error
		for {
			var chunk []byte
			chunk, err = r.br.ReadSlice('\n')
			r.buf = append(r.buf, chunk...)
			if len(r.buf) > MaxLine {
				return nil, &LineError{Line: r.line + 1, Err: fmt.Errorf("the line is longer than %d MB", MaxLine>>20)}
			}
			if err != bufio.ErrBufferFull {
				break
			}
		}
		if err != nil && err != io.EOF {
			r.line++
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, &LineError{Line: r.line, Err: fmt.Errorf("the file ends early: the compressed stream was cut short (a recording that was not closed, or a partial copy); every line before this one is intact")}
			}
			return nil, &LineError{Line: r.line, Err: fmt.Errorf("cannot read the file: %w", err)}
		}
		if err == io.EOF && len(r.buf) == 0 {
			return nil, io.EOF
		}
		r.line++
		line := bytes.TrimSpace(r.buf)
		if len(line) == 0 {
			if err == io.EOF {
				return nil, io.EOF
			}
			continue
		}
		if err == io.EOF && !json.Valid(line) {
			return nil, &LineError{Line: r.line, Err: fmt.Errorf("the last line is cut short (the recording was not closed, or the copy is partial)")}
		}
		return line, nil
	}
}

// isHeader tells a header line: on the first line by its "format" member anywhere,
// later only when the line starts with it, as the writer puts it.
func isHeader(line []byte, first bool) bool {
	if bytes.HasPrefix(line, []byte(`{"format"`)) {
		return true
	}
	if !first {
		return false
	}
	var probe struct {
		Format *string `json:"format"`
	}
	return json.Unmarshal(line, &probe) == nil && probe.Format != nil
}

// dirs are the directions an event line may have: the session's three, and the
// alerts of watch rules that `tail --alert` prints among them.
var dirs = []string{session.DirIn, session.DirOut, session.DirState, "alert"}

// parseEvent reads one event line and checks what a replay relies on.
func parseEvent(line []byte, dialect string) (session.Event, error) {
	var ev session.Event
	if err := json.Unmarshal(line, &ev); err != nil {
		return ev, fmt.Errorf("not a valid event: %w", err)
	}
	if ev.Time.IsZero() {
		return ev, fmt.Errorf(`the event has no "time"`)
	}
	if !containsExact(dirs, ev.Dir) {
		return ev, fmt.Errorf(`"dir" must be one of %s, not %q`, strings.Join(dirs, ", "), ev.Dir)
	}
	switch {
	case ev.Dialect == "" && dialect == "":
		return ev, fmt.Errorf(`the event names no "dialect"`)
	case ev.Dialect == "":
		ev.Dialect = dialect
	case dialect != "" && ev.Dialect != dialect:
		return ev, fmt.Errorf("an event of dialect %q in a recording of %q", ev.Dialect, dialect)
	}
	return ev, nil
}

// Recording is a whole recording in memory.
type Recording struct {
	Header Header
	Events []session.Event
	// Err is the line that stopped the reading, when the file was cut short,
	// damaged or edited into something unreadable: Events holds every event before it.
	Err *LineError
}

// Load reads a whole recording file. It fails only when nothing can be read (no
// file, no header, an unknown version); a bad line later leaves Err set and the
// events before it in place.
func Load(path string) (*Recording, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("recording: %w", err)
	}
	defer f.Close()
	rec, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rec, nil
}

// Read reads a whole recording from r; see Load.
func Read(r io.Reader) (*Recording, error) {
	rd, err := NewReader(r)
	if err != nil {
		return nil, err
	}
	rec := &Recording{Header: rd.Header()}
	for {
		ev, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var le *LineError
			if !errors.As(err, &le) {
				le = &LineError{Line: rd.line, Err: err}
			}
			rec.Err = le
			break
		}
		rec.Events = append(rec.Events, ev)
	}
	if rec.Header.Inferred {
		rec.infer()
	}
	return rec, nil
}

// infer completes a headerless file's header from its events: the URL a state
// event names and the subscriptions the out frames asked for.
func (rec *Recording) infer() {
	h := &rec.Header.Profile
	d, known := session.Lookup(h.Dialect)
	for _, ev := range rec.Events {
		switch ev.Dir {
		case session.DirState:
			if h.URL == "" {
				for _, p := range []string{"connecting to ", "connected to "} {
					if u, ok := strings.CutPrefix(ev.Summary, p); ok {
						h.URL = u
					}
				}
			}
		case session.DirOut:
			if !known {
				continue
			}
			if spec, ok := d.SubscriptionOf(ev.Raw); ok && !containsRaw(h.Subs, spec) {
				h.Subs = append(h.Subs, spec)
			}
		}
	}
	if known && session.SingleSubscription(d) && len(h.Subs) > 1 {
		h.Subs = h.Subs[len(h.Subs)-1:] // each filter replaced the one before
	}
}

func containsRaw(xs []json.RawMessage, x json.RawMessage) bool {
	for _, y := range xs {
		if bytes.Equal(y, x) {
			return true
		}
	}
	return false
}
