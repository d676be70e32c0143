package serve

import (
	"testing"
	"time"
)

// SetSockJSHeartbeat sets how often SockJS's websocket transport sends its
// heartbeat, for the test t; the default is back when t ends.
func SetSockJSHeartbeat(t testing.TB, d time.Duration) {
	old := sockjsHeartbeat.Swap(int64(d))
	t.Cleanup(func() { sockjsHeartbeat.Store(old) })
}

// PrinterService is the printer the server's API and socket use.
type PrinterService = printerService

// SetPrinter has the server made with o use the printer newPrinter
// makes; fire publishes the printer's events.
func SetPrinter(o *Options, newPrinter func(fire func(event string, payload map[string]any)) (PrinterService, error)) {
	o.printer = newPrinter
}

// SetTempSampleInterval sets how often the temperatures are sampled, for
// the test t.
func SetTempSampleInterval(t testing.TB, d time.Duration) {
	old := tempSampleInterval
	tempSampleInterval = d
	t.Cleanup(func() { tempSampleInterval = old })
}
