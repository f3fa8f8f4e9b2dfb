package misskey_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/misskey"
	st "github.com/feedscope/feedscope/session/sessiontest"
)

// A note carries its id and author; the dialect offers to watch it, and the
// follow-up subscription it builds goes live on the demo server.
func TestNoteFollowUp(t *testing.T) {
	srv := st.StartDemo(t, 20)
	s, c := st.Connect(t, session.Profile{Name: "m", Dialect: misskey.Name, URL: srv.URL(misskey.Name), Token: "t0ken-123456",
		Subs: []json.RawMessage{st.JSON(`{"channel":"localTimeline"}`)}})
	e, _ := c.WaitKind(t, 0, session.DirIn, "note")
	if e.Key == "" || !strings.HasPrefix(e.Label, "@") || !strings.HasPrefix(e.Summary, e.Label+":") {
		t.Fatalf("note key %q label %q summary %q", e.Key, e.Label, e.Summary)
	}
	fu, ok := session.FollowUpOf(&e)
	if !ok || fu.Label != "Watch note "+e.Key || string(fu.Spec) != `{"note":"`+e.Key+`"}` {
		t.Fatalf("follow-up %+v %v", fu, ok)
	}
	id, err := s.Subscribe(fu.Spec)
	if err != nil {
		t.Fatal(err)
	}
	st.Until(t, "note capture live", func() bool {
		for _, sub := range s.Subs() {
			if sub.ID == id {
				return sub.State == session.SubLive
			}
		}
		return false
	})
	if _, ok := session.FollowUpOf(&session.Event{Dialect: misskey.Name, Kind: "stats"}); ok {
		t.Fatal("stats offered a follow-up")
	}
}

// History on a stats channel is a per-subscription command; its reply is charted.
func TestStatsHistoryCommand(t *testing.T) {
	srv := st.StartDemo(t, 50)
	s, c := st.Connect(t, session.Profile{Name: "m", Dialect: misskey.Name, URL: srv.URL(misskey.Name),
		Subs: []json.RawMessage{st.JSON(`{"channel":"serverStats"}`)}})
	d := s.Dialect()
	if cmds := session.SubCommandsOf(d, st.JSON(`{"channel":"localTimeline"}`), "1"); len(cmds) != 0 {
		t.Fatalf("timeline commands %+v", cmds)
	}
	cmds := session.SubCommandsOf(d, st.JSON(`{"channel":"serverStats"}`), "1")
	if len(cmds) != 1 {
		t.Fatalf("stats commands %+v", cmds)
	}
	c.WaitKind(t, 0, session.DirIn, "stats")
	c.WaitKind(t, c.Mark(), session.DirIn, "stats")
	from := c.Mark()
	s.Do(cmds[0].Run)
	e, _ := c.WaitKind(t, from, session.DirIn, "statsLog")
	r, ok := session.ReplyOf(&e)
	if !ok || len(r.Series) != 2 || len(r.Series[0].Values) == 0 || !strings.HasPrefix(r.Text, "Stats history: ") {
		t.Fatalf("reply %+v %v", r, ok)
	}
}

// A token typed into the URL is moved to the Token field by the one-click fix.
func TestURLTokenMovesToTheTokenField(t *testing.T) {
	d, _ := session.Lookup("misskey")
	p := session.Profile{Name: "m", Dialect: "misskey", URL: "wss://mk.example/streaming?i=s3cret-token&_t=1"}
	prob := session.CheckURL(d, &p)
	if prob == nil || prob.Fix == nil || !strings.Contains(prob.Message, "move it to the Token field") || strings.Contains(prob.Message, "s3cret") {
		t.Fatalf("problem %+v", prob)
	}
	prob.Fix(&p)
	if p.Token != "s3cret-token" || p.URL != "wss://mk.example/streaming?_t=1" || session.CheckURL(d, &p) != nil {
		t.Fatalf("after the fix: %+v", p)
	}
}

// A note's updates (reactions, votes, edits, deletion) carry the note's id as their
// Key, as the note does, so they count for the same subject.
func TestNoteUpdatesCarryTheNoteKey(t *testing.T) {
	p := session.Profile{Name: "corpus", Dialect: misskey.Name, URL: "ws://x/streaming",
		Subs: []json.RawMessage{st.JSON(`{"channel":"localTimeline"}`)}}
	n := 0
	for _, f := range st.Corpus(t, misskey.Name) {
		if !strings.HasPrefix(f.Name, "noteUpdated-") {
			continue
		}
		n++
		e := st.Replay(t, p, f.Frame, 1)[0]
		if !strings.HasPrefix(e.Kind, "noteUpdated:") || e.Key != "a3x9k2m1p0" {
			t.Errorf("%s: kind %q key %q", f.Name, e.Kind, e.Key)
		}
	}
	if n == 0 {
		t.Fatal("no noteUpdated frame in the corpus")
	}
}
