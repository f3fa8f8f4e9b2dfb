package main

import (
	"bufio"
	"fmt"
	"image"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/feedscope/feedscope/session"
)

// TestSmokeDesktop starts the real app with --demo on the X display (make test runs
// the suite under Xvfb), waits until every demo profile is open, takes a screenshot
// and fails if the process died or the window is blank.
func TestSmokeDesktop(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no DISPLAY in CI: make test runs the suite under xvfb-run")
		}
		t.Skip("no DISPLAY: run under xvfb-run (make test does)")
	}
	if _, err := exec.LookPath("import"); err != nil {
		t.Fatal("ImageMagick's import is missing: make deps installs it")
	}
	cmd := exec.Command(binary, "--demo")
	cmd.Env = append(os.Environ(), "LANG=en_US.UTF-8", "HOME="+t.TempDir())
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	opened := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		open := map[string]bool{}
		for sc.Scan() {
			line := sc.Text()
			t.Log(line)
			if i := strings.Index(line, ": open: "); i > 0 && strings.Contains(line, "feedscope: demo-") {
				open[line[strings.Index(line, "demo-"):i]] = true
				if len(open) == len(session.Dialects()) {
					close(opened)
				}
			}
		}
		exited <- cmd.Wait()
	}()
	defer func() {
		_ = cmd.Process.Kill()
		<-exited // the log goroutine must finish before the test does
	}()
	select {
	case <-opened:
	case err := <-exited:
		exited <- err
		t.Fatalf("app exited before its profiles opened: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("the demo profiles did not all open within 60 s")
	}
	// Let a few frames of live data arrive, polling until the window shows content.
	dir := filepath.Join("testdata", "out")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "smoke.png")
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := exec.Command("import", "-window", "root", shot).CombinedOutput()
		if err != nil {
			t.Fatalf("screenshot: %v %s", err, out)
		}
		if colours := distinctColours(t, shot); colours > 50 {
			t.Logf("screenshot %s: %d distinct colours", shot, colours)
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("window looks blank: %d distinct colours in %s", colours, shot)
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("app exited: %v", err)
		case <-time.After(200 * time.Millisecond):
		}
	}
	managerShots(t, dir)
	select {
	case err := <-exited:
		exited <- err
		t.Fatalf("app exited: %v", err)
	default:
	}
}

// managerShots opens the Subscriptions tab and each demo profile's manager with
// xdotool, and screenshots each. The positions are those of the 1280×800 layout
// with the demo's profiles under "All profiles" (sorted, their subscriptions expanded).
func managerShots(t *testing.T, dir string) {
	if _, err := exec.LookPath("xdotool"); err != nil {
		t.Log("xdotool missing: no manager screenshots")
		return
	}
	click := func(x, y int) {
		if out, err := exec.Command("xdotool", "mousemove", fmt.Sprint(x), fmt.Sprint(y), "click", "1").CombinedOutput(); err != nil {
			t.Fatalf("xdotool: %v %s", err, out)
		}
	}
	// Each click is followed by shots until the manager's title line has changed and
	// then held still for two shots (the events table under it never does): the
	// window has handled the click.
	shot := filepath.Join(dir, "manager.png")
	title := ""
	changed := func(what string) {
		// A round (screenshot, two decodes) takes seconds on a loaded machine
		// under -race: the deadline allows a good number of them.
		deadline := time.Now().Add(40 * time.Second)
		last := ""
		for {
			if out, err := exec.Command("import", "-window", "root", shot).CombinedOutput(); err != nil {
				t.Fatalf("screenshot: %v %s", err, out)
			}
			t2 := managerTitle(t, shot)
			if distinctColours(t, shot) > 50 && t2 != title && t2 == last {
				title = t2
				return
			}
			last = t2
			if time.Now().After(deadline) {
				t.Fatalf("%s: the window looks blank or did not change", what)
			}
		}
	}
	click(425, 97) // the Subscriptions tab
	changed("the subscriptions tab")
	for _, p := range []struct {
		name string
		y    int
	}{{"gotham", 175}, {"hypothesis", 253}, {"isymphony", 331}, {"misskey", 370}, {"websocket", 488}} {
		click(120, p.y)
		changed(p.name + "'s manager")
		named := filepath.Join(dir, "manager-"+p.name+".png")
		if err := os.Rename(shot, named); err != nil {
			t.Fatal(err)
		}
		t.Logf("manager screenshot %s", named)
	}
}

// managerTitle is a fingerprint of the subscription manager's title line.
func managerTitle(t *testing.T, path string) string {
	img := decodeImage(t, path)
	var b strings.Builder
	for y := 125; y < 150; y += 2 {
		for x := 270; x < 1000; x += 2 {
			r, _, _, _ := img.At(x, y).RGBA()
			b.WriteByte(byte(r >> 8))
		}
	}
	return b.String()
}

func decodeImage(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func distinctColours(t *testing.T, path string) int {
	img := decodeImage(t, path)
	seen := map[uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[r>>8<<16|g>>8<<8|bl>>8] = true
		}
	}
	return len(seen)
}
