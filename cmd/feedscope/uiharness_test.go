package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestUIUnderFirehose is the UI performance harness, not part of `make test`:
// `make bench-ui` runs it (FEEDSCOPE_UI_HARNESS=1, under Xvfb). The real app shows
// a 20 000 events/s Misskey firehose; the harness clicks Pause and Resume with
// xdotool and reads the app's probe lines: input latency, repaints per second, how
// late and how long each update ran, and RSS over time.
func TestUIUnderFirehose(t *testing.T) {
	if os.Getenv("FEEDSCOPE_UI_HARNESS") == "" {
		t.Skip("set FEEDSCOPE_UI_HARNESS=1 (make bench-ui)")
	}
	rate := "20000"
	cmd := exec.Command(binary, "--demo", "--firehose", "misskey", "--rate", rate, "--probe")
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
	var latencies []time.Duration
	for i := 0; i < 4; i++ { // pause, resume, pause, resume
		before := len(handled)
		sent := time.Now()
		if out, err := exec.Command("xdotool", "mousemove", "247", "52", "click", "1").CombinedOutput(); err != nil {
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
	wait(10 * time.Second)

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
	for _, l := range latencies {
		if l > 100*time.Millisecond {
			t.Errorf("input handled after %v (target < 100 ms)", l)
		}
	}
	if maxRepaints > 31 {
		t.Errorf("%d repaints in a second (cap 30)", maxRepaints)
	}
}
