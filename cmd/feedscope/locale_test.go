package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/feedscope/feedscope/session"
)

// localeEnv is the environment with the locale variables replaced by set.
func localeEnv(t *testing.T, set ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		switch k, _, _ := strings.Cut(kv, "="); k {
		case "LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE", "HOME":
		default:
			env = append(env, kv)
		}
	}
	return append(append(env, "HOME="+t.TempDir()), set...)
}

// Under a C or POSIX locale Fyne's lang package logs "Error parsing user locale C"
// from its init; the binary falls back to English without a word, whatever the
// subcommand.
func TestNoLocaleErrorUnderCLocale(t *testing.T) {
	for _, set := range [][]string{{"LANG=C"}, {"LANG=C.UTF-8"}, {"LC_ALL=C.UTF-8", "LANG=en_US.UTF-8"}, {"LANG=POSIX"}, {}} {
		cmd := exec.Command(binary, "tail", "--demo", "--dialect", "misskey", "--sub", `{"channel":"localTimeline"}`, "--count", "1", "--duration", "20s")
		cmd.Env = localeEnv(t, set...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v: %v: %s", set, err, errb.String())
		}
		if strings.Contains(strings.ToLower(errb.String()), "locale") {
			t.Errorf("%v: stderr %q", set, errb.String())
		}
	}
}

// The window too: Fyne reads the locale again when the app starts (the driver's
// device locale, the font's language).
func TestNoLocaleErrorWhenTheWindowOpens(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		t.Skip("no DISPLAY: run under xvfb-run (make test does)")
	}
	cmd := exec.Command(binary, "--demo")
	cmd.Env = localeEnv(t, "LANG=C.UTF-8")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 256)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	defer func() {
		_ = cmd.Process.Kill()
		for range lines { // drain, so the reader ends before the test does
		}
		_ = cmd.Wait()
	}()
	// Every demo profile open: the window has been built, shown and painted.
	open := map[string]bool{}
	deadline := time.After(60 * time.Second)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatal("the app exited before the demo profiles opened")
			}
			if strings.Contains(strings.ToLower(line), "locale") {
				t.Fatalf("stderr: %s", line)
			}
			if i := strings.Index(line, ": open: "); i > 0 && strings.Contains(line, "feedscope: demo-") {
				open[line[strings.Index(line, "demo-"):i]] = true
				if len(open) == len(session.Dialects()) {
					return
				}
			}
		case <-deadline:
			t.Fatal("the demo profiles did not all open within 60 s")
		}
	}
}
