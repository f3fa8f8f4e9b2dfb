package record

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/feedscope/feedscope/session"
)

// Options bound a recording.
type Options struct {
	// MaxBytes starts a new file once the current one holds this many bytes on
	// disk (after compression; a gzip file may pass it by the compressor's buffer).
	// 0: no size cap.
	MaxBytes int64
	// MaxDuration starts a new file once the current one spans this long of
	// event time. 0: no duration cap.
	MaxDuration time.Duration
	// Keep deletes the oldest files of a rotating recording beyond this many.
	// 0: keep them all.
	Keep int
	// FlushEvery is how often buffered lines reach the file; it is what a crash can
	// lose. Default and maximum: one second.
	FlushEvery time.Duration
}

// Writer records one profile's events. It is a session.Sink: Publish is safe for
// concurrent use and never blocks on more than one buffered write.
type Writer struct {
	opts    Options
	first   string
	profile session.Profile
	sc      *scrubber

	mu        sync.Mutex // guards everything below
	f         *os.File
	zw        *gzip.Writer  // nil for a plain file
	bw        *bufio.Writer // the file's buffer, after compression
	out       io.Writer     // where lines go: zw or bw
	part      int
	parts     []string  // files of this recording, oldest first
	partFirst time.Time // the event time of the part's first event: the span counts from it
	dirty     bool
	unsealed  int // bytes of lines given to the compressor since its last block ended
	closed    bool
	err       error
	line      []byte

	done      chan struct{}
	flushed   chan struct{}
	onDisk    atomic.Int64 // bytes of the files closed so far
	current   atomic.Int64 // bytes of the open file
	events    atomic.Int64
	deletedSz atomic.Int64 // bytes of files rotated away
}

// Create starts a recording of p in path (gzip when the name ends in .gz), writing
// its header at once. The file is replaced if it exists.
func Create(path string, p session.Profile, o Options) (*Writer, error) {
	if o.FlushEvery <= 0 || o.FlushEvery > time.Second {
		o.FlushEvery = time.Second
	}
	if o.MaxBytes < 0 || o.MaxDuration < 0 || o.Keep < 0 {
		return nil, fmt.Errorf("recording: size, duration and file count caps must not be negative")
	}
	w := &Writer{opts: o, first: path, profile: p, sc: newScrubber(p), done: make(chan struct{}), flushed: make(chan struct{})}
	w.mu.Lock()
	err := w.open(time.Now())
	w.mu.Unlock()
	if err != nil {
		return nil, err
	}
	go w.flusher()
	return w, nil
}

// PartName is the file name of part n (from 1) of a recording named path:
// rec.ndjson.gz, rec-2.ndjson.gz, rec-3.ndjson.gz…
func PartName(path string, n int) string {
	if n <= 1 {
		return path
	}
	dir, base := filepath.Split(path)
	stem, ext := base, ""
	for _, e := range []string{".ndjson.gz", ".jsonl.gz", ".json.gz", ".ndjson", ".jsonl", ".gz"} {
		if strings.HasSuffix(strings.ToLower(base), e) {
			stem, ext = base[:len(base)-len(e)], base[len(base)-len(e):]
			break
		}
	}
	if ext == "" {
		ext = filepath.Ext(base)
		stem = strings.TrimSuffix(base, ext)
	}
	return filepath.Join(dir, stem+"-"+strconv.Itoa(n)+ext)
}

// open starts the next part at start and writes its header. Called with mu held.
func (w *Writer) open(start time.Time) error {
	w.part++
	name := PartName(w.first, w.part)
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("recording: cannot create %s: %w", name, err)
	}
	w.f, w.partFirst, w.unsealed = f, time.Time{}, 0
	w.current.Store(0)
	// The count is taken above the file's buffer, so that Size moves with every
	// line of a plain file and every compressed block of a gzip one.
	w.bw = bufio.NewWriterSize(f, 64<<10)
	counted := &countingWriter{w: w.bw, n: &w.current}
	w.out, w.zw = counted, nil
	if strings.HasSuffix(strings.ToLower(name), ".gz") {
		w.zw = gzip.NewWriter(counted)
		w.out = w.zw
	}
	w.parts = append(w.parts, name)
	h := NewHeader(w.profile, start)
	if w.part > 1 {
		h.Part = w.part
	}
	b, err := marshalHeader(&h)
	if err != nil {
		return err
	}
	if _, err := w.out.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("recording: cannot write %s: %w", name, err)
	}
	return w.flushLocked()
}

// Publish writes one event. After a write error, or once closed, it does nothing:
// Err says what happened.
func (w *Writer) Publish(ev session.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed || w.err != nil {
		return
	}
	if w.partFirst.IsZero() {
		w.partFirst = ev.Time
	}
	if w.opts.MaxDuration > 0 && !ev.Time.IsZero() && ev.Time.Sub(w.partFirst) >= w.opts.MaxDuration {
		if w.fail(w.rotate(ev.Time)) {
			return
		}
		w.partFirst = ev.Time
	}
	w.line = append(w.sc.bytes(ev.AppendJSON(w.line[:0])), '\n')
	if _, err := w.out.Write(w.line); w.fail(err) {
		return
	}
	w.dirty = true
	w.events.Add(1)
	if w.zw != nil {
		// Deflate emits nothing until a block of thousands of matches is full, so
		// the size would stand still for megabytes: end a block every 64 KiB of
		// lines, which keeps the size cap honest at a small cost in ratio.
		w.unsealed += len(w.line)
		if w.unsealed >= 64<<10 {
			w.unsealed = 0
			if w.fail(w.zw.Flush()) {
				return
			}
		}
	}
	if w.opts.MaxBytes > 0 && w.partSize() >= w.opts.MaxBytes {
		w.fail(w.rotate(time.Now()))
	}
}

// partSize is what the open part holds, counting what waits in the file's buffer
// (and not what the compressor still holds).
func (w *Writer) partSize() int64 { return w.current.Load() }

// fail keeps the first error; it reports whether err was one.
func (w *Writer) fail(err error) bool {
	if err == nil {
		return false
	}
	if w.err == nil {
		w.err = fmt.Errorf("recording %s: %w", w.first, err)
	}
	return true
}

// rotate closes the open part and starts the next. Called with mu held.
func (w *Writer) rotate(start time.Time) error {
	if err := w.closeFile(); err != nil {
		return err
	}
	if w.opts.Keep > 0 {
		for len(w.parts) >= w.opts.Keep {
			old := w.parts[0]
			w.parts = w.parts[1:]
			if fi, err := os.Stat(old); err == nil {
				w.deletedSz.Add(fi.Size())
			}
			if err := os.Remove(old); err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("cannot delete the oldest part %s: %w", old, err)
			}
		}
	}
	return w.open(start)
}

// closeFile flushes and closes the open part. Called with mu held.
func (w *Writer) closeFile() error {
	if w.f == nil {
		return nil
	}
	var err error
	if w.zw != nil {
		err = w.zw.Close()
	}
	if ferr := w.bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.onDisk.Add(w.current.Load())
	w.current.Store(0)
	w.f = nil
	return err
}

func (w *Writer) flushLocked() error {
	if w.zw != nil {
		// A sync flush ends the deflate block, so a reader gets every line so far
		// even if the file is never closed.
		if err := w.zw.Flush(); err != nil {
			return err
		}
		w.unsealed = 0
	}
	if err := w.bw.Flush(); err != nil {
		return err
	}
	w.dirty = false
	return nil
}

// flusher pushes buffered lines to the file at least once a FlushEvery.
func (w *Writer) flusher() {
	defer close(w.flushed)
	t := time.NewTicker(w.opts.FlushEvery)
	defer t.Stop()
	for {
		select {
		case <-w.done:
			return
		case <-t.C:
			w.mu.Lock()
			if w.dirty && !w.closed && w.err == nil {
				w.fail(w.flushLocked())
			}
			w.mu.Unlock()
		}
	}
}

// Close flushes and closes the recording; it returns the first error of its life.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return w.err
	}
	w.closed = true
	close(w.done)
	w.fail(w.closeFile())
	err := w.err
	w.mu.Unlock()
	<-w.flushed
	return err
}

// Err is the error that stopped the recording, if any.
func (w *Writer) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// Size is how many bytes the recording's kept files hold on disk; it never waits on
// the disk, so a status bar may poll it.
func (w *Writer) Size() int64 { return w.onDisk.Load() + w.current.Load() - w.deletedSz.Load() }

// Events is how many events were written.
func (w *Writer) Events() int64 { return w.events.Load() }

// Path is the name the recording was created with (its first part).
func (w *Writer) Path() string { return w.first }

// Parts lists the files the recording holds now, oldest first.
func (w *Writer) Parts() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.parts...)
}

type countingWriter struct {
	w io.Writer
	n *atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}
