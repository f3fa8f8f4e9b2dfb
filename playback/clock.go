// Package playback opens a recording as a read-only source beside the live
// profiles: a replay clock (play, pause, speed, seek, to the end) and the source's
// events, tracks and subscription health at the clock's moment. It imports no UI
// toolkit; the window's timeline bar drives it, and its tests run without one.
package playback

import (
	"fmt"
	"sync"
	"time"
)

// Speeds the clock takes.
const (
	MinSpeed = 0.25
	MaxSpeed = 100.0
)

// Clock is a replay clock over the span [Start, End] of a recording: recorded time
// that advances at Speed times the wall clock while playing, and stops at End.
// It is safe for concurrent use.
type Clock struct {
	start, end time.Time
	now        func() time.Time // the wall clock

	mu      sync.Mutex
	pos     time.Time // recorded time at anchor
	anchor  time.Time // wall time pos was taken at, while playing
	playing bool
	speed   float64
}

// NewClock returns a paused clock at start; now is the wall clock (time.Now when nil).
func NewClock(start, end time.Time, now func() time.Time) *Clock {
	if now == nil {
		now = time.Now
	}
	if end.Before(start) {
		end = start
	}
	return &Clock{start: start, end: end, now: now, pos: start, speed: 1}
}

// Span is the recording's first and last moment.
func (c *Clock) Span() (start, end time.Time) { return c.start, c.end }

// Now is the recorded moment the clock shows.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	if !c.playing {
		return c.pos
	}
	t := c.pos.Add(time.Duration(float64(c.now().Sub(c.anchor)) * c.speed))
	if !t.Before(c.end) {
		c.pos, c.playing = c.end, false
		return c.end
	}
	return t
}

// Playing reports whether the clock runs; it stops by itself at the end.
func (c *Clock) Playing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nowLocked()
	return c.playing
}

// Play runs the clock; at the end it starts again from the beginning.
func (c *Clock) Play() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.nowLocked().Before(c.end) {
		c.pos = c.start
	}
	c.anchor, c.playing = c.now(), true
}

// Pause stops the clock where it is.
func (c *Clock) Pause() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pos, c.playing = c.nowLocked(), false
}

// Speed is how many recorded seconds pass in one second while playing.
func (c *Clock) Speed() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.speed
}

// SetSpeed changes the speed without a jump in the clock's moment.
func (c *Clock) SetSpeed(x float64) error {
	if !(x >= MinSpeed && x <= MaxSpeed) {
		return fmt.Errorf("replay speed must be between %g× and %g×, not %g×", MinSpeed, MaxSpeed, x)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pos, c.anchor = c.nowLocked(), c.now()
	c.speed = x
	return nil
}

// Seek moves the clock to t, within the span; a playing clock plays on from there.
func (c *Clock) Seek(t time.Time) {
	if t.Before(c.start) {
		t = c.start
	}
	if t.After(c.end) {
		t = c.end
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pos, c.anchor = t, c.now()
	if !t.Before(c.end) {
		c.playing = false
	}
}

// SeekFraction moves the clock to a fraction of the span (0 the start, 1 the end),
// as a click on the timeline bar does.
func (c *Clock) SeekFraction(f float64) {
	f = min(1, max(0, f))
	c.Seek(c.start.Add(time.Duration(f * float64(c.end.Sub(c.start)))))
}

// ToEnd moves the clock to the end and stops it.
func (c *Clock) ToEnd() { c.Seek(c.end) }

// Fraction is where the clock stands in the span, 0 to 1.
func (c *Clock) Fraction() float64 {
	span := c.end.Sub(c.start)
	if span <= 0 {
		return 1
	}
	return float64(c.Now().Sub(c.start)) / float64(span)
}
