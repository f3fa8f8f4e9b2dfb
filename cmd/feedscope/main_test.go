package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

var binary string

// TestMain builds the real desktop binary once; the tests run it as a user would.
// The subcommands' own tests run against the headless binary (cmd/feedscope-cli).
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "feedscope-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "feedscope")
	args := []string{"build", "-o", binary}
	if tags := os.Getenv("FEEDSCOPE_TAGS"); tags != "" {
		args = append(args, "-tags", tags)
	}
	build := exec.Command("go", append(args, ".")...)
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("build: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// TestDesktopBinaryServesTail: the desktop binary keeps the headless subcommands.
func TestDesktopBinaryServesTail(t *testing.T) {
	cmd := exec.Command(binary, "tail", "--demo", "--dialect", "misskey", "--sub", `{"channel":"localTimeline"}`, "--count", "3", "--duration", "20s")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %s", err, errb.String())
	}
	if n := bytes.Count(out.Bytes(), []byte("\n")); n != 3 || !bytes.Contains(out.Bytes(), []byte(`"dialect":"misskey"`)) {
		t.Fatalf("%d lines: %s", n, out.String())
	}
}
