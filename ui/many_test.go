//go:build !race

package ui

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/demo"
)

// TestSixteenProfilesNoStarvation connects 16 profiles to a firehose of 1 250
// notes a second each (20 000 combined) and checks that the rate the app shows for
// every one of them matches what the server sends. Without the race detector
// only: under it the engine is several times slower than the firehose. `make
// bench` runs it.
func TestSixteenProfilesNoStarvation(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 8 s of full load")
	}
	const perProfile = 1250.0
	srv, err := demo.Start(demo.Options{Firehose: "misskey", Rate: perProfile})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	a := newTestApp(t, false)
	for i := 0; i < 16; i++ {
		p := session.Profile{Name: fmt.Sprintf("fh-%02d", i), Dialect: "misskey", URL: srv.URL("misskey"),
			Subs: []json.RawMessage{json.RawMessage(`{"channel":"localTimeline"}`)}}
		if err := a.ctl.Put("", p); err != nil {
			t.Fatal(err)
		}
		if err := a.ctl.Connect(p.Name); err != nil {
			t.Fatal(err)
		}
	}
	// Drain at the app's own cadence for 8 s; the rates are per-second windows.
	tick := time.NewTicker(refreshEvery)
	defer tick.Stop()
	for end := time.Now().Add(8 * time.Second); time.Now().Before(end); <-tick.C {
		a.Step()
	}
	total := 0.0
	for _, p := range a.ctl.Profiles() {
		r := a.rates[p.Name]
		total += r
		t.Logf("%s: %.0f events/s", p.Name, r)
		if r < perProfile*0.85 || r > perProfile*1.15 {
			t.Errorf("%s shows %.0f events/s; the server sends %.0f", p.Name, r, perProfile)
		}
	}
	t.Logf("combined %.0f events/s", total)
}
