package ui

import (
	"github.com/feedscope/feedscope/query"
	"github.com/feedscope/feedscope/session"
)

// Model is the event table's data: a bounded store of events in arrival order and
// the rows that pass the filter and the scope (a profile or a subscription picked
// in the sidebar). It belongs to the UI goroutine.
type Model struct {
	buf  []session.Event
	head int
	n    int
	base uint64 // sequence of the oldest stored event; sequences count from 0

	rows  []uint64 // sequences of the events that pass, ascending
	query query.Query
	scope Scope
}

// Scope narrows the table to one profile, or one subscription of it.
type Scope struct {
	Profile string
	Sub     string
}

func (s Scope) match(e *session.Event) bool {
	return (s.Profile == "" || e.Profile == s.Profile) && (s.Sub == "" || e.Sub == s.Sub)
}

// NewModel keeps at most capacity events.
func NewModel(capacity int) *Model {
	if capacity <= 0 {
		capacity = session.DefaultRingCap
	}
	return &Model{buf: make([]session.Event, capacity)}
}

// Cap is how many events the model keeps.
func (m *Model) Cap() int { return len(m.buf) }

// Stored is how many events the model holds, shown or not.
func (m *Model) Stored() int { return m.n }

// Len is how many rows pass the filter.
func (m *Model) Len() int { return len(m.rows) }

// Row returns the i-th passing event.
func (m *Model) Row(i int) *session.Event {
	return m.at(m.rows[i])
}

// Seq returns the sequence of the i-th row, stable while the event is stored.
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

func (m *Model) at(seq uint64) *session.Event {
	return &m.buf[(m.head+int(seq-m.base))%len(m.buf)]
}

// Append stores events, evicting the oldest when full, and returns how many rows
// were evicted from the view (so a view can keep its place).
func (m *Model) Append(es []session.Event) (evictedRows int) {
	c := len(m.buf)
	for i := range es {
		seq := m.base + uint64(m.n)
		if m.n < c {
			m.buf[(m.head+m.n)%c] = es[i]
			m.n++
		} else {
			m.buf[m.head] = es[i]
			m.head = (m.head + 1) % c
			m.base++
		}
		if m.pass(&es[i]) {
			m.rows = append(m.rows, seq)
		}
	}
	for evictedRows < len(m.rows) && m.rows[evictedRows] < m.base {
		evictedRows++
	}
	if evictedRows > 0 {
		m.rows = append(m.rows[:0], m.rows[evictedRows:]...)
	}
	return evictedRows
}

func (m *Model) pass(e *session.Event) bool {
	return m.scope.match(e) && m.query.Match(e)
}

// SetQuery applies a filter to every stored event.
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
	m.rows = m.rows[:0]
	for i := 0; i < m.n; i++ {
		seq := m.base + uint64(i)
		if m.pass(m.at(seq)) {
			m.rows = append(m.rows, seq)
		}
	}
}

// Clear drops every stored event.
func (m *Model) Clear() {
	clear(m.buf)
	m.base += uint64(m.n)
	m.head, m.n = 0, 0
	m.rows = m.rows[:0]
}

// Visible returns the passing events, oldest first (for export).
func (m *Model) Visible() []session.Event {
	out := make([]session.Event, len(m.rows))
	for i, seq := range m.rows {
		out[i] = *m.at(seq)
	}
	return out
}
