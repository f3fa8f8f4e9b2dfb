// Package geo is Feedscope's geometry on top of orb: Gotham location rings, their
// validation and repair, and many-polygon point containment. It imports no UI toolkit
// and no session code.
package geo

import (
	"errors"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// Position is one vertex of a Gotham `location` polygon.
type Position struct {
	Longitude float64  `json:"longitude"`
	Latitude  float64  `json:"latitude"`
	Elevation *float64 `json:"elevation,omitempty"`
}

// RingFromLocation converts a Gotham location array to an orb ring as it is.
func RingFromLocation(loc []Position) orb.Ring {
	r := make(orb.Ring, len(loc))
	for i, p := range loc {
		r[i] = orb.Point{p.Longitude, p.Latitude}
	}
	return r
}

// LocationFromRing converts an orb ring to a Gotham location array.
func LocationFromRing(r orb.Ring) []Position {
	loc := make([]Position, len(r))
	for i, p := range r {
		loc[i] = Position{Longitude: p.Lon(), Latitude: p.Lat()}
	}
	return loc
}

// Faults a ring can have.
var (
	ErrNotClosed    = errors.New("polygon must be closed (first point = last point)")
	ErrTooFewPoints = errors.New("polygon needs at least 4 points")
	// ErrClockwise is a warning, not a refusal: the Gotham docs ask for
	// counter-clockwise rings, yet their own sample is clockwise and the service
	// evidently takes it (docs/protocols.md, "Gotham polygon orientation").
	ErrClockwise        = errors.New("polygon runs clockwise; the docs ask for counter-clockwise (Repair turns it)")
	ErrSelfIntersecting = errors.New("polygon must not intersect itself")
	ErrOutOfRange       = errors.New("coordinates out of range")
	ErrDegenerate       = errors.New("polygon has no area")
)

// Fault is one thing wrong with a ring, with where it is when that helps.
type Fault struct {
	Err    error
	Detail string
}

// Warning reports whether the fault is only a warning: the ring is still sent.
func (f Fault) Warning() bool { return errors.Is(f.Err, ErrClockwise) }

// Errors keeps the faults that are refusals, dropping warnings.
func Errors(faults []Fault) []Fault {
	var out []Fault
	for _, f := range faults {
		if !f.Warning() {
			out = append(out, f)
		}
	}
	return out
}

func (f Fault) Error() string {
	if f.Detail == "" {
		return f.Err.Error()
	}
	return f.Err.Error() + ": " + f.Detail
}

func (f Fault) Unwrap() error { return f.Err }

// Validate lists every fault of a ring: the errors Gotham's rules make (closed, at
// least 4 points), sane coordinates and no self-intersection, and the warning that
// it runs clockwise. An empty result means the ring is as the docs ask.
func Validate(r orb.Ring) []Fault {
	var faults []Fault
	for i, p := range r {
		if p.Lon() < -180 || p.Lon() > 180 || p.Lat() < -90 || p.Lat() > 90 {
			faults = append(faults, Fault{ErrOutOfRange, fmt.Sprintf("point %d is (%g, %g); longitude must be -180..180 and latitude -90..90", i, p.Lon(), p.Lat())})
			break
		}
	}
	if len(r) < 4 {
		faults = append(faults, Fault{ErrTooFewPoints, fmt.Sprintf("it has %d", len(r))})
	}
	if len(r) > 1 && !r[0].Equal(r[len(r)-1]) {
		faults = append(faults, Fault{Err: ErrNotClosed})
	}
	if len(r) < 4 {
		return faults
	}
	if i, j, ok := selfIntersection(r); ok {
		faults = append(faults, Fault{ErrSelfIntersecting, fmt.Sprintf("edge %d crosses edge %d", i, j)})
	} else {
		switch closedCopy(r).Orientation() {
		case orb.CW:
			faults = append(faults, Fault{Err: ErrClockwise})
		case 0:
			faults = append(faults, Fault{Err: ErrDegenerate})
		}
	}
	return faults
}

// Check returns the first fault of a ring that is an error (not a warning), or nil.
func Check(r orb.Ring) error {
	if f := Errors(Validate(r)); len(f) > 0 {
		return f[0]
	}
	return nil
}

// Repair fixes what can be fixed without guessing: drops repeated consecutive
// points, closes the ring and turns it counter-clockwise. Self-intersection and too
// few points stay for the user.
func Repair(r orb.Ring) orb.Ring {
	out := make(orb.Ring, 0, len(r)+1)
	for _, p := range r {
		if len(out) == 0 || !out[len(out)-1].Equal(p) {
			out = append(out, p)
		}
	}
	if len(out) > 0 && !out[0].Equal(out[len(out)-1]) {
		out = append(out, out[0])
	}
	if len(out) >= 4 && out.Orientation() == orb.CW {
		out.Reverse()
	}
	return out
}

func closedCopy(r orb.Ring) orb.Ring {
	if r[0].Equal(r[len(r)-1]) {
		return r
	}
	return append(r.Clone(), r[0])
}

// selfIntersection finds two non-adjacent edges that touch or cross.
func selfIntersection(r orb.Ring) (int, int, bool) {
	r = closedCopy(r)
	n := len(r) - 1 // edges
	for i := 0; i < n; i++ {
		for j := i + 2; j < n; j++ {
			if i == 0 && j == n-1 {
				continue // first and last edge share the closing point
			}
			if segmentsIntersect(r[i], r[i+1], r[j], r[j+1]) {
				return i, j, true
			}
		}
	}
	return 0, 0, false
}

func cross(o, a, b orb.Point) float64 {
	return (a[0]-o[0])*(b[1]-o[1]) - (a[1]-o[1])*(b[0]-o[0])
}

func onSegment(p, q, r orb.Point) bool {
	return min(p[0], r[0]) <= q[0] && q[0] <= max(p[0], r[0]) && min(p[1], r[1]) <= q[1] && q[1] <= max(p[1], r[1])
}

func segmentsIntersect(p1, p2, p3, p4 orb.Point) bool {
	d1, d2 := cross(p3, p4, p1), cross(p3, p4, p2)
	d3, d4 := cross(p1, p2, p3), cross(p1, p2, p4)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true
	}
	return d1 == 0 && onSegment(p3, p1, p4) || d2 == 0 && onSegment(p3, p2, p4) ||
		d3 == 0 && onSegment(p1, p3, p2) || d4 == 0 && onSegment(p1, p4, p2)
}

// Index answers "which of these polygons contain this point" for many polygons,
// testing a bounding box before the ring.
type Index struct {
	entries []entry
}

type entry struct {
	key   string
	bound orb.Bound
	ring  orb.Ring
}

// Add puts a ring in the index under key.
func (x *Index) Add(key string, r orb.Ring) {
	x.entries = append(x.entries, entry{key: key, bound: r.Bound(), ring: r})
}

// Each calls f with the key of every ring that contains p.
func (x *Index) Each(p orb.Point, f func(key string)) {
	for i := range x.entries {
		e := &x.entries[i]
		if e.bound.Contains(p) && planar.RingContains(e.ring, p) {
			f(e.key)
		}
	}
}

// Contains reports whether ring r contains p, testing its bounding box first.
func Contains(r orb.Ring, p orb.Point) bool {
	return r.Bound().Contains(p) && planar.RingContains(r, p)
}
