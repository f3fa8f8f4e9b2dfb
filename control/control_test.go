package control_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/feedscope/feedscope/control"
	"github.com/feedscope/feedscope/session"
	_ "github.com/feedscope/feedscope/session/all"
	st "github.com/feedscope/feedscope/session/sessiontest"
)

func newStore(t *testing.T) *control.ProfileStore {
	dir := t.TempDir()
	return &control.ProfileStore{Path: filepath.Join(dir, "profiles.json"), Secrets: control.FileSecrets(filepath.Join(dir, "secrets.json"))}
}

func newController(t *testing.T, store *control.ProfileStore) *control.Controller {
	c := control.New(control.Options{Store: store})
	c.OnSaveError(func(err error) { t.Errorf("save: %v", err) })
	t.Cleanup(c.Close)
	if err := c.Load(); err != nil {
		t.Fatal(err)
	}
	return c
}

func names(ps []session.Profile) string {
	var n []string
	for _, p := range ps {
		n = append(n, p.Name)
	}
	return strings.Join(n, ",")
}

// Profiles are created, renamed, refused when a name is taken, deleted, and found
// again by the next run with their secrets, which never reach the profiles file.
func TestProfilesCRUD(t *testing.T) {
	store := newStore(t)
	c := newController(t, store)
	work := session.Profile{Name: "work", Dialect: "misskey", URL: "wss://misskey.example/streaming", Token: "tok-123456789",
		Headers: map[string]string{"X-Api-Key": "hdr-987654321"}}
	if err := c.Put("", work); err != nil {
		t.Fatal(err)
	}
	pbx := session.Profile{Name: "pbx", Dialect: "isymphony", URL: "ws://pbx.example/communication_manager/ws/event", User: "manager", Password: "pw-55555555"}
	if err := c.Put("", pbx); err != nil {
		t.Fatal(err)
	}
	if err := c.Put("", session.Profile{Name: "work", Dialect: "gotham", URL: "wss://g/api/ws/gotham/v1/observations/x?preview=true"}); err == nil {
		t.Fatal("a second profile called work")
	}
	if err := c.Put("", session.Profile{Name: "bad", Dialect: "misskey", URL: "https://x/streaming"}); err == nil {
		t.Fatal("an http URL was accepted")
	}
	if err := c.Put("", session.Profile{Name: "bad", Dialect: "misskey", URL: "wss://x/streaming", Subs: []json.RawMessage{st.JSON(`{"channel":"main","params":null}`)}}); err == nil {
		t.Fatal("a subscription the dialect refuses was accepted")
	}
	work.Name = "office"
	if err := c.Put("work", work); err != nil {
		t.Fatal(err)
	}
	if got := names(c.Profiles()); got != "office,pbx" {
		t.Fatalf("profiles %s", got)
	}
	c.Flush()
	raw, _ := os.ReadFile(store.Path)
	for _, secret := range []string{"tok-123456789", "hdr-987654321", "pw-55555555"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Fatalf("secret %s in the profiles file", secret)
		}
	}
	if !bytes.Contains(raw, []byte(`"X-Api-Key"`)) {
		t.Fatalf("the header's name is missing from the profiles file:\n%s", raw)
	}
	if v, _ := store.Secrets.Get("work", "token"); v != "" {
		t.Fatal("the renamed profile's old secrets were kept")
	}

	// The next run starts after this one ended. Flush alone does not stop c's saver:
	// a save request that arrived while it was saving leaves a wake-up behind, and
	// that late save of c's profiles (pbx and its password among them) would race
	// next's writes of the same files.
	c.Close()
	next := newController(t, store)
	got, ok := next.Profile("office")
	if !ok || got.Token != "tok-123456789" || got.Headers["X-Api-Key"] != "hdr-987654321" {
		t.Fatalf("after restart: %+v", got)
	}
	if p, _ := next.Profile("pbx"); p.Password != "pw-55555555" {
		t.Fatalf("password after restart %q", p.Password)
	}
	if err := next.Delete("pbx"); err != nil {
		t.Fatal(err)
	}
	next.Flush()
	if v, _ := store.Secrets.Get("pbx", "password"); v != "" || next.Has("pbx") {
		t.Fatal("a deleted profile's password is still kept")
	}
	if err := next.Delete("pbx"); err == nil {
		t.Fatal("deleted twice")
	}
}

// Every profile has one session: subscription ids are the same offline, live,
// after a disconnect and after an offline edit, and the saved profile follows.
func TestSubscriptionIDsAreStable(t *testing.T) {
	srv := st.StartDemo(t, 20)
	store := newStore(t)
	c := newController(t, store)
	p := session.Profile{Name: "mk", Dialect: "misskey", URL: srv.URL("misskey"), Token: "t0ken-123456",
		Subs: []json.RawMessage{st.JSON(`{"channel":"localTimeline"}`)}}
	if err := c.Put("", p); err != nil {
		t.Fatal(err)
	}
	// Offline: the session numbers them, no one else.
	id, err := c.Subscribe("mk", st.JSON(`{"channel":"serverStats"}`))
	if err != nil || id != "2" {
		t.Fatalf("offline subscribe %q %v", id, err)
	}
	if _, err := c.Subscribe("mk", st.JSON(`[1]`)); err == nil {
		t.Fatal("a subscription the dialect refuses was accepted")
	}
	ids := func() string {
		var out []string
		for _, s := range c.Subs("mk") {
			out = append(out, s.ID+"="+string(s.State))
		}
		return strings.Join(out, ",")
	}
	if got := ids(); got != "1=offline,2=offline" {
		t.Fatalf("offline subs %s", got)
	}
	if c.Live("mk") {
		t.Fatal("live before Connect")
	}
	if err := c.Run("mk", session.Command{}); !errors.Is(err, control.ErrNotConnected) {
		t.Fatalf("command while offline: %v", err)
	}
	if err := c.Connect("mk"); err != nil {
		t.Fatal(err)
	}
	st.Until(t, "both live", func() bool { return ids() == "1=live,2=live" })
	c.Disconnect("mk")
	st.Until(t, "offline again", func() bool { return !c.Live("mk") && ids() == "1=offline,2=offline" })
	// Offline edits keep the ids and go out on the next connect.
	if err := c.Replace("mk", "1", st.JSON(`{"channel":"globalTimeline"}`)); err != nil {
		t.Fatal(err)
	}
	if err := c.Unsubscribe("mk", "2"); err != nil {
		t.Fatal(err)
	}
	id, _ = c.Subscribe("mk", st.JSON(`{"channel":"queueStats"}`))
	if id != "3" {
		t.Fatalf("id after a removal %q, want 3", id)
	}
	c.Connect("mk")
	st.Until(t, "live with the edits", func() bool { return ids() == "1=live,3=live" })
	st.Until(t, "events of #1", func() bool {
		for _, s := range c.States()["mk"].Subs {
			if s.ID == "1" && s.Events > 0 && strings.Contains(string(s.Spec), "globalTimeline") {
				return true
			}
		}
		return false
	})
	c.Close() // the next run starts after this one ended: no late save of c's races it
	next := newController(t, store)
	saved, _ := next.Profile("mk")
	if len(saved.Subs) != 2 || compact(saved.Subs[0]) != `{"channel":"globalTimeline"}` || compact(saved.Subs[1]) != `{"channel":"queueStats"}` {
		t.Fatalf("saved subs %s", saved.Subs)
	}
}

// The demo profiles connect, fill the one ring, and are never saved or exported;
// an export carries no secret, and importing it skips names already taken.
func TestDemoImportExport(t *testing.T) {
	srv := st.StartDemo(t, 20)
	store := newStore(t)
	c := newController(t, store)
	if err := c.Put("", session.Profile{Name: "mine", Dialect: "hypothesis", URL: "wss://h.example/ws", Token: "tok-abcdefgh",
		Subprotocols: []string{"v1"}, Headers: map[string]string{"Cookie": "session=hdr-secret-1"}}); err != nil {
		t.Fatal(err)
	}
	// A saved profile that a demo one shadows for this run stays saved.
	if err := c.Put("", session.Profile{Name: "demo-misskey", Dialect: "misskey", URL: "wss://mine.example/streaming"}); err != nil {
		t.Fatal(err)
	}
	c.AddDemo(srv.Profiles())
	st.Until(t, "every demo profile open with events", func() bool {
		open := 0
		for name, s := range c.States() {
			if strings.HasPrefix(name, "demo-") && s.Status.Phase == session.PhaseOpen {
				open++
			}
		}
		held, _ := c.Ring().Len()
		return open == len(srv.Profiles()) && held > 0
	})
	if !c.IsDemo("demo-misskey") || c.IsDemo("mine") {
		t.Fatal("IsDemo")
	}
	var buf bytes.Buffer
	n, err := c.ExportProfiles(&buf)
	if err != nil || n != 2 || !strings.Contains(buf.String(), "wss://mine.example/streaming") {
		t.Fatalf("export %d %v:\n%s", n, err, buf.String())
	}
	for _, secret := range []string{"tok-abcdefgh", "hdr-secret-1", "demo-token", "manag3rpa55word", "127.0.0.1"} {
		if strings.Contains(buf.String(), secret) {
			t.Fatalf("the export holds %q:\n%s", secret, buf.String())
		}
	}
	c.Flush()
	if raw, _ := os.ReadFile(store.Path); strings.Contains(string(raw), "127.0.0.1") || !strings.Contains(string(raw), "wss://mine.example/streaming") {
		t.Fatalf("a demo profile was saved, or the one it shadows was not:\n%s", raw)
	}

	other := newController(t, newStore(t))
	other.Put("", session.Profile{Name: "keep", Dialect: "misskey", URL: "wss://m.example/streaming"})
	doc := strings.Replace(buf.String(), `"profiles": [`, `"profiles": [{"name":"keep","dialect":"misskey","url":"wss://other/streaming"},{"name":"broken","dialect":"nope","url":"ws://x/"},`, 1)
	added, total, err := other.ImportProfiles(strings.NewReader(doc))
	if err != nil || added != 2 || total != 4 {
		t.Fatalf("import: %d of %d, %v", added, total, err)
	}
	got, _ := other.Profile("mine")
	if got.Token != "" || len(got.Subprotocols) != 1 || got.HeaderNames[0] != "Cookie" {
		t.Fatalf("imported %+v", got)
	}
	if k, _ := other.Profile("keep"); k.URL != "wss://m.example/streaming" {
		t.Fatal("an import replaced an existing profile")
	}
	if _, _, err := other.ImportProfiles(strings.NewReader("not json")); err == nil || !strings.Contains(err.Error(), "not a Feedscope profiles export") {
		t.Fatalf("garbage import: %v", err)
	}
}

func compact(b []byte) string {
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return string(b)
	}
	return out.String()
}

// A server that stops reading never stalls a command from the window: subscribing
// and sending return at once while the writer is stuck, until the session cuts the
// socket and reconnects.
func TestCommandsNeverWaitOnAStalledServer(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var n atomic.Int32 // sockets the server has taken
	base := st.Script(t, func(_ int, c *websocket.Conn) {
		if n.Add(1) == 1 {
			<-release // reads nothing: the TCP window fills and the writer blocks
			return
		}
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	})
	c := newController(t, nil)
	if err := c.Put("", session.Profile{Name: "stall", Dialect: "misskey", URL: base + "/streaming"}); err != nil {
		t.Fatal(err)
	}
	c.Connect("stall")
	st.Until(t, "open", func() bool { return c.States()["stall"].Status.Phase == session.PhaseOpen })
	frame := []byte(`{"type":"x","body":"` + strings.Repeat("a", 8<<10) + `"}`)
	worst := time.Duration(0)
	for i := 0; i < 3000 && n.Load() < 2; i++ {
		t0 := time.Now()
		_ = c.SendRaw("stall", frame) // refused once the cut socket's held frames are full: never waits
		id, err := c.Subscribe("stall", st.JSON(`{"channel":"localTimeline"}`))
		if err == nil {
			err = c.Unsubscribe("stall", id)
		}
		if err != nil {
			t.Fatal(err)
		}
		worst = max(worst, time.Since(t0))
	}
	// A command waiting on the stuck writer would wait out its 10 s deadline; 2 s
	// leaves room for a race-detected round starved of a core under `make test`.
	if worst > 2*time.Second {
		t.Fatalf("a command waited %v on a server that stopped reading", worst)
	}
	st.Until(t, "reconnected to a reading server", func() bool { return n.Load() >= 2 && c.States()["stall"].Status.Phase == session.PhaseOpen })
}
