package demo_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/demo"
	"github.com/feedscope/feedscope/session/internal/serve"
)

// A dialect the test makes up: the demo mounts it from the registry alone.
var (
	fakeRuns  atomic.Int32
	fakeDrops atomic.Int32
	fakeFire  atomic.Pointer[serve.Firehose]
)

func init() {
	serve.Register(serve.Mount{Dialect: "fake-demo", Firehose: true, New: func(env serve.Env) serve.Demo {
		fakeFire.Store(env.Firehose)
		return serve.Demo{
			Handler:  http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("fake " + r.URL.Path)) }),
			Paths:    []string{"/fake/", "/alt"},
			Run:      func(stop <-chan struct{}) { fakeRuns.Add(1); <-stop },
			DropAll:  func() int { fakeDrops.Add(1); return 2 },
			Endpoint: "/fake/{room}",
			Profile: session.Profile{URL: "/fake/lobby?x=1", Token: "tok", Subs: []json.RawMessage{json.RawMessage(`{"a":1}`)},
				Headers: map[string]string{"X-Key": "v"}},
		}
	}})
}

func TestRegistryMountsProfilesAndEndpoints(t *testing.T) {
	srv, err := demo.Start(demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	base := "ws://" + srv.Addr()
	if got := srv.Endpoints()["fake-demo"]; got != base+"/fake/{room}" {
		t.Errorf("endpoint %q", got)
	}
	p, ok := srv.Profile("fake-demo")
	if !ok || p.Name != "demo-fake-demo" || p.Dialect != "fake-demo" || p.URL != base+"/fake/lobby?x=1" || p.Token != "tok" || string(p.Subs[0]) != `{"a":1}` {
		t.Fatalf("profile %+v, %v", p, ok)
	}
	if srv.URL("fake-demo") != p.URL {
		t.Errorf("URL %q, want the profile's %q", srv.URL("fake-demo"), p.URL)
	}
	// A caller changing its copy changes nothing the next caller sees.
	p.Subs[0][2] = 'b'
	p.Headers["X-Key"] = "changed"
	again, _ := srv.Profile("fake-demo")
	if string(again.Subs[0]) != `{"a":1}` || again.Headers["X-Key"] != "v" {
		t.Errorf("profiles share state: %+v", again)
	}
	var names []string
	for _, p := range srv.Profiles() {
		names = append(names, p.Name)
	}
	if !strings.Contains(strings.Join(names, ","), "demo-fake-demo") {
		t.Errorf("Profiles() = %v", names)
	}
	if _, ok := srv.Profile("nope"); ok || srv.URL("nope") != "" {
		t.Error("a dialect nobody registered has a profile")
	}
	for _, path := range []string{"/fake/lobby", "/alt"} {
		resp, err := http.Get("http://" + srv.Addr() + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %s", path, resp.Status)
		}
	}
	before := fakeDrops.Load()
	if n := srv.DropAll(); n < 2 || fakeDrops.Load() != before+1 {
		t.Errorf("DropAll = %d", n)
	}
	var ann struct {
		Endpoints map[string]string `json:"endpoints"`
	}
	if err := json.Unmarshal(srv.Announcement(), &ann); err != nil || ann.Endpoints["fake-demo"] == "" {
		t.Errorf("announcement %s: %v", srv.Announcement(), err)
	}
	if fakeFire.Load() != nil {
		t.Error("a firehose without asking for one")
	}
}

func TestFirehoseGoesToTheNamedDialectOnly(t *testing.T) {
	runs := fakeRuns.Load()
	srv, err := demo.Start(demo.Options{Firehose: "fake-demo", Rate: 5})
	if err != nil {
		t.Fatal(err)
	}
	fh := fakeFire.Load()
	_ = srv.Close()
	if fh == nil || fh.Rate != 5 {
		t.Errorf("firehose %+v", fh)
	}
	if fakeRuns.Load() != runs {
		t.Error("a simulation ran beside the firehose")
	}
	if _, err := demo.Start(demo.Options{Firehose: "nope"}); err == nil || !strings.Contains(err.Error(), "fake-demo") {
		t.Errorf("unknown firehose: %v", err)
	}
}
