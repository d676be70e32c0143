package serve

import (
	"strconv"
	"testing"
	"time"
)

func TestLoginDelay(t *testing.T) {
	for count, want := range map[int]time.Duration{
		0: 0, 4: 0, 5: time.Second, 6: 2 * time.Second, 7: 4 * time.Second,
		14: 512 * time.Second, 15: maxLoginDelay, 1000: maxLoginDelay,
	} {
		if got := loginDelay(count); got != want {
			t.Errorf("loginDelay(%d) = %v, want %v", count, got, want)
		}
	}
}

// Failures count by address: IPv4 by address, IPv6 by /64 network, the
// port never.
func TestThrottleKey(t *testing.T) {
	for _, c := range []struct{ a, b string }{
		{"192.0.2.1:1000", "192.0.2.1:2000"},
		{"[2001:db8::1]:1000", "[2001:db8::ffff:1]:2000"},
		{"[::ffff:192.0.2.1]:1", "192.0.2.1:2"},
	} {
		if throttleKey(c.a) != throttleKey(c.b) {
			t.Errorf("%s and %s counted apart", c.a, c.b)
		}
	}
	if throttleKey("192.0.2.1:1") == throttleKey("192.0.2.2:1") || throttleKey("[2001:db8::1]:1") == throttleKey("[2001:db8:0:1::1]:1") {
		t.Error("two addresses counted together")
	}
}

// A count is forgotten an hour after the last failure, and the table of
// addresses stays bounded.
func TestThrottleForgets(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	th := newLoginThrottle(func() time.Time { return now })
	for range 5 {
		th.failed("192.0.2.1:1")
	}
	if th.wait("192.0.2.1:1") != time.Second {
		t.Fatalf("wait %v", th.wait("192.0.2.1:1"))
	}
	now = now.Add(forgetFailures + time.Second)
	th.failed("192.0.2.1:1")
	if w := th.wait("192.0.2.1:1"); w != 0 {
		t.Errorf("after an hour, one failure waits %v", w)
	}
	for i := range maxThrottleAddrs + 10 {
		th.failed("10.0." + strconv.Itoa(i/256) + "." + strconv.Itoa(i%256) + ":1")
	}
	if n := len(th.byAddr); n > maxThrottleAddrs {
		t.Errorf("%d addresses kept", n)
	}
}
