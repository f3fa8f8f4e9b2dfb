package playback

import (
	"encoding/json"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/feedscope/feedscope/geo"
	"github.com/feedscope/feedscope/record"
	"github.com/feedscope/feedscope/session"
	"github.com/paulmach/orb"
)

// Source is a recording opened read-only: its events carry the source's name as
// their profile, so several recordings and the live profiles sit side by side in
// one table, and a Clock says how far into it the screens are.
type Source struct {
	Name   string
	Path   string
	Header record.Header
	// Err is the line that stopped the reading of a damaged file; the source holds
	// every event before it.
	Err   *record.LineError
	Clock *Clock

	events []session.Event
	at     []time.Time // events' times, never going back, for the search by time

	mu   sync.Mutex
	next int // events before it have been handed out by Step

	tmu   sync.Mutex
	tally *tally // Status and Subs at the last moment asked
}

// Open loads a recording file as a source named after the file. It reads the
// whole file: call it off the UI goroutine.
func Open(path string) (*Source, error) {
	rec, err := record.Load(path)
	if err != nil {
		return nil, err
	}
	return New(rec, "rec: "+filepath.Base(path), path), nil
}

// New makes a source of a loaded recording; its events take name as their profile.
func New(rec *record.Recording, name, path string) *Source {
	s := &Source{Name: name, Path: path, Header: rec.Header, Err: rec.Err,
		events: make([]session.Event, len(rec.Events)), at: make([]time.Time, len(rec.Events))}
	var last time.Time
	for i, e := range rec.Events {
		e.Profile = name
		s.events[i] = e
		if e.Time.After(last) {
			last = e.Time
		}
		s.at[i] = last
	}
	start := rec.Header.Start
	if len(s.events) > 0 && (start.IsZero() || s.events[0].Time.Before(start)) {
		start = s.events[0].Time
	}
	if last.IsZero() {
		last = start
	}
	s.Clock = NewClock(start, last, nil)
	return s
}

// Profile is what the source shows in the profile list: the recorded profile
// under the source's name, without a URL to connect to.
func (s *Source) Profile() session.Profile {
	h := s.Header.Profile
	return session.Profile{Name: s.Name, Dialect: h.Dialect, URL: h.URL, Subs: h.Subs,
		HeaderNames: h.HeaderNames, Subprotocols: h.Subprotocols, Settings: h.Settings}
}

// Len is how many events the source holds.
func (s *Source) Len() int { return len(s.events) }

// Events are all the source's events, in file order. The slice is shared: do not
// change it.
func (s *Source) Events() []session.Event { return s.events }

// Index is how many events happened at or before t.
func (s *Source) Index(t time.Time) int {
	return sort.Search(len(s.at), func(i int) bool { return s.at[i].After(t) })
}

// Step hands out what the clock's moment adds since the last Step. When the clock
// went back, reset is true and evs holds every event up to the moment: the
// consumer drops what it holds of this source first.
func (s *Source) Step() (evs []session.Event, reset bool) {
	n := s.Index(s.Clock.Now())
	s.mu.Lock()
	defer s.mu.Unlock()
	if n < s.next {
		s.next = n
		return s.events[:n], true
	}
	evs, s.next = s.events[s.next:n], n
	return evs, false
}

// Rewind makes the next Step start from nothing, as after a reset.
func (s *Source) Rewind() {
	s.mu.Lock()
	s.next = 0
	s.mu.Unlock()
}

// Upto is every event at or before t.
func (s *Source) Upto(t time.Time) []session.Event { return s.events[:s.Index(t)] }

// Tracks are where every track was at t: the last trailLen positions each track's
// events reported up to then, as the map shows them.
func (s *Source) Tracks(t time.Time, trailLen int) []*geo.Track {
	ts := geo.NewTracks(trailLen, math.MaxInt)
	for _, e := range s.Upto(t) {
		if e.Geo == nil || e.Dir != session.DirIn {
			continue
		}
		k, ok := geo.ParseTrackKey(e.Key)
		if !ok {
			continue
		}
		heading := math.NaN()
		if e.Heading != nil {
			heading = *e.Heading
		}
		ts.Add(k, e.Label, geo.Fix{At: e.Time, Point: orb.Point{e.Geo.Lon, e.Geo.Lat}, Heading: heading}, 0, e.Time)
	}
	return ts.All()
}

// Status is the connection state the recording shows at t: the last state event
// up to then.
func (s *Source) Status(t time.Time) session.Status {
	s.tmu.Lock()
	defer s.tmu.Unlock()
	return s.tallyTo(s.Index(t)).status
}

// Subs is the subscription table as it stood at t: what each subscription asked
// for (from the frames that asked), how many events it had had and when it last
// had one, and live while the connection was open.
func (s *Source) Subs(t time.Time) []session.Sub {
	s.tmu.Lock()
	defer s.tmu.Unlock()
	ty := s.tallyTo(s.Index(t))
	out := make([]session.Sub, 0, len(ty.order))
	for _, id := range ty.order {
		out = append(out, *ty.subs[id])
	}
	return out
}

// tally is the connection state and the subscription table after the first n
// events: it moves forward with the clock, event by event, and starts over only
// when the clock goes back, so a screen asking 30 times a second costs what the
// clock moved, not the whole recording.
type tally struct {
	n      int
	status session.Status
	open   bool
	order  []string
	subs   map[string]*session.Sub
}

// tallyTo brings the tally to the first n events; s.tmu is held.
func (s *Source) tallyTo(n int) *tally {
	ty := s.tally
	if ty == nil || n < ty.n {
		// Before the first event nothing is wrong: closed with no detail is how a
		// profile that is simply not connected looks (grey, not an error).
		ty = &tally{status: session.Status{Phase: session.PhaseClosed}, subs: map[string]*session.Sub{}}
		// The header's subscriptions got our ids 1, 2, … when the session was made.
		for i, spec := range s.Header.Profile.Subs {
			ty.sub(strconv.Itoa(i + 1)).Spec = spec
		}
		s.tally = ty
	}
	d, known := session.Lookup(s.Header.Profile.Dialect)
	for ; ty.n < n; ty.n++ {
		e := &s.events[ty.n]
		if ty.n == 0 && e.Dir != session.DirState {
			// A recording started while the connection was open.
			ty.open = true
			ty.status = session.Status{Phase: session.PhaseOpen, Detail: "recorded from an open connection"}
		}
		switch {
		case e.Dir == session.DirState:
			ty.state(e)
		case e.Sub == "":
		case e.Dir == session.DirOut:
			sub := ty.sub(e.Sub)
			if known {
				if spec, ok := d.SubscriptionOf(e.Raw); ok {
					sub.Spec = json.RawMessage(spec)
				}
			}
		case e.Dir == session.DirIn:
			sub := ty.sub(e.Sub)
			sub.Events++
			sub.LastSeen = e.Time
			if e.Kind == "error" {
				sub.State, sub.Error = session.SubError, e.Summary
			} else if ty.open {
				sub.State, sub.Error = session.SubLive, ""
			}
		}
	}
	return ty
}

func (ty *tally) sub(id string) *session.Sub {
	sub := ty.subs[id]
	if sub == nil {
		sub = &session.Sub{ID: id, State: session.SubOffline}
		ty.subs[id] = sub
		ty.order = append(ty.order, id)
	}
	return sub
}

// state applies a state event to the connection and the subscriptions.
func (ty *tally) state(e *session.Event) {
	st := &ty.status
	st.Detail = e.Summary
	switch e.Kind {
	case session.StateConnecting:
		st.Phase = session.PhaseConnecting
	case session.StateOpen:
		if st.Phase == session.PhaseReconnecting {
			st.Reconnects++
		}
		st.Phase = session.PhaseOpen
	case session.StateReconnecting:
		st.Phase = session.PhaseReconnecting
	case session.StateClosed:
		st.Phase = session.PhaseClosed
	}
	ty.open = e.Kind == session.StateOpen
	for _, sub := range ty.subs {
		if sub.State == session.SubError {
			continue
		}
		sub.State = session.SubOffline
		if ty.open {
			sub.State = session.SubPending
		}
	}
}
