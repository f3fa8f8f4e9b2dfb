// Package procstat reads this process's own resource figures for the performance
// probes and benchmarks.
package procstat

import (
	"os"
	"strconv"
	"strings"
)

// RSS returns the resident set size of this process in bytes (Linux; 0 elsewhere).
func RSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}
