package session

import (
	"math"
	"math/rand/v2"
	"time"
)

// Policy is a dialect's reconnect behaviour.
type Policy struct {
	// Delay is the wait before reconnect attempt n (n counts from 1).
	Delay func(n int) time.Duration
	// MaxAttempts is where the dialect's official client gives up: after that many
	// failed connections in a row we keep trying, every Steady; 0 means it never does.
	MaxAttempts int
	// Steady is the slow, even interval of the attempts after MaxAttempts (a monitor
	// keeps monitoring); 0 means 60 s.
	Steady time.Duration
	// PolicyBackoff is the least wait after a 1008 (policy violation, rate limit)
	// close, doubled for each one in a row up to 10 minutes; 0 means 30 s.
	PolicyBackoff time.Duration
	// EndOnNormalClose ends the session when the server closes with 1000. A 1001
	// (going away: a deploy restarting the server) always reconnects.
	EndOnNormalClose bool
	// ResetAfter is how long a connection must stay up before the attempt counter
	// resets; 0 resets it as soon as the socket opens.
	ResetAfter time.Duration
	// DialTimeout bounds one handshake.
	DialTimeout time.Duration
}

// Exponential returns a delay function doubling from base up to max, with up to 25 %
// random jitter so that many clients do not reconnect in step.
func Exponential(base, max time.Duration) func(int) time.Duration {
	return func(n int) time.Duration {
		d := float64(base) * math.Pow(2, float64(n-1))
		if d > float64(max) {
			d = float64(max)
		}
		return time.Duration(d * (1 + 0.25*rand.Float64()))
	}
}

// Geometric returns a delay function growing from base by factor per attempt, capped
// at max, without jitter (the shape of reconnecting-websocket used by misskey-js).
func Geometric(base time.Duration, factor float64, max time.Duration) func(int) time.Duration {
	return func(n int) time.Duration {
		d := float64(base) * math.Pow(factor, float64(n-1))
		if d > float64(max) {
			return max
		}
		return time.Duration(d)
	}
}

// DefaultPolicy is ours, for dialects whose official client documents none:
// exponential backoff with jitter from 500 ms to 30 s, forever.
func DefaultPolicy() Policy {
	return Policy{Delay: Exponential(500*time.Millisecond, 30*time.Second), DialTimeout: 10 * time.Second}
}

// steady is the interval of the attempts after the official client would give up.
func (p *Policy) steady() time.Duration {
	if p.Steady > 0 {
		return p.Steady
	}
	return 60 * time.Second
}

// policyBackoff is the wait after the nth 1008 close in a row.
func (p *Policy) policyBackoff(n int) time.Duration {
	d := p.PolicyBackoff
	if d <= 0 {
		d = 30 * time.Second
	}
	for i := 1; i < n && d < 10*time.Minute; i++ {
		d *= 2
	}
	return min(d, 10*time.Minute)
}
