package ui

import (
	"os"
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
