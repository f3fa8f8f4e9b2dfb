package ui

import "strconv"

// plural picks the word for n things.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// count is n and the word for n things: "1 event", "2 events".
func count(n int, one, many string) string { return strconv.Itoa(n) + " " + plural(n, one, many) }
