// Command feedscope watches live WebSocket feeds: the desktop app, plus every
// subcommand of package cli (tail, demo-server…), as the headless feedscope-cli has them.
//
// It wires the app together and holds no logic: the profile store, the demo
// server, the tile fetcher and the controller are made here and handed to the
// window.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"time"

	"github.com/feedscope/feedscope/cli"
	"github.com/feedscope/feedscope/control"
	"github.com/feedscope/feedscope/internal/cmem"
	"github.com/feedscope/feedscope/session/demo"
	"github.com/feedscope/feedscope/tiles"
	"github.com/feedscope/feedscope/ui"

	// Before Fyne's lang package reads the locale: see the package comment.
	_ "github.com/feedscope/feedscope/internal/localeenv"
	_ "github.com/feedscope/feedscope/session/all"
)

func main() {
	if code, ok := cli.Run(os.Args[1:], cli.OS()); ok {
		os.Exit(code)
	}
	fs := flag.NewFlagSet("feedscope", flag.ExitOnError)
	demoFlag := fs.Bool("demo", false, "start the embedded demo server and connect one profile per dialect")
	firehose := fs.String("firehose", "", "with --demo: stream this dialect's frames as fast as they are read (performance runs)")
	rate := fs.Float64("rate", 0, "with --firehose: frames per second")
	probe := fs.Bool("probe", false, "log the window's responsiveness every second")
	speed := fs.Float64("speed", 1, "with --demo: run the demo's simulations this many times faster")
	recordDir := fs.String("record-dir", defaultRecordDir(), "where Record puts its recordings")
	pprofAt := fs.String("pprof", "", "serve Go's profiles (net/http/pprof) on this loopback address, e.g. 127.0.0.1:0 (performance runs)")
	var open []string
	fs.Func("open", "open this recording beside the profiles (repeatable)", func(s string) error { open = append(open, s); return nil })
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage:\n  feedscope [--demo]\n")
		cli.Usage(fs.Output(), "feedscope")
		fs.PrintDefaults()
	}
	_ = fs.Parse(os.Args[1:])
	if *pprofAt != "" {
		if err := servePprof(*pprofAt); err != nil {
			fmt.Fprintln(os.Stderr, "feedscope:", err)
			os.Exit(2)
		}
	}
	if err := run(*demoFlag, *firehose, *rate, *speed, *probe, *recordDir, open); err != nil {
		fmt.Fprintln(os.Stderr, "feedscope:", err)
		os.Exit(1)
	}
}

// servePprof serves the runtime's profiles on a loopback address for the
// performance harness; its own mux, so nothing else is ever exposed with them.
func servePprof(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--pprof %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("--pprof %q: only a loopback address (127.0.0.1:PORT) may serve profiles", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("--pprof: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	fmt.Fprintf(os.Stderr, "feedscope: profiles on http://%s/debug/pprof/\n", ln.Addr())
	go func() { _ = http.Serve(ln, mux) }()
	return nil
}

// defaultRecordDir is Feedscope/recordings in the home folder.
func defaultRecordDir() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return "recordings"
	}
	return filepath.Join(home, "Feedscope", "recordings")
}

func run(withDemo bool, firehose string, rate, speed float64, probe bool, recordDir string, open []string) error {
	app := ui.NewFyneApp()
	trimCtx, stopTrim := context.WithCancel(context.Background())
	defer stopTrim()
	go cmem.TrimEvery(trimCtx, 10*time.Second)
	root := ui.StorageDir(app)
	ctl := control.New(control.Options{
		Store:     &control.ProfileStore{Path: filepath.Join(root, "profiles.json"), Secrets: control.OpenSecrets(root)},
		RingCap:   ui.RingCap(app),
		RecordDir: recordDir,
	})
	defer ctl.Close()
	notice := ""
	if err := ctl.Load(); err != nil {
		notice = err.Error()
	}
	if withDemo {
		srv, err := demo.Start(demo.Options{Firehose: firehose, Rate: rate, Speed: speed})
		if err != nil {
			return err
		}
		defer srv.Close()
		// The demo profiles are not saved: the server's port changes every run.
		ctl.AddDemo(control.DemoOnly(srv.Profiles(), firehose))
	}
	tileDir := filepath.Join(root, "tiles")
	// Tile servers' usage policies ask a client to name itself.
	userAgent := "Feedscope/" + cli.Version + " (+https://github.com/feedscope/feedscope)"
	ui.Run(app, ctl, ui.Options{Version: cli.Version, Probe: probe, Notice: notice, RecordDir: recordDir, Open: open,
		Tiles: func(url string) *tiles.Source { return tiles.New(url, userAgent, tileDir) }})
	return nil
}
