package sessiontest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/feedscope/feedscope/session"
	"github.com/gorilla/websocket"
)

// CorpusFile is one frame of testdata/real/<dialect>/: what a real service (or its
// official client) sends, with the public source it was read from.
type CorpusFile struct {
	Name      string          // file name without .json
	Source    string          `json:"source"`    // repository path or docs URL
	Direction string          `json:"direction"` // "server" or "client"
	Frame     json.RawMessage `json:"frame"`
}

// Corpus loads every file of testdata/real/<dialect>/, sorted by name; a file without
// a source or a frame fails the test.
func Corpus(t testing.TB, dialect string) []CorpusFile {
	t.Helper()
	dir := filepath.Join(moduleRoot(t), "testdata", "real", dialect)
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no corpus in %s: %v", dir, err)
	}
	sort.Strings(names)
	out := make([]CorpusFile, 0, len(names))
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		var f CorpusFile
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		f.Name = strings.TrimSuffix(filepath.Base(n), ".json")
		if strings.TrimSpace(f.Source) == "" || len(f.Frame) == 0 || (f.Direction != "server" && f.Direction != "client") {
			t.Fatalf("%s: needs a source, a direction (server or client) and a frame", n)
		}
		out = append(out, f)
	}
	return out
}

func moduleRoot(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's directory")
		}
		dir = parent
	}
}

// Replay serves frame to a fresh session of p (its URL is replaced) from a
// purpose-built server on 127.0.0.1, and returns the first n incoming events the
// session made of it (errors included, so a test sees them).
func Replay(t testing.TB, p session.Profile, frame []byte, n int) []session.Event {
	t.Helper()
	var up websocket.Upgrader
	done := make(chan struct{})
	srv := &http.Server{ReadHeaderTimeout: Timeout, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Echo whatever subprotocol was offered (Gotham's Bearer-<token>).
		h := http.Header{}
		if sp := websocket.Subprotocols(r); len(sp) > 0 {
			h.Set("Sec-WebSocket-Protocol", sp[0])
		}
		c, err := up.Upgrade(w, r, h)
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.WriteMessage(websocket.TextMessage, frame)
		go func() {
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
			}
		}()
		select {
		case <-done:
		case <-time.After(Timeout):
		}
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	defer func() { close(done); _ = srv.Close() }()
	u := p.URL
	if i := strings.Index(u, "://"); i >= 0 {
		rest := u[i+3:]
		path := ""
		if j := strings.IndexAny(rest, "/?"); j >= 0 {
			path = rest[j:]
		}
		u = "ws://" + ln.Addr().String() + path
	}
	p.URL = u
	s, c := Connect(t, p)
	var got []session.Event
	Until(t, fmt.Sprintf("%d incoming events", n), func() bool {
		got = got[:0]
		for _, e := range c.Events() {
			if e.Dir == session.DirIn {
				got = append(got, e)
			}
		}
		return len(got) >= n
	})
	s.Close()
	return got[:n]
}

// Shape maps every path of a JSON value to the set of its types ("string",
// "number", "bool", "null", "object", "array"); array elements share the path
// "<path>[]".
func Shape(raw []byte) (map[string]map[string]bool, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	out := map[string]map[string]bool{}
	walkShape("", v, out)
	return out, nil
}

func walkShape(path string, v any, out map[string]map[string]bool) {
	add := func(ty string) {
		if out[path] == nil {
			out[path] = map[string]bool{}
		}
		out[path][ty] = true
	}
	switch x := v.(type) {
	case map[string]any:
		add("object")
		for k, e := range x {
			walkShape(path+"."+k, e, out)
		}
	case []any:
		add("array")
		for _, e := range x {
			walkShape(path+"[]", e, out)
		}
	case string:
		add("string")
	case float64:
		add("number")
	case bool:
		add("bool")
	case nil:
		add("null")
	}
}

// ShapeDiff lists how the demo frame's shape departs from the union of the real
// frames' shapes: a field the real service never sends, a field with another type
// (null matches any type: a nullable field), and a field of the envelope (the first
// depth levels) that every real frame has and the demo lacks.
func ShapeDiff(demo []byte, real [][]byte, depth int) []string {
	d, err := Shape(demo)
	if err != nil {
		return []string{"demo frame is not JSON: " + err.Error()}
	}
	union := map[string]map[string]bool{}
	common := map[string]int{}
	for _, r := range real {
		s, err := Shape(r)
		if err != nil {
			return []string{"corpus frame is not JSON: " + err.Error()}
		}
		for p, types := range s {
			if union[p] == nil {
				union[p] = map[string]bool{}
			}
			for ty := range types {
				union[p][ty] = true
			}
			common[p]++
		}
	}
	var out []string
	for p, dtypes := range d {
		types, ok := union[p]
		if !ok {
			if !underArrayOrNull(p, union) {
				out = append(out, fmt.Sprintf("%s: the real service never sends this field", p))
			}
			continue
		}
		for ty := range dtypes {
			if !types[ty] && ty != "null" && !types["null"] {
				out = append(out, fmt.Sprintf("%s: demo sends %s, the real service %s", p, ty, keys(types)))
			}
		}
	}
	for p, n := range common {
		if n == len(real) && strings.Count(p, ".") <= depth && !strings.Contains(p, "[]") {
			if _, ok := d[p]; !ok && !nullParent(p, d) {
				out = append(out, fmt.Sprintf("%s: the real service always sends this field, the demo does not", p))
			}
		}
	}
	sort.Strings(out)
	return out
}

// underArrayOrNull reports whether p lies under a path whose contents the real
// frames leave open: only ever null, an empty array, or an empty object (a map whose
// keys are data, like reactions).
func underArrayOrNull(p string, union map[string]map[string]bool) bool {
	for q := p; ; {
		i := strings.LastIndexAny(q, ".[")
		if i <= 0 {
			return false
		}
		q = q[:i]
		t, ok := union[q]
		if !ok {
			continue
		}
		if t["null"] && len(t) == 1 {
			return true
		}
		for k := range union {
			if strings.HasPrefix(k, q+".") || strings.HasPrefix(k, q+"[]") {
				return false
			}
		}
		return true
	}
}

func nullParent(p string, d map[string]map[string]bool) bool {
	for q := p; ; {
		i := strings.LastIndex(q, ".")
		if i <= 0 {
			return false
		}
		q = q[:i]
		if d[q]["null"] {
			return true
		}
	}
}

func keys(m map[string]bool) string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return strings.Join(s, "|")
}

// Row is what a corpus frame must become: for a server frame, the kind and summary
// of the first of its N events (N 0 means 1); for a client frame, Kind "client" and
// the dialect's CheckMessage must accept it.
type Row struct {
	Kind, Summary string
	N             int
}

// CheckCorpus runs every file of the dialect's corpus against its row: a file without
// a row, or a row without a file, fails the test.
func CheckCorpus(t *testing.T, p session.Profile, rows map[string]Row) {
	t.Helper()
	d, ok := session.Lookup(p.Dialect)
	if !ok {
		t.Fatalf("dialect %q not registered", p.Dialect)
	}
	seen := map[string]bool{}
	for _, f := range Corpus(t, p.Dialect) {
		seen[f.Name] = true
		row, ok := rows[f.Name]
		if !ok {
			t.Errorf("testdata/real/%s/%s.json has no row in the table: add what it must decode to", p.Dialect, f.Name)
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			if f.Direction == "client" {
				if row.Kind != "client" {
					t.Fatalf("client frame needs Kind \"client\"")
				}
				if err := d.CheckMessage(f.Frame); err != nil {
					t.Fatalf("the official client's frame is refused: %v", err)
				}
				return
			}
			n := max(row.N, 1)
			evs := Replay(t, p, f.Frame, n)
			for _, e := range evs {
				if e.Kind == "error" && row.Kind != "error" {
					t.Errorf("decoding error: %s", e.Summary)
				}
			}
			if evs[0].Kind != row.Kind || evs[0].Summary != row.Summary {
				t.Errorf("got  {%q, %q}\nwant {%q, %q}", evs[0].Kind, evs[0].Summary, row.Kind, row.Summary)
			}
		})
	}
	for name := range rows {
		if !seen[name] {
			t.Errorf("row %q has no file testdata/real/%s/%s.json", name, p.Dialect, name)
		}
	}
}

// CheckShapes reads demo frames from r until every kind in want has been seen (or
// Timeout passes), and checks each frame of a wanted kind against the shapes of the
// named corpus files: the demo mirror must not drift from the real service.
func CheckShapes(t *testing.T, r *Raw, dialect string, kind func(m map[string]any) string, want map[string][]string) {
	t.Helper()
	corpus := map[string][]byte{}
	for _, f := range Corpus(t, dialect) {
		corpus[f.Name] = f.Frame
	}
	real := map[string][][]byte{}
	for k, names := range want {
		for _, n := range names {
			f, ok := corpus[n]
			if !ok {
				t.Fatalf("want names corpus file %s.json, which does not exist", n)
			}
			real[k] = append(real[k], f)
		}
	}
	seen, reported := map[string]bool{}, map[string]bool{}
	deadline := time.Now().Add(Timeout)
	_ = r.Conn.SetReadDeadline(deadline)
	for len(seen) < len(want) {
		_, data, err := r.Conn.ReadMessage()
		if err != nil {
			var missing []string
			for k := range want {
				if !seen[k] {
					missing = append(missing, k)
				}
			}
			sort.Strings(missing)
			t.Fatalf("the demo never sent %v: %v", missing, err)
		}
		var m map[string]any
		if json.Unmarshal(data, &m) != nil {
			t.Fatalf("demo sent non-JSON %q", data)
		}
		k := kind(m)
		if real[k] == nil {
			continue
		}
		if diff := ShapeDiff(data, real[k], 2); len(diff) > 0 && !reported[k] {
			reported[k] = true
			t.Errorf("demo %s frame departs from the corpus %v:\n  %s\nframe: %s", k, want[k], strings.Join(diff, "\n  "), Clip(data))
		}
		seen[k] = true
	}
}

// Clip shortens a frame for a failure message.
func Clip(b []byte) string { return session.Clip(b, 600) }
