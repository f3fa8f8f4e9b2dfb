// Package cli is the command line both binaries share: the desktop app
// (cmd/feedscope) and the headless, cgo-free one (cmd/feedscope-cli) serve the
// same subcommands from here. It must never import Fyne: the headless binary's
// import graph is checked for it (cmd/feedscope-cli/headless_test.go).
package cli

import (
	"fmt"
	"io"
	"os"
	"sort"
)

// Version is set at build time with -ldflags "-X github.com/feedscope/feedscope/cli.Version=…".
var Version = "0.1.0"

// Stdio is where a command reads and writes: stdout carries data only (NDJSON,
// frames, the demo server's announcement), stderr the command's own messages.
type Stdio struct {
	In       io.Reader
	Out, Err io.Writer
}

// OS is the process's own standard streams.
func OS() Stdio { return Stdio{In: os.Stdin, Out: os.Stdout, Err: os.Stderr} }

// Exit codes of every command, documented in the README.
const (
	ExitOK     = 0 // done: the count, the duration or a signal ended it
	ExitFailed = 1 // the server rejected us, the connection failed, or a server could not start
	ExitUsage  = 2 // the command line is wrong
)

type command struct {
	usage string
	run   func(args []string, io Stdio) int
}

// commands is every subcommand; adding one is one entry here.
var commands = map[string]command{
	"tail":        {"tail --dialect D --url URL [--sub JSON]... (tail -h for more)", Tail},
	"demo-server": {"demo-server [--listen 127.0.0.1:0] [--speed X] [--firehose D]", DemoServer},
	"replay":      {"replay FILE [--listen 127.0.0.1:0] [--speed X] [--loop]", Replay},
	"version":     {"version", func(_ []string, io Stdio) int { fmt.Fprintln(io.Out, "feedscope", Version); return ExitOK }},
}

// Run runs the subcommand named by args[0]. ok is false when args name none,
// so the desktop binary can go on to open its window.
func Run(args []string, io Stdio) (code int, ok bool) {
	if len(args) == 0 {
		return 0, false
	}
	name := args[0]
	if name == "--version" {
		name = "version"
	}
	c, ok := commands[name]
	if !ok {
		return 0, false
	}
	return c.run(args[1:], io), true
}

// Usage lists the subcommands, as the binary called prog offers them.
func Usage(w io.Writer, prog string) {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %s %s\n", prog, commands[n].usage)
	}
}
