// Package localeenv makes a C or POSIX locale read as English before Fyne looks at
// it, so the desktop app starts without "Fyne error: Error parsing user locale C".
//
// Fyne's lang package reads the locale in its own init (lang.go: init →
// AddTranslationsFS → updateLocalizer) and again at start (lang.SystemLocale),
// through github.com/jeandeaual/go-locale: the first non-empty of LC_ALL,
// LC_MESSAGES and LANG; exactly "C" or "POSIX" means no locale (Fyne then uses
// en), but "C.UTF-8" — Debian's and most containers' default — is cut at the dot
// to the language "C", which golang.org/x/text/language refuses, and Fyne logs
// it. For any locale but exactly C or POSIX, go-locale prefers LANGUAGE, the
// GNU gettext list of languages, so setting LANGUAGE=en is enough and leaves
// LC_ALL, LC_CTYPE and LANG (character handling, X input methods) as they are.
//
// This must run before fyne.io/fyne/v2/lang's init. Go initialises packages one
// at a time, taking the first package in import-path order whose imports are all
// initialised (go.dev/ref/spec#Package_initialization). This package imports
// only os and strings, which go-locale imports too, so it is ready no later than
// go-locale, and "github.com/feedscope/…" sorts before
// "github.com/jeandeaual/go-locale": it runs first. A blank import in the main
// package is enough; cmd/feedscope's locale test starts the real binary to prove it.
package localeenv

import (
	"os"
	"strings"
)

func init() { apply(os.Getenv, os.Setenv) }

// apply sets LANGUAGE=en when the locale in effect names no language and
// LANGUAGE is unset. A LANGUAGE the user set is theirs to keep.
func apply(getenv func(string) string, setenv func(string, string) error) {
	if getenv("LANGUAGE") != "" || !namesNoLanguage(effective(getenv)) {
		return
	}
	_ = setenv("LANGUAGE", "en")
}

// effective is the message locale as gettext and go-locale pick it.
func effective(getenv func(string) string) string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			return v
		}
	}
	return ""
}

// namesNoLanguage reports whether a locale name is C or POSIX, with or without a
// codeset or modifier (C.UTF-8, POSIX@euro).
func namesNoLanguage(loc string) bool {
	base, _, _ := strings.Cut(loc, ".")
	base, _, _ = strings.Cut(base, "@")
	return base == "C" || base == "POSIX"
}
