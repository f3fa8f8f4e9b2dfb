package cli

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/feedscope/feedscope/session/demo"
)

// DemoServer serves every demo dialect until SIGINT or SIGTERM.
func DemoServer(args []string, sio Stdio) int {
	stdout, stderr := sio.Out, sio.Err
	fs := flag.NewFlagSet("demo-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o demo.Options
	fs.StringVar(&o.Listen, "listen", "127.0.0.1:0", "address to listen on (loopback only unless --allow-remote)")
	fs.Float64Var(&o.Speed, "speed", 1, "multiply every event cadence by this factor")
	fs.BoolVar(&o.AllowRemote, "allow-remote", false, "allow a non-loopback listen address")
	fs.StringVar(&o.Firehose, "firehose", "", "stream pre-built frames of this dialect to every subscriber as fast as it reads")
	fs.Float64Var(&o.Rate, "rate", 0, "with --firehose: frames per second per subscriber (0: as fast as possible)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if o.Speed <= 0 {
		fmt.Fprintln(stderr, "demo-server: --speed must be positive")
		return 2
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	srv, err := demo.Start(o)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "%s\n", srv.Announcement())
	started := time.Now()
	<-sig
	if o.Firehose != "" {
		el := time.Since(started)
		n := srv.FramesSent()
		fmt.Fprintf(stderr, "firehose %s: sent %d frames in %s (%.0f/s)\n", o.Firehose, n, el.Round(time.Millisecond), float64(n)/el.Seconds())
	}
	_ = srv.Close()
	return 0
}
