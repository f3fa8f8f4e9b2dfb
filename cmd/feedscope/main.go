// Command feedscope watches live WebSocket feeds: the desktop app, plus every
// subcommand of package cli (tail, demo-server…), as the headless feedscope-cli has them.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/feedscope/feedscope/cli"
	"github.com/feedscope/feedscope/ui"

	_ "github.com/feedscope/feedscope/session/all"
)

func main() {
	if code, ok := cli.Run(os.Args[1:], cli.OS()); ok {
		os.Exit(code)
	}
	fs := flag.NewFlagSet("feedscope", flag.ExitOnError)
	demo := fs.Bool("demo", false, "start the embedded demo server and connect one profile per dialect")
	firehose := fs.String("firehose", "", "with --demo: stream this dialect's frames as fast as they are read (performance runs)")
	rate := fs.Float64("rate", 0, "with --firehose: frames per second")
	probe := fs.Bool("probe", false, "log the window's responsiveness every second")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage:\n  feedscope [--demo]\n")
		cli.Usage(fs.Output(), "feedscope")
		fs.PrintDefaults()
	}
	_ = fs.Parse(os.Args[1:])
	if err := ui.Run(ui.Options{Demo: *demo, Version: cli.Version, Firehose: *firehose, Rate: *rate, Probe: *probe}); err != nil {
		fmt.Fprintln(os.Stderr, "feedscope:", err)
		os.Exit(1)
	}
}
