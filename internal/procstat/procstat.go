// Package procstat reads resource figures of this process (and of others by pid) for the performance
// probes and benchmarks.
package procstat

import (
	"os"
	"strconv"
	"strings"
	"time"
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

// clockTicks is the unit of /proc/<pid>/stat's times: USER_HZ, 100 on every
// Linux architecture Go supports (proc(5)).
const clockTicks = 100

// CPU returns the user and system time process pid has used so far (Linux; 0
// elsewhere or when it has gone).
func CPU(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name, field 2, is in parentheses and may hold spaces: count
	// fields after its closing one. utime and stime are fields 14 and 15.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / clockTicks
}
