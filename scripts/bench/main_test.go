package main

import (
	"io"
	"strings"
	"testing"
)

func TestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"-check"}, ""},
		{[]string{"-only", "toggle", "-print"}, ""},
		{[]string{"-only", "toggle", "-from", "run.txt"}, ""},
		{[]string{"-only", "toggle"}, "-only runs a part of the benchmarks"},
		{[]string{"-from", "run.txt", "-check"}, "does not go with -check or -raw"},
		{[]string{"-from", "run.txt", "-raw", "x.txt"}, "does not go with -check or -raw"},
		{[]string{"extra"}, "unexpected arguments"},
		{[]string{"-nosuch"}, "flag provided but not defined"},
	} {
		_, err := parseFlags(tc.args, io.Discard)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("parseFlags(%q): %v", tc.args, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("parseFlags(%q) = %v, want an error with %q", tc.args, err, tc.err)
		}
	}
}
