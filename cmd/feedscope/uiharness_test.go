package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestUIUnderFirehose is the UI performance harness, not part of `make test`:
// `make bench-ui` runs it (FEEDSCOPE_UI_HARNESS=1, under Xvfb). The real app shows
// a 20 000 events/s Misskey firehose; the harness clicks Pause and Resume with
// xdotool and reads the app's probe lines: input latency, repaints per second, how
// late and how long each update ran, and RSS over time. At the end it prints where
// the memory is (the Go heap from the app's --pprof, the mappings from
// /proc/PID/smaps) and, with FEEDSCOPE_UI_PROFILES=DIR, keeps the heap profile
// and smaps there for `go tool pprof`.
func TestUIUnderFirehose(t *testing.T) {
	if os.Getenv("FEEDSCOPE_UI_HARNESS") == "" {
		t.Skip("set FEEDSCOPE_UI_HARNESS=1 (make bench-ui)")
	}
	rate := "20000"
	cmd := exec.Command(binary, "--demo", "--firehose", "misskey", "--rate", rate, "--probe", "--pprof", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "LANG=en_US.UTF-8", "HOME="+t.TempDir())
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1024)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()

	var probes []string
	var pprofURL string
	clickX, clickY := -1, -1
	pauseAt := regexp.MustCompile(`pause-button at (\d+),(\d+)`)
	handled := map[int64]bool{}
	wait := func(d time.Duration) {
		end := time.After(d)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatal("app exited")
				}
				if strings.Contains(l, "probe: t=") {
					probes = append(probes, l)
				}
				if m := pauseAt.FindStringSubmatch(l); m != nil {
					clickX, _ = strconv.Atoi(m[1])
					clickY, _ = strconv.Atoi(m[2])
				}
				if i := strings.Index(l, "profiles on "); i >= 0 {
					pprofURL = strings.TrimSpace(l[i+len("profiles on "):])
				}
				if i := strings.Index(l, "handled at "); i > 0 {
					n, _ := strconv.ParseInt(l[i+len("handled at "):], 10, 64)
					handled[n] = true
				}
			case <-end:
				return
			}
		}
	}
	wait(10 * time.Second) // connect and fill the 100 000-event table
	for deadline := time.Now().Add(30 * time.Second); clickX < 0 && time.Now().Before(deadline); {
		wait(100 * time.Millisecond) // a loaded machine starts the window late
	}
	if clickX < 0 {
		t.Fatal("the app did not say where its Pause button is")
	}
	var latencies []time.Duration
	for i := 0; i < 4; i++ { // pause, resume, pause, resume
		before := len(handled)
		sent := time.Now()
		if out, err := exec.Command("xdotool", "mousemove", strconv.Itoa(clickX), strconv.Itoa(clickY), "click", "1").CombinedOutput(); err != nil {
			t.Fatalf("xdotool: %v %s", err, out)
		}
		deadline := time.Now().Add(5 * time.Second)
		for len(handled) == before && time.Now().Before(deadline) {
			wait(10 * time.Millisecond)
		}
		var at int64
		for n := range handled {
			at = max(at, n)
		}
		if len(handled) == before {
			t.Fatal("the Pause click was not handled within 5 s")
		}
		latencies = append(latencies, time.Unix(0, at).Sub(sent))
		wait(2 * time.Second)
	}
	// RSS climbs for about two minutes: Fyne keeps the GL texture of every string
	// it rendered for a minute after its last use and cleans up every 30 s at
	// most (fyne internal/cache). The figure that counts is the plateau.
	wait(100 * time.Second)
	memory := whereMemoryIs(t, cmd.Process.Pid, pprofURL)

	re := regexp.MustCompile(`repaints=(\d+) events=(\d+) max-queue=([\d.]+)ms max-update=([\d.]+)ms rss=(\d+)MB`)
	var maxRepaints, maxEvents int
	var maxQueue, maxUpdate float64
	var rss []string
	for _, p := range probes[3:] { // after start-up
		m := re.FindStringSubmatch(p)
		if m == nil {
			continue
		}
		r, _ := strconv.Atoi(m[1])
		e, _ := strconv.Atoi(m[2])
		q, _ := strconv.ParseFloat(m[3], 64)
		u, _ := strconv.ParseFloat(m[4], 64)
		maxRepaints, maxEvents = max(maxRepaints, r), max(maxEvents, e)
		maxQueue, maxUpdate = max(maxQueue, q), max(maxUpdate, u)
		rss = append(rss, m[5])
	}
	fmt.Printf("UI under a %s events/s firehose (Xvfb, software GL):\n", rate)
	fmt.Printf("  Pause/Resume click → handler: %v\n", latencies)
	fmt.Printf("  repaints per second (max): %d · events per second into the table (max): %d\n", maxRepaints, maxEvents)
	fmt.Printf("  update queued → running (max): %.1f ms · update duration (max): %.1f ms\n", maxQueue, maxUpdate)
	fmt.Printf("  RSS each second (MB): %s\n", strings.Join(rss, " "))
	if n := len(rss); n > 0 {
		fmt.Printf("  RSS at the end (MB): %s\n", rss[n-1])
	}
	if m := regexp.MustCompile(`ring=(\d+)MB`).FindStringSubmatch(probes[len(probes)-1]); m != nil {
		fmt.Printf("  the ring outside the Go heap at the end (MB): %s\n", m[1])
	}
	fmt.Print(memory)
	for _, l := range latencies {
		if l > 100*time.Millisecond {
			t.Errorf("input handled after %v (target < 100 ms)", l)
		}
	}
	if maxRepaints > 31 {
		t.Errorf("%d repaints in a second (cap 30)", maxRepaints)
	}
}

// whereMemoryIs describes the app's memory at the end of the run: the Go runtime's
// own figures (from the heap profile's text form) and the resident mappings
// grouped by what backs them. With FEEDSCOPE_UI_PROFILES=DIR it keeps the heap
// and allocation profiles and the smaps there.
func whereMemoryIs(t *testing.T, pid int, pprofURL string) string {
	keep := os.Getenv("FEEDSCOPE_UI_PROFILES")
	get := func(path string) []byte {
		if pprofURL == "" {
			return nil
		}
		c := http.Client{Timeout: 30 * time.Second}
		resp, err := c.Get(pprofURL + path)
		if err != nil {
			t.Logf("profile %s: %v", path, err)
			return nil
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return b
	}
	save := func(name string, b []byte) {
		if keep != "" && len(b) > 0 {
			if err := os.WriteFile(filepath.Join(keep, name), b, 0o644); err != nil {
				t.Log(err)
			}
		}
	}
	var out strings.Builder
	heapText := get("heap?debug=1")
	stats := map[string]int64{}
	for _, l := range strings.Split(string(heapText), "\n") {
		if f := strings.Fields(strings.TrimPrefix(l, "# ")); len(f) == 3 && f[1] == "=" {
			stats[f[0]], _ = strconv.ParseInt(f[2], 10, 64)
		}
	}
	mb := func(n int64) string { return strconv.FormatFloat(float64(n)/(1<<20), 'f', 0, 64) }
	fmt.Fprintf(&out, "  Go heap (MB): live %s · in spans %s · idle not returned %s · runtime total from the OS %s · GCs %d\n",
		mb(stats["HeapAlloc"]), mb(stats["HeapInuse"]), mb(stats["HeapIdle"]-stats["HeapReleased"]), mb(stats["Sys"]), stats["NumGC"])
	save("heap.txt", heapText)
	save("heap.pb.gz", get("heap"))
	save("allocs.pb.gz", get("allocs"))

	smaps, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return out.String()
	}
	save("smaps", smaps)
	// Resident kB by backing: a file's base name, or [heap], [anon]…
	byName := map[string]int64{}
	name := ""
	for _, l := range strings.Split(string(smaps), "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":"):
			name = "[anon]"
			if len(f) >= 6 {
				name = filepath.Base(f[5])
			}
		case len(f) >= 2 && f[0] == "Rss:":
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			byName[name] += kb
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return byName[names[i]] > byName[names[j]] })
	var parts []string
	for _, n := range names[:min(8, len(names))] {
		parts = append(parts, fmt.Sprintf("%s %d", n, byName[n]>>10))
	}
	fmt.Fprintf(&out, "  resident by mapping (MB): %s\n", strings.Join(parts, " · "))
	return out.String()
}
