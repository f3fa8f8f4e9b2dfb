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
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/feedscope/feedscope/query"
	"github.com/feedscope/feedscope/record"
	"github.com/feedscope/feedscope/session"
	"github.com/feedscope/feedscope/session/demo"
	"github.com/feedscope/feedscope/watch"
)

// tail is one run of `tail`: the command line, then what it builds. A new
// option is a field here, its flag in flags, its check in setUp and, when it
// consumes events, a sink in sinks (the output's sink always comes first).
type tail struct {
	p          session.Profile
	subs       subFlags
	count      int
	duration   time.Duration
	demo       bool
	format     string
	filter     string
	sends      sendFlags
	quiet      bool
	cpuprofile string
	record     string
	recordOpts record.Options
	handshake  handshake
	alerts     alertFlags

	rec *record.Writer

	query query.Query
	sinks []session.Sink // every sink the session's events go to
}

func (t *tail) flags(fs *flag.FlagSet) {
	p := &t.p
	fs.StringVar(&p.Dialect, "dialect", "", "dialect: "+strings.Join(session.Dialects(), ", "))
	fs.StringVar(&p.URL, "url", "", "WebSocket URL (ws:// or wss://)")
	fs.StringVar(&p.Token, "token", os.Getenv("FEEDSCOPE_TOKEN"), "bearer token (or FEEDSCOPE_TOKEN)")
	fs.StringVar(&p.User, "user", "", "user for Basic auth (iSymphony)")
	fs.StringVar(&p.Password, "password", os.Getenv("FEEDSCOPE_PASSWORD"), "password for Basic auth (or FEEDSCOPE_PASSWORD)")
	fs.StringVar(&p.Name, "profile", "", "profile name shown in every event (default: the dialect)")
	fs.BoolVar(&p.InsecureSkipVerify, "insecure", false, "do not verify TLS certificates")
	fs.Int64Var(&p.ReadLimit, "read-limit", session.DefaultReadLimit, "largest frame accepted, in bytes")
	fs.Var(&t.subs, "sub", "the dialect's native subscription as JSON (repeatable)")
	fs.IntVar(&t.count, "count", 0, "stop after this many events are printed (0: no limit)")
	fs.DurationVar(&t.duration, "duration", 0, "stop after this long (0: no limit)")
	fs.BoolVar(&t.demo, "demo", false, "start the embedded demo server and use its profile for the dialect: URL, credentials, and its subscriptions unless --sub or --send give some")
	fs.StringVar(&t.format, "format", FormatNDJSON, "output: "+strings.Join(Formats, ", ")+" (text is coloured on a terminal)")
	fs.StringVar(&t.filter, "filter", "", "print only events matching this filter, the desktop app's syntax: text kind:note dir:in /regex/ -excluded")
	fs.Var(&t.sends, "send", "send this message as it is (repeatable): on every open where the dialect keeps raw messages as subscriptions (websocket), else once connected; - sends each line of standard input")
	fs.BoolVar(&t.quiet, "quiet", false, "print no state events (connecting, open, reconnecting, closed)")
	fs.StringVar(&t.cpuprofile, "cpuprofile", "", "write a CPU profile (go tool pprof) to this file")
	fs.StringVar(&t.record, "record", "", "also record every event, unfiltered, to this file (.ndjson, or .ndjson.gz for gzip); see docs/recording.md")
	fs.Int64Var(&t.recordOpts.MaxBytes, "record-max-bytes", 0, "with --record: start a new file once one holds this many bytes (0: no cap)")
	fs.DurationVar(&t.recordOpts.MaxDuration, "record-max-duration", 0, "with --record: start a new file once one spans this long (0: no cap)")
	fs.IntVar(&t.recordOpts.Keep, "record-keep", 0, "with --record: keep only this many files, deleting the oldest (0: all)")
	fs.Var(&t.alerts, "alert", "print only the alerts of this watch rule (repeatable): JSON, or match:FILTER, silence:SECONDS, rate:PER_SECOND, state:rejected|reconnecting")
	t.handshake.register(fs)
}

// Tail connects one session and prints its events, by default as NDJSON. Exit
// codes: ExitOK when the count, the duration or a signal ended it, ExitFailed
// when the server rejected us or the session ended by itself, ExitUsage for a
// wrong command line.
func Tail(args []string, sio Stdio) int {
	fs := flag.NewFlagSet("tail", flag.ContinueOnError)
	fs.SetOutput(sio.Err)
	t := &tail{}
	t.flags(fs)
	if err := fs.Parse(args); err != nil {
		return ExitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(sio.Err, "tail: unexpected argument %q (flags only; see tail -h)\n", fs.Arg(0))
		return ExitUsage
	}
	if os.Getenv("GOGC") == "" {
		// tail holds little: a few MB of queued events. At the default GOGC
		// its heap goal stays near the 4 MB floor, and a firehose of 1 KB
		// frames pays ~45 collections a second (GODEBUG=gctrace=1); four
		// times the headroom costs a few MB and ~8 % less CPU per frame.
		debug.SetGCPercent(400)
	}
	if t.cpuprofile != "" {
		f, err := os.Create(t.cpuprofile)
		if err != nil {
			fmt.Fprintln(sio.Err, "tail:", err)
			return ExitFailed
		}
		defer f.Close()
		_ = pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	var stopDemo func()
	if code := t.setUp(sio.Err, &stopDemo); code != ExitOK {
		return code
	}
	if stopDemo != nil {
		defer stopDemo()
	}
	code := t.run(sio)
	if t.rec != nil {
		if err := t.rec.Close(); err != nil {
			fmt.Fprintln(sio.Err, "tail:", err)
			code = max(code, ExitFailed)
		}
	}
	return code
}

// setUp checks the command line and completes the profile; a non-zero result is
// the exit code, its reason already on stderr.
func (t *tail) setUp(stderr io.Writer, stopDemo *func()) int {
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "tail: "+format+"\n", a...)
		return ExitUsage
	}
	p := &t.p
	d, ok := session.Lookup(p.Dialect)
	if !ok {
		return usage("--dialect must be one of %s", strings.Join(session.Dialects(), ", "))
	}
	if !contains(Formats, t.format) {
		return usage("--format must be one of %s", strings.Join(Formats, ", "))
	}
	q, err := query.Parse(t.filter)
	if err != nil {
		return usage("--%v", err)
	}
	t.query = q
	if err := t.handshake.apply(p); err != nil {
		return usage("%v", err)
	}
	if t.demo {
		srv, err := demo.Start(demo.Options{})
		if err != nil {
			fmt.Fprintln(stderr, "tail:", err)
			return ExitFailed
		}
		*stopDemo = func() { _ = srv.Close() }
		ready, ok := srv.Profile(p.Dialect)
		if !ok {
			fmt.Fprintf(stderr, "tail: the demo server has no %s endpoint\n", p.Dialect)
			return ExitFailed
		}
		useCredentials(p, ready)
		if len(t.subs) == 0 && len(t.sends) == 0 {
			t.subs = ready.Subs // something lively, as the app's demo profiles have
		}
	}
	if p.Name == "" {
		p.Name = p.Dialect
	}
	if p.URL == "" {
		return usage("--url is required (or --demo)")
	}
	if session.SingleSubscription(d) && len(t.subs) > 1 {
		return usage("%s keeps one filter per socket: put every clause in one --sub", p.Dialect)
	}
	for i, s := range t.subs {
		if err := d.CheckSub(s); err != nil {
			return usage("--sub #%d: %v", i+1, err)
		}
	}
	subs, once, err := planSends(d, t.sends)
	if err != nil {
		return usage("%v", err)
	}
	p.Subs, t.sends = append(t.subs, subs...), once
	if err := p.Validate(); err != nil {
		return usage("%v", err)
	}
	if t.record != "" {
		w, err := record.Create(t.record, *p, t.recordOpts)
		if err != nil {
			fmt.Fprintln(stderr, "tail:", err)
			return ExitFailed
		}
		t.rec = w
		t.sinks = append(t.sinks, w)
	}
	return ExitOK
}

func (t *tail) run(sio Stdio) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if t.duration > 0 {
		ctx, cancel = context.WithTimeout(ctx, t.duration)
		defer cancel()
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)

	keep := func(e *session.Event) bool {
		return !(t.quiet && e.Dir == session.DirState) && t.query.Match(e)
	}
	out := newOutput(sio.Out, formatter(t.format, t.format == FormatText && isTerminal(sio.Out)), keep, t.count)
	printed := session.Sink(out)
	if len(t.alerts) > 0 {
		eng, err := watch.New(t.alerts, time.Now())
		if err != nil {
			out.stop()
			fmt.Fprintln(sio.Err, "tail: --alert:", err)
			return ExitUsage
		}
		printed = session.SinkFunc(func(e session.Event) {
			for _, a := range eng.Observe(e) {
				out.Publish(a.Event())
			}
		})
		go tickAlerts(ctx, eng, out)
	}
	t.sinks = append([]session.Sink{printed}, t.sinks...)
	var sink session.Sink = out // the usual case, and the quickest
	if len(t.sinks) > 1 || len(t.alerts) > 0 {
		sink = idler{tee(t.sinks), out}
	}
	s, err := session.New(t.p, sink)
	if err != nil {
		out.stop()
		fmt.Fprintln(sio.Err, "tail:", err)
		return ExitUsage
	}
	s.Start(context.Background())
	for _, m := range t.sends {
		if m == "-" {
			go sendLines(ctx, s, sio.In, sio.Err)
		} else if err := s.SendRaw([]byte(m)); err != nil {
			fmt.Fprintln(sio.Err, "tail: --send:", err)
		}
	}
	select {
	case <-ctx.Done():
	case <-sig:
	case <-out.full:
	case <-out.broken:
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
	if out.err != nil {
		fmt.Fprintln(sio.Err, "tail: writing the output:", out.err)
		return ExitFailed
	}
	if ended && !(t.count > 0 && out.written >= t.count) {
		st := s.Status()
		fmt.Fprintf(sio.Err, "tail: %s: %s\n", st.Phase, st.Detail)
		return ExitFailed
	}
	return ExitOK
}

// sendLines sends each line of r as one message, until r ends or ctx does. A
// line waits while the session cannot take it (not connected, its hold full).
func sendLines(ctx context.Context, s *session.Session, r io.Reader, stderr io.Writer) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	retry := time.NewTicker(100 * time.Millisecond)
	defer retry.Stop()
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			continue
		}
		for s.SendRaw([]byte(line)) != nil {
			select {
			case <-ctx.Done():
				return
			case <-s.Done():
				return
			case <-retry.C:
			}
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(stderr, "tail: reading standard input:", err)
	}
}

// idler is the session's sink: every event goes to the Sink, and the reader's
// Idle to the output, which writes what it has formatted (session.Idler).
type idler struct {
	session.Sink
	out *output
}

func (i idler) Idle() { i.out.Idle() }

// tee hands every event to each sink in turn.
type tee []session.Sink

func (t tee) Publish(e session.Event) {
	for _, s := range t {
		s.Publish(e)
	}
}

type subFlags []json.RawMessage

func (s *subFlags) String() string { return fmt.Sprint(len(*s), " subscriptions") }

func (s *subFlags) Set(v string) error {
	if err := session.CheckJSON([]byte(v)); err != nil {
		return fmt.Errorf("malformed JSON: %w", err)
	}
	*s = append(*s, json.RawMessage(v))
	return nil
}

type sendFlags []string

func (s *sendFlags) String() string { return fmt.Sprint(len(*s), " messages") }

func (s *sendFlags) Set(v string) error {
	if v == "" {
		return fmt.Errorf("an empty message")
	}
	if v == "-" && contains(*s, "-") {
		return fmt.Errorf("standard input is given once")
	}
	*s = append(*s, v)
	return nil
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

type alertFlags []watch.Rule

func (a *alertFlags) String() string { return fmt.Sprint(len(*a), " rules") }

func (a *alertFlags) Set(v string) error {
	r, err := watch.ParseShorthand(v)
	if err != nil {
		return err
	}
	*a = append(*a, r)
	return nil
}

// tickAlerts runs the time-driven rules (silence, rate) four times a second.
func tickAlerts(ctx context.Context, eng *watch.Engine, out *output) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-out.done:
			return
		case now := <-t.C:
			for _, a := range eng.Tick(now) {
				out.Publish(a.Event())
			}
		}
	}
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
			p.HeaderNames = append(p.HeaderNames, k)
		}
	}
	if len(p.Subprotocols) == 0 {
		p.Subprotocols = ready.Subprotocols
	}
}
