package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/paulmach/orb"

	"github.com/feedscope/feedscope/control"
	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/demo"
	"github.com/feedscope/feedscope/ui"
	"github.com/feedscope/feedscope/watch"
)

// notification is one org.freedesktop.Notifications.Notify call.
type notification struct {
	app, title, body string
	at               time.Time
}

// notifyServer is a desktop's notification daemon, reduced to what it is told:
// it owns org.freedesktop.Notifications on a private session bus and records
// every Notify (the Desktop Notifications Specification's method, which Fyne's
// app.SendNotification calls on Linux: fyne.io/fyne/v2 app/app_xdg.go).
type notifyServer struct {
	mu      sync.Mutex
	got     []notification
	next    uint32
	arrived chan struct{} // a token per call, dropped when nobody waits
}

func (s *notifyServer) Notify(app string, replaces uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, notification{app, summary, body, time.Now()})
	s.next++
	select {
	case s.arrived <- struct{}{}:
	default:
	}
	return s.next, nil
}

func (s *notifyServer) GetCapabilities() ([]string, *dbus.Error) { return []string{"body"}, nil }

func (s *notifyServer) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "feedscope-test", "feedscope", "1", "1.2", nil
}

func (s *notifyServer) CloseNotification(uint32) *dbus.Error { return nil }

func (s *notifyServer) calls() []notification {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]notification(nil), s.got...)
}

// privateBus starts a session bus of the test's own (Debian's dbus-daemon) and
// returns its address; the bus ends with the test.
func privateBus(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Skip("dbus-daemon is not installed (Debian package dbus-daemon; make deps installs it): desktop notifications cannot be checked")
	}
	cmd := exec.Command(bin, "--session", "--print-address", "--nofork")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		addr <- strings.TrimSpace(line)
	}()
	select {
	case a := <-addr:
		if a == "" {
			t.Fatal("dbus-daemon printed no address")
		}
		return a
	case <-time.After(10 * time.Second):
		t.Fatal("dbus-daemon printed no address within 10 s")
	}
	return ""
}

// A geofence watch rule fires in the real app, against the real demo server: the
// desktop is told over D-Bus, the title names the rule and the body the track,
// and a storm of firings (vessels crossing the fence at 20× speed) raises at
// most one notification per 5 s, each counting the ones it stands for.
func TestGeofenceAlertNotifiesTheDesktop(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		t.Skip("no DISPLAY: run under xvfb-run (make test does)")
	}
	addr := privateBus(t)
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	srvObj := &notifyServer{arrived: make(chan struct{}, 1)}
	if err := conn.Export(srvObj, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName("org.freedesktop.Notifications", dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning org.freedesktop.Notifications: %v (reply %v)", err, reply)
	}

	// At 200× the demo's vessels pass the fence about once a second.
	srv, err := demo.Start(demo.Options{Speed: 200})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	prof, ok := srv.Profile("gotham")
	if !ok {
		t.Fatal("the demo has no Gotham endpoint")
	}
	prof.Name, prof.AutoConnect = "harbour", true
	// A band across the Potomac at the Kennedy Center: the demo's vessels run up
	// and down the river through it.
	fence := watch.Rule{Name: "Kennedy Center", Kind: watch.KindGeofence, On: watch.OnBoth, MaxPerMinute: 1000}
	fence.SetRing(orb.Ring{{-77.075, 38.885}, {-77.045, 38.885}, {-77.045, 38.900}, {-77.075, 38.900}, {-77.075, 38.885}})
	raw, _ := json.Marshal(fence)
	prof.Rules = []json.RawMessage{raw}

	home := t.TempDir()
	root := filepath.Join(home, ".config", "fyne", ui.AppID)
	if err := os.MkdirAll(root, 0o700); err != nil {
		t.Fatal(err)
	}
	// The app, on this bus, finds no keyring and keeps secrets in a file: so
	// does the store written here.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	store := &control.ProfileStore{Path: filepath.Join(root, "profiles.json"), Secrets: control.OpenSecrets(root)}
	if err := store.Save([]session.Profile{prof}); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(binary)
	cmd.Env = append(withoutEnv(os.Environ(), "XDG_CONFIG_HOME", "DBUS_SESSION_BUS_ADDRESS"),
		"LANG=en_US.UTF-8", "HOME="+home, "DBUS_SESSION_BUS_ADDRESS="+addr)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			t.Log(sc.Text())
		}
		_ = cmd.Wait()
		close(exited)
	}()
	defer func() { _ = cmd.Process.Kill(); <-exited }()

	// Three notifications: the first firing, then two more 5 s apart, each
	// standing for the firings held back since the one before.
	started := time.Now()
	deadline := time.After(60 * time.Second)
	for len(srvObj.calls()) < 3 {
		select {
		case <-srvObj.arrived:
		case <-exited:
			t.Fatal("the app exited")
		case <-deadline:
			t.Fatalf("%d notifications within 60 s: %+v", len(srvObj.calls()), srvObj.calls())
		}
	}
	elapsed := time.Since(started)
	calls := srvObj.calls()
	more := regexp.MustCompile(` \(\+(\d+) more\)$`)
	firings := 0
	for i, n := range calls {
		if n.app != ui.AppID || n.title != "Feedscope: Kennedy Center" ||
			!regexp.MustCompile(`^.+ (entered|left) Kennedy Center( \(\+\d+ more\))?$`).MatchString(n.body) {
			t.Fatalf("notification %d: app %q, title %q, body %q", i, n.app, n.title, n.body)
		}
		firings++
		if m := more.FindStringSubmatch(n.body); m != nil {
			k, _ := strconv.Atoi(m[1])
			firings += k
		}
		if i > 0 && n.at.Sub(calls[i-1].at) < 5*time.Second-100*time.Millisecond {
			t.Fatalf("notifications %d and %d only %v apart (the limit is one per 5 s)", i-1, i, n.at.Sub(calls[i-1].at))
		}
	}
	if limit := int(elapsed/(5*time.Second)) + 1; len(calls) > limit {
		t.Fatalf("%d notifications in %v: more than one per 5 s", len(calls), elapsed)
	}
	if firings <= len(calls) {
		t.Fatalf("%d firings for %d notifications: no storm to hold back (%+v)", firings, len(calls), calls)
	}
	t.Logf("%d firings in %v → %d notifications: %q", firings, elapsed.Round(time.Second), len(calls), calls[len(calls)-1].body)
}

// withoutEnv drops the named variables from env.
func withoutEnv(env []string, names ...string) []string {
	var out []string
	for _, kv := range env {
		keep := true
		for _, n := range names {
			if strings.HasPrefix(kv, n+"=") {
				keep = false
			}
		}
		if keep {
			out = append(out, kv)
		}
	}
	return out
}
