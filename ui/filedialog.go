package ui

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
)

// Every file dialog opens in the folder the last file of its kind went to (or
// a sensible one for the kind) and a save dialog suggests a name, so nobody
// types "export.ndjson" into the root of their home folder.

// Kinds of file, each remembering its own folder.
const (
	fileEvents     = "events"
	fileProfiles   = "profiles"
	fileRecordings = "recordings"
	fileGeoJSON    = "geojson"
	fileKeys       = "keys"
)

const prefDialogDir = "dialog.dir."

// fileDialogs opens the app's file dialogs on one window.
type fileDialogs struct {
	win   fyne.Window
	prefs fyne.Preferences
}

// save asks where to write a file of kind, suggesting name in the kind's folder
// (fallback: dir, then Documents, then home).
func (f fileDialogs) save(kind, name, dir string, exts []string, done func(fyne.URIWriteCloser, error)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if w != nil {
			f.remember(kind, w.URI())
		}
		done(w, err)
	}, f.win)
	d.SetFileName(name)
	f.prepare(d, kind, dir, exts)
	d.Show()
}

// open asks for a file of kind to read, starting in the kind's folder.
func (f fileDialogs) open(kind, dir string, exts []string, done func(fyne.URIReadCloser, error)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if r != nil {
			f.remember(kind, r.URI())
		}
		done(r, err)
	}, f.win)
	f.prepare(d, kind, dir, exts)
	d.Show()
}

func (f fileDialogs) prepare(d *dialog.FileDialog, kind, dir string, exts []string) {
	if loc := f.folder(kind, dir); loc != nil {
		d.SetLocation(loc)
	}
	if len(exts) > 0 {
		d.SetFilter(storage.NewExtensionFileFilter(exts))
	}
}

// folder is where a dialog of kind starts: the folder last used for it, else dir,
// else the user's Documents, else home; nil leaves Fyne's own choice.
func (f fileDialogs) folder(kind, dir string) fyne.ListableURI {
	var candidates []string
	if f.prefs != nil {
		candidates = append(candidates, f.prefs.String(prefDialogDir+kind))
	}
	candidates = append(candidates, dir)
	if home, err := os.UserHomeDir(); err == nil {
		candidates = append(candidates, filepath.Join(home, "Documents"), home)
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if st, err := os.Stat(c); err != nil || !st.IsDir() {
			continue
		}
		if l, err := storage.ListerForURI(storage.NewFileURI(c)); err == nil {
			return l
		}
	}
	return nil
}

func (f fileDialogs) remember(kind string, u fyne.URI) {
	if f.prefs != nil && u.Scheme() == "file" {
		f.prefs.SetString(prefDialogDir+kind, filepath.Dir(u.Path()))
	}
}

// fileName suggests a name: feedscope-<what>-<when><ext>, what made safe for
// any file system.
func fileName(what string, at time.Time, ext string) string {
	safe := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '-'
	}, what)
	for strings.Contains(safe, "--") {
		safe = strings.ReplaceAll(safe, "--", "-")
	}
	safe = strings.Trim(safe, "-.")
	if safe == "" {
		safe = "export"
	}
	return "feedscope-" + safe + "-" + at.Format("20060102-150405") + ext
}
