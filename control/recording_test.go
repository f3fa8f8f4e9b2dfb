package control_test

import (
	"testing"

	"github.com/feedscope/feedscope/control"
	"github.com/feedscope/feedscope/record"
	"github.com/feedscope/feedscope/session"
	st "github.com/feedscope/feedscope/session/sessiontest"
)

// Record all writes each live profile into its own file while it runs; the file
// opens again as a read-only source whose clock hands out its events.
func TestRecordAllThenOpenTheRecording(t *testing.T) {
	dir := t.TempDir()
	c := control.New(control.Options{RecordDir: dir})
	t.Cleanup(c.Close)
	srv := st.StartDemo(t, 10)
	ps := srv.Profiles()
	c.AddDemo(ps)
	if err := c.RecordAll(true); err != nil {
		t.Fatal(err)
	}
	names, _ := c.Recordings()
	if len(names) != len(ps) {
		t.Fatalf("recording %v of %d profiles", names, len(ps))
	}
	first := ps[0].Name
	st.Until(t, "a growing recording", func() bool { return c.Recording(first).Size > 2000 })
	r := c.Recording(first)
	if !r.On || r.Err != nil {
		t.Fatalf("recording %+v", r)
	}
	if _, err := c.Record(first, false); err != nil {
		t.Fatal(err)
	}
	if c.Recording(first).On {
		t.Fatal("still recording after stop")
	}
	if _, err := c.Record("nobody", true); err == nil {
		t.Fatal("recorded a profile that is not there")
	}
	rec, err := record.Load(r.Path)
	if err != nil || rec.Err != nil || len(rec.Events) == 0 || rec.Header.Profile.Name != first {
		t.Fatalf("%s: %v %v, %d events", r.Path, err, rec, len(rec.Events))
	}

	src, err := c.OpenRecording(r.Path)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := c.OpenRecording(r.Path)
	if src.Name == again.Name || len(c.Sources()) != 2 || c.Source(src.Name) != src {
		t.Fatalf("sources %q and %q", src.Name, again.Name)
	}
	c.CloseRecording(again.Name)
	start, end := src.Clock.Span()
	src.Clock.Seek(start.Add(end.Sub(start) / 2))
	_, before := c.Ring().Bounds()
	resets := c.StepSources()
	var batch []session.Event
	c.Ring().Each(before, ^uint64(0)>>1, func(_ uint64, e *session.Event) {
		if e.Profile == src.Name {
			batch = append(batch, e.Clone())
		}
	})
	if len(resets) != 0 || len(batch) != src.Index(src.Clock.Now()) || len(batch) == 0 || len(batch) == src.Len() {
		t.Fatalf("middle: %d of %d events, resets %v", len(batch), src.Len(), resets)
	}
	states := c.SourceStates()
	if s, ok := states[src.Name]; !ok || s.Status.Phase != session.PhaseOpen || len(s.Subs) == 0 {
		t.Fatalf("state at the middle %+v", states)
	}
	src.Clock.Seek(start)
	_, newest := c.Ring().Bounds()
	resets = c.StepSources()
	if len(resets) != 1 || resets[src.Name] != newest {
		t.Fatalf("a seek back reset %v, want %s up to %d", resets, src.Name, newest)
	}
}
