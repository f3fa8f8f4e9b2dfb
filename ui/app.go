// Package ui is Feedscope's desktop window, built with Fyne. It is the only package
// that imports Fyne; it never opens a socket, it drives session.Session values.
package ui

// Options configure the app.
type Options struct {
	Demo    bool
	Version string
}

// Run opens the window and blocks until it closes.
func Run(o Options) error {
	return nil
}
