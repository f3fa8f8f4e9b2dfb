// Package record keeps a feed on disk and reads it back: the recording format is the
// `feedscope tail` NDJSON (one session.Event a line) after one header line that names
// the format version, the profile without its secrets, and the start time. A name
// ending in .gz selects gzip. docs/recording.md describes the format.
package record

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/feedscope/feedscope/session"
)

// Format is the header's "format" value: it tells a recording from any other NDJSON.
const Format = "feedscope-recording"

// Version is the format version this package writes and the newest it reads.
const Version = 1

// Header is the first line of a recording.
type Header struct {
	Format  string    `json:"format"`
	Version int       `json:"version"`
	Start   time.Time `json:"start"`
	Profile Profile   `json:"profile"`
	// Part counts the files of one rotating recording, from 1.
	Part int `json:"part,omitempty"`
	// Inferred is set by the reader for a plain tail output that had no header.
	Inferred bool `json:"-"`
}

// Profile is what a recording keeps of the profile it was made with: enough to say
// what was watched and to serve it again, and never a secret.
type Profile struct {
	Name         string            `json:"name"`
	Dialect      string            `json:"dialect"`
	URL          string            `json:"url"`
	Subs         []json.RawMessage `json:"subs,omitempty"`
	HeaderNames  []string          `json:"headerNames,omitempty"`
	Subprotocols []string          `json:"subprotocols,omitempty"`
	Settings     map[string]string `json:"settings,omitempty"`
}

// NewHeader describes a recording of p starting at start, with every secret of p
// left out or blanked.
func NewHeader(p session.Profile, start time.Time) Header {
	sc := newScrubber(p)
	h := Header{Format: Format, Version: Version, Start: start, Profile: Profile{
		Name:        p.Name,
		Dialect:     p.Dialect,
		URL:         sc.url(p.URL),
		HeaderNames: append([]string(nil), p.HeaderNames...),
	}}
	for _, s := range p.Subs {
		h.Profile.Subs = append(h.Profile.Subs, json.RawMessage(sc.bytes(s)))
	}
	for _, s := range p.Subprotocols {
		h.Profile.Subprotocols = append(h.Profile.Subprotocols, string(sc.bytes([]byte(s))))
	}
	if len(p.Settings) > 0 {
		h.Profile.Settings = map[string]string{}
		for k, v := range p.Settings {
			h.Profile.Settings[k] = string(sc.bytes([]byte(v)))
		}
	}
	for name := range p.Headers {
		if !contains(h.Profile.HeaderNames, name) {
			h.Profile.HeaderNames = append(h.Profile.HeaderNames, name)
		}
	}
	return h
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if strings.EqualFold(x, y) {
			return true
		}
	}
	return false
}

// secretParams are query parameters that carry credentials in the feeds we know
// (Misskey's `i`, Hypothesis' `access_token`) and in common APIs; a recording
// drops them from the URL altogether.
var secretParams = []string{"i", "access_token", "token", "apikey", "api_key", "key", "secret",
	"password", "auth", "authorization", "sig", "signature", "jwt", "session", "code"}

// scrubber blanks the secrets of one profile wherever they occur.
type scrubber struct {
	secrets [][]byte
}

// minSecret is the shortest secret blanked inside frames: session.Profile.Scrub's
// rule, since shorter ones ("demo") are no real credential and would garble
// ordinary words of the feed.
const minSecret = 6

const blank = "•••"

func newScrubber(p session.Profile) *scrubber {
	var vals []string
	add := func(s string) {
		if len(s) >= minSecret && !containsExact(vals, s) {
			vals = append(vals, s)
		}
	}
	for _, s := range append([]string{p.Token, p.Password}, headerValues(p)...) {
		add(s)
		add(url.QueryEscape(s))
		add(url.PathEscape(s))
		if q, err := json.Marshal(s); err == nil {
			add(strings.Trim(string(q), `"`)) // the form it takes inside a JSON string
		}
		if i := strings.IndexByte(s, ' '); i > 0 {
			add(s[i+1:]) // "Bearer xyz": the credential without its scheme
		}
	}
	sc := &scrubber{}
	for _, v := range vals {
		sc.secrets = append(sc.secrets, []byte(v))
	}
	return sc
}

func headerValues(p session.Profile) []string {
	out := make([]string, 0, len(p.Headers))
	for _, v := range p.Headers {
		out = append(out, v)
	}
	return out
}

func containsExact(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// bytes returns b with every secret blanked; b itself when there is none in it.
func (sc *scrubber) bytes(b []byte) []byte {
	for _, s := range sc.secrets {
		if bytes.Contains(b, s) {
			b = bytes.ReplaceAll(b, s, []byte(blank))
		}
	}
	return b
}

// url drops the URL's user information and credential parameters, then blanks any
// secret left in it.
func (sc *scrubber) url(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return string(sc.bytes([]byte(raw)))
	}
	u.User = nil
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if contains(secretParams, k) {
				q.Del(k)
			}
		}
		u.RawQuery = q.Encode()
	}
	return string(sc.bytes([]byte(u.String())))
}

// check reports why h cannot be read by this version.
func (h *Header) check() error {
	if h.Format != Format {
		return fmt.Errorf("not a Feedscope recording: the first line's format is %q, not %q", h.Format, Format)
	}
	if h.Version < 1 {
		return fmt.Errorf("recording header: version %d is not a valid format version", h.Version)
	}
	if h.Version > Version {
		return fmt.Errorf("this recording uses format version %d, but this Feedscope reads up to version %d: open it with a newer Feedscope", h.Version, Version)
	}
	if h.Profile.Dialect == "" {
		return fmt.Errorf("recording header: the profile names no dialect")
	}
	return nil
}
