package metrics

import (
	"bytes"
	"os"
	"strconv"
)

// usage is what /proc tells of a process.
type usage struct {
	rss int64   // bytes
	cpu float64 // user and system seconds
}

// userHZ is the unit of the times in /proc/<pid>/stat: USER_HZ, 100 on
// every architecture Linux runs Go on.
const userHZ = 100

// readUsage reads the resident memory and CPU time of process pid from
// /proc/<pid>/stat; false when the process is gone or the file is not as
// expected.
func readUsage(pid int) (usage, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return usage{}, false
	}
	return parseStat(b)
}

// parseStat parses /proc/<pid>/stat: after the command in parentheses
// (which may hold spaces and parentheses itself) come the fields from the
// third on; utime and stime are fields 14 and 15, rss (in pages) field 24.
func parseStat(b []byte) (usage, bool) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return usage{}, false
	}
	f := bytes.Fields(b[i+1:])
	const base = 3 // f[0] is field 3
	if len(f) < 24-base+1 {
		return usage{}, false
	}
	num := func(field int) (int64, bool) {
		v, err := strconv.ParseInt(string(f[field-base]), 10, 64)
		return v, err == nil
	}
	ut, ok1 := num(14)
	st, ok2 := num(15)
	rss, ok3 := num(24)
	if !ok1 || !ok2 || !ok3 {
		return usage{}, false
	}
	return usage{rss: rss * int64(os.Getpagesize()), cpu: float64(ut+st) / userHZ}, true
}
