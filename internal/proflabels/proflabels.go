// Package proflabels reads goroutine profile labels back from goroutine
// profiles, which is the only way Go gives to see them: the manager counts
// the goroutines a plugin left behind by them, tests check what a goroutine
// ran under.
package proflabels

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
)

// ParseSet parses a label set as goroutine profiles print it:
// {"k1":"v1", "k2":"v2"}.
func ParseSet(s string) (map[string]string, error) {
	rest, ok := strings.CutPrefix(s, "{")
	if !ok {
		return nil, fmt.Errorf("label set %q does not start with {", s)
	}
	out := make(map[string]string)
	for {
		if r, ok := strings.CutPrefix(rest, "}"); ok {
			if r != "" {
				return nil, fmt.Errorf("label set %q: text after }", s)
			}
			return out, nil
		}
		k, r, err := unquotePrefix(rest)
		if err != nil {
			return nil, fmt.Errorf("label set %q: key: %w", s, err)
		}
		r, ok = strings.CutPrefix(r, ":")
		if !ok {
			return nil, fmt.Errorf("label set %q: no : after key %q", s, k)
		}
		v, r, err := unquotePrefix(r)
		if err != nil {
			return nil, fmt.Errorf("label set %q: value of %q: %w", s, k, err)
		}
		out[k] = v
		if r2, ok := strings.CutPrefix(r, ", "); ok {
			r = r2
		} else if !strings.HasPrefix(r, "}") {
			return nil, fmt.Errorf("label set %q: expected , or } after %q", s, k)
		}
		rest = r
	}
}

// unquotePrefix reads the Go-quoted string at the start of s.
func unquotePrefix(s string) (value, rest string, err error) {
	q, err := strconv.QuotedPrefix(s)
	if err != nil {
		return "", "", errors.New("not a quoted string")
	}
	value, err = strconv.Unquote(q)
	if err != nil {
		return "", "", err
	}
	return value, s[len(q):], nil
}

// mu makes the calls of Current one at a time, so that one goroutine only
// is in capture when the profile is taken.
var mu sync.Mutex

// Current returns the labels the calling goroutine runs under (an empty map
// for none). It takes a goroutine profile, which stops the world briefly.
func Current() (map[string]string, error) {
	mu.Lock()
	defer mu.Unlock()
	return capture()
}

// captureFrame is how capture appears in a profile's frames.
const captureFrame = "internal/proflabels.capture+"

// capture takes the profile and returns the labels of the group of
// goroutines whose stack runs through it: the caller's.
//
//go:noinline
func capture() (map[string]string, error) {
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 1); err != nil {
		return nil, fmt.Errorf("goroutine profile: %w", err)
	}
	sc := bufio.NewScanner(&buf)
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	var set string // the label set of the current group
	for sc.Scan() {
		text := sc.Text()
		switch {
		case strings.HasPrefix(text, "# labels: "):
			set = strings.TrimPrefix(text, "# labels: ")
		case strings.HasPrefix(text, "#\t"):
			if strings.Contains(text, captureFrame) {
				if set == "" {
					return map[string]string{}, nil
				}
				return ParseSet(set)
			}
		case strings.Contains(text, " @ "):
			set = ""
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read goroutine profile: %w", err)
	}
	return nil, errors.New("goroutine profile: the calling goroutine is not in it")
}
