// Package demo serves every linked dialect's demo server on one loopback listener, so
// that Feedscope shows live data with no account anywhere. Each dialect registers its
// server from its own package (serve.Register); this package names none of them, so
// a program gets the demo servers of the dialects it imports (session/all: every one).
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/internal/serve"
)

// Options configure a demo server.
type Options struct {
	Listen      string  // host:port; default 127.0.0.1:0
	Speed       float64 // multiplies every event cadence; default 1
	AllowRemote bool    // permit a non-loopback listen address
	// PongEvery overrides the cadence of unsolicited pongs of the servers that send
	// them (a heartbeat some feeds send every 30 s).
	PongEvery time.Duration
	// Firehose names a dialect whose server streams pre-built frames to every
	// subscriber as fast as the socket takes them (or Rate a second); the
	// simulations are then off.
	Firehose string
	Rate     float64
}

// Server is the running demo.
type Server struct {
	ln      net.Listener
	http    *http.Server
	stop    chan struct{}
	wg      sync.WaitGroup
	mounted []mounted // sorted by dialect

	firehose *serve.Firehose
}

type mounted struct {
	dialect string
	serve.Demo
}

// FramesSent is how many frames the firehose has written (0 without one).
func (s *Server) FramesSent() uint64 {
	if s.firehose == nil {
		return 0
	}
	return s.firehose.Sent()
}

// DropAll cuts every WebSocket connection at the TCP level, with no close frame: a
// server vanishing mid-stream. It returns how many it cut.
func (s *Server) DropAll() int {
	n := 0
	for _, m := range s.mounted {
		n += m.DropAll()
	}
	return n
}

// Start listens and serves every registered dialect until Close.
func Start(o Options) (*Server, error) {
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	if o.Speed <= 0 {
		o.Speed = 1
	}
	host, _, err := net.SplitHostPort(o.Listen)
	if err != nil {
		return nil, fmt.Errorf("demo: listen address %q: %w", o.Listen, err)
	}
	if !o.AllowRemote && !isLoopback(host) {
		return nil, fmt.Errorf("demo: refusing to listen on %s: the demo server binds loopback only (pass --allow-remote to override)", o.Listen)
	}
	mounts := serve.Mounts()
	var firehose *serve.Firehose
	if o.Firehose != "" {
		var can []string
		for _, m := range mounts {
			if m.Firehose {
				can = append(can, m.Dialect)
			}
		}
		if !slices.Contains(can, o.Firehose) {
			return nil, fmt.Errorf("demo: --firehose takes one of %s, not %q", strings.Join(can, ", "), o.Firehose)
		}
		firehose = &serve.Firehose{Rate: o.Rate}
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return nil, fmt.Errorf("demo: failed to listen: %w", err)
	}
	stop := make(chan struct{})
	s := &Server{ln: ln, stop: stop, firehose: firehose}
	mux := http.NewServeMux()
	for _, m := range mounts {
		env := serve.Env{Clock: serve.Clock{Speed: o.Speed, Done: stop}, PongEvery: o.PongEvery}
		if m.Dialect == o.Firehose {
			env.Firehose = firehose
		}
		d := m.New(env)
		for _, p := range d.Paths {
			mux.Handle(p, d.Handler)
		}
		s.mounted = append(s.mounted, mounted{dialect: m.Dialect, Demo: d})
	}
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if firehose == nil {
		for _, m := range s.mounted {
			if m.Run == nil {
				continue
			}
			s.wg.Add(1)
			go func() { defer s.wg.Done(); m.Run(s.stop) }()
		}
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Printf("demo: serve: %v", err) // stderr: stdout may carry NDJSON
		}
	}()
	return s, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

func (s *Server) base() string { return "ws://" + s.Addr() }

// Dialects lists the dialects the server serves, sorted.
func (s *Server) Dialects() []string {
	out := make([]string, len(s.mounted))
	for i, m := range s.mounted {
		out[i] = m.dialect
	}
	return out
}

// Endpoints returns each dialect's WebSocket URL in its contract's form,
// placeholders kept (such as an id the user picks).
func (s *Server) Endpoints() map[string]string {
	out := make(map[string]string, len(s.mounted))
	for _, m := range s.mounted {
		out[m.dialect] = s.base() + m.Endpoint
	}
	return out
}

// URL returns a ready URL for a dialect: its demo profile's ("" when not served).
func (s *Server) URL(dialect string) string {
	p, _ := s.Profile(dialect)
	return p.URL
}

// Profile returns the ready profile of a dialect: "demo-<dialect>", pointed at this
// server, with credentials it accepts and a lively subscription.
func (s *Server) Profile(dialect string) (session.Profile, bool) {
	for _, m := range s.mounted {
		if m.dialect == dialect {
			return s.profile(m), true
		}
	}
	return session.Profile{}, false
}

// Profiles returns the ready profile of every dialect served, sorted by dialect.
func (s *Server) Profiles() []session.Profile {
	out := make([]session.Profile, len(s.mounted))
	for i, m := range s.mounted {
		out[i] = s.profile(m)
	}
	return out
}

// profile is a copy of m's profile that shares nothing with the registered one.
func (s *Server) profile(m mounted) session.Profile {
	p := m.Profile
	p.Name, p.Dialect, p.URL = "demo-"+m.dialect, m.dialect, s.base()+p.URL
	p.Subs = nil
	for _, sub := range m.Profile.Subs {
		p.Subs = append(p.Subs, slices.Clone(sub))
	}
	p.Headers = maps.Clone(p.Headers)
	p.HeaderNames = slices.Clone(p.HeaderNames)
	p.Subprotocols = slices.Clone(p.Subprotocols)
	p.Settings = maps.Clone(p.Settings)
	return p
}

// Announcement is the first stdout line of `feedscope demo-server`.
func (s *Server) Announcement() []byte {
	b, _ := json.Marshal(map[string]any{"listen": s.Addr(), "endpoints": s.Endpoints()})
	return b
}

// Close stops the simulations, drops every connection and waits.
func (s *Server) Close() error {
	close(s.stop)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	s.wg.Wait()
	return err
}
