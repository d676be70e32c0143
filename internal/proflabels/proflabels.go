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

// capture returns the labels of the goroutine whose stack runs through it:
// the caller's.
//
//go:noinline
func capture() (map[string]string, error) {
	sets, err := Of("internal/proflabels.capture+")
	if err != nil {
		return nil, err
	}
	if len(sets) != 1 {
		return nil, fmt.Errorf("goroutine profile: %d goroutines in capture, want 1", len(sets))
	}
	return sets[0], nil
}

// Of returns the labels of each group of goroutines (one stack, one label
// set) that runs through a function whose frame, as a goroutine profile
// prints it ("pkg.Func+0x12"), contains frame; an empty map for a group
// without labels. It takes a goroutine profile, which stops the world
// briefly.
func Of(frame string) ([]map[string]string, error) {
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 1); err != nil {
		return nil, fmt.Errorf("goroutine profile: %w", err)
	}
	sc := bufio.NewScanner(&buf)
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	var (
		out  []map[string]string
		set  string // the label set of the current group
		done bool   // the current group is in out
	)
	for sc.Scan() {
		text := sc.Text()
		switch {
		case strings.HasPrefix(text, "# labels: "):
			set = strings.TrimPrefix(text, "# labels: ")
		case strings.HasPrefix(text, "#\t"):
			if done || !strings.Contains(text, frame) {
				continue
			}
			labels := map[string]string{}
			if set != "" {
				var err error
				if labels, err = ParseSet(set); err != nil {
					return nil, err
				}
			}
			out, done = append(out, labels), true
		case strings.Contains(text, " @ "):
			set, done = "", false
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read goroutine profile: %w", err)
	}
	return out, nil
}
