package serve

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tentacle-go/tentacle/server"
)

// tempHistorySize is how many temperature points are kept: five minutes,
// one a second.
const tempHistorySize = 300

// tempSampleInterval is how often the temperatures are sampled while the
// printer is connected.
var tempSampleInterval atomic.Int64

func init() { tempSampleInterval.Store(int64(time.Second)) }

// tempPoint is a temperature data point, OctoPrint's: the time (Unix
// seconds) and each heater's actual and target.
type tempPoint map[string]any

// tempHistory keeps the last temperature points of a connected printer.
type tempHistory struct {
	svc  printerService
	size int

	mu      sync.Mutex
	samples []sample
}

type sample struct {
	time  int64
	temps map[string]server.Temperature
}

func newTempHistory(svc printerService, size int) *tempHistory {
	return &tempHistory{svc: svc, size: size}
}

// run samples the temperatures every tempSampleInterval while the printer
// is connected, until ctx is done.
func (h *tempHistory) run(ctx context.Context) {
	t := time.NewTicker(time.Duration(tempSampleInterval.Load()))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			h.sample(now)
		}
	}
}

// sample records the temperatures now, when the printer is connected.
func (h *tempHistory) sample(now time.Time) {
	st := h.svc.State()
	if st.State.Flags.ClosedOrError || len(st.Temperatures) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.samples = append(h.samples, sample{time: now.Unix(), temps: st.Temperatures})
	if len(h.samples) > h.size {
		h.samples = append(h.samples[:0], h.samples[len(h.samples)-h.size:]...)
	}
}

// points returns the last limit points (0: all) after time since (0: all),
// with the heaters that keep pass, oldest first.
func (h *tempHistory) pointsSince(since int64, limit int, pass func(string) bool) []tempPoint {
	out := []tempPoint{}
	if h == nil {
		return out
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	pts := h.samples
	if limit > 0 && len(pts) > limit {
		pts = pts[len(pts)-limit:]
	}
	for _, p := range pts {
		if p.time <= since {
			continue
		}
		tp := tempPoint{"time": p.time}
		for name, t := range p.temps {
			if pass(name) {
				tp[name] = map[string]float64{"actual": t.Actual, "target": t.Target}
			}
		}
		out = append(out, tp)
	}
	return out
}

func (h *tempHistory) points(limit int, pass func(string) bool) []tempPoint {
	return h.pointsSince(0, limit, pass)
}

// historyLogLines is how many log lines the history message carries.
const historyLogLines = 300

// statePayload is the value of the socket's current and history messages,
// OctoPrint's.
func (s *Server) statePayload(temps []tempPoint, logs []string) map[string]any {
	st := s.printerStateOf()
	job, progress := jobPayload(st, s.printer.lastPrint())
	busy := []any{}
	if st.Job.Path != "" && (st.State.Flags.Printing || st.State.Flags.Paused) {
		busy = append(busy, map[string]any{"origin": "local", "path": st.Job.Path})
	}
	if logs == nil {
		logs = []string{}
	}
	state := map[string]any{"text": st.State.Text, "flags": st.State.Flags, "error": st.State.Error}
	return map[string]any{
		"state":      state,
		"job":        job,
		"progress":   progress,
		"currentZ":   nil,
		"offsets":    s.printer.offsetsCopy(),
		"temps":      temps,
		"logs":       logs,
		"messages":   []string{},
		"busyFiles":  busy,
		"resends":    map[string]any{"count": 0, "transmitted": 0, "ratio": 0},
		"serverTime": float64(time.Now().UnixMilli()) / 1000,
	}
}

// pushState sends the printer's state to a client while it is connected:
// the history message once it may have it (authenticated and subscribed to
// the state), then a current message every currentInterval with the
// temperature points and log lines since the last one.
func (c *socketClient) pushState(ctx context.Context) {
	s := c.hub.s
	svc := s.printer.svc
	if svc == nil {
		return
	}
	all := func(string) bool { return true }
	var logNext uint64
	var lastTemp int64
	started := false
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.done:
			return
		case <-t.C:
		}
		c.mu.Lock()
		ok := c.authed() && c.subs.state
		logs := c.subs.logLines
		c.mu.Unlock()
		interval := c.currentInterval()
		t.Reset(interval)
		if !ok {
			continue
		}
		lines, next := svc.Log(logNext)
		logNext = next
		temps := s.printer.temps.pointsSince(lastTemp, 0, all)
		if len(temps) > 0 {
			lastTemp, _ = temps[len(temps)-1]["time"].(int64)
		}
		lines = logs.filter(lines)
		key := "current"
		if !started {
			started = true
			key = "history"
			if len(lines) > historyLogLines {
				lines = lines[len(lines)-historyLogLines:]
			}
		}
		c.queueValue(map[string]any{key: s.statePayload(temps, lines)})
	}
}

// filter returns the lines f keeps.
func (f lineFilter) filter(lines []string) []string {
	if f.all {
		return lines
	}
	out := []string{}
	if f.re == nil {
		return out
	}
	for _, l := range lines {
		if f.re.MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}
