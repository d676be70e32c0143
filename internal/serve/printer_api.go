package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/tentacle-go/tentacle/events"
	"github.com/tentacle-go/tentacle/internal/printer"
	"github.com/tentacle-go/tentacle/server"
)

// printerService is what the REST API and the socket need of the printer:
// the server.Printer plugins get, and the port and terminal details of
// OctoPrint's connection panel and terminal.
type printerService interface {
	server.Printer
	Ports() []string
	Baudrates() []int
	Log(after uint64) (lines []string, next uint64)
	SetTargets(targets map[string]float64) error
}

var _ printerService = (*printer.Service)(nil)

// Preferences of the connection in config.yaml, OctoPrint's.
const (
	portPreference        = "serial.port"
	baudratePreference    = "serial.baudrate"
	autoconnectPreference = "serial.autoconnect"
)

// defaultProfile is the one printer profile, OctoPrint's default.
var defaultProfile = map[string]any{"id": "_default", "name": "Default"}

// printerState is the server's side of the printer: the service (nil when
// the server has none), the temperature history, the offsets set through
// the API and the outcome of the last print.
type printerState struct {
	svc   printerService
	temps *tempHistory

	mu      sync.Mutex
	offsets map[string]float64
	last    lastPrint
	sub     *events.Subscription
	connMu  sync.Mutex // serialises connection changes
}

// lastPrint is how the last print ended (a Tentacle extra of GET /api/job).
type lastPrint struct {
	// ID counts the prints that ended since the server started.
	ID     int     `json:"id"`
	Path   string  `json:"path,omitempty"`
	Result string  `json:"result,omitempty"` // "done", "failed", "cancelled"
	Time   float64 `json:"time,omitempty"`   // seconds
}

// setupPrinter makes the printer service (nil when the server has none)
// and follows the ends of prints.
//
// This is the one place where the server's printer is made: by
// Options.Printer (tests), else a printer.Service.
func (s *Server) setupPrinter() error {
	s.printer = &printerState{offsets: map[string]float64{}}
	newPrinter := s.opts.Printer
	if newPrinter == nil {
		newPrinter = s.newPrinterService
	}
	p, err := newPrinter(func(event string, payload map[string]any) { s.bus.Fire(event, payload) })
	if err != nil {
		return fmt.Errorf("server: printer: %w", err)
	}
	svc, ok := p.(printerService)
	if !ok {
		return fmt.Errorf("server: printer: %T lacks Ports, Baudrates, Log or SetTargets", p)
	}
	s.printer.svc = svc
	s.injectPrinter(svc)
	s.printer.temps = newTempHistory(svc, tempHistorySize)
	sub, err := s.bus.Subscribe("server:printer", s.printer.printEnded,
		server.EventPrintDone, server.EventPrintFailed)
	if err != nil {
		return fmt.Errorf("server: printer: %w", err)
	}
	s.printer.sub = sub
	return nil
}

// printEnded records the end of a print.
func (p *printerState) printEnded(ev events.Event) {
	path, _ := ev.Payload["path"].(string)
	took, _ := ev.Payload["time"].(float64)
	result := "done"
	if ev.Name == server.EventPrintFailed {
		result = "failed"
		if r, _ := ev.Payload["reason"].(string); r == "cancelled" {
			result = "cancelled"
		}
	}
	p.mu.Lock()
	p.last = lastPrint{ID: p.last.ID + 1, Path: path, Result: result, Time: took}
	p.mu.Unlock()
}

func (p *printerState) lastPrint() lastPrint {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.last
}

func (p *printerState) offsetsCopy() map[string]float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.offsets)
}

// errNoPrinter is the 409 answer of a server without a printer.
const errNoPrinter = "Printer is not operational"

// operational returns the printer when it is operational; otherwise it
// answers 409 and returns nil.
func (s *Server) operational(w http.ResponseWriter) (printerService, server.PrinterState, bool) {
	svc := s.printer.svc
	if svc == nil {
		writeError(w, http.StatusConflict, errNoPrinter)
		return nil, server.PrinterState{}, false
	}
	st := svc.State()
	if !st.State.Flags.Operational {
		writeError(w, http.StatusConflict, errNoPrinter)
		return nil, st, false
	}
	return svc, st, true
}

// printerFailed answers an error of a printer call: 409 for a state
// conflict, 400 for a bad request, else 500.
func (s *Server) printerFailed(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, server.ErrNotConnected), errors.Is(err, server.ErrNotReady),
		errors.Is(err, server.ErrNotPrinting), errors.Is(err, server.ErrNoFile):
		writeError(w, http.StatusConflict, err.Error())
	default:
		s.log.Warn("printer call failed", "error", err)
		writeError(w, http.StatusInternalServerError, err.Error())
	}
}

// command is the body of OctoPrint's command requests: {"command": ...}
// and the command's parameters.
type command map[string]json.RawMessage

// readCommand reads a command request and returns its command.
func readCommand(w http.ResponseWriter, r *http.Request) (command, string, bool) {
	var body command
	if !readJSON(w, r, &body) {
		return nil, "", false
	}
	var name string
	if err := json.Unmarshal(body["command"], &name); err != nil || name == "" {
		writeError(w, http.StatusBadRequest, `missing "command"`)
		return nil, "", false
	}
	return body, name, true
}

// get decodes parameter key into v; absent is fine (false, no answer), a
// wrong type answers 400.
func (c command) get(w http.ResponseWriter, key string, v any) (present, ok bool) {
	raw, has := c[key]
	if !has || string(raw) == "null" {
		return false, true
	}
	if err := json.Unmarshal(raw, v); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%q: %v", key, err))
		return true, false
	}
	return true, true
}

func unknownCommand(w http.ResponseWriter, name string) {
	writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown command %q", name))
}

// connectionCurrent is GET /api/connection's current.
type connectionCurrent struct {
	State          string `json:"state"`
	Port           any    `json:"port"`
	Baudrate       any    `json:"baudrate"`
	PrinterProfile string `json:"printerProfile"`
}

func (s *Server) getConnection(w http.ResponseWriter, _ *http.Request) {
	cur := connectionCurrent{State: "Offline", PrinterProfile: "_default"}
	ports, bauds := []string{}, []int{}
	if svc := s.printer.svc; svc != nil {
		st := svc.State()
		cur.State = st.State.Text
		if st.Port != "" {
			cur.Port = st.Port
		}
		if st.Baudrate != 0 {
			cur.Baudrate = st.Baudrate
		}
		ports = append(ports, svc.Ports()...)
		bauds = append(bauds, svc.Baudrates()...)
	}
	var portPref, baudPref any
	if p := s.store.GetString(portPreference); p != "" {
		portPref = p
	}
	if b := s.store.GetInt(baudratePreference); b != 0 {
		baudPref = b
	}
	autoconnect, _ := s.store.Get(autoconnectPreference).(bool)
	writeJSON(w, http.StatusOK, map[string]any{
		"current": cur,
		"options": map[string]any{
			"ports":                    ports,
			"baudrates":                bauds,
			"printerProfiles":          []any{defaultProfile},
			"portPreference":           portPref,
			"baudratePreference":       baudPref,
			"printerProfilePreference": "_default",
			"autoconnect":              autoconnect,
		},
	})
}

func (s *Server) postConnection(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r) {
		return
	}
	body, name, ok := readCommand(w, r)
	if !ok {
		return
	}
	svc := s.printer.svc
	switch name {
	case "connect":
		var port, profile string
		var baudrate int
		var save bool
		var autoconnect *bool
		for _, p := range []struct {
			key string
			v   any
		}{{"port", &port}, {"baudrate", &baudrate}, {"printerProfile", &profile}, {"save", &save}, {"autoconnect", &autoconnect}} {
			if _, ok := body.get(w, p.key, p.v); !ok {
				return
			}
		}
		if svc == nil {
			writeError(w, http.StatusConflict, "the server has no printer")
			return
		}
		if port != "" && !slices.Contains(svc.Ports(), port) {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("port %q is not one of the available ports", port))
			return
		}
		if baudrate != 0 && !slices.Contains(svc.Baudrates(), baudrate) {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("baudrate %d is not one of the available baudrates", baudrate))
			return
		}
		if profile != "" && profile != "_default" {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("printer profile %q is not one of the available profiles", profile))
			return
		}
		if save || autoconnect != nil {
			if !s.saveConnection(w, port, baudrate, save, autoconnect) {
				return
			}
		}
		if port == "" {
			port = s.store.GetString(portPreference)
		}
		if baudrate == 0 {
			baudrate = s.store.GetInt(baudratePreference)
		}
		s.printer.connMu.Lock()
		err := svc.Connect(port, baudrate)
		s.printer.connMu.Unlock()
		if err != nil {
			if errors.Is(err, server.ErrNotConnected) || errors.Is(err, server.ErrNotReady) {
				s.printerFailed(w, err)
				return
			}
			writeError(w, http.StatusPreconditionFailed, "cannot connect: "+err.Error())
			return
		}
	case "disconnect":
		if svc == nil {
			writeError(w, http.StatusConflict, "the server has no printer")
			return
		}
		s.printer.connMu.Lock()
		err := svc.Disconnect()
		s.printer.connMu.Unlock()
		if err != nil {
			s.printerFailed(w, err)
			return
		}
	case "fake_ack":
		// Tentacle's protocol does not stall on a lost "ok" (it times out
		// and goes on): there is nothing to fake.
		if _, _, ok := s.operational(w); !ok {
			return
		}
	default:
		unknownCommand(w, name)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// saveConnection stores the connection's preferences in config.yaml; when
// that fails it answers and returns false.
func (s *Server) saveConnection(w http.ResponseWriter, port string, baudrate int, save bool, autoconnect *bool) bool {
	s.settingsMu.Lock()
	defer s.settingsMu.Unlock()
	var err error
	set := func(path string, v any) {
		if err == nil {
			err = s.store.Set(path, v)
		}
	}
	if save {
		if port != "" {
			set(portPreference, port)
		}
		if baudrate != 0 {
			set(baudratePreference, baudrate)
		}
	}
	if autoconnect != nil {
		set(autoconnectPreference, *autoconnect)
	}
	if err == nil {
		err = s.store.Save()
	}
	if err != nil {
		s.settingsFailed(w, err)
		return false
	}
	return true
}

// heaterState is a heater's entry of GET /api/printer's temperature.
type heaterState struct {
	Actual float64 `json:"actual"`
	Target float64 `json:"target"`
	Offset float64 `json:"offset"`
}

var toolName = regexp.MustCompile(`^tool[0-9]+$`)

// heaters returns the heaters of a state that keep pass, with offsets.
func (s *Server) heaters(st server.PrinterState, pass func(name string) bool) map[string]any {
	offsets := s.printer.offsetsCopy()
	out := map[string]any{}
	for name, t := range st.Temperatures {
		if pass(name) {
			out[name] = heaterState{Actual: t.Actual, Target: t.Target, Offset: offsets[name]}
		}
	}
	return out
}

// withHistory adds the temperature history (?history=true&limit=N) of the
// heaters that keep pass to out; it answers 400 and returns false for a
// bad limit.
func (s *Server) withHistory(w http.ResponseWriter, r *http.Request, out map[string]any, pass func(string) bool) bool {
	if !truthy(r.URL.Query().Get("history")) {
		return true
	}
	limit := 0
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "limit must be a whole number")
			return false
		}
		limit = n
	}
	out["history"] = s.printer.temps.points(limit, pass)
	return true
}

// truthy reads a query flag as OctoPrint does.
func truthy(v string) bool {
	switch strings.ToLower(v) {
	case "true", "yes", "y", "1", "on":
		return true
	}
	return false
}

func (s *Server) getPrinter(w http.ResponseWriter, r *http.Request) {
	_, st, ok := s.operational(w)
	if !ok {
		return
	}
	exclude := map[string]bool{}
	for _, e := range strings.Split(r.URL.Query().Get("exclude"), ",") {
		exclude[strings.TrimSpace(e)] = true
	}
	out := map[string]any{}
	if !exclude["temperature"] {
		all := func(string) bool { return true }
		temps := s.heaters(st, all)
		if !s.withHistory(w, r, temps, all) {
			return
		}
		out["temperature"] = temps
	}
	if !exclude["sd"] {
		out["sd"] = map[string]any{"ready": false}
	}
	if !exclude["state"] {
		out["state"] = st.State
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) postPrinterCommand(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r) {
		return
	}
	var body struct {
		Command    string         `json:"command"`
		Commands   []string       `json:"commands"`
		Script     string         `json:"script"`
		Parameters map[string]any `json:"parameters"`
		Context    map[string]any `json:"context"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	cmds := body.Commands
	switch {
	case body.Script != "":
		writeError(w, http.StatusBadRequest, "G-code scripts are not supported: send the commands")
		return
	case body.Command != "" && cmds != nil:
		writeError(w, http.StatusBadRequest, `either "command" or "commands", not both`)
		return
	case body.Command != "":
		cmds = []string{body.Command}
	case len(cmds) == 0:
		writeError(w, http.StatusBadRequest, `missing "command" or "commands"`)
		return
	}
	svc, _, ok := s.operational(w)
	if !ok {
		return
	}
	if err := svc.Commands(cmds); err != nil {
		s.printerFailed(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// heaterKind is what a heater endpoint controls: tools, the bed or the
// chamber.
type heaterKind string

func (k heaterKind) has(name string) bool {
	if k == "tool" {
		return toolName.MatchString(name)
	}
	return name == string(k)
}

func (s *Server) getHeater(kind heaterKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, st, ok := s.operational(w)
		if !ok {
			return
		}
		out := s.heaters(st, kind.has)
		if !s.withHistory(w, r, out, kind.has) {
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// maxOffset bounds temperature offsets, OctoPrint's.
const maxOffset = 50

func (s *Server) postHeater(kind heaterKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.authorize(w, r) {
			return
		}
		body, name, ok := readCommand(w, r)
		if !ok {
			return
		}
		var cmds []string
		var targets, offsets map[string]float64
		switch {
		case name == "target" && kind == "tool", name == "offset" && kind == "tool":
			key := map[string]string{"target": "targets", "offset": "offsets"}[name]
			var m map[string]float64
			if present, ok := body.get(w, key, &m); !ok {
				return
			} else if !present || len(m) == 0 {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("missing %q", key))
				return
			}
			for tool := range m {
				if !toolName.MatchString(tool) {
					writeError(w, http.StatusBadRequest, fmt.Sprintf("%q is not a tool (tool0, tool1, ...)", tool))
					return
				}
			}
			if name == "target" {
				targets = m
			} else {
				offsets = m
			}
		case name == "target" || name == "offset":
			var v float64
			if present, ok := body.get(w, name, &v); !ok {
				return
			} else if !present {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("missing %q", name))
				return
			}
			m := map[string]float64{string(kind): v}
			if name == "target" {
				targets = m
			} else {
				offsets = m
			}
		case name == "select" && kind == "tool":
			var tool string
			body.get(w, "tool", &tool)
			if !toolName.MatchString(tool) {
				writeError(w, http.StatusBadRequest, `"tool" must be a tool (tool0, tool1, ...)`)
				return
			}
			cmds = []string{"T" + strings.TrimPrefix(tool, "tool")}
		case name == "extrude" && kind == "tool":
			var amount, speed float64
			if present, ok := body.get(w, "amount", &amount); !ok {
				return
			} else if !present {
				writeError(w, http.StatusBadRequest, `missing "amount"`)
				return
			}
			if _, ok := body.get(w, "speed", &speed); !ok {
				return
			}
			if speed <= 0 {
				speed = extrudeSpeed
			}
			cmds = []string{"G91", fmt.Sprintf("G1 E%g F%g", amount, speed), "G90"}
		case name == "flowrate" && kind == "tool":
			var factor float64
			if present, ok := body.get(w, "factor", &factor); !ok {
				return
			} else if !present || factor < 75 || factor > 125 {
				writeError(w, http.StatusBadRequest, `"factor" must be a number between 75 and 125`)
				return
			}
			cmds = []string{fmt.Sprintf("M221 S%g", factor)}
		default:
			unknownCommand(w, name)
			return
		}
		for h, v := range offsets {
			if math.IsNaN(v) || v < -maxOffset || v > maxOffset {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("offset of %s must be between -%d and %d", h, maxOffset, maxOffset))
				return
			}
		}
		for h, v := range targets {
			if math.IsNaN(v) || v < 0 {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("target of %s must be a number of at least 0", h))
				return
			}
		}
		svc, st, ok := s.operational(w)
		if !ok {
			return
		}
		var err error
		switch {
		case name == "extrude" && st.State.Flags.Printing:
			writeError(w, http.StatusConflict, "Printer is currently printing")
			return
		case targets != nil:
			err = svc.SetTargets(targets)
		case offsets != nil:
			s.printer.mu.Lock()
			for h, v := range offsets {
				s.printer.offsets[h] = v
			}
			s.printer.mu.Unlock()
		default:
			err = svc.Commands(cmds)
		}
		if err != nil {
			s.printerFailed(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// extrudeSpeed is the feed rate of an extrude without a speed (mm/min),
// OctoPrint's default profile's.
const extrudeSpeed = 300

func (s *Server) getSD(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"ready": false})
}

func (s *Server) postSD(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r) {
		return
	}
	writeError(w, http.StatusConflict, "SD card support is not available")
}

// jobFile is GET /api/job's job.file.
type jobFile struct {
	Name    any `json:"name"`
	Path    any `json:"path"`
	Display any `json:"display"`
	Origin  any `json:"origin"`
	Size    any `json:"size"`
	Date    any `json:"date"`
}

// jobProgress is GET /api/job's progress.
type jobProgress struct {
	Completion          any `json:"completion"`
	Filepos             any `json:"filepos"`
	PrintTime           any `json:"printTime"`
	PrintTimeLeft       any `json:"printTimeLeft"`
	PrintTimeLeftOrigin any `json:"printTimeLeftOrigin"`
	Lines               any `json:"lines"` // Tentacle
}

// jobPayload is the job and progress of GET /api/job and of the socket's
// current message.
func jobPayload(st server.PrinterState, last lastPrint) (job map[string]any, progress jobProgress) {
	f := jobFile{}
	if st.Job.Path != "" {
		f = jobFile{Name: st.Job.Name, Path: st.Job.Path, Display: st.Job.Display, Origin: st.Job.Origin, Size: st.Job.Size, Date: st.Job.Date}
	}
	var user any
	if st.Job.User != "" {
		user = st.Job.User
	}
	var lastTime any
	if last.Result == "done" && last.Path == st.Job.Path {
		lastTime = last.Time
	}
	job = map[string]any{
		"file":               f,
		"estimatedPrintTime": nil,
		"lastPrintTime":      lastTime,
		"filament":           nil,
		"user":               user,
		"lastPrint":          last, // Tentacle
	}
	fl := st.State.Flags
	p := st.Progress
	switch {
	case fl.Printing || fl.Paused || fl.Pausing || fl.Cancelling || fl.Resuming || fl.Finishing:
		progress = jobProgress{Completion: p.Completion, Filepos: p.Filepos, PrintTime: int(p.PrintTime), Lines: p.Lines}
		if p.PrintTimeLeft > 0 {
			progress.PrintTimeLeft = int(p.PrintTimeLeft)
			progress.PrintTimeLeftOrigin = "linear"
		}
	case p != (server.Progress{}):
		// Where the last print of the file ended; one that was done has
		// no time left.
		progress = jobProgress{Completion: p.Completion, Filepos: p.Filepos, PrintTime: int(p.PrintTime), Lines: p.Lines}
		if p.Completion == 100 {
			progress.PrintTimeLeft = 0
		}
	}
	return job, progress
}

// printerStateOf returns the printer's state, that of a server without a
// printer when it has none.
func (s *Server) printerStateOf() server.PrinterState {
	if s.printer.svc == nil {
		return server.PrinterState{State: server.StateInfo{Text: "Offline", Flags: server.StateFlags{ClosedOrError: true}}}
	}
	return s.printer.svc.State()
}

func (s *Server) getJob(w http.ResponseWriter, _ *http.Request) {
	st := s.printerStateOf()
	job, progress := jobPayload(st, s.printer.lastPrint())
	out := map[string]any{"job": job, "progress": progress, "state": st.State.Text}
	if st.State.Error != "" {
		out["error"] = st.State.Error
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) postJob(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r) {
		return
	}
	body, name, ok := readCommand(w, r)
	if !ok {
		return
	}
	var action string
	if name == "pause" {
		if _, ok := body.get(w, "action", &action); !ok {
			return
		}
		if action == "" {
			action = "toggle"
		}
		if action != "pause" && action != "resume" && action != "toggle" {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown pause action %q: pause, resume or toggle", action))
			return
		}
	} else if !slices.Contains([]string{"start", "restart", "cancel"}, name) {
		unknownCommand(w, name)
		return
	}
	svc, st, ok := s.operational(w)
	if !ok {
		return
	}
	fl := st.State.Flags
	var err error
	switch name {
	case "start":
		if fl.Printing || fl.Paused {
			writeError(w, http.StatusConflict, "Printer already has an active print job")
			return
		}
		err = svc.StartPrint()
	case "restart":
		if !fl.Paused {
			writeError(w, http.StatusConflict, "Printer does not have an active print job or is not paused")
			return
		}
		if err = svc.CancelPrint(); err == nil {
			err = svc.StartPrint()
		}
	case "cancel":
		if !fl.Printing && !fl.Paused {
			writeError(w, http.StatusConflict, "Printer is neither printing nor paused")
			return
		}
		err = svc.CancelPrint()
	case "pause":
		if !fl.Printing && !fl.Paused {
			writeError(w, http.StatusConflict, "Printer is neither printing nor paused")
			return
		}
		switch {
		case action == "pause" && fl.Printing, action == "toggle" && fl.Printing:
			err = svc.PausePrint()
		case action == "resume" && fl.Paused, action == "toggle" && fl.Paused:
			err = svc.ResumePrint()
		}
	}
	if err != nil {
		s.printerFailed(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// closePrinter ends the printer's subscription.
func (s *Server) closePrinter(log *slog.Logger) {
	if s.printer == nil || s.printer.svc == nil {
		return
	}
	if err := s.printer.svc.Disconnect(); err != nil {
		log.Warn("disconnecting the printer", "error", err)
	}
}

// printerRoutes adds OctoPrint's printer, job and files endpoints.
func (s *Server) printerRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/connection", s.getConnection)
	mux.HandleFunc("POST /api/connection", s.postConnection)
	mux.HandleFunc("GET /api/printer", s.getPrinter)
	mux.HandleFunc("POST /api/printer/command", s.postPrinterCommand)
	for _, kind := range []heaterKind{"tool", "bed", "chamber"} {
		mux.HandleFunc("GET /api/printer/"+string(kind), s.getHeater(kind))
		mux.HandleFunc("POST /api/printer/"+string(kind), s.postHeater(kind))
	}
	mux.HandleFunc("GET /api/printer/sd", s.getSD)
	mux.HandleFunc("POST /api/printer/sd", s.postSD)
	mux.HandleFunc("GET /api/job", s.getJob)
	mux.HandleFunc("POST /api/job", s.postJob)
	mux.HandleFunc("GET /api/files", s.listFiles)
	mux.HandleFunc("GET /api/files/local", s.listFiles)
	mux.HandleFunc("POST /api/files/local", s.postFiles)
	mux.HandleFunc("GET /api/files/local/{path...}", s.getFile)
	mux.HandleFunc("POST /api/files/local/{path...}", s.postFile)
	mux.HandleFunc("DELETE /api/files/local/{path...}", s.deleteFile)
	mux.HandleFunc("GET /downloads/files/local/{path...}", s.downloadFile)
}
