package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/demo"
)

type subFlags []json.RawMessage

func (s *subFlags) String() string { return fmt.Sprint(len(*s), " subscriptions") }

func (s *subFlags) Set(v string) error {
	if err := session.CheckJSON([]byte(v)); err != nil {
		return fmt.Errorf("malformed JSON: %w", err)
	}
	*s = append(*s, json.RawMessage(v))
	return nil
}

// Tail connects one session and prints its events as NDJSON.
func Tail(args []string, sio Stdio) int {
	stdout, stderr := sio.Out, sio.Err
	fs := flag.NewFlagSet("tail", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var p session.Profile
	var subs subFlags
	fs.StringVar(&p.Dialect, "dialect", "", "dialect: "+strings.Join(session.Dialects(), ", "))
	fs.StringVar(&p.URL, "url", "", "WebSocket URL (ws:// or wss://)")
	fs.StringVar(&p.Token, "token", os.Getenv("FEEDSCOPE_TOKEN"), "bearer token (or FEEDSCOPE_TOKEN)")
	fs.StringVar(&p.User, "user", "", "user for Basic auth (iSymphony)")
	fs.StringVar(&p.Password, "password", os.Getenv("FEEDSCOPE_PASSWORD"), "password for Basic auth (or FEEDSCOPE_PASSWORD)")
	fs.StringVar(&p.Name, "profile", "", "profile name shown in every event (default: the dialect)")
	fs.BoolVar(&p.InsecureSkipVerify, "insecure", false, "do not verify TLS certificates")
	fs.Int64Var(&p.ReadLimit, "read-limit", session.DefaultReadLimit, "largest frame accepted, in bytes")
	fs.Var(&subs, "sub", "the dialect's native subscription as JSON (repeatable)")
	count := fs.Int("count", 0, "stop after this many events (0: no limit)")
	duration := fs.Duration("duration", 0, "stop after this long (0: no limit)")
	useDemo := fs.Bool("demo", false, "start the embedded demo server and point --url at it")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile (go tool pprof) to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(stderr, "tail:", err)
			return 1
		}
		defer f.Close()
		_ = pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "tail: "+format+"\n", a...)
		return 2
	}
	if _, ok := session.Lookup(p.Dialect); !ok {
		return usage("--dialect must be one of %s", strings.Join(session.Dialects(), ", "))
	}
	if *useDemo {
		srv, err := demo.Start(demo.Options{})
		if err != nil {
			fmt.Fprintln(stderr, "tail:", err)
			return 1
		}
		defer srv.Close()
		ready, ok := srv.Profile(p.Dialect)
		if !ok {
			fmt.Fprintf(stderr, "tail: the demo server has no %s endpoint\n", p.Dialect)
			return 1
		}
		useCredentials(&p, ready)
	}
	if p.Name == "" {
		p.Name = p.Dialect
	}
	if p.URL == "" {
		return usage("--url is required (or --demo)")
	}
	d, _ := session.Lookup(p.Dialect)
	if session.SingleSubscription(d) && len(subs) > 1 {
		return usage("%s keeps one filter per socket: put every clause in one --sub", p.Dialect)
	}
	for i, s := range subs {
		if err := d.CheckSub(s); err != nil {
			return usage("--sub #%d: %v", i+1, err)
		}
	}
	p.Subs = subs
	if err := p.Validate(); err != nil {
		return usage("%v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if *duration > 0 {
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)

	out := newNDJSON(stdout, *count)
	s, err := session.New(p, out)
	if err != nil {
		return usage("%v", err)
	}
	s.Start(context.Background())
	go out.run()
	select {
	case <-ctx.Done():
	case <-sig:
	case <-out.full:
	case <-s.Done():
	}
	ended := false
	select {
	case <-s.Done():
		ended = true
	default:
	}
	s.Close()
	out.stop()
	if ended && !(*count > 0 && out.written >= *count) {
		st := s.Status()
		fmt.Fprintf(stderr, "tail: %s: %s\n", st.Phase, st.Detail)
		return 1
	}
	return 0
}

// useCredentials points p at the demo's ready profile where p says nothing itself:
// its URL, and its credentials unless p brings some.
func useCredentials(p *session.Profile, ready session.Profile) {
	if p.URL == "" {
		p.URL = ready.URL
	}
	if p.Token == "" && p.User == "" && p.Password == "" {
		p.Token, p.User, p.Password = ready.Token, ready.User, ready.Password
	}
	for k, v := range ready.Headers {
		if _, set := p.Headers[k]; !set {
			if p.Headers == nil {
				p.Headers = map[string]string{}
			}
			p.Headers[k] = v
		}
	}
}

// ndjson writes events one per line, flushing whenever it has caught up, and
// signals full once it has written max events.
type ndjson struct {
	w        *bufio.Writer
	ch       chan session.Event
	quit     chan struct{}
	finished chan struct{}
	full     chan struct{}
	max      int
	written  int
}

func newNDJSON(w io.Writer, max int) *ndjson {
	return &ndjson{w: bufio.NewWriterSize(w, 64<<10), ch: make(chan session.Event, 4096),
		quit: make(chan struct{}), finished: make(chan struct{}), full: make(chan struct{}), max: max}
}

// Publish queues an event; it waits when the writer is behind, which slows the
// reader rather than losing lines.
func (n *ndjson) Publish(e session.Event) {
	select {
	case n.ch <- e:
	case <-n.finished:
	}
}

func (n *ndjson) run() {
	defer close(n.finished)
	var line []byte
	write := func(e session.Event) {
		if n.max > 0 && n.written >= n.max {
			return
		}
		line = append(e.AppendJSON(line[:0]), '\n')
		_, _ = n.w.Write(line)
		n.written++
		if n.max > 0 && n.written == n.max {
			close(n.full)
		}
	}
	for {
		select {
		case e := <-n.ch:
			write(e)
			if len(n.ch) == 0 {
				n.w.Flush()
			}
		case <-n.quit:
			for len(n.ch) > 0 {
				write(<-n.ch)
			}
			n.w.Flush()
			return
		}
	}
}

// stop writes what is queued, flushes and ends the writer.
func (n *ndjson) stop() {
	close(n.quit)
	<-n.finished
}
