// Command feedscope watches live WebSocket feeds: the desktop app, a headless `tail`
// and the embedded demo server. See design.md's command-line contract.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/feedscope/feedscope/ui"

	_ "github.com/feedscope/feedscope/session/gotham"
	_ "github.com/feedscope/feedscope/session/hypothesis"
	_ "github.com/feedscope/feedscope/session/isymphony"
	_ "github.com/feedscope/feedscope/session/misskey"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0"

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "tail":
			os.Exit(runTail(os.Args[2:], os.Stdout, os.Stderr))
		case "demo-server":
			os.Exit(runDemoServer(os.Args[2:], os.Stdout, os.Stderr))
		case "version", "--version":
			fmt.Println("feedscope", version)
			return
		}
	}
	fs := flag.NewFlagSet("feedscope", flag.ExitOnError)
	demo := fs.Bool("demo", false, "start the embedded demo server and connect one profile per dialect")
	firehose := fs.String("firehose", "", "with --demo: stream this dialect's frames as fast as they are read (performance runs)")
	rate := fs.Float64("rate", 0, "with --firehose: frames per second")
	probe := fs.Bool("probe", false, "log the window's responsiveness every second")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage:\n  feedscope [--demo]\n  feedscope demo-server [--listen 127.0.0.1:0] [--speed X]\n  feedscope tail --dialect D --url URL [--sub JSON]... (feedscope tail -h)\n")
		fs.PrintDefaults()
	}
	_ = fs.Parse(os.Args[1:])
	if err := ui.Run(ui.Options{Demo: *demo, Version: version, Firehose: *firehose, Rate: *rate, Probe: *probe}); err != nil {
		fmt.Fprintln(os.Stderr, "feedscope:", err)
		os.Exit(1)
	}
}
