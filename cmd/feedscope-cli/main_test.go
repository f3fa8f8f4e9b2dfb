package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/feedscope/feedscope/session"
)

var binary string

// TestMain builds the real headless binary once as `go install …@latest` does:
// cgo off, no build tags. The tests run it as a user would.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "feedscope-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "feedscope-cli")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("build: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// startDemoServer runs `feedscope-cli demo-server` and returns its endpoints.
func startDemoServer(t *testing.T, args ...string) map[string]string {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"demo-server", "--listen", "127.0.0.1:0"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadBytes('\n')
	if err != nil {
		t.Fatalf("demo-server printed nothing: %v", err)
	}
	var ann struct {
		Listen    string            `json:"listen"`
		Endpoints map[string]string `json:"endpoints"`
	}
	if err := json.Unmarshal(line, &ann); err != nil || !strings.HasPrefix(ann.Listen, "127.0.0.1:") || len(ann.Endpoints) != len(session.Dialects()) {
		t.Fatalf("first line %q: %v", line, err)
	}
	want := "ws://" + ann.Listen + "/api/ws/gotham/v1/observations/{specId}?preview=true"
	if ann.Endpoints["gotham"] != want {
		t.Errorf("gotham endpoint %q, want %q", ann.Endpoints["gotham"], want)
	}
	return ann.Endpoints
}

type line struct {
	Time    time.Time       `json:"time"`
	Profile string          `json:"profile"`
	Dialect string          `json:"dialect"`
	Dir     string          `json:"dir"`
	Sub     *string         `json:"sub"`
	Kind    string          `json:"kind"`
	Summary string          `json:"summary"`
	Geo     *struct{}       `json:"geo"`
	Raw     json.RawMessage `json:"raw"`
}

func TestTailAgainstDemoServer(t *testing.T) {
	eps := startDemoServer(t, "--speed", "20")
	cases := []struct {
		dialect string
		args    []string
		want    string // a kind that must appear
	}{
		{"hypothesis", []string{"--token", "abcdef123456", "--sub", `{"match_policy":"include_any","clauses":[{"field":"/group","value":"__world__"}],"actions":{"create":true}}`}, "whoyouare"},
		{"misskey", []string{"--sub", `{"channel":"localTimeline"}`, "--sub", `{"channel":"serverStats"}`}, "note"},
		{"gotham", []string{"--url", strings.Replace(eps["gotham"], "{specId}", "demo-aircraft", 1), "--token", "demo", "--sub", `{}`}, "data"},
		{"isymphony", []string{"--user", "manager", "--password", "manag3rpa55word"}, "filterResponse"},
	}
	for _, c := range cases {
		t.Run(c.dialect, func(t *testing.T) {
			args := []string{"tail", "--dialect", c.dialect, "--count", "20", "--duration", "20s", "--profile", "t-" + c.dialect}
			if c.dialect != "gotham" {
				args = append(args, "--url", eps[c.dialect])
			}
			if c.dialect == "isymphony" {
				args = append(args, "--sub", `[]`)
			}
			out, stderr, code := run(t, append(args, c.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			lines := parseLines(t, out)
			if len(lines) != 20 {
				t.Fatalf("got %d lines, want 20", len(lines))
			}
			kinds := map[string]bool{}
			for _, l := range lines {
				if l.Profile != "t-"+c.dialect || l.Dialect != c.dialect || l.Sub == nil || l.Time.IsZero() {
					t.Errorf("line lacks fields: %+v", l)
				}
				kinds[l.Kind] = true
			}
			if !kinds["open"] {
				t.Errorf("no open state in %v", kinds)
			}
			if !kinds[c.want] {
				t.Errorf("no %s event in %v", c.want, kinds)
			}
			if bytes.Contains(out, []byte("manag3rpa55word")) || bytes.Contains(out, []byte("abcdef123456")) {
				t.Error("a secret reached stdout")
			}
		})
	}
}

func TestTailDemoFlag(t *testing.T) {
	out, stderr, code := run(t, "tail", "--demo", "--dialect", "gotham", "--sub", "{}", "--count", "6", "--duration", "20s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var geo bool
	for _, l := range parseLines(t, out) {
		if l.Kind == "data" && l.Geo != nil {
			geo = true
		}
	}
	if !geo {
		t.Errorf("no data event with geo in %s", out)
	}
}

// --demo brings the credentials the demo accepts: iSymphony's need both a user and a
// password.
func TestTailDemoCredentials(t *testing.T) {
	out, stderr, code := run(t, "tail", "--demo", "--dialect", "isymphony", "--sub", "[]", "--count", "4", "--duration", "20s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var ok bool
	for _, l := range parseLines(t, out) {
		ok = ok || l.Kind == "filterResponse"
	}
	if !ok || bytes.Contains(out, []byte("manag3rpa55word")) {
		t.Errorf("want a filterResponse and no password in %s", out)
	}
}

func TestTailUsageErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"bad json", []string{"--dialect", "misskey", "--url", "ws://127.0.0.1:1/streaming", "--sub", "{\"channel\":\n}"}, "line 2, column 1"},
		{"misskey params null", []string{"--dialect", "misskey", "--url", "ws://127.0.0.1:1/streaming", "--sub", `{"channel":"main","params":null}`}, `"params" must be an object`},
		{"hypothesis clause", []string{"--dialect", "hypothesis", "--url", "ws://127.0.0.1:1/ws", "--sub", `{"match_policy":"include_any","clauses":[{"field":"/uri"}],"actions":{}}`}, `clauses[0]: "value" is missing`},
		{"gotham polygon", []string{"--dialect", "gotham", "--url", "ws://127.0.0.1:1/x", "--sub", `{"location":[{"longitude":1,"latitude":1}]}`}, "location: polygon needs at least 4 points"},
		{"isymphony value", []string{"--dialect", "isymphony", "--url", "ws://127.0.0.1:1/x", "--sub", `[{"property":"type"}]`}, `filters[0]: "value" must be a string`},
		{"two hypothesis filters", []string{"--dialect", "hypothesis", "--url", "ws://127.0.0.1:1/ws", "--sub", `{"match_policy":"include_any","clauses":[],"actions":{}}`, "--sub", `{"match_policy":"include_any","clauses":[],"actions":{}}`}, "one filter per socket"},
		{"unknown dialect", []string{"--dialect", "irc", "--url", "ws://127.0.0.1:1/"}, "--dialect must be one of"},
		{"bad scheme", []string{"--dialect", "misskey", "--url", "http://127.0.0.1:1/"}, "scheme must be ws or wss"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, stderr, code := run(t, append([]string{"tail"}, c.args...)...)
			if code != 2 || !strings.Contains(stderr, c.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, stderr, c.want)
			}
		})
	}
}

func TestTailRejectedExits1(t *testing.T) {
	eps := startDemoServer(t)
	_, stderr, code := run(t, "tail", "--dialect", "misskey", "--url", eps["misskey"], "--token", "bad", "--duration", "20s")
	if code != 1 || !strings.Contains(stderr, "rejected: 401 invalid_token") {
		t.Fatalf("exit %d stderr %q", code, stderr)
	}
}

func TestTailSIGTERMClosesCleanly(t *testing.T) {
	eps := startDemoServer(t, "--speed", "20")
	cmd := exec.Command(binary, "tail", "--dialect", "misskey", "--url", eps["misskey"], "--sub", `{"channel":"localTimeline"}`, "--duration", "30s")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if strings.Contains(sc.Text(), `"kind":"note"`) {
			break
		}
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	rest, _ := io.ReadAll(out)
	err := cmd.Wait()
	if err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	if !bytes.Contains(rest, []byte(`"summary":"closed by user"`)) {
		t.Errorf("no closed state after SIGTERM: %s", rest)
	}
}

func TestDemoServerRefusesRemote(t *testing.T) {
	_, stderr, code := run(t, "demo-server", "--listen", "0.0.0.0:0")
	if code != 1 || !strings.Contains(stderr, "loopback only") {
		t.Fatalf("exit %d stderr %q", code, stderr)
	}
}

func run(t *testing.T, args ...string) ([]byte, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), errb.String(), code
}

func parseLines(t *testing.T, out []byte) []line {
	t.Helper()
	var ls []line
	for _, raw := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		if len(raw) == 0 {
			continue
		}
		var l line
		if err := json.Unmarshal(raw, &l); err != nil {
			t.Fatalf("not NDJSON: %q: %v", raw, err)
		}
		ls = append(ls, l)
	}
	return ls
}

// tail --alert prints only the alerts, one NDJSON line each, with the cause
// inside: a pipeline can page someone on them.
func TestTailAlerts(t *testing.T) {
	eps := startDemoServer(t, "--speed", "50")
	vessels := strings.Replace(eps["gotham"], "{specId}", "demo-vessels", 1)
	fence := `{"name":"west waterfront","kind":"geofence","on":"enter","margin_m":5,"max_per_minute":100,` +
		`"polygon":[[-77.0660,38.9000],[-77.0622,38.9000],[-77.0622,38.9080],[-77.0660,38.9080],[-77.0660,38.9000]]}`
	out, stderr, code := run(t, "tail", "--dialect", "gotham", "--url", vessels, "--token", "demo", "--sub", "{}",
		"--alert", `{"name":"belle","kind":"match","filter":"\"Potomac Belle\"","max_per_minute":1}`, "--alert", fence, "--count", "2", "--duration", "30s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var belle, entered bool
	for _, l := range parseLines(t, out) {
		if l.Dir != "alert" || l.Raw == nil {
			t.Fatalf("not an alert: %+v", l)
		}
		belle = belle || strings.HasPrefix(l.Summary, "belle: Potomac Belle")
		entered = entered || strings.Contains(l.Summary, " entered west waterfront")
	}
	if !belle || !entered {
		t.Errorf("want a match and a geofence alert in %s", out)
	}

	// A subscription over the open Atlantic stays silent.
	out, stderr, code = run(t, "tail", "--dialect", "gotham", "--url", vessels, "--token", "demo",
		"--sub", `{"location":[{"longitude":-40,"latitude":30},{"longitude":-39,"latitude":30},{"longitude":-39,"latitude":31},{"longitude":-40,"latitude":31},{"longitude":-40,"latitude":30}]}`,
		"--alert", "silence:1", "--count", "1", "--duration", "20s")
	if code != 0 || !bytes.Contains(out, []byte(`"dir":"alert"`)) || !bytes.Contains(out, []byte("nothing from the feed")) {
		t.Fatalf("exit %d, stdout %s, stderr %s", code, out, stderr)
	}

	_, stderr, code = run(t, "tail", "--demo", "--dialect", "gotham", "--alert", "state:sad")
	if code != 2 || !strings.Contains(stderr, "when must be rejected or reconnecting") {
		t.Fatalf("bad rule: exit %d, stderr %q", code, stderr)
	}
}
