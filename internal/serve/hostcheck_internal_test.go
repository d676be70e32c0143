package serve

import (
	"strings"
	"testing"
)

// TestHostCheckRules: the rules of the Host check, name by name, with the
// listening host and entries of every form.
func TestHostCheckRules(t *testing.T) {
	c, warnings := newHostCheck([]any{"Printer.LAN:5000", ".example.net.", "http://bad.example/", 7, ""}, []string{"[fd00::7]"}, "octopi.local")
	if all := strings.Join(warnings, "\n"); len(warnings) != 2 || !strings.Contains(all, `"http://bad.example/" is not a host name`) || !strings.Contains(all, "7 is not a host name") {
		t.Errorf("warnings %q, want one for the URL and one for the number", warnings)
	}
	for host, want := range map[string]bool{
		"":                     true, // HTTP/1.0 without Host
		"localhost":            true,
		"localhost:1234":       true,
		"127.0.0.1":            true,
		"10.0.0.8:5000":        true,
		"[::1]:5000":           true,
		"[::1]":                true,
		"octopi.local:5000":    true, // the listening host
		"printer.lan":          true,
		"printer.lan:80":       true,
		"example.net":          true,
		"a.b.example.net":      true,
		"bad.example":          false,
		"printer.lan.evil":     false,
		"xexample.net":         false,
		"sub.localhost":        false,
		"octopi.local.evil.io": false,
	} {
		if got := c.allowed(host); got != want {
			t.Errorf("allowed(%q) = %v, want %v", host, got, want)
		}
	}
	if c, _ := newHostCheck(nil, nil, "0.0.0.0"); c.allowed("evil.example") || !c.allowed("192.168.0.9") {
		t.Error("listening on 0.0.0.0: want names checked and addresses allowed")
	}
	if c, _ := newHostCheck([]any{"*"}, nil, ""); !c.allowed("evil.example") {
		t.Error(`"*" does not switch the check off`)
	}
}
