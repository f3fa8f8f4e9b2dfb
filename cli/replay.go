package cli

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/feedscope/feedscope/record"
	"github.com/feedscope/feedscope/session/replay"
)

// Replay serves a recording in its own dialect until SIGINT or SIGTERM.
func Replay(args []string, sio Stdio) int {
	stdout, stderr := sio.Out, sio.Err
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: replay FILE [--listen 127.0.0.1:0] [--speed X] [--loop] [--allow-remote]")
		fs.PrintDefaults()
	}
	var o replay.Options
	fs.StringVar(&o.Listen, "listen", "127.0.0.1:0", "address to listen on (loopback only unless --allow-remote)")
	fs.Float64Var(&o.Speed, "speed", 1, "play this many times faster than recorded")
	fs.BoolVar(&o.Loop, "loop", false, "start again after the last frame")
	fs.BoolVar(&o.AllowRemote, "allow-remote", false, "allow a non-loopback listen address")
	// The file may come before the flags or after them.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return ExitUsage
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "replay: give exactly one recording file")
		fs.Usage()
		return ExitUsage
	}
	if o.Speed <= 0 {
		fmt.Fprintln(stderr, "replay: --speed must be positive")
		return ExitUsage
	}
	rec, err := record.Load(files[0])
	if err != nil {
		fmt.Fprintln(stderr, "replay:", err)
		return ExitFailed
	}
	if rec.Err != nil {
		fmt.Fprintf(stderr, "replay: %s: %v; serving the %d events before it\n", files[0], rec.Err, len(rec.Events))
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	srv, err := replay.Start(rec, o)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitFailed
	}
	fmt.Fprintf(stdout, "%s\n", srv.Announcement())
	<-sig
	_ = srv.Close()
	return ExitOK
}
