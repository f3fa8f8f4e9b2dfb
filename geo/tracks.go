package geo

import (
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// TrackKey identifies a track as the Gotham reference does, and by where it came
// from: Source is the profile (or opened recording) that reported it, so that the
// same track live and in a recording, or from two profiles, stays two tracks.
type TrackKey struct {
	Source                                                   string
	SourceSystemID, CollectionID, ObservationSpecID, TrackID string
}

// String is the key as one string, the four ids path-escaped and joined by "/":
// the form an Event carries as its Key (the event names its Source itself, as
// its profile).
func (k TrackKey) String() string {
	return url.PathEscape(k.SourceSystemID) + "/" + url.PathEscape(k.CollectionID) + "/" +
		url.PathEscape(k.ObservationSpecID) + "/" + url.PathEscape(k.TrackID)
}

// ParseTrackKey reads a key written by String; ok is false for anything else.
func ParseTrackKey(s string) (k TrackKey, ok bool) {
	parts := strings.Split(s, "/")
	if len(parts) != 4 {
		return k, false
	}
	for i, p := range parts {
		if parts[i], ok = unescape(p); !ok {
			return k, false
		}
	}
	return TrackKey{SourceSystemID: parts[0], CollectionID: parts[1], ObservationSpecID: parts[2], TrackID: parts[3]}, true
}

func unescape(s string) (string, bool) {
	v, err := url.PathUnescape(s)
	return v, err == nil
}

// Fix is one position report.
type Fix struct {
	At      time.Time
	Point   orb.Point
	Heading float64 // degrees clockwise from north; NaN when unknown
	Speed   float64 // metres a second; NaN (or 0 from an older caller) when unknown
}

// Track is one mover: its latest fix and a trail of earlier ones, oldest first.
type Track struct {
	Key   TrackKey
	Name  string
	Trail []Fix // the last entry is the latest
	Seen  time.Time
	// Ref is the caller's handle on the latest observation (e.g. an event sequence).
	Ref uint64
}

// Latest is the newest fix.
func (t *Track) Latest() Fix { return t.Trail[len(t.Trail)-1] }

// Tracks keeps the last TrailLen fixes of every track, bounded to MaxTracks tracks
// (the stalest go first), and places out-of-order fixes by time.
type Tracks struct {
	TrailLen  int
	MaxTracks int
	byKey     map[TrackKey]*Track
	gen       uint64
}

// Gen changes whenever a fix is added or the tracks are cleared: a map whose
// tracks have the same Gen as at its last frame has nothing new to draw.
func (s *Tracks) Gen() uint64 { return s.gen }

// NewTracks returns an empty store.
func NewTracks(trailLen, maxTracks int) *Tracks {
	return &Tracks{TrailLen: trailLen, MaxTracks: maxTracks, byKey: map[TrackKey]*Track{}}
}

// Add records a fix; an older fix than the newest is inserted in time order.
func (s *Tracks) Add(k TrackKey, name string, f Fix, ref uint64, now time.Time) {
	s.gen++
	t := s.byKey[k]
	if t == nil {
		if len(s.byKey) >= s.MaxTracks {
			s.evictStalest()
		}
		t = &Track{Key: k}
		s.byKey[k] = t
	}
	t.Seen = now
	if name != "" {
		t.Name = name
	}
	i := len(t.Trail)
	for i > 0 && t.Trail[i-1].At.After(f.At) {
		i--
	}
	t.Trail = append(t.Trail, Fix{})
	copy(t.Trail[i+1:], t.Trail[i:])
	t.Trail[i] = f
	if i == len(t.Trail)-1 {
		t.Ref = ref
	}
	if over := len(t.Trail) - s.TrailLen; over > 0 {
		t.Trail = append(t.Trail[:0], t.Trail[over:]...)
	}
}

func (s *Tracks) evictStalest() {
	var oldest *Track
	for _, t := range s.byKey {
		if oldest == nil || t.Seen.Before(oldest.Seen) {
			oldest = t
		}
	}
	if oldest != nil {
		delete(s.byKey, oldest.Key)
	}
}

// Len is how many tracks are kept.
func (s *Tracks) Len() int { return len(s.byKey) }

// All returns the tracks in a stable order.
func (s *Tracks) All() []*Track {
	out := make([]*Track, 0, len(s.byKey))
	for _, t := range s.byKey {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := out[i].Key, out[j].Key; a.TrackID != b.TrackID {
			return a.TrackID < b.TrackID
		}
		if a, b := out[i].Key, out[j].Key; a.Source != b.Source {
			return a.Source < b.Source
		}
		return out[i].Key.String() < out[j].Key.String()
	})
	return out
}

// Stale reports how far past its last report a track is, as a fraction of after
// (0 fresh … 1 stale).
func Stale(t *Track, now time.Time, after time.Duration) float64 {
	f := float64(now.Sub(t.Seen)) / float64(after)
	if f < 0 {
		return 0
	}
	if f > 1 {
		return 1
	}
	return f
}

// Clear forgets every track.
func (s *Tracks) Clear() {
	s.gen++
	clear(s.byKey)
}
