package ui

import (
	"os"
	"testing"
	"time"
)

// TestMain shows every time in UTC, so golden images do not depend on the machine's
// zone. It is set before any goroutine starts: every timer reads time.Local, and
// changing it later, inside a test, races with them.
func TestMain(m *testing.M) {
	time.Local = time.UTC
	os.Exit(m.Run())
}
