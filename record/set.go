package record

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/feedscope/feedscope/session"
)

// Set records any number of profiles at once, each into its own file: the app's
// Record toggle per profile and "record all". It is a session.Sink that hands each
// event to the recording of its profile, if there is one.
type Set struct {
	Dir  string  // where new recordings go
	Opts Options // the caps of every recording

	mu sync.RWMutex
	w  map[string]*Writer // by profile name
}

// Start records profile p from now on, into a new file in Dir named after it and
// the moment; it returns the file's name. A profile already recording keeps its
// file.
func (s *Set) Start(p session.Profile) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w := s.w[p.Name]; w != nil {
		return w.Path(), nil
	}
	if s.Dir != "" {
		if err := os.MkdirAll(s.Dir, 0o700); err != nil {
			return "", fmt.Errorf("recording: cannot create the folder %s: %w", s.Dir, err)
		}
	}
	path := filepath.Join(s.Dir, FileName(p.Name, time.Now()))
	w, err := Create(path, p, s.Opts)
	if err != nil {
		return "", err
	}
	if s.w == nil {
		s.w = map[string]*Writer{}
	}
	s.w[p.Name] = w
	return path, nil
}

// Stop ends the named profile's recording and returns the error of its life, if
// any; a profile not recording is no error.
func (s *Set) Stop(name string) error {
	s.mu.Lock()
	w := s.w[name]
	delete(s.w, name)
	s.mu.Unlock()
	if w == nil {
		return nil
	}
	return w.Close()
}

// Recording reports whether the named profile is recording, into which file, how
// many bytes it holds on disk and what stopped it, if anything did. It never waits
// on the disk.
func (s *Set) Recording(name string) (on bool, path string, size int64, err error) {
	s.mu.RLock()
	w := s.w[name]
	s.mu.RUnlock()
	if w == nil {
		return false, "", 0, nil
	}
	return true, w.Path(), w.Size(), w.Err()
}

// Names lists the profiles recording, sorted.
func (s *Set) Names() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.w))
	for n := range s.w {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Size is the bytes on disk of every recording running.
func (s *Set) Size() int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var n int64
	for _, w := range s.w {
		n += w.Size()
	}
	return n
}

// Publish writes e to its profile's recording, if one runs.
func (s *Set) Publish(e session.Event) {
	s.mu.RLock()
	w := s.w[e.Profile]
	s.mu.RUnlock()
	if w != nil {
		w.Publish(e)
	}
}

// Close stops every recording and returns the first error.
func (s *Set) Close() error {
	var first error
	for _, n := range s.Names() {
		if err := s.Stop(n); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// FileName is a recording's file name for a profile and a moment: the name with
// anything a file system might refuse replaced, then the time, gzip.
func FileName(profile string, t time.Time) string {
	var b strings.Builder
	for _, r := range profile {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	name := strings.Trim(b.String(), "._")
	if name == "" {
		name = "recording"
	}
	return fmt.Sprintf("%s-%s.ndjson.gz", name, t.UTC().Format("20060102-150405"))
}
