package replay_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feedscope/feedscope/record"
	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/demo"
	"github.com/feedscope/feedscope/session/replay"
	"github.com/feedscope/feedscope/session/sessiontest"

	_ "github.com/feedscope/feedscope/session/all"
)

const (
	frames = 10 // recorded frames per dialect, at least
	speed  = 10
	// gapSlack bounds how far one inter-frame gap of the replay may stray from the
	// recorded gap divided by the speed: timers, the race detector and two cores
	// shared by several test binaries.
	gapSlack = 40 * time.Millisecond
)

func plainText(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRecordAndReplayEveryDialect records a demo session of every dialect, serves it
// at 10× and receives it with a session like tail's: the same in frames, in order,
// byte for byte, with the gaps between them divided by ten.
func TestRecordAndReplayEveryDialect(t *testing.T) {
	srv := sessiontest.StartDemo(t, 5)
	for _, p := range srv.Profiles() {
		t.Run(p.Dialect, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), p.Dialect+".ndjson.gz")
			rec := sessiontest.Record(t, p, path, frames)
			text := plainText(t, path)
			for _, secret := range []string{p.Token, p.Password} {
				if len(secret) >= 6 && strings.Contains(text, secret) {
					t.Fatalf("the recording holds the secret %q", secret)
				}
			}

			rs, err := replay.Start(rec, replay.Options{Speed: speed})
			if err != nil {
				t.Fatal(err)
			}
			defer rs.Close()
			feed := rs.Feed()
			if len(sessiontest.FrameTimes(feed)) < frames-2 {
				t.Fatalf("only %d of the recorded frames are feed frames", len(sessiontest.FrameTimes(feed)))
			}
			kinds := map[string]bool{}
			for _, e := range feed {
				kinds[e.Kind] = true
			}

			q := p
			q.URL = rs.URL()
			q.Name = "replayed"
			c := sessiontest.NewCollector()
			s, err := session.New(q, c)
			if err != nil {
				t.Fatal(err)
			}
			s.Start(t.Context())
			defer s.Close()
			received := func() []session.Event {
				var out []session.Event
				for _, e := range sessiontest.In(c.Events()) {
					if kinds[e.Kind] {
						out = append(out, e)
					}
				}
				return out
			}
			sessiontest.Until(t, fmt.Sprintf("the %d recorded feed events", len(feed)), func() bool { return len(received()) >= len(feed) })
			got := received()
			if len(got) != len(feed) {
				t.Fatalf("received %d feed events, recorded %d", len(got), len(feed))
			}
			for i := range feed {
				if got[i].Kind != feed[i].Kind || !bytes.Equal(got[i].Raw, feed[i].Raw) || got[i].Summary != feed[i].Summary {
					t.Fatalf("event %d:\n got %s %s\nwant %s %s", i, got[i].Kind, got[i].Raw, feed[i].Kind, feed[i].Raw)
				}
				if got[i].Sub == "" && feed[i].Sub != "" {
					t.Fatalf("event %d (%s) belongs to no subscription on the replay", i, got[i].Kind)
				}
			}
			want, have := sessiontest.FrameTimes(feed), sessiontest.FrameTimes(got)
			if len(want) != len(have) {
				t.Fatalf("%d frames recorded, %d received", len(want), len(have))
			}
			var worst time.Duration
			for k := 1; k < len(want); k++ {
				g := want[k].Sub(want[k-1]) / speed
				r := have[k].Sub(have[k-1])
				if d := (r - g).Abs(); d > worst {
					worst = d
				}
			}
			span, got10 := want[len(want)-1].Sub(want[0])/speed, have[len(have)-1].Sub(have[0])
			t.Logf("%s: %d frames over %s recorded, replayed at %d× in %s (want %s); worst gap error %s",
				p.Dialect, len(want), want[len(want)-1].Sub(want[0]).Round(time.Millisecond), speed,
				got10.Round(time.Millisecond), span.Round(time.Millisecond), worst.Round(100*time.Microsecond))
			if worst > gapSlack {
				t.Fatalf("an inter-frame gap strayed %s from the recorded gap / %d (slack %s)", worst, speed, gapSlack)
			}
			if (got10 - span).Abs() > gapSlack {
				t.Fatalf("the replay spanned %s, the recording / %d %s", got10, speed, span)
			}
		})
	}
}

func TestRefusesWhatItCannotServe(t *testing.T) {
	rec := &record.Recording{Header: record.Header{Profile: record.Profile{Dialect: "nonesuch"}}}
	if _, err := replay.Start(rec, replay.Options{}); err == nil || !strings.Contains(err.Error(), `cannot serve a "nonesuch" recording`) {
		t.Fatalf("unknown dialect: %v", err)
	}
	srv, err := demo.Start(demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	p := srv.Profiles()[0]
	rec = &record.Recording{Header: record.NewHeader(p, time.Now())}
	if _, err := replay.Start(rec, replay.Options{Listen: "0.0.0.0:0"}); err == nil || !strings.Contains(err.Error(), "loopback only") {
		t.Fatalf("a remote listen address: %v", err)
	}
	if _, err := replay.Start(rec, replay.Options{Speed: -1}); err == nil {
		t.Fatal("a negative speed was taken")
	}
}
