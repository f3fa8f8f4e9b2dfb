package control_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/feedscope/feedscope/control"
	"github.com/feedscope/feedscope/record"
	"github.com/feedscope/feedscope/session"
	st "github.com/feedscope/feedscope/session/sessiontest"
	"github.com/feedscope/feedscope/watch"
)

// A session's reader lends each frame's bytes to its sink for the call only
// (session.Sink) and reads the next frame into the same buffer. Everything
// downstream of the controller's sink (the ring, a recording, the alerts of a
// watch rule) must hold what each frame said when it came, not what the buffer
// holds later: frames of one length, back to back, would show any sink that kept
// the buffer.
func TestNothingDownstreamKeepsTheReadersBuffer(t *testing.T) {
	frame := func(i int) string {
		return fmt.Sprintf(`{"type":"t%03d","body":"%s"}`, i, strings.Repeat(string(rune('a'+i%26)), 40))
	}
	const frames = 200
	start := make(chan struct{})
	url := st.Frames(t, frames, frame, start) + "/streaming"
	c := control.New(control.Options{RecordDir: t.TempDir()})
	t.Cleanup(c.Close)
	p := session.Profile{Name: "lend", Dialect: "misskey", URL: url}
	c.AddDemo([]session.Profile{p})
	if err := c.SetRules(p.Name, []watch.Rule{{Name: "seventh", Kind: watch.KindMatch, Filter: "kind:t007", MaxPerMinute: 100}}); err != nil {
		t.Fatal(err)
	}
	path, err := c.Record(p.Name, true)
	if err != nil {
		t.Fatal(err)
	}
	st.Until(t, "the socket open", func() bool { return c.States()[p.Name].Status.Phase == session.PhaseOpen })
	close(start)

	in := func(e *session.Event) bool { return e.Profile == p.Name && e.Dir == session.DirIn }
	st.Until(t, fmt.Sprintf("%d frames in the ring", frames), func() bool {
		n := 0
		c.Ring().Each(0, ^uint64(0)>>1, func(_ uint64, e *session.Event) {
			if in(e) {
				n++
			}
		})
		return n == frames
	})
	i, alerts := 0, 0
	c.Ring().Each(0, ^uint64(0)>>1, func(_ uint64, e *session.Event) {
		switch {
		case in(e):
			if string(e.Raw) != frame(i) {
				t.Errorf("the ring holds frame %d as %s", i, e.Raw)
			}
			i++
		case e.Dir == watch.DirAlert:
			alerts++
			if !strings.Contains(string(e.Raw), `"raw":`+frame(7)) {
				t.Errorf("the alert holds %s, not frame 7", e.Raw)
			}
		}
	})
	if alerts != 1 {
		t.Errorf("%d alerts, want 1", alerts)
	}
	if _, err := c.Record(p.Name, false); err != nil {
		t.Fatal(err)
	}
	rec, err := record.Load(path)
	if err != nil || rec.Err != nil {
		t.Fatalf("%s: %v %v", path, err, rec.Err)
	}
	i = 0
	for _, e := range rec.Events {
		if e.Dir == session.DirIn {
			if string(e.Raw) != frame(i) {
				t.Errorf("the recording holds frame %d as %s", i, e.Raw)
			}
			i++
		}
	}
	if i != frames {
		t.Errorf("the recording holds %d frames, want %d", i, frames)
	}
}
