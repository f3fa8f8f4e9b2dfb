package session_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/feedscope/feedscope/session"
	st "github.com/feedscope/feedscope/session/sessiontest"
)

// The reader reads every frame into one buffer and lends it to the sinks for the
// call only (session.Sink): frames of one size land at one address, a frame
// larger than the buffer grows it, and what the ring keeps of each frame is what
// that frame said, not what the buffer holds later.
func TestReaderLendsOneFrameBuffer(t *testing.T) {
	frame := func(i int) string {
		pad := 20
		if i == 150 {
			pad = 200_000 // larger than the buffer at the start and than its socket reads
		}
		return fmt.Sprintf(`{"type":"t%03d","body":"%s"}`, i, strings.Repeat(string(rune('a'+i%26)), pad))
	}
	const frames = 300
	url := st.Frames(t, frames, frame, nil) + "/streaming"
	ring := session.NewRing(1000)
	var mu sync.Mutex
	var seen []string // each frame as it was when published
	at := map[uintptr]int{}
	sink := session.SinkFunc(func(e session.Event) {
		ring.Publish(e)
		if e.Dir != session.DirIn {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, string(e.Raw))
		at[uintptr(unsafe.Pointer(unsafe.SliceData(e.Raw)))]++
	})
	s, err := session.New(profile(url), sink)
	if err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background())
	defer s.Close()
	st.Until(t, fmt.Sprintf("%d frames", frames), func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) == frames
	})
	for i, f := range seen {
		if f != frame(i) {
			t.Fatalf("frame %d arrived as %.60q", i, f)
		}
	}
	most := 0
	for _, n := range at {
		most = max(most, n)
	}
	if most < frames/2 {
		t.Errorf("the most frames at one address is %d of %d: the reader does not reuse its buffer", most, frames)
	}
	i := 0
	ring.Each(0, 1<<62, func(_ uint64, e *session.Event) {
		if e.Dir != session.DirIn {
			return
		}
		if string(e.Raw) != frame(i) {
			t.Fatalf("the ring holds frame %d as %.60q: it kept the reader's buffer", i, e.Raw)
		}
		i++
	})
	if i != frames {
		t.Fatalf("the ring holds %d frames, want %d", i, frames)
	}
}
