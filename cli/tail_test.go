package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/feedscope/feedscope/session"
	_ "github.com/feedscope/feedscope/session/all"
	"github.com/feedscope/feedscope/session/demo"
	st "github.com/feedscope/feedscope/session/sessiontest"
)

// runTail runs Tail in this process and returns stdout, stderr and the exit code.
func runTail(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Tail(args, Stdio{In: strings.NewReader(stdin), Out: &out, Err: &errb})
	return out.String(), errb.String(), code
}

func startDemo(t *testing.T) *demo.Server {
	t.Helper()
	srv, err := demo.Start(demo.Options{Speed: 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func lines(s string) []string { return strings.Split(strings.TrimSuffix(s, "\n"), "\n") }

var textLineRE = regexp.MustCompile(`^\d\d:\d\d:\d\d\.\d{3} [←→•] (#\S+\s*|\s{4}) \S+\s* `)

func TestTailFormats(t *testing.T) {
	srv := startDemo(t)
	url := srv.URL("misskey")
	sub := `{"channel":"localTimeline"}`
	t.Run("text", func(t *testing.T) {
		out, stderr, code := runTail(t, "", "--dialect", "misskey", "--url", url, "--sub", sub, "--count", "8", "--duration", "20s", "--format", "text")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		ls := lines(out)
		if len(ls) != 8 || strings.Contains(out, "\x1b") {
			t.Fatalf("want 8 lines without colour (not a terminal):\n%s", out)
		}
		kindCol := -1
		for _, l := range ls {
			if !textLineRE.MatchString(l) {
				t.Errorf("not an aligned text line: %q", l)
			}
			// The kind column starts at the same character on every line.
			head := []rune(l)[:22]
			if col := strings.LastIndex(string(head), " ") + 1; kindCol < 0 {
				kindCol = col
			} else if col != kindCol {
				t.Errorf("kind column at %d, not %d: %q", col, kindCol, l)
			}
		}
		if !strings.Contains(out, "← #1   note             @") {
			t.Errorf("no note line:\n%s", out)
		}
	})
	t.Run("raw", func(t *testing.T) {
		out, stderr, code := runTail(t, "", "--dialect", "misskey", "--url", url, "--sub", sub, "--count", "3", "--duration", "20s", "--format", "raw")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		ls := lines(out)
		if len(ls) != 3 {
			t.Fatalf("want 3 frames:\n%s", out)
		}
		for i, l := range ls {
			var f struct{ Type string }
			if err := json.Unmarshal([]byte(l), &f); err != nil || f.Type == "" {
				t.Fatalf("line %d is not a Misskey frame: %q", i, l)
			}
			if i == 0 && f.Type != "connected" || i > 0 && f.Type != "channel" {
				t.Errorf("frame %d has type %q", i, f.Type)
			}
		}
	})
}

func TestTailFilterAndQuiet(t *testing.T) {
	srv := startDemo(t)
	out, stderr, code := runTail(t, "", "--dialect", "misskey", "--url", srv.URL("misskey"), "--sub", `{"channel":"localTimeline"}`,
		"--count", "3", "--duration", "20s", "--filter", "dir:in -kind:connected")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, l := range lines(out) {
		var e session.Event
		if err := json.Unmarshal([]byte(l), &e); err != nil || e.Dir != "in" || e.Kind != "note" {
			t.Errorf("passed the filter: %q", l)
		}
	}
	out, stderr, code = runTail(t, "", "--dialect", "misskey", "--url", srv.URL("misskey"), "--sub", `{"channel":"localTimeline"}`,
		"--count", "3", "--duration", "20s", "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(out, `"dir":"state"`) || len(lines(out)) != 3 {
		t.Errorf("--quiet printed state events or too few lines:\n%s", out)
	}
}

func TestTailSend(t *testing.T) {
	srv := startDemo(t)
	connect := func(id string) string {
		return `{"type":"connect","body":{"channel":"localTimeline","id":"` + id + `"}}`
	}
	// One message from the command line, two from standard input: each connects
	// the local timeline under its own id, which the server's notes then carry.
	out, stderr, code := runTail(t, connect("in-1")+"\n\n"+connect("in-2")+"\r\n",
		"--dialect", "misskey", "--url", srv.URL("misskey"), "--send", connect("flag"), "--send", "-",
		"--filter", "kind:note", "--count", "9", "--duration", "20s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, id := range []string{"flag", "in-1", "in-2"} {
		if !strings.Contains(out, `"sub":"`+id+`","kind":"note"`) {
			t.Errorf("no note for %s:\n%.3000s", id, out)
		}
	}
}

func TestTailUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--dialect", "misskey", "--url", "ws://127.0.0.1:1/", "--format", "yaml"}, "--format must be one of ndjson, text, raw"},
		{[]string{"--dialect", "misskey", "--url", "ws://127.0.0.1:1/", "--filter", "/([/"}, "--filter /([/"},
		{[]string{"--dialect", "misskey", "--url", "ws://127.0.0.1:1/", "--send", "-", "--send", "-"}, "standard input is given once"},
		{[]string{"--dialect", "misskey", "--url", "ws://127.0.0.1:1/", "extra"}, `unexpected argument "extra"`},
	} {
		_, stderr, code := runTail(t, "", c.args...)
		if code != ExitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

func TestTextLineIsPrintableAndColouredOnlyOnRequest(t *testing.T) {
	e := session.Event{Time: time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.Local), Dir: session.DirIn, Sub: "12", Kind: "note",
		Summary: "@mallory: \x1b]0;owned\x07 \x1b[2Jgone\u009b"}
	plain := string(textLine(false)(nil, &e))
	if want := "03:04:05.006 ← #12  note             @mallory: ·]0;owned· ·[2Jgone·\n"; plain != want {
		t.Errorf("got  %q\nwant %q", plain, want)
	}
	colour := string(textLine(true)(nil, &e))
	if !strings.Contains(colour, ansiGreen+"note") || strings.Count(colour, "\x1b") != 4 {
		t.Errorf("colour line %q", colour)
	}
}

// slowWriter takes its time per write and records every byte.
type slowWriter struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
	fail   bool
}

func (w *slowWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fail {
		return 0, errors.New("disk full")
	}
	time.Sleep(time.Millisecond) // a slow consumer, so the lines pile up and batches grow
	w.writes++
	return w.b.Write(p)
}

// The output writes lines in batches, loses none, keeps their order and writes far
// fewer times than it prints lines.
func TestOutputBatchesInOrder(t *testing.T) {
	w := &slowWriter{}
	o := newOutput(w, formatter(FormatRaw, false), func(*session.Event) bool { return true }, 0)
	const n = 50_000
	for i := 0; i < n; i++ {
		o.Publish(session.Event{Dir: session.DirIn, Kind: "k", Raw: []byte(`{"n":` + strconv.Itoa(i) + `}`)})
	}
	o.stop()
	ls := lines(w.b.String())
	if len(ls) != n {
		t.Fatalf("%d lines, want %d", len(ls), n)
	}
	for i, l := range ls {
		if l != `{"n":`+strconv.Itoa(i)+`}` {
			t.Fatalf("line %d is %q", i, l)
		}
	}
	if w.writes > n/100 {
		t.Errorf("%d writes for %d lines: not batched", w.writes, n)
	}
}

func TestOutputCountAndBrokenWriter(t *testing.T) {
	w := &slowWriter{}
	o := newOutput(w, formatter(FormatNDJSON, false), func(e *session.Event) bool { return e.Kind == "yes" }, 5)
	for i := 0; i < 20; i++ {
		o.Publish(session.Event{Kind: []string{"yes", "no"}[i%2]})
	}
	select {
	case <-o.full:
	case <-time.After(10 * time.Second):
		t.Fatal("full never closed")
	}
	o.stop()
	if o.written != 5 || strings.Count(w.b.String(), "\n") != 5 {
		t.Fatalf("written %d: %s", o.written, w.b.String())
	}

	w = &slowWriter{fail: true}
	o = newOutput(w, formatter(FormatNDJSON, false), func(*session.Event) bool { return true }, 0)
	o.Publish(session.Event{Kind: "x"})
	select {
	case <-o.broken:
	case <-time.After(10 * time.Second):
		t.Fatal("broken never closed")
	}
	for i := 0; i < 4*writeAt/64; i++ {
		o.Publish(session.Event{Kind: "x"}) // never blocks for good once broken
	}
	o.stop()
	if o.err == nil || o.err.Error() != "disk full" {
		t.Fatalf("err %v", o.err)
	}
}

// An event's Raw is only lent to a sink (session.Sink): the session's reader reads
// the next frame into the same buffer. The output must print what the frame said
// when it was published, in every format, and tell two frames at one address apart.
func TestOutputKeepsNoFrame(t *testing.T) {
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			w := &slowWriter{}
			o := newOutput(w, formatter(format, false), func(*session.Event) bool { return true }, 0)
			buf := []byte(`{"n":"first"}`)
			t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
			o.Publish(session.Event{Time: t0, Dir: session.DirIn, Kind: "k", Summary: "one", Raw: buf})
			copy(buf, `{"n":"again"}`) // the next frame, read into the same buffer
			o.Publish(session.Event{Time: t0.Add(time.Nanosecond), Dir: session.DirIn, Kind: "k", Summary: "two", Raw: buf})
			copy(buf, `{"n":"XXXXX"}`)
			o.stop()
			got := w.b.String()
			if strings.Contains(got, "XXXXX") || strings.Count(got, "\n") != 2 {
				t.Fatalf("output %q", got)
			}
			if format != FormatText && (!strings.Contains(got, "first") || !strings.Contains(got, "again")) {
				t.Fatalf("output %q: a frame went missing or was overwritten", got)
			}
		})
	}
}

// The session's reader calls Idle before it waits on the socket: what is formatted
// is written then, in one write. A line no Idle follows (a state change from
// another goroutine) is written by the timer.
func TestOutputWritesWhenTheReaderIsIdle(t *testing.T) {
	w := &slowWriter{}
	o := newOutput(w, formatter(FormatRaw, false), func(*session.Event) bool { return true }, 0)
	defer o.stop()
	var sink session.Sink = idler{o, o}
	for i := 0; i < 3; i++ {
		sink.Publish(session.Event{Dir: session.DirIn, Kind: "k", Raw: []byte(`{"n":` + strconv.Itoa(i) + `}`)})
	}
	sink.(session.Idler).Idle()
	w.mu.Lock()
	got, writes := w.b.String(), w.writes
	w.mu.Unlock()
	if got != "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n" || writes != 1 {
		t.Fatalf("after Idle: %d writes of %q", writes, got)
	}
	sink.Publish(session.Event{Dir: session.DirIn, Kind: "k", Raw: []byte(`{"n":3}`)})
	st.Until(t, "the line no Idle followed", func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		return strings.HasSuffix(w.b.String(), "{\"n\":3}\n")
	})
}
