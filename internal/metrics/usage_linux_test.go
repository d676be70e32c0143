package metrics

import (
	"os"
	"testing"
)

func TestParseStat(t *testing.T) {
	page := int64(os.Getpagesize())
	for _, c := range []struct {
		name, stat string
		want       usage
		ok         bool
	}{
		{"plain", "42 (plugin) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 8 0 1000 1000000 300 18446744073709551615",
			usage{rss: 300 * page, cpu: 3}, true},
		{"command with spaces and parentheses", "42 (a b) (c)) R 1 42 42 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 1 1 5 0",
			usage{rss: 5 * page, cpu: 0.1}, true},
		{"short", "42 (plugin) S 1 2 3", usage{}, false},
		{"no command", "42 plugin S", usage{}, false},
		{"not a number", "42 (p) S 1 42 42 0 -1 0 0 0 0 0 x 3 0 0 20 0 1 0 1 1 5 0", usage{}, false},
	} {
		got, ok := parseStat([]byte(c.stat))
		if ok != c.ok || got != c.want {
			t.Errorf("%s: parseStat = %+v, %v; want %+v, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

func TestReadUsageSelf(t *testing.T) {
	u, ok := readUsage(os.Getpid())
	if !ok || u.rss <= 0 {
		t.Fatalf("readUsage(self) = %+v, %v", u, ok)
	}
	if _, ok := readUsage(1 << 30); ok {
		t.Error("readUsage of no process reported ok")
	}
}
