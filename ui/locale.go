package ui

// Small things the window needs: a locale Fyne can read, plurals, and the event
// table's remembered column widths.

import (
	"os"
	"strconv"
	"strings"
)

// Fyne reads the user's locale from the environment and logs "Error parsing user
// locale C" at every start under the POSIX locale (fyne.io/fyne/v2/lang,
// locale.go). C means untranslated text, which is English: say so before Fyne
// asks.
func init() {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(k); v == "C" || v == "POSIX" || strings.HasPrefix(v, "C.") {
			_ = os.Setenv(k, "en_US.UTF-8")
		}
	}
}

// plural picks the word for n things.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// prefColumns remembers the event table's column widths, in characters.
const prefColumns = "tableColumns"

func formatWidths(w []int) string {
	parts := make([]string, len(w))
	for i, n := range w {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

// parseWidths reads formatWidths; anything else gives nil (the defaults).
func parseWidths(s string) []int {
	if s == "" {
		return nil
	}
	var w []int
	for _, p := range strings.Split(s, ",") {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil
		}
		w = append(w, n)
	}
	return w
}
