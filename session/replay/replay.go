// Package replay serves a recording on loopback in its own dialect, so that the app,
// `feedscope tail` or an official SDK connects to it as to the real service: every
// subscriber gets the recorded frames at the recorded pace (times a speed), from the
// moment of its first subscription, shaped by its own subscriptions. What a dialect
// means by that lives in the dialect's folder (serve.Replay); this package names none.
package replay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/feedscope/feedscope/record"
	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/internal/serve"
)

// Options configure a replay server.
type Options struct {
	Listen      string  // host:port; default 127.0.0.1:0
	Speed       float64 // 2 plays twice as fast; default 1
	Loop        bool    // start again after the last frame
	AllowRemote bool    // permit a non-loopback listen address
}

// loopPause is the recorded-time pause between the last frame and the next loop.
const loopPause = time.Second

// Server is a running replay.
type Server struct {
	rec     *record.Recording
	dialect string
	path    string
	script  serve.Script
	frames  []serve.Frame
	opts    Options
	// The recorded moments a subscriber's playback lines up with: the first
	// subscription the recording sent, or the connection's opening for sockets
	// that play from their first moment.
	originSub, originOpen time.Time

	ln   net.Listener
	http *http.Server
	stop chan struct{}
	wg   sync.WaitGroup
}

// Start serves rec until Close.
func Start(rec *record.Recording, o Options) (*Server, error) {
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if o.Speed == 0 {
		o.Speed = 1
	}
	if o.Speed < 0 {
		return nil, fmt.Errorf("replay: the speed must be positive, not %g", o.Speed)
	}
	d := rec.Header.Profile.Dialect
	rp, ok := serve.LookupReplay(d)
	if !ok {
		return nil, fmt.Errorf("replay: this Feedscope cannot serve a %q recording (it serves %s)", d, strings.Join(replayable(), ", "))
	}
	host, _, err := net.SplitHostPort(o.Listen)
	if err != nil {
		return nil, fmt.Errorf("replay: listen address %q: %w", o.Listen, err)
	}
	if !o.AllowRemote && !isLoopback(host) {
		return nil, fmt.Errorf("replay: refusing to listen on %s: the replay server binds loopback only (pass --allow-remote to override)", o.Listen)
	}
	s := &Server{rec: rec, dialect: d, opts: o, stop: make(chan struct{})}
	s.script = rp.Prepare(rec.Events)
	s.frames = s.script.Frames()
	s.path = readyPath(rec.Header.Profile.URL, rp.Path)
	s.originSub, s.originOpen = origins(rec.Events, d)
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return nil, fmt.Errorf("replay: failed to listen: %w", err)
	}
	s.ln = ln
	s.http = &http.Server{Handler: http.HandlerFunc(s.serveHTTP), ReadHeaderTimeout: 10 * time.Second}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Printf("replay: serve: %v", err) // stderr: stdout carries the announcement
		}
	}()
	return s, nil
}

func replayable() []string {
	var out []string
	for _, d := range session.Dialects() {
		if _, ok := serve.LookupReplay(d); ok {
			out = append(out, d)
		}
	}
	return out
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// readyPath is the recorded URL's path and query, without a blanked credential, or
// the dialect's own when the recording names no URL.
func readyPath(recorded, fallback string) string {
	u, err := url.Parse(recorded)
	if recorded == "" || err != nil || u.Path == "" {
		return fallback
	}
	q := u.Query()
	for k, vs := range q {
		for _, v := range vs {
			if strings.Contains(v, "•••") {
				q.Del(k)
			}
		}
	}
	u.RawQuery = q.Encode()
	out := u.EscapedPath()
	if u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	return out
}

// origins finds when the recording's first subscription went out and when its
// first connection opened.
func origins(evs []session.Event, dialect string) (sub, open time.Time) {
	d, known := session.Lookup(dialect)
	for _, ev := range evs {
		if open.IsZero() && ev.Dir == session.DirState && ev.Kind == session.StateOpen {
			open = ev.Time
		}
		if sub.IsZero() && ev.Dir == session.DirOut && known {
			if _, ok := d.SubscriptionOf(ev.Raw); ok {
				sub = ev.Time
			}
		}
	}
	if open.IsZero() && len(evs) > 0 {
		open = evs[0].Time
	}
	if sub.IsZero() {
		sub = open
	}
	return sub, open
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// URL is the WebSocket URL to point a client at.
func (s *Server) URL() string { return "ws://" + s.Addr() + s.path }

// Dialect is the recording's dialect.
func (s *Server) Dialect() string { return s.dialect }

// Feed lists the recorded events a subscriber with the recorded subscriptions
// receives, in order: every in event but the replies to the recorder's commands.
func (s *Server) Feed() []session.Event {
	var out []session.Event
	for _, f := range s.frames {
		for _, i := range f.Events {
			out = append(out, s.rec.Events[i])
		}
	}
	return out
}

// Duration is the recorded span of the frames, from the first subscription.
func (s *Server) Duration() time.Duration {
	if len(s.frames) == 0 {
		return 0
	}
	return max(0, s.frames[len(s.frames)-1].At.Sub(s.originSub))
}

// Announcement is the first stdout line of `feedscope replay`, shaped like
// demo-server's: where to connect, and what plays.
func (s *Server) Announcement() []byte {
	b, _ := json.Marshal(map[string]any{
		"listen": s.Addr(), "endpoints": map[string]string{s.dialect: s.URL()}, "dialect": s.dialect,
		"frames": len(s.frames), "duration": s.Duration().Round(time.Millisecond).String(),
		"speed": s.opts.Speed, "loop": s.opts.Loop,
	})
	return b
}

// Close drops every subscriber with 1001 and stops serving.
func (s *Server) Close() error {
	close(s.stop)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	s.wg.Wait()
	return err
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	hdr, ok := s.script.Accept(w, r)
	if !ok {
		return
	}
	ws, err := serve.Upgrader.Upgrade(w, r, hdr)
	if err != nil {
		return
	}
	c := serve.NewConn(ws, serve.Options{Done: s.stop, PingEvery: 30 * time.Second})
	sock, now := s.script.Open(c)
	started := make(chan struct{})
	origin := s.originSub
	if now {
		close(started)
		origin = s.originOpen
	}
	s.wg.Add(1)
	go func() { defer s.wg.Done(); s.play(sock, c, started, origin) }()
	once := now
	c.Serve(func(typ int, data []byte) {
		if sock.Handle(data) && !once {
			once = true
			close(started)
		}
	})
}

// play sends the script to one socket: frame i at the playback's start plus its
// recorded offset from origin, divided by the speed. Offsets never go back, so a
// recording whose clock stepped back plays its frames in order.
func (s *Server) play(sock serve.ReplaySocket, c *serve.Conn, started <-chan struct{}, origin time.Time) {
	select {
	case <-started:
	case <-c.Done():
		return
	case <-s.stop:
		return
	}
	if len(s.frames) == 0 {
		return
	}
	begin := time.Now()
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	var loopAt time.Duration // recorded time before this loop
	for {
		var last time.Duration
		for i, f := range s.frames {
			off := max(last, f.At.Sub(origin))
			last = off
			due := begin.Add(time.Duration(float64(loopAt+off) / s.opts.Speed))
			if d := time.Until(due); d > 0 {
				t.Reset(d)
				select {
				case <-t.C:
				case <-c.Done():
					return
				case <-s.stop:
					return
				}
			}
			sock.Play(i)
		}
		if !s.opts.Loop {
			return
		}
		loopAt += last + loopPause
	}
}
