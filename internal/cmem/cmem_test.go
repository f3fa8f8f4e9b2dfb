package cmem

import (
	"context"
	"testing"
	"time"
)

// TrimEvery trims on its ticks and returns once its context ends.
func TestTrimEveryStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { TrimEvery(ctx, time.Millisecond); close(done) }()
	trim() // and at once, beside the ticker's
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("TrimEvery still running 10 s after its context ended")
	}
}
