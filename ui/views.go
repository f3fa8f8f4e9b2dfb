package ui

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/feedscope/feedscope/session"
)

// rowView is what the event list shows, row by row: the model's rows as they
// came, one row per subject (latestView), or either of them sorted by a column
// (sortedView). Every view belongs to the UI goroutine.
type rowView interface {
	Len() int
	Seq(i int) uint64
	Row(i int) *session.Event
	IndexOf(seq uint64) int
}

// eachHeld calls f with the held events among seqs (ascending): a few are read one
// by one, many in one walk of the ring, with their Summary and Raw only when text
// (Ring.EachHead: the ring's history stays packed). f runs under the ring's lock:
// it must be quick, must not call the ring and must copy what it keeps of e's
// Summary and Raw (see Ring.Each).
func eachHeld(r *session.Ring, seqs []uint64, text bool, f func(seq uint64, e *session.Event)) {
	if len(seqs) == 0 {
		return
	}
	if len(seqs) < 64 {
		for _, seq := range seqs {
			if e, ok := r.Get(seq); ok {
				f(seq, &e)
			}
		}
		return
	}
	j := 0
	walk := r.Each
	if !text {
		walk = func(seq, upTo uint64, f func(uint64, *session.Event)) uint64 { return r.EachHead(seq, upTo, nil, f) }
	}
	walk(seqs[0]-1, seqs[len(seqs)-1], func(seq uint64, e *session.Event) {
		for j < len(seqs) && seqs[j] < seq {
			j++ // no longer held
		}
		if j < len(seqs) && seqs[j] == seq {
			f(seq, e)
			j++
		}
	})
}

// changes is what a view's rows did since a reader last looked: rebuilt (full),
// or some rows added and some gone.
type changes struct {
	full   bool
	added  []uint64
	before uint64                // every row up to this sequence is gone (the ring evicted it)
	gone   func(seq uint64) bool // other rows gone; nil: none
	// ringOrder: rows are added in sequence order and leave only by eviction
	// (and gone): the model's rows, not a latest view's.
	ringOrder bool
}

// modelFeed reads a Model's changes for a view over it.
type modelFeed struct {
	m           *Model
	gen, folds  int
	seen        uint64 // the newest row read
	initialised bool
}

func (f *modelFeed) next() changes {
	m := f.m
	if !f.initialised || f.gen != m.gen {
		f.initialised, f.gen, f.folds, f.seen = true, m.gen, m.folds, m.last
		return changes{full: true}
	}
	start := sort.Search(len(m.rows), func(i int) bool { return m.rows[i] > f.seen })
	c := changes{added: m.rows[start:], ringOrder: true}
	f.seen = m.last
	c.before, _ = m.ring.Bounds()
	if f.folds != m.folds {
		f.folds = m.folds
		c.gone = func(seq uint64) bool { return m.IndexOf(seq) < 0 }
	}
	return c
}

// subject is what the latest-per-key view keeps one row for: a profile's Key
// (a track, a note), or for events without one, the profile's kind of event.
type subject struct {
	profile, key, dir, kind string
}

func subjectOf(e *session.Event) subject {
	if e.Key != "" {
		return subject{profile: e.Profile, key: e.Key}
	}
	return subject{profile: e.Profile, dir: e.Dir, kind: e.Kind}
}

// latestView shows one row per subject: its latest event, how many of its events
// the model's rows hold and how old the latest is. Rows keep the order in which
// their subjects first appeared, so a row an analyst watches stays where it is
// while it updates.
type latestView struct {
	m      *Model
	feed   modelFeed
	order  []*subjectRow // shown, by first appearance
	index  map[subject]*subjectRow
	queue  []heldRow // every row taken in, oldest first, so evictions count down
	qhead  int
	now    func() time.Time
	log    *changes // kept for a sorted view over this one; nil: nobody reads
	logSet map[uint64]bool
}

type subjectRow struct {
	latest uint64
	count  int
	pos    int // in order
}

type heldRow struct {
	seq uint64
	row *subjectRow
}

func newLatestView(m *Model) *latestView {
	v := &latestView{m: m, feed: modelFeed{m: m}, now: time.Now}
	v.sync()
	return v
}

// sync takes in what the model's rows did since the last call.
func (v *latestView) sync() {
	c := v.feed.next()
	if c.full {
		v.order, v.index, v.queue, v.qhead = v.order[:0], map[subject]*subjectRow{}, v.queue[:0], 0
		c.added = v.m.rows
		if cap(v.queue) < len(c.added) {
			v.queue = make([]heldRow, 0, len(c.added))
		}
		v.noteFull()
	}
	eachHeld(v.m.ring, c.added, false, func(seq uint64, e *session.Event) {
		k := subjectOf(e)
		r := v.index[k]
		if r == nil {
			r = &subjectRow{pos: len(v.order)}
			v.index[k] = r
			v.order = append(v.order, r)
		} else {
			v.noteGone(r.latest)
		}
		r.latest = seq
		r.count++
		v.queue = append(v.queue, heldRow{seq, r})
		v.noteAdded(seq)
	})
	before, _ := v.m.ring.Bounds()
	dead := false
	for v.qhead < len(v.queue) && v.queue[v.qhead].seq <= before {
		r := v.queue[v.qhead].row
		if r.count--; r.count == 0 {
			dead = true
			v.noteGone(r.latest)
		}
		v.qhead++
	}
	if v.qhead > len(v.queue)/2 {
		v.queue = append(v.queue[:0], v.queue[v.qhead:]...)
		v.qhead = 0
	}
	if dead {
		kept := v.order[:0]
		for _, r := range v.order {
			if r.count > 0 {
				r.pos = len(kept)
				kept = append(kept, r)
			}
		}
		clear(v.order[len(kept):])
		v.order = kept
		for k, r := range v.index {
			if r.count == 0 {
				delete(v.index, k)
			}
		}
	}
}

func (v *latestView) noteFull() {
	if v.log != nil {
		*v.log, v.logSet = changes{full: true}, nil
	}
}

func (v *latestView) noteAdded(seq uint64) {
	if v.log != nil && !v.log.full {
		v.log.added = append(v.log.added, seq)
	}
}

func (v *latestView) noteGone(seq uint64) {
	if v.log != nil && !v.log.full {
		if v.logSet == nil {
			v.logSet = map[uint64]bool{}
		}
		v.logSet[seq] = true
	}
}

// next hands a sorted view what changed since its last call.
func (v *latestView) next() changes {
	if v.log == nil {
		v.log = &changes{}
		return changes{full: true}
	}
	c := *v.log
	if set := v.logSet; len(set) > 0 {
		c.gone = func(seq uint64) bool { return set[seq] }
	}
	// The added rows were taken in ascending order; a subject updated twice since
	// lists a row that is gone already, which the sorted view drops again.
	*v.log, v.logSet = changes{}, nil
	return c
}

func (v *latestView) Len() int { return len(v.order) }

func (v *latestView) Seq(i int) uint64 { return v.order[i].latest }

// Row is the subject's latest event, its summary led by the count and the age.
func (v *latestView) Row(i int) *session.Event {
	r := v.order[i]
	e, ok := v.m.ring.Get(r.latest)
	if !ok {
		e = gone
		return &e
	}
	e.Summary = fmt.Sprintf("×%d · %s · %s", r.count, age(v.now().Sub(e.Time)), e.Summary)
	return &e
}

// IndexOf is the row of seq's subject, whichever of its events seq is.
func (v *latestView) IndexOf(seq uint64) int {
	e, ok := v.m.ring.Get(seq)
	if !ok {
		return -1
	}
	if r := v.index[subjectOf(&e)]; r != nil {
		return r.pos
	}
	return -1
}

// age is a duration as a person reads an event's age: "4s", "3m", "2h", "5d".
func age(d time.Duration) string {
	switch {
	case d < time.Second:
		return "now"
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + "d"
}

// Columns the table sorts by (indexes into columns).
const (
	colTime = iota
	colDir
	colProfile
	colSub
	colKind
	colSummary
)

// sortEntry is a row's sort key: a number, then a text, then its sequence, so
// the order is total and a row is found again by binary search.
type sortEntry struct {
	n   int64
	s   string
	seq uint64
}

func keyOf(col int, seq uint64, e *session.Event) sortEntry {
	k := sortEntry{seq: seq}
	switch col {
	case colTime:
		k.n = e.Time.UnixNano()
	case colDir:
		k.s = e.Dir
	case colProfile:
		k.s = e.Profile
	case colSub:
		// Subscription ids are numbers in most dialects: 2 before 10.
		if n, err := strconv.ParseInt(e.Sub, 10, 64); err == nil {
			k.n = n
		} else {
			k.n, k.s = 1<<62, e.Sub
		}
	case colKind:
		k.s = e.Kind
	case colSummary:
		// The ring lends the summary from its arena, reused once the event goes:
		// the key keeps a copy of its own.
		k.s = strings.Clone(e.Summary)
	}
	return k
}

func compareEntries(a, b sortEntry) int {
	if c := cmp.Compare(a.n, b.n); c != 0 {
		return c
	}
	if c := strings.Compare(a.s, b.s); c != 0 {
		return c
	}
	return cmp.Compare(a.seq, b.seq)
}

// sortedView is a view's rows sorted by one column. New rows are merged into
// their sorted place as they arrive (an analyst who sorts by kind wants the new
// notes among the notes, not a frozen picture); a full sort, when the sort starts
// or the rows were rebuilt, runs off the UI goroutine and the rows show in their
// own order until it is in.
type sortedView struct {
	base    rowView
	ring    *session.Ring
	next    func() changes
	col     int
	desc    bool
	entries []sortEntry
	spare   []sortEntry // the merge's buffer, kept to spare the collector
	// fifo holds the entries in the order the ring evicts them (by sequence), so
	// that an evicted row is found by its key instead of by a pass over every
	// row; it may hold rows gone otherwise, which are then not found.
	fifo  []sortEntry
	fhead int

	ticket  int // the full sort whose result is wanted; pending while > 0
	issued  int // full sorts started, so that no older result passes for a newer
	mu      sync.Mutex
	result  []sortEntry
	resultF []sortEntry
	resultT int
}

func newSortedView(base rowView, ring *session.Ring, next func() changes, col int, desc bool) *sortedView {
	s := &sortedView{base: base, ring: ring, next: next, col: col, desc: desc}
	s.sync()
	return s
}

func (s *sortedView) compare(a, b sortEntry) int { return orderBy(s.desc)(a, b) }

func orderBy(desc bool) func(a, b sortEntry) int {
	if desc {
		return func(a, b sortEntry) int { return compareEntries(b, a) }
	}
	return compareEntries
}

// Pending reports whether a full sort is still running.
func (s *sortedView) Pending() bool { return s.ticket > 0 }

// sync takes in the base's changes, and a full sort's result when it is in.
func (s *sortedView) sync() {
	if s.ticket > 0 {
		s.mu.Lock()
		res, fifo, t := s.result, s.resultF, s.resultT
		s.mu.Unlock()
		if t != s.ticket {
			// Still sorting: the base's changes wait in it until the result is in.
			return
		}
		s.entries, s.fifo, s.fhead, s.ticket = res, fifo, 0, 0
	}
	c := s.next()
	if c.full {
		s.startFull()
		return
	}
	s.apply(c)
}

// startFull reads every row's key (one walk of the ring) and sorts them on a
// goroutine of their own.
func (s *sortedView) startFull() {
	seqs := make([]uint64, s.base.Len())
	for i := range seqs {
		seqs[i] = s.base.Seq(i)
	}
	slices.Sort(seqs)
	entries := make([]sortEntry, 0, len(seqs))
	eachHeld(s.ring, seqs, s.col == colSummary, func(seq uint64, e *session.Event) { entries = append(entries, keyOf(s.col, seq, e)) })
	s.issued++
	s.ticket = s.issued
	t, desc := s.ticket, s.desc
	go func() {
		fifo := slices.Clone(entries) // by sequence, as they were read
		slices.SortFunc(entries, orderBy(desc))
		s.mu.Lock()
		s.result, s.resultF, s.resultT = entries, fifo, t
		s.mu.Unlock()
	}()
}

// fewRows is how many rows an update removes or inserts one by one (a search
// and a move of the rows after it each) before one pass over every row is cheaper.
const fewRows = 8

// apply drops the rows gone and puts the added ones in their places: a few by
// binary search, many by one merge. A live table evicts and adds a few rows per
// update, so an update costs a few searches and moves, not a pass over 100 000.
func (s *sortedView) apply(c changes) {
	evicted := 0
	for s.fhead+evicted < len(s.fifo) && s.fifo[s.fhead+evicted].seq <= c.before {
		evicted++
	}
	gone := c.gone
	// Each removal by key moves half the rows on average: past a few, one pass
	// over them all costs less.
	if evicted > fewRows {
		before, other := c.before, c.gone
		gone = func(seq uint64) bool { return seq <= before || other != nil && other(seq) }
	} else {
		for _, e := range s.fifo[s.fhead : s.fhead+evicted] {
			if i, found := slices.BinarySearchFunc(s.entries, e, s.compare); found {
				s.entries = slices.Delete(s.entries, i, i+1)
			}
		}
	}
	s.fhead += evicted
	if s.fhead > len(s.fifo)/2 {
		s.fifo = append(s.fifo[:0], s.fifo[s.fhead:]...)
		s.fhead = 0
	}
	if gone != nil {
		kept := s.entries[:0]
		for _, e := range s.entries {
			if !gone(e.seq) {
				kept = append(kept, e)
			}
		}
		clear(s.entries[len(kept):])
		s.entries = kept
	}
	if len(c.added) == 0 {
		return
	}
	add := make([]sortEntry, 0, len(c.added))
	eachHeld(s.ring, c.added, s.col == colSummary, func(seq uint64, e *session.Event) { add = append(add, keyOf(s.col, seq, e)) })
	if gone != nil {
		add = slices.DeleteFunc(add, func(e sortEntry) bool { return gone(e.seq) })
	}
	if c.ringOrder {
		s.fifo = append(s.fifo, add...)
	}
	slices.SortFunc(add, s.compare)
	if len(add) <= fewRows {
		for _, e := range add {
			i, _ := slices.BinarySearchFunc(s.entries, e, s.compare)
			s.entries = slices.Insert(s.entries, i, e)
		}
		return
	}
	out := s.spare[:0]
	i, j := 0, 0
	for i < len(s.entries) && j < len(add) {
		if s.compare(s.entries[i], add[j]) <= 0 {
			out = append(out, s.entries[i])
			i++
		} else {
			out = append(out, add[j])
			j++
		}
	}
	out = append(append(out, s.entries[i:]...), add[j:]...)
	s.spare, s.entries = s.entries[:0], out
}

func (s *sortedView) Len() int {
	if s.ticket > 0 {
		return s.base.Len()
	}
	return len(s.entries)
}

func (s *sortedView) Seq(i int) uint64 {
	if s.ticket > 0 {
		return s.base.Seq(i)
	}
	return s.entries[i].seq
}

func (s *sortedView) Row(i int) *session.Event {
	if j := s.base.IndexOf(s.Seq(i)); j >= 0 {
		return s.base.Row(j)
	}
	e := gone
	return &e
}

// IndexOf finds seq's row by its key; a seq the base shows as another (a
// subject's earlier event) is found as that one.
func (s *sortedView) IndexOf(seq uint64) int {
	if s.ticket > 0 {
		return s.base.IndexOf(seq)
	}
	e, ok := s.ring.Get(seq)
	if !ok {
		return -1
	}
	if i, found := slices.BinarySearchFunc(s.entries, keyOf(s.col, seq, &e), s.compare); found {
		return i
	}
	if j := s.base.IndexOf(seq); j >= 0 && s.base.Seq(j) != seq {
		return s.IndexOf(s.base.Seq(j))
	}
	return -1
}
