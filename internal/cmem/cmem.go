// Package cmem keeps the C side of the desktop app's memory small: the GL
// driver and Fyne's text textures allocate through libc, and what they free is
// not handed back to the kernel by itself.
package cmem

import (
	"context"
	"time"
)

// TrimEvery returns the C heap's free pages to the kernel every d until ctx
// ends. Each trim takes each arena's lock for the time it walks its free
// chunks (well under a millisecond for the tens of MB the app holds).
func TrimEvery(ctx context.Context, d time.Duration) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			trim()
		}
	}
}
