package ui

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"fyne.io/fyne/v2/widget"

	"github.com/feedscope/feedscope/session"
)

// Export formats.
const (
	FormatNDJSON = "NDJSON"
	FormatCSV    = "CSV"
)

// Export writes events in a format, calling progress every 1000 events with how many
// are done; it stops early when cancel is closed.
func Export(w io.Writer, format string, events []session.Event, progress func(done int), cancel <-chan struct{}) error {
	var write func(*session.Event) error
	var flush func() error
	switch format {
	case FormatNDJSON:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		write = func(e *session.Event) error { return enc.Encode(e) }
		flush = func() error { return nil }
	case FormatCSV:
		cw := csv.NewWriter(w)
		if err := cw.Write([]string{"time", "profile", "dialect", "dir", "sub", "kind", "summary", "lon", "lat", "raw"}); err != nil {
			return err
		}
		write = func(e *session.Event) error {
			lon, lat := "", ""
			if e.Geo != nil {
				lon, lat = fmt.Sprint(e.Geo.Lon), fmt.Sprint(e.Geo.Lat)
			}
			return cw.Write([]string{e.Time.UTC().Format(time.RFC3339Nano), e.Profile, e.Dialect, e.Dir, e.Sub, e.Kind, e.Summary, lon, lat, string(e.Raw)})
		}
		flush = func() error { cw.Flush(); return cw.Error() }
	default:
		return fmt.Errorf("export: unknown format %q", format)
	}
	for i := range events {
		if i%1000 == 0 {
			select {
			case <-cancel:
				return fmt.Errorf("export cancelled after %d events", i)
			default:
			}
			if progress != nil && i > 0 {
				progress(i)
			}
		}
		if err := write(&events[i]); err != nil {
			return fmt.Errorf("failed to write event %d: %w", i, err)
		}
	}
	if progress != nil {
		progress(len(events))
	}
	return flush()
}

// exportRun is one export in progress: its progress bar and a Cancel button that
// may be tapped any number of times (closing the channel twice would panic).
type exportRun struct {
	bar    *widget.ProgressBar
	stop   *widget.Button
	cancel chan struct{}
	once   sync.Once
}

func newExportRun(total int) *exportRun {
	r := &exportRun{bar: widget.NewProgressBar(), cancel: make(chan struct{})}
	r.bar.Max = float64(total)
	r.stop = widget.NewButton("Cancel", r.abort)
	return r
}

// abort asks the export to stop; later taps do nothing.
func (r *exportRun) abort() {
	r.once.Do(func() { close(r.cancel) })
	r.stop.SetText("Cancelling…")
	r.stop.Disable()
}
