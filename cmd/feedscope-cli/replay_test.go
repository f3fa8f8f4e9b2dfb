package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// startReplay runs `feedscope-cli replay` and returns its announcement and stderr.
func startReplay(t *testing.T, args ...string) (map[string]any, *bufio.Reader) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"replay"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := bufio.NewReader(errPipe)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadBytes('\n')
	if err != nil {
		rest, _ := stderr.ReadString(0)
		_ = cmd.Wait()
		t.Fatalf("replay printed nothing: %v; stderr %s", err, rest)
	}
	var ann map[string]any
	if err := json.Unmarshal(line, &ann); err != nil {
		t.Fatalf("first line %q: %v", line, err)
	}
	return ann, stderr
}

// The headless binary records with tail --record and serves the file with replay;
// tail receives the recorded frames from it, and a damaged file is served up to
// the line it names.
func TestTailRecordThenReplay(t *testing.T) {
	eps := startDemoServer(t, "--speed", "20")
	path := filepath.Join(t.TempDir(), "gotham.ndjson")
	sub := `{"location":` + `[{"longitude":-77.07,"latitude":38.89},{"longitude":-77.05,"latitude":38.89},{"longitude":-77.05,"latitude":38.91},{"longitude":-77.07,"latitude":38.91},{"longitude":-77.07,"latitude":38.89}]}`
	url := strings.Replace(eps["gotham"], "{specId}", "demo-vessels", 1)
	_, stderr, code := run(t, "tail", "--dialect", "gotham", "--url", url, "--token", "s3cret-token-value", "--sub", sub, "--count", "40", "--record", path)
	if code != 0 {
		t.Fatalf("tail --record: exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "s3cret-token-value") {
		t.Fatal("the recording holds the token")
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if !strings.HasPrefix(lines[0], `{"format":"feedscope-recording","version":1,`) || len(lines) != 42 { // 40 events, then tail closing
		t.Fatalf("%d lines, header %s", len(lines), lines[0])
	}
	var data int
	for _, l := range lines {
		if strings.Contains(l, `"dir":"in","sub":"1","kind":"data"`) {
			data++
		}
	}

	ann, _ := startReplay(t, path, "--speed", "10")
	eps2, _ := ann["endpoints"].(map[string]any)
	rurl, _ := eps2["gotham"].(string)
	if ann["dialect"] != "gotham" || !strings.HasPrefix(rurl, "ws://127.0.0.1:") || !strings.Contains(rurl, "/demo-vessels?preview=true") {
		t.Fatalf("announcement %v", ann)
	}
	// connecting, open, subscribe, subscribed, then the data.
	out, stderr, code := run(t, "tail", "--dialect", "gotham", "--url", rurl, "--token", "anything", "--sub", sub, "--count", "40")
	if code != 0 {
		t.Fatalf("tail of the replay: exit %d: %s", code, stderr)
	}
	got := parseLines(t, out)
	n := 0
	for i, l := range got {
		if l.Kind == "data" {
			n++
			if l.Sub == nil || *l.Sub != "1" || l.Geo == nil {
				t.Fatalf("line %d: %+v", i, l)
			}
		}
	}
	if n != data {
		t.Fatalf("received %d observations, recorded %d", n, data)
	}

	// Line 7 damaged: the replay serves the five events before it and says why.
	lines[6] = `{"time":"garbage"`
	bad := filepath.Join(t.TempDir(), "bad.ndjson")
	if err := os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	ann, stderrB := startReplay(t, bad)
	warning, _ := stderrB.ReadString('\n')
	if !strings.Contains(warning, "bad.ndjson: line 7: ") || !strings.Contains(warning, "serving the 5 events before it") {
		t.Fatalf("stderr %q", warning)
	}
	if ann["listen"] == nil {
		t.Fatalf("announcement %v", ann)
	}

	_, stderr, code = run(t, "replay")
	if code != 2 || !strings.Contains(stderr, "exactly one recording") {
		t.Fatalf("no file: exit %d %q", code, stderr)
	}
	_, stderr, code = run(t, "replay", filepath.Join(t.TempDir(), "none.ndjson"))
	if code != 1 || !strings.Contains(stderr, "none.ndjson") {
		t.Fatalf("missing file: exit %d %q", code, stderr)
	}
	_, stderr, code = run(t, "replay", path, "--listen", "0.0.0.0:0")
	if code != 1 || !strings.Contains(stderr, "loopback only") {
		t.Fatalf("remote: exit %d %q", code, stderr)
	}
}
