package control

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/feedscope/feedscope/playback"
	"github.com/feedscope/feedscope/record"
	"github.com/feedscope/feedscope/session"
)

// Recording is what the status bar shows of a profile's recording.
type Recording struct {
	On   bool
	Path string
	Size int64 // bytes on disk
	Err  error // what stopped it, if anything did
}

// Record starts (on) or stops recording the named profile's events into a new file
// in Options.RecordDir, and returns the file's name. The file is created at once;
// the writing happens on the session's goroutines, buffered, never on the caller's.
func (c *Controller) Record(name string, on bool) (string, error) {
	if !on {
		_, path, _, _ := c.recs.Recording(name)
		return path, c.recs.Stop(name)
	}
	c.mu.Lock()
	e := c.find(name)
	var p session.Profile
	if e != nil {
		p = clone(e.p) // with its secrets: the recording needs them to blank any echo
	}
	c.mu.Unlock()
	if e == nil {
		return "", fmt.Errorf("no profile %s", name)
	}
	return c.recs.Start(p)
}

// RecordAll starts or stops recording every profile; it returns the first error.
func (c *Controller) RecordAll(on bool) error {
	var errs []error
	for _, p := range c.Profiles() {
		if _, err := c.Record(p.Name, on); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Recording reports the named profile's recording.
func (c *Controller) Recording(name string) Recording {
	on, path, size, err := c.recs.Recording(name)
	return Recording{On: on, Path: path, Size: size, Err: err}
}

// Recordings are the names of the profiles recording, sorted, and the bytes all
// their files hold.
func (c *Controller) Recordings() ([]string, int64) { return c.recs.Names(), c.recs.Size() }

// sourceList is the recordings opened as read-only sources, in the order opened.
type sourceList struct {
	mu   sync.Mutex
	list []*playback.Source
}

// OpenRecording loads a recording file as a read-only source beside the profiles,
// its clock paused at the start. It reads the whole file: call it off the UI
// goroutine. A damaged file opens up to its last good line (Source.Err says which
// line failed and why).
func (c *Controller) OpenRecording(path string) (*playback.Source, error) {
	rec, err := record.Load(path)
	if err != nil {
		return nil, err
	}
	base := "rec: " + strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".gz"), ".ndjson")
	c.srcs.mu.Lock()
	defer c.srcs.mu.Unlock()
	name := base
	for i := 2; c.sourceLocked(name) != nil || c.Has(name); i++ {
		name = fmt.Sprintf("%s (%d)", base, i)
	}
	src := playback.New(rec, name, path)
	c.srcs.list = append(c.srcs.list, src)
	return src, nil
}

func (c *Controller) sourceLocked(name string) *playback.Source {
	for _, s := range c.srcs.list {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Source returns the opened recording called name, or nil.
func (c *Controller) Source(name string) *playback.Source {
	c.srcs.mu.Lock()
	defer c.srcs.mu.Unlock()
	return c.sourceLocked(name)
}

// Sources lists the opened recordings, in the order opened.
func (c *Controller) Sources() []*playback.Source {
	c.srcs.mu.Lock()
	defer c.srcs.mu.Unlock()
	return append([]*playback.Source(nil), c.srcs.list...)
}

// CloseRecording takes an opened recording away.
func (c *Controller) CloseRecording(name string) {
	c.srcs.mu.Lock()
	defer c.srcs.mu.Unlock()
	for i, s := range c.srcs.list {
		if s.Name == name {
			c.srcs.list = append(c.srcs.list[:i:i], c.srcs.list[i+1:]...)
			return
		}
	}
}

// StepSources puts into the ring what every opened recording's clock adds since
// the last step. For a source whose clock went back it returns the ring's newest
// sequence before its events went in again from the start: a screen hides that
// source's events up to it.
func (c *Controller) StepSources() (resets map[string]uint64) {
	for _, s := range c.Sources() {
		evs, reset := s.Step()
		if reset {
			if resets == nil {
				resets = map[string]uint64{}
			}
			_, resets[s.Name] = c.ring.Bounds()
		}
		for i := range evs {
			c.ring.Publish(evs[i])
		}
	}
	return resets
}

// SourceStates is every opened recording's state at its clock's moment: the
// connection as recorded then, and its subscriptions' health then.
func (c *Controller) SourceStates() map[string]State {
	out := map[string]State{}
	for _, s := range c.Sources() {
		t := s.Clock.Now()
		out[s.Name] = State{Live: s.Clock.Playing(), Status: s.Status(t), Subs: s.Subs(t)}
	}
	return out
}
