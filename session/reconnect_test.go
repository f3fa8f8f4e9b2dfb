package session_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/feedscope/feedscope/session"
	_ "github.com/feedscope/feedscope/session/hypothesis"
	st "github.com/feedscope/feedscope/session/sessiontest"
	"github.com/gorilla/websocket"
)

// connectTuned starts a session whose policy tune adjusts first.
func connectTuned(t *testing.T, p session.Profile, tune func(*session.Policy)) (*session.Session, *st.Collector) {
	t.Helper()
	c := st.NewCollector()
	s, err := session.New(p, c)
	if err != nil {
		t.Fatal(err)
	}
	s.TunePolicy(tune)
	s.Start(context.Background())
	t.Cleanup(s.Close)
	return s, c
}

func closeWith(code int, text string) func(int, *websocket.Conn) {
	return func(n int, c *websocket.Conn) {
		_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	}
}

// Hypothesis closes with 1001 when it restarts for a deploy (h/streamer/worker.py):
// the session reconnects, although the official client takes 1001 as final.
func TestGoingAwayReconnects(t *testing.T) {
	url := script(t, closeWith(websocket.CloseGoingAway, "Server is shutting down"))
	p := session.Profile{Name: "h", Dialect: "hypothesis", URL: strings.Replace(url, "/streaming", "/ws", 1)}
	s, c := connectTuned(t, p, func(p *session.Policy) { p.Delay = func(int) time.Duration { return time.Millisecond } })
	ev, _ := c.WaitKind(t, 0, session.DirState, session.StateReconnecting)
	if !strings.Contains(ev.Summary, "1001") {
		t.Fatalf("summary %q", ev.Summary)
	}
	st.Until(t, "two reconnects", func() bool { return s.Status().Reconnects >= 2 })
}

// After the official client would give up (Hypothesis: the 10th failure in a row) the
// session keeps trying at the steady interval and says so.
func TestSteadyRetriesAfterOfficialGiveUp(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: every dial fails at once
	p := session.Profile{Name: "h", Dialect: "hypothesis", URL: "ws://" + addr + "/ws"}
	s, c := connectTuned(t, p, func(p *session.Policy) {
		p.Delay = func(int) time.Duration { return time.Millisecond }
		p.Steady = 150 * time.Millisecond
	})
	ev, i := c.WaitFor(t, 0, "the steady state", func(e session.Event) bool {
		return e.Kind == session.StateReconnecting && strings.Contains(e.Summary, "still trying every 150ms")
	})
	if !strings.Contains(ev.Summary, "10 failed connections in a row (the official client gives up at 10)") {
		t.Fatalf("summary %q", ev.Summary)
	}
	if d := time.Until(s.Status().RetryAt); d > 150*time.Millisecond || d < -time.Second {
		t.Fatalf("next attempt in %s", d)
	}
	// It keeps going at that pace: two more attempts, the session still alive.
	_, i = c.WaitKind(t, i+1, session.DirState, session.StateReconnecting)
	c.WaitKind(t, i+1, session.DirState, session.StateReconnecting)
	select {
	case <-s.Done():
		t.Fatal("the session ended")
	default:
	}
}

// A 1008 close (policy, rate limit) backs off hard even for Misskey's 1 ms policy.
func TestPolicyCloseBacksOffHard(t *testing.T) {
	url := script(t, closeWith(websocket.ClosePolicyViolation, "rate limited"))
	s, c := st.Connect(t, profile(url))
	ev, _ := c.WaitKind(t, 0, session.DirState, session.StateReconnecting)
	if !strings.Contains(ev.Summary, "1008") || !strings.Contains(ev.Summary, "backing off") {
		t.Fatalf("summary %q", ev.Summary)
	}
	if d := time.Until(s.Status().RetryAt); d < 29*time.Second {
		t.Fatalf("retry after a 1008 in %s, want at least 30 s", d)
	}
}

// A handshake refused for load (429 with Retry-After) waits as long as the server asks.
func TestThrottledHandshakeHonoursRetryAfter(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	}))
	defer srv.Close()
	s, c := st.Connect(t, profile("ws"+strings.TrimPrefix(srv.URL, "http")+"/streaming"))
	ev, _ := c.WaitKind(t, 0, session.DirState, session.StateReconnecting)
	if !strings.Contains(ev.Summary, "HTTP 429") || !strings.Contains(ev.Summary, "shedding load") {
		t.Fatalf("summary %q", ev.Summary)
	}
	if d := time.Until(s.Status().RetryAt); d < 119*time.Second {
		t.Fatalf("retry in %s, want the 120 s the server asked for", d)
	}
}
