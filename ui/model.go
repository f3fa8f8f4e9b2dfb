package ui

import (
	"fmt"

	"github.com/feedscope/feedscope/query"
	"github.com/feedscope/feedscope/session"
)

// Model is the event table's view of the one event buffer, the controller's ring:
// the sequence numbers of the events that pass the filter and the scope (a profile
// or a subscription picked in the sidebar). It holds no event of its own: a row is
// read from the ring when it is drawn. It belongs to the UI goroutine.
type Model struct {
	ring  *session.Ring
	last  uint64 // the newest sequence taken into the view
	floor uint64 // Clear hides everything up to this sequence

	rows   []uint64 // sequences of the events that pass, ascending
	query  query.Query
	scope  Scope
	hidden []clearMark // scopes cleared while others were kept

	retries map[string]*retryRun // each profile's retry loop, folded
	repeats map[uint64]int       // rounds a folded reconnecting row stands for

	// gen counts rebuilds of rows and folds the rows taken out from the middle, so
	// views over the rows (views.go) know when to look again.
	gen, folds int
}

// Scope narrows the table to one profile, or one subscription of it.
type Scope struct {
	Profile string
	Sub     string
}

func (s Scope) match(e *session.Event) bool {
	return (s.Profile == "" || e.Profile == s.Profile) && (s.Sub == "" || e.Sub == s.Sub)
}

// NewModel views ring.
func NewModel(ring *session.Ring) *Model { return &Model{ring: ring} }

// Cap is how many events the ring keeps.
func (m *Model) Cap() int { return m.ring.Cap() }

// Last is the newest sequence the view has taken in.
func (m *Model) Last() uint64 { return m.last }

// Stored is how many events the view covers, shown or not.
func (m *Model) Stored() int {
	before, _ := m.ring.Bounds()
	return int(m.last - min(m.last, max(before, m.floor)))
}

// Len is how many rows pass the filter.
func (m *Model) Len() int { return len(m.rows) }

// gone stands in for a row the ring overwrote since the view last advanced.
var gone = session.Event{Dir: session.DirState, Kind: "evicted", Summary: "(no longer held: the buffer is full)"}

// Row returns a copy of the i-th passing event.
func (m *Model) Row(i int) *session.Event {
	if e, ok := m.ring.Get(m.rows[i]); ok {
		if n := m.repeats[m.rows[i]]; n > 1 {
			e.Summary = fmt.Sprintf("×%d · %s", n, e.Summary)
		}
		return &e
	}
	e := gone
	return &e
}

// Seq returns the sequence of the i-th row, stable while the event is held.
func (m *Model) Seq(i int) uint64 { return m.rows[i] }

// IndexOf returns the row showing sequence seq, or -1.
func (m *Model) IndexOf(seq uint64) int {
	lo, hi := 0, len(m.rows)
	for lo < hi {
		mid := (lo + hi) / 2
		if m.rows[mid] < seq {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(m.rows) && m.rows[lo] == seq {
		return lo
	}
	return -1
}

// Advance takes the events up to sequence upTo into the view. It returns how many
// rows the ring evicted from the view's start (so a view can keep its place) and
// how many events it overwrote before the view took them.
func (m *Model) Advance(upTo uint64) (evictedRows int, missed uint64) {
	if upTo > m.last {
		missed = m.each(m.last, upTo, func(seq uint64, e *session.Event) {
			if m.pass(e) && m.shown(seq, e) {
				m.take(seq, e)
			}
		})
		m.last = upTo
	}
	before, _ := m.ring.Bounds()
	for evictedRows < len(m.rows) && m.rows[evictedRows] <= before {
		evictedRows++
	}
	if evictedRows > 0 {
		m.rows = append(m.rows[:0], m.rows[evictedRows:]...)
		for seq := range m.repeats {
			if seq <= before {
				delete(m.repeats, seq)
			}
		}
	}
	return evictedRows, missed
}

func (m *Model) pass(e *session.Event) bool {
	return m.scope.match(e) && m.query.Match(e)
}

// SetQuery applies a filter to every event in view.
func (m *Model) SetQuery(q query.Query) {
	m.query = q
	m.refilter()
}

// SetScope narrows the view to a profile or subscription ("" for all).
func (m *Model) SetScope(s Scope) {
	m.scope = s
	m.refilter()
}

// Scope returns the current scope.
func (m *Model) Scope() Scope { return m.scope }

func (m *Model) refilter() {
	m.gen++
	m.rows = m.rows[:0]
	m.retries, m.repeats = nil, nil
	m.each(m.floor, m.last, func(seq uint64, e *session.Event) {
		if m.pass(e) && m.shown(seq, e) {
			m.take(seq, e)
		}
	})
}

// each walks the ring from after seq to upTo for pass and take: with the
// summaries and frames when the query reads them, otherwise only the states',
// whose summaries take compares (the ring keeps the rest packed).
func (m *Model) each(seq, upTo uint64, f func(seq uint64, e *session.Event)) uint64 {
	if m.query.ReadsText() {
		return m.ring.Each(seq, upTo, f)
	}
	return m.ring.EachHead(seq, upTo, isState, f)
}

func isState(e *session.Event) bool { return e.Dir == session.DirState }

// take adds the row for seq, folding a profile's retry loop into one row: when a
// connecting and a reconnecting state repeat as they were, with nothing else
// from the profile between, the connecting one is left out and the newest
// reconnecting one replaces the last, counting the rounds ("×72").
func (m *Model) take(seq uint64, e *session.Event) {
	if e.Dir != session.DirState || (e.Kind != session.StateConnecting && e.Kind != session.StateReconnecting) {
		delete(m.retries, e.Profile)
		m.rows = append(m.rows, seq)
		return
	}
	if m.retries == nil {
		m.retries = map[string]*retryRun{}
	}
	key := retryShape(e.Summary)
	r := m.retries[e.Profile]
	if r == nil {
		r = &retryRun{}
		m.retries[e.Profile] = r
	}
	switch {
	case e.Kind == session.StateConnecting && r.row != 0 && key == r.connecting:
		return // the same attempt again: counted with the reconnecting row
	case e.Kind == session.StateReconnecting && r.row != 0 && key == r.reconnecting:
		if i := m.IndexOf(r.row); i >= 0 {
			m.rows = append(m.rows[:i], m.rows[i+1:]...)
			m.folds++
		}
		n := max(m.repeats[r.row], 1) + 1
		delete(m.repeats, r.row)
		if m.repeats == nil {
			m.repeats = map[uint64]int{}
		}
		m.repeats[seq], r.row = n, seq
		m.rows = append(m.rows, seq)
		return
	case e.Kind == session.StateConnecting:
		r.connecting, r.row = key, 0
	default:
		r.reconnecting, r.row = key, seq
	}
	m.rows = append(m.rows, seq)
}

// retryRun is a profile's retry loop as the table folds it.
type retryRun struct {
	connecting, reconnecting string // their summaries without numbers
	row                      uint64 // the reconnecting row shown; 0 before one
}

// retryShape is a state summary with its numbers and durations left out, so that
// "reconnecting in 587ms" and "reconnecting in 1.2s" are the same step.
func retryShape(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			for i+1 < len(s) && (s[i+1] >= '0' && s[i+1] <= '9' || s[i+1] == '.' || s[i+1] >= 'a' && s[i+1] <= 'z' || s[i+1] == 0xc2 || s[i+1] == 0xb5) {
				i++
			}
			b = append(b, '#')
			continue
		}
		b = append(b, c)
	}
	return string(b)
}

// Repeats is how many rounds of a retry loop row i stands for (1 for a plain row).
func (m *Model) Repeats(i int) int {
	if n := m.repeats[m.rows[i]]; n > 1 {
		return n
	}
	return 1
}

// Clear empties the view; the ring keeps its events for other readers.
func (m *Model) Clear() {
	m.gen++
	m.floor = m.last
	m.rows = m.rows[:0]
	m.hidden = nil
	m.retries, m.repeats = nil, nil
}

// Visible returns copies of the passing events, oldest first (for export).
func (m *Model) Visible() []session.Event {
	out := make([]session.Event, 0, len(m.rows))
	for _, seq := range m.rows {
		if e, ok := m.ring.Get(seq); ok {
			out = append(out, e)
		}
	}
	return out
}

// ClearScope hides the events of the current scope taken in so far (whatever the
// filter shows of them); the other profiles' stay, and the scope's later events
// show. It returns how many events it hid.
func (m *Model) ClearScope() int {
	n := 0
	m.ring.EachHead(m.floor, m.last, nil, func(seq uint64, e *session.Event) {
		if m.scope.match(e) && m.shown(seq, e) {
			n++
		}
	})
	m.hidden = append(m.hidden, clearMark{m.scope, m.last})
	m.refilter()
	return n
}

// Hide takes a profile's events up to sequence upTo out of the view: a recording
// whose clock went back puts its events into the ring again from the start.
func (m *Model) Hide(profile string, upTo uint64) {
	m.hidden = append(m.hidden, clearMark{Scope{Profile: profile}, upTo})
	m.refilter()
}

// InView reports whether the view covers the event at seq, shown or not: neither
// cleared nor hidden.
func (m *Model) InView(seq uint64, e *session.Event) bool {
	return seq > m.floor && m.shown(seq, e)
}

// clearMark hides a scope's events up to a sequence.
type clearMark struct {
	scope Scope
	upTo  uint64
}

// shown reports whether no scoped clear hides the event at seq.
func (m *Model) shown(seq uint64, e *session.Event) bool {
	for _, h := range m.hidden {
		if seq <= h.upTo && h.scope.match(e) {
			return false
		}
	}
	return true
}
