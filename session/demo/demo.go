// Package demo mounts the four dialects' demo servers on one loopback listener, so
// that Feedscope shows live data with no account anywhere.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/feedscope/feedscope/session/gotham"
	"github.com/feedscope/feedscope/session/hypothesis"
	"github.com/feedscope/feedscope/session/internal/serve"
	"github.com/feedscope/feedscope/session/isymphony"
	"github.com/feedscope/feedscope/session/misskey"
)

// Options configure a demo server.
type Options struct {
	Listen      string  // host:port; default 127.0.0.1:0
	Speed       float64 // multiplies every event cadence; default 1
	AllowRemote bool    // permit a non-loopback listen address
	// HypothesisPong overrides the 30 s unsolicited pong of the Hypothesis server.
	HypothesisPong time.Duration
	// Firehose names a dialect whose server streams pre-built frames to every
	// subscriber as fast as the socket takes them (or Rate a second); the
	// simulations are then off.
	Firehose string
	Rate     float64
}

// Server is the running demo.
type Server struct {
	Hypothesis *hypothesis.Server
	Misskey    *misskey.Server
	Gotham     *gotham.Server
	ISymphony  *isymphony.Server

	ln   net.Listener
	http *http.Server
	stop chan struct{}
	wg   sync.WaitGroup

	firehose *serve.Firehose
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
	return s.Hypothesis.DropAll() + s.Misskey.DropAll() + s.Gotham.DropAll() + s.ISymphony.DropAll()
}

// Start listens and serves all four dialects until Close.
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
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return nil, fmt.Errorf("demo: failed to listen: %w", err)
	}
	stop := make(chan struct{})
	clock := serve.Clock{Speed: o.Speed, Done: stop}
	s := &Server{
		Hypothesis: &hypothesis.Server{Clock: clock, PongEvery: o.HypothesisPong},
		Misskey:    &misskey.Server{Clock: clock},
		Gotham:     &gotham.Server{Clock: clock},
		ISymphony:  &isymphony.Server{Clock: clock},
		ln:         ln,
		stop:       stop,
	}
	mux := http.NewServeMux()
	mux.Handle(hypothesis.Path, s.Hypothesis)
	mux.Handle(misskey.Path, s.Misskey)
	mux.Handle(gotham.Path, s.Gotham)
	mux.Handle(gotham.AltPath, s.Gotham)
	mux.Handle(isymphony.Path, s.ISymphony)
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	runs := []func(<-chan struct{}){s.Hypothesis.Run, s.Misskey.Run, s.Gotham.Run, s.ISymphony.Run}
	if o.Firehose != "" {
		s.firehose = &serve.Firehose{Rate: o.Rate}
		switch o.Firehose {
		case "hypothesis":
			s.Hypothesis.Firehose = s.firehose
		case "misskey":
			s.Misskey.Firehose = s.firehose
		case "gotham":
			s.Gotham.Firehose = s.firehose
		case "isymphony":
			s.ISymphony.Firehose = s.firehose
		default:
			ln.Close()
			return nil, fmt.Errorf("demo: --firehose takes hypothesis, misskey, gotham or isymphony, not %q", o.Firehose)
		}
		runs = nil
	}
	for _, run := range runs {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); run(s.stop) }()
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

// Endpoints returns each dialect's WebSocket URL; Gotham's keeps the {specId}
// placeholder of the contract.
func (s *Server) Endpoints() map[string]string {
	base := "ws://" + s.Addr()
	return map[string]string{
		"hypothesis": base + hypothesis.Path,
		"misskey":    base + misskey.Path,
		"gotham":     base + gotham.Path + "{specId}?preview=true",
		"isymphony":  base + isymphony.Path,
	}
}

// URL returns a ready URL for a dialect (Gotham with the vessels spec).
func (s *Server) URL(dialect string) string {
	if dialect == "gotham" {
		return "ws://" + s.Addr() + gotham.Path + gotham.SpecVessels + "?preview=true"
	}
	return s.Endpoints()[dialect]
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
