package record

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feedscope/feedscope/session"
)

// The secrets of the test profile: every one must stay out of every file.
const (
	token    = "tok-SECRET-abcdef123456"
	password = "pw-SECRET-0987654321"
	hdrValue = "hdr-SECRET-cookie=42;xyz"
)

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 123456789, time.UTC)

// testDialect is a registered dialect for the reader's inference; it knows which
// out frames subscribe.
type testDialect struct{}

func (testDialect) Name() string                                    { return "recordtest" }
func (testDialect) Dial(*session.Profile) (session.DialSpec, error) { return session.DialSpec{}, nil }
func (testDialect) Policy() session.Policy                          { return session.DefaultPolicy() }
func (testDialect) CheckSub(json.RawMessage) error                  { return nil }
func (testDialect) NewClient() session.Client                       { return nil }
func (testDialect) Templates() []session.Template                   { return nil }
func (testDialect) CheckMessage([]byte) error                       { return nil }
func (testDialect) SubscriptionOf(frame []byte) (json.RawMessage, bool) {
	var m struct {
		Type  string          `json:"type"`
		Query json.RawMessage `json:"query"`
	}
	if json.Unmarshal(frame, &m) != nil || m.Type != "subscribe" {
		return nil, false
	}
	return m.Query, true
}

func init() { session.Register(testDialect{}) }

func profile() session.Profile {
	return session.Profile{
		Name: "watch", Dialect: "recordtest",
		URL:   "wss://user:" + password + "@feed.example/stream?i=" + token + "&preview=true&access_token=" + token,
		Token: token, Password: password, User: "user",
		Headers:     map[string]string{"Cookie": hdrValue, "X-Api-Key": "k-" + token},
		HeaderNames: []string{"Cookie"},
		Subs:        []json.RawMessage{json.RawMessage(`{"area":"harbour"}`)},
		Settings:    map[string]string{"kindPointer": "/type"},
	}
}

// events is a session's worth: states, out frames, in frames, some of which echo a
// secret the way a careless server might.
func events(n int) []session.Event {
	evs := []session.Event{
		{Time: t0, Dir: session.DirState, Kind: session.StateConnecting, Summary: "connecting to wss://feed.example/stream?i=•••"},
		{Time: t0.Add(time.Millisecond), Dir: session.DirState, Kind: session.StateOpen, Summary: "connected to wss://feed.example/stream?i=•••"},
		{Time: t0.Add(2 * time.Millisecond), Dir: session.DirOut, Sub: "1", Kind: "subscribe", Summary: "subscribe", Raw: json.RawMessage(`{"type":"subscribe","query":{"area":"harbour"}}`)},
	}
	for i := 0; i < n; i++ {
		raw := fmt.Sprintf(`{"type":"data","id":"s1","n":%d,"text":"line\nbreak ünïcode"}`, i)
		if i%7 == 3 {
			raw = fmt.Sprintf(`{"type":"data","id":"s1","n":%d,"echo":"Bearer %s","cookie":"%s"}`, i, token, strings.ReplaceAll(hdrValue, `"`, `\"`))
		}
		h, sp := float64(i%360), 3.5
		evs = append(evs, session.Event{Time: t0.Add(time.Duration(10+i) * time.Millisecond), Dir: session.DirIn, Sub: "1", Kind: "data",
			Summary: fmt.Sprintf("event %d", i), Geo: &session.Point{Lon: -77.06 + float64(i)*1e-4, Lat: 38.9},
			Key: fmt.Sprint("track", i%5), Label: "MV Example", Heading: &h, Speed: &sp, Raw: json.RawMessage(raw)})
	}
	for i := range evs {
		evs[i].Profile, evs[i].Dialect = "watch", "recordtest"
	}
	return evs
}

func record(t *testing.T, path string, evs []session.Event, o Options) *Writer {
	t.Helper()
	w, err := Create(path, profile(), o)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		w.Publish(ev)
	}
	return w
}

func fileText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		b, _ = io.ReadAll(zr) // a file still being written ends without a trailer
	}
	return string(b)
}

// sameEvent compares what a recording must keep of an event, raw byte for byte.
func sameEvent(t *testing.T, i int, got, want session.Event) {
	t.Helper()
	g, w := string(got.AppendJSON(nil)), string(want.AppendJSON(nil))
	if g != w {
		t.Fatalf("event %d differs:\n got %s\nwant %s", i, g, w)
	}
	if !got.Time.Equal(want.Time) {
		t.Fatalf("event %d time %v, want %v (nanoseconds must survive)", i, got.Time, want.Time)
	}
}

func TestRoundTripKeepsEveryEventAndNoSecret(t *testing.T) {
	for _, name := range []string{"rec.ndjson", "rec.ndjson.gz"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			evs := events(200)
			w := record(t, path, evs, Options{})
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if w.Events() != int64(len(evs)) || w.Size() <= 0 {
				t.Fatalf("writer counted %d events, %d bytes", w.Events(), w.Size())
			}
			text := fileText(t, path)
			if name == "rec.ndjson.gz" && !strings.HasPrefix(fileText(t, path), `{"format"`) {
				t.Fatal("gzip file does not decompress to a header line")
			}
			for _, secret := range []string{token, password, hdrValue, "k-" + token, "cookie=42"} {
				if strings.Contains(text, secret) {
					t.Fatalf("the recording holds the secret %q:\n%s", secret, text[:min(len(text), 2000)])
				}
			}
			if strings.Contains(text, "user:") {
				t.Fatal("the recording keeps the URL's user information")
			}
			if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
				t.Fatalf("recording is readable by others: %v", fi.Mode())
			}
			rec, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Err != nil {
				t.Fatalf("a clean recording reports %v", rec.Err)
			}
			h := rec.Header
			if h.Format != Format || h.Version != Version || h.Inferred || h.Profile.Dialect != "recordtest" || h.Profile.Name != "watch" {
				t.Fatalf("header %+v", h)
			}
			if h.Profile.URL != "wss://feed.example/stream?preview=true" {
				t.Fatalf("header URL %q: credentials must go, the rest stay", h.Profile.URL)
			}
			if len(h.Profile.Subs) != 1 || string(h.Profile.Subs[0]) != `{"area":"harbour"}` || h.Profile.Settings["kindPointer"] != "/type" {
				t.Fatalf("header profile %+v", h.Profile)
			}
			if strings.Join(h.Profile.HeaderNames, ",") != "Cookie,X-Api-Key" {
				t.Fatalf("header names %v: the names stay, values never", h.Profile.HeaderNames)
			}
			if time.Since(h.Start) > time.Minute {
				t.Fatalf("start %v", h.Start)
			}
			if len(rec.Events) != len(evs) {
				t.Fatalf("read %d events, wrote %d", len(rec.Events), len(evs))
			}
			for i := range evs {
				want := evs[i]
				if i >= 3 && (i-3)%7 == 3 {
					// The echoed secrets are blanked, the rest of the frame kept.
					if !bytes.Contains(rec.Events[i].Raw, []byte(`"echo":"Bearer •••"`)) || !bytes.Contains(rec.Events[i].Raw, []byte(`"cookie":"•••"`)) {
						t.Fatalf("event %d raw %s", i, rec.Events[i].Raw)
					}
					continue
				}
				sameEvent(t, i, rec.Events[i], want)
			}
		})
	}
}

func TestFlushedWithinASecondWithoutClose(t *testing.T) {
	for _, name := range []string{"live.ndjson", "live.ndjson.gz"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			evs := events(50)
			start := time.Now()
			w := record(t, path, evs, Options{})
			defer w.Close()
			// Read the file as a crash would leave it: never closed.
			deadline := start.Add(5 * time.Second)
			for {
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				rec, err := Read(f)
				f.Close()
				if err == nil && len(rec.Events) == len(evs) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the events never reached the file without a close")
				}
				time.Sleep(20 * time.Millisecond) // polling interval
			}
			if el := time.Since(start); el > 1500*time.Millisecond {
				t.Fatalf("the events took %s to reach the file; a crash may lose at most a second", el)
			}
		})
	}
}

func TestRotationBySizeKeepsTheNewestParts(t *testing.T) {
	for _, name := range []string{"big.ndjson", "big.ndjson.gz"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, name)
			evs := events(3000)
			limit := int64(32 << 10)
			if strings.HasSuffix(name, ".gz") {
				limit = 4 << 10 // the events compress twentyfold
			}
			w := record(t, path, evs, Options{MaxBytes: limit, Keep: 3})
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			parts := w.Parts()
			if len(parts) != 3 {
				t.Fatalf("parts %v: want the newest 3", parts)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Fatalf("the oldest part %s is still there", path)
			}
			var total int64
			var read []session.Event
			lastPart := 0
			for _, p := range parts {
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				total += fi.Size()
				if fi.Size() > limit+64<<10 {
					t.Fatalf("%s holds %d bytes, cap %d", p, fi.Size(), limit)
				}
				rec, err := Load(p)
				if err != nil || rec.Err != nil {
					t.Fatalf("%s: %v %v", p, err, rec.Err)
				}
				if rec.Header.Part <= lastPart {
					t.Fatalf("%s is part %d after part %d", p, rec.Header.Part, lastPart)
				}
				lastPart = rec.Header.Part
				read = append(read, rec.Events...)
			}
			if w.Size() != total {
				t.Fatalf("Size %d, files hold %d", w.Size(), total)
			}
			// The kept parts are the tail of the stream, without a gap.
			tail := evs[len(evs)-len(read):]
			for i := range read {
				if read[i].Summary != tail[i].Summary {
					t.Fatalf("kept event %d is %q, want %q", i, read[i].Summary, tail[i].Summary)
				}
			}
			if !strings.HasSuffix(parts[0], strings.Replace(name, ".", fmt.Sprintf("-%d.", lastPart-2), 1)) {
				t.Fatalf("part names %v", parts)
			}
		})
	}
}

func TestRotationByDuration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "span.ndjson")
	evs := events(1000) // one event a millisecond
	w := record(t, path, evs, Options{MaxDuration: 250 * time.Millisecond})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	parts := w.Parts()
	if len(parts) < 4 || len(parts) > 6 {
		t.Fatalf("1 s of events in 250 ms parts made %d parts", len(parts))
	}
	n := 0
	for _, p := range parts[1:] {
		rec, err := Load(p)
		if err != nil || rec.Err != nil {
			t.Fatal(err, rec.Err)
		}
		span := rec.Events[len(rec.Events)-1].Time.Sub(rec.Events[0].Time)
		if span >= 250*time.Millisecond {
			t.Fatalf("%s spans %s", p, span)
		}
		if !rec.Header.Start.Equal(rec.Events[0].Time) {
			t.Fatalf("%s starts %v, its first event %v", p, rec.Header.Start, rec.Events[0].Time)
		}
		n += len(rec.Events)
	}
	first, _ := Load(parts[0])
	if n+len(first.Events) != len(evs) {
		t.Fatalf("parts hold %d events, wrote %d", n+len(first.Events), len(evs))
	}
}

// lines writes a file from lines and loads it.
func loadLines(t *testing.T, lines ...string) (*Recording, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hand.ndjson")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	return Load(path)
}

func goodLines(t *testing.T, n int) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "good.ndjson")
	w := record(t, path, events(n), Options{})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(fileText(t, path), "\n"), "\n")
}

func TestBadLinesStopTheReadingAndAreNamed(t *testing.T) {
	good := goodLines(t, 10) // header + 13 events
	cases := []struct {
		name string
		edit func([]string) []string
		line int
		want string
	}{
		{"garbage", func(l []string) []string { l[4] = "this is not json"; return l }, 5, "not a valid event"},
		{"cut mid-line", func(l []string) []string { l[9] = l[9][:len(l[9])/2]; return l[:10] }, 10, "cut short"},
		{"bad dir", func(l []string) []string { l[6] = strings.Replace(l[6], `"dir":"in"`, `"dir":"sideways"`, 1); return l }, 7, `not "sideways"`},
		{"no time", func(l []string) []string { l[3] = strings.Replace(l[3], `"time":`, `"tim":`, 1); return l }, 4, `no "time"`},
		{"other dialect", func(l []string) []string {
			l[8] = strings.Replace(l[8], `"dialect":"recordtest"`, `"dialect":"other"`, 1)
			return l
		}, 9, `dialect "other"`},
		{"wrong type", func(l []string) []string {
			l[5] = strings.Replace(l[5], `"summary":"`, `"summary":7,"x":"`, 1)
			return l
		}, 6, "not a valid event"},
		{"other feed's header", func(l []string) []string {
			l[7] = strings.Replace(l[0], `"dialect":"recordtest"`, `"dialect":"other"`, 1)
			return l
		}, 8, "another feed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lines := c.edit(append([]string(nil), good...))
			rec, err := loadLines(t, lines...)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Err == nil || rec.Err.Line != c.line || !strings.Contains(rec.Err.Error(), c.want) {
				t.Fatalf("error %v, want line %d saying %q", rec.Err, c.line, c.want)
			}
			if !strings.HasPrefix(rec.Err.Error(), fmt.Sprintf("line %d: ", c.line)) {
				t.Fatalf("message %q does not start with the line", rec.Err)
			}
			if len(rec.Events) != c.line-2 {
				t.Fatalf("kept %d events before line %d", len(rec.Events), c.line)
			}
		})
	}
	t.Run("blank lines, CRLF and a missing final newline are fine", func(t *testing.T) {
		lines := append([]string(nil), good...)
		lines[3] += "\r"
		lines = append(lines[:5], append([]string{"", "  "}, lines[5:]...)...)
		rec, err := loadLines(t, lines...)
		if err != nil || rec.Err != nil || len(rec.Events) != 13 {
			t.Fatalf("%v %v %d", err, rec.Err, len(rec.Events))
		}
	})
	t.Run("concatenated parts", func(t *testing.T) {
		rec, err := loadLines(t, append(append([]string(nil), good...), good...)...)
		if err != nil || rec.Err != nil || len(rec.Events) != 26 {
			t.Fatalf("%v %v %d", err, rec.Err, len(rec.Events))
		}
	})
}

func TestTruncatedGzipOpensUpToTheCut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cut.ndjson.gz")
	evs := events(2000)
	w := record(t, path, evs, Options{})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	for _, cut := range []int{len(b) - 4, len(b) / 2, len(b) / 5} {
		rec, err := Read(bytes.NewReader(b[:cut]))
		if err != nil {
			t.Fatal(err)
		}
		if rec.Err == nil || !strings.Contains(rec.Err.Error(), "cut short") {
			t.Fatalf("cut at %d of %d: error %v", cut, len(b), rec.Err)
		}
		if rec.Err.Line != len(rec.Events)+2 {
			t.Fatalf("cut at %d: error on line %d after %d events", cut, rec.Err.Line, len(rec.Events))
		}
		if cut < len(b)-4 && len(rec.Events) == 0 {
			t.Fatalf("cut at %d: nothing read", cut)
		}
		for i := range rec.Events {
			if i >= 3 && (i-3)%7 == 3 {
				continue
			}
			sameEvent(t, i, rec.Events[i], evs[i])
		}
	}
	// A damaged byte in the middle of the stream.
	bad := append([]byte(nil), b...)
	for i := len(bad) / 2; i < len(bad)/2+16; i++ {
		bad[i] ^= 0x5a
	}
	rec, err := Read(bytes.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Err == nil || rec.Err.Line < 2 {
		t.Fatalf("damaged stream: error %v", rec.Err)
	}
}

func TestUnknownVersionAndForeignFilesAreRefused(t *testing.T) {
	good := goodLines(t, 2)
	newer := strings.Replace(good[0], fmt.Sprintf(`"version":%d`, Version), `"version":7`, 1)
	_, err := loadLines(t, append([]string{newer}, good[1:]...)...)
	if err == nil || !strings.Contains(err.Error(), "version 7") || !strings.Contains(err.Error(), "newer Feedscope") {
		t.Fatalf("a newer version: %v", err)
	}
	for _, c := range []struct{ first, want string }{
		{`{"format":"something-else","version":1}`, "not a Feedscope recording"},
		{`{"format":"feedscope-recording","version":0,"profile":{"dialect":"x"}}`, "not a valid format version"},
		{`{"format":"feedscope-recording","version":1,"profile":{}}`, "no dialect"},
		{`hello`, "line 1: neither a recording header nor a tail event"},
		{`{"time":"2026-01-01T00:00:00Z","dir":"in"}`, "names no \"dialect\""},
	} {
		if _, err := loadLines(t, c.first, good[1]); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("first line %s: %v, want %q", c.first, err, c.want)
		}
	}
	if _, err := loadLines(t); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("empty file: %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.ndjson")); err == nil || !strings.Contains(err.Error(), "missing.ndjson") {
		t.Fatalf("missing file: %v", err)
	}
}

func TestPlainTailOutputOpensWithAnInferredHeader(t *testing.T) {
	var lines []string
	for _, ev := range events(20) {
		lines = append(lines, string(ev.AppendJSON(nil)))
	}
	rec, err := loadLines(t, lines...)
	if err != nil || rec.Err != nil {
		t.Fatal(err, rec.Err)
	}
	h := rec.Header
	if !h.Inferred || h.Profile.Dialect != "recordtest" || h.Profile.Name != "watch" || !h.Start.Equal(t0) {
		t.Fatalf("inferred header %+v", h)
	}
	if h.Profile.URL != "wss://feed.example/stream?i=•••" || len(h.Profile.Subs) != 1 || string(h.Profile.Subs[0]) != `{"area":"harbour"}` {
		t.Fatalf("inferred profile %+v", h.Profile)
	}
	if len(rec.Events) != 23 {
		t.Fatalf("%d events", len(rec.Events))
	}
	for i, ev := range events(20) {
		sameEvent(t, i, rec.Events[i], ev)
	}
}

func TestPartNames(t *testing.T) {
	for _, c := range [][3]string{
		{"a/rec.ndjson", "2", "a/rec-2.ndjson"},
		{"rec.ndjson.gz", "3", "rec-3.ndjson.gz"},
		{"rec.log", "2", "rec-2.log"},
		{"rec", "2", "rec-2"},
		{"rec.ndjson", "1", "rec.ndjson"},
	} {
		var n int
		fmt.Sscan(c[1], &n)
		if got := PartName(c[0], n); got != filepath.FromSlash(c[2]) {
			t.Fatalf("PartName(%s, %d) = %s, want %s", c[0], n, got, c[2])
		}
	}
}

func TestWriteErrorIsKept(t *testing.T) {
	if _, err := Create(filepath.Join(t.TempDir(), "no", "such", "dir.ndjson"), profile(), Options{}); err == nil || !strings.Contains(err.Error(), "cannot create") {
		t.Fatalf("create in a missing directory: %v", err)
	}
	if _, err := Create(filepath.Join(t.TempDir(), "x.ndjson"), profile(), Options{MaxBytes: -1}); err == nil {
		t.Fatal("a negative cap was taken")
	}
}

func TestSetRecordsEachProfileIntoItsOwnFile(t *testing.T) {
	s := &Set{Dir: t.TempDir()}
	a, b := profile(), profile()
	b.Name = "other/profile: two"
	pa, err := s.Start(a)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := s.Start(b)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := s.Start(a); again != pa {
		t.Fatalf("a second Start made %s", again)
	}
	if filepath.Dir(pb) != s.Dir || strings.ContainsAny(filepath.Base(pb), "/: ") || !strings.HasPrefix(filepath.Base(pb), "other_profile__two-") || !strings.HasSuffix(pb, ".ndjson.gz") {
		t.Fatalf("file name %s", pb)
	}
	evs := events(30)
	for _, e := range evs {
		s.Publish(e) // profile "watch": a's
		e.Profile = b.Name
		s.Publish(e)
		e.Profile = "not recording"
		s.Publish(e)
	}
	if got := s.Names(); len(got) != 2 {
		t.Fatalf("recording %v", got)
	}
	on, path, size, err := s.Recording(a.Name)
	if !on || path != pa || size <= 0 || err != nil {
		t.Fatalf("Recording: %v %s %d %v", on, path, size, err)
	}
	if s.Size() < size {
		t.Fatalf("Size %d < %d", s.Size(), size)
	}
	if err := s.Stop(a.Name); err != nil {
		t.Fatal(err)
	}
	if on, _, _, _ := s.Recording(a.Name); on || s.Stop(a.Name) != nil {
		t.Fatal("still recording after Stop")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, name string }{{pa, "watch"}, {pb, b.Name}} {
		rec, err := Load(c.path)
		if err != nil || rec.Err != nil || len(rec.Events) != len(evs) || rec.Header.Profile.Name != c.name {
			t.Fatalf("%s: %v %v %d events, header %+v", c.path, err, rec.Err, len(rec.Events), rec.Header.Profile)
		}
	}
	if FileName("Hafen Süd", t0) != "Hafen_Süd-20261201-090000.ndjson.gz" || FileName("/", t0) != "recording-20261201-090000.ndjson.gz" {
		t.Fatalf("FileName: %s, %s", FileName("Hafen Süd", t0), FileName("/", t0))
	}
}
