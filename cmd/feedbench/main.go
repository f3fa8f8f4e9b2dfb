// Command feedbench prints Feedscope's firehose table: every reader takes the same
// stream of Misskey notes (about 1 KB each) from the demo server's firehose on
// 127.0.0.1, one after the other in one run, and is measured by the frames the
// server managed to write to it in a fixed window (TCP holds the server to the
// reader's pace). The readers take turns for several rounds and each keeps its
// best window, so a burst of load from elsewhere on a shared machine costs one
// window rather than one row. Ratios are to the first row; the targets
// are checked on the same run. `make bench` runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/feedscope/feedscope/internal/firebench"
	"github.com/feedscope/feedscope/internal/procstat"
)

func main() {
	window := flag.Duration("window", 3*time.Second, "how long each reader is measured per round")
	rounds := flag.Int("rounds", 3, "how many times each reader is measured (its best window counts)")
	bin := flag.String("feedscope", "bin/feedscope-cli", "the feedscope binary (headless or desktop), for the tail rows")
	wscat := flag.String("wscat", ".bench/node_modules/.bin/wscat", "the wscat binary (npm), for the peer row")
	soak := flag.Duration("soak", 0, "instead of the table: run the engine on the firehose this long, printing RSS every 10 s")
	readOnly := flag.String("read", "", "instead of the table: run the in-Go reader named (raw-gorilla, raw-coder, engine) on --url until killed")
	readURL := flag.String("url", "", "with --read: the firehose URL")
	cpuprofile := flag.String("cpuprofile", "", "with --read: write the reader's CPU profile (go tool pprof) to this file; it is written when the reader gets SIGINT or SIGTERM")
	frames := flag.Int("frames", 0, "with --read: stop after this many frames (0: run until killed), e.g. to count instructions per frame under valgrind --tool=callgrind")
	only := flag.String("only", "", "measure only the readers whose names hold one of these comma-separated words (the first row always runs)")
	flag.Parse()
	if *soak > 0 {
		runSoak(*soak)
		return
	}
	if *readOnly != "" {
		runReader(*readOnly, *readURL, *cpuprofile, *frames)
		return
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}

	// Every reader runs as a process of its own, the in-Go ones too (this
	// binary with --read), so none shares a scheduler with the server, and each
	// one's CPU per frame is measured.
	type reader struct {
		name  string
		start func(ctx context.Context, url string, pid chan<- int) error
		note  string // why the row is empty
	}
	var command func(name string, args ...string) func(context.Context, string, chan<- int) error
	type row struct {
		name string
		rate float64
		cpu  time.Duration // the reader process's CPU per frame
		srv  time.Duration // the server's (this process's) CPU per frame
		note string
	}
	measure := func(r reader) row {
		srv, err := firebench.Start(0)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer srv.Close()
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		pids := make(chan int, 1)
		go func() { errc <- r.start(ctx, srv.URL("misskey"), pids) }()
		pid := <-pids
		time.Sleep(time.Second) // warm up: connect, subscribe, fill the pipes
		self := os.Getpid()
		from, t0, c0, s0 := srv.FramesSent(), time.Now(), procstat.CPU(pid), procstat.CPU(self)
		time.Sleep(*window)
		n, el, c1, s1 := srv.FramesSent()-from, time.Since(t0), procstat.CPU(pid), procstat.CPU(self)
		cancel()
		note := ""
		select {
		case err := <-errc:
			if err != nil {
				note = err.Error()
			}
		case <-time.After(5 * time.Second):
		}
		var cpu, scpu time.Duration
		if n > 0 {
			cpu, scpu = (c1-c0)/time.Duration(n), (s1-s0)/time.Duration(n)
		}
		return row{r.name, float64(n) / el.Seconds(), cpu, scpu, note}
	}
	inGo := func(kind string) func(context.Context, string, chan<- int) error {
		return func(ctx context.Context, url string, pid chan<- int) error {
			return command(self, "--read", kind, "--url", "URL")(ctx, url, pid)
		}
	}
	command = func(name string, args ...string) func(context.Context, string, chan<- int) error {
		return func(ctx context.Context, url string, pid chan<- int) error {
			full := make([]string, len(args))
			for i, a := range args {
				full[i] = strings.ReplaceAll(a, "URL", url)
			}
			cmd := exec.CommandContext(ctx, name, full...)
			devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer devnull.Close()
			cmd.Stdout, cmd.Stderr = devnull, nil
			cmd.Env = append(os.Environ(), "LANG=en_US.UTF-8")
			// wscat quits when its standard input ends: keep one open until the end.
			stdin, err := cmd.StdinPipe()
			if err != nil {
				return err
			}
			defer stdin.Close()
			if err := cmd.Start(); err != nil {
				pid <- 0
				return err
			}
			pid <- cmd.Process.Pid
			_ = cmd.Wait()
			return nil
		}
	}

	tail := []string{"tail", "--dialect", "misskey", "--url", "URL", "--sub", `{"channel":"localTimeline"}`}
	readers := []reader{
		{name: "raw gorilla/websocket read loop", start: inGo("raw-gorilla")},
		{name: "feedscope tail > /dev/null", start: command(*bin, tail...)},
		{name: "feedscope tail --format raw > /dev/null", start: command(*bin, append(tail, "--format", "raw")...)},
		{name: "engine: read → decode → Event → ring", start: inGo("engine")},
		{name: "raw coder/websocket read loop", start: inGo("raw-coder")},
		{name: "wscat > /dev/null", start: command(*wscat, "-c", "URL", "-x", firebench.Subscribe, "-w", "3600")},
	}
	if _, err := os.Stat(*bin); err != nil {
		readers[1].note, readers[2].note = "no "+*bin+": make cli builds it", "no "+*bin
	}
	if _, err := os.Stat(*wscat); err != nil {
		readers[5].note = "not installed (make bench installs it with npm)"
	}
	if *only != "" {
		for i := range readers[1:] {
			r := &readers[i+1]
			if !slices.ContainsFunc(strings.Split(*only, ","), func(w string) bool { return strings.Contains(r.name, w) }) && r.note == "" {
				r.note = "not measured: --only"
			}
		}
	}
	rows := make([]row, len(readers))
	for i, r := range readers {
		rows[i] = row{name: r.name, note: r.note}
	}
	for round := 0; round < *rounds; round++ {
		for i, r := range readers {
			if r.note != "" {
				continue
			}
			if m := measure(r); m.rate > rows[i].rate || m.note != "" {
				rows[i] = m
			}
		}
	}

	fmt.Printf("Firehose: Misskey notes of about 1 KB from 127.0.0.1, best of %d windows of %s per reader, %s, %d CPUs, %s\n\n",
		*rounds, *window, runtime.Version(), runtime.NumCPU(), time.Now().UTC().Format("2006-01-02"))
	fmt.Printf("| %-42s | %12s | %8s | %13s | %13s |\n|%s|%s|%s|%s|%s|\n", "reader", "frames/s", "ratio", "CPU µs/frame", "server µs/fr",
		strings.Repeat("-", 44), strings.Repeat("-", 14), strings.Repeat("-", 10), strings.Repeat("-", 15), strings.Repeat("-", 15))
	ratio := func(i, of int) float64 {
		if rows[of].rate == 0 {
			return 0
		}
		return rows[i].rate / rows[of].rate
	}
	for i, r := range rows {
		cell := "-"
		if rows[0].rate > 0 && r.rate > 0 {
			cell = fmt.Sprintf("%.2f", ratio(i, 0))
		}
		name := r.name
		if r.note != "" {
			name += " (" + r.note + ")"
		}
		micros := func(d time.Duration) string {
			if d <= 0 {
				return "-"
			}
			return fmt.Sprintf("%.2f", float64(d)/float64(time.Microsecond))
		}
		fmt.Printf("| %-42s | %12.0f | %8s | %13s | %13s |\n", name, r.rate, cell, micros(r.cpu), micros(r.srv))
	}
	fmt.Println()
	for _, t := range []struct {
		what    string
		row, of int
		min     float64
	}{
		{"tail > /dev/null ≥ 0.80 × raw gorilla", 1, 0, 0.8},
		{"tail > /dev/null ≥ 1.50 × wscat", 1, 5, 1.5},
		{"engine ≥ 0.80 × raw gorilla", 3, 0, 0.8},
	} {
		verdict := "met"
		if ratio(t.row, t.of) < t.min {
			verdict = "MISSED"
		}
		if rows[t.row].rate == 0 || rows[t.of].rate == 0 {
			verdict = "not measured"
		}
		fmt.Printf("target %-40s %.2f  %s\n", t.what+":", ratio(t.row, t.of), verdict)
	}

	// Memory, allocations and latency of the engine retaining 100 000 events.
	srv, err := firebench.Start(0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer srv.Close()
	runtime.GC()
	debug.FreeOSMemory()
	base := firebench.RSS()
	c := firebench.NewCounter(100_000, 150_000)
	m0 := firebench.Mallocs()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := firebench.Engine(ctx, srv.URL("misskey"), c); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	allocs := float64(firebench.Mallocs()-m0) / float64(c.In())
	runtime.GC()
	held, _ := c.Ring.Len()
	fmt.Printf("\nengine retaining %d events: RSS %.0f MB (process, %.0f MB before) · %.1f allocations per event · latency frame → ring p50 %s, p99 %s\n",
		held, float64(firebench.RSS())/1e6, float64(base)/1e6, allocs, c.Percentile(50), c.Percentile(99))
	runtime.KeepAlive(c)
}

// runReader is one in-Go reader as a process of its own, until it is killed
// (or, with a profile to write, until SIGINT or SIGTERM), or has read frames
// (0: no limit).
func runReader(kind, url, cpuprofile string, frames int) {
	ctx := context.Background()
	if cpuprofile != "" {
		f, err := os.Create(cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "feedbench:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "feedbench:", err)
			os.Exit(1)
		}
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer func() {
			stop()
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	switch kind {
	case "raw-gorilla":
		_, _ = firebench.RawGorilla(ctx, url, frames)
	case "raw-coder":
		_, _ = firebench.Coder(ctx, url, frames)
	case "engine":
		_ = firebench.Engine(ctx, url, firebench.NewCounter(100_000, frames))
	default:
		fmt.Fprintln(os.Stderr, "feedbench: no reader", kind)
		os.Exit(2)
	}
}

// runSoak shows that memory stays flat once the ring is full: the engine reads the
// firehose into a 100 000-event ring and RSS is printed every 10 s.
func runSoak(d time.Duration) {
	srv, err := firebench.Start(0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer srv.Close()
	c := firebench.NewCounter(100_000, 0)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	go func() {
		t := time.NewTicker(10 * time.Second)
		defer t.Stop()
		start := time.Now()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				held, total := c.Ring.Len()
				fmt.Printf("%6.0fs  RSS %4.0f MB  events %9d  held %6d\n", time.Since(start).Seconds(), float64(firebench.RSS())/1e6, total, held)
			}
		}
	}()
	_ = firebench.Engine(ctx, srv.URL("misskey"), c)
}
