package serve_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// upload posts a multipart form to POST /api/files/local: fields, then
// the file (when filename is not "").
func (h *harness) upload(key, filename, content string, fields ...string) response {
	h.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(fields); i += 2 {
		_ = mw.WriteField(fields[i], fields[i+1])
	}
	if filename != "" {
		fw, err := mw.CreateFormFile("file", filename)
		if err != nil {
			h.t.Fatal(err)
		}
		_, _ = fw.Write([]byte(content))
	}
	_ = mw.Close()
	return h.do(http.MethodPost, "/api/files/local", key, buf.String(), "Content-Type", mw.FormDataContentType())
}

// decoded returns a JSON answer's body decoded.
func (r response) decoded(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("answer is not a JSON object: %v: %s", err, r.body)
	}
	return v
}

// want fails the test unless the answer has status.
func (r response) want(t *testing.T, what string, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.status, status, r.body)
	}
	return r
}

// connect connects the fake printer through the API.
func (h *harness) connect(t *testing.T) {
	t.Helper()
	h.do(http.MethodPost, "/api/connection", h.key, map[string]any{"command": "connect", "port": "VIRTUAL"}).want(t, "connect", http.StatusNoContent)
}

func cube() string { return strings.Repeat("G1 X1\n", 1000/6) + strings.Repeat(";", 1000-1000/6*6) }

// TestPrinterOffline: the server's printer before a connection (a connect
// here would open the machine's first serial port). The ports
// and baudrates offered depend on the machine: they are checked apart.
func TestPrinterOffline(t *testing.T) {
	h := start(t, setup{})
	conn := h.do(http.MethodGet, "/api/connection", "", nil).want(t, "connection", 200).decoded(t)
	opts := conn["options"].(map[string]any)
	if b, _ := opts["baudrates"].([]any); len(b) == 0 || b[0] != float64(250000) {
		t.Errorf("baudrates offered: %v", opts["baudrates"])
	}
	if _, ok := opts["ports"].([]any); !ok {
		t.Errorf("ports offered: %v", opts["ports"])
	}
	opts["ports"], opts["baudrates"] = []any{}, []any{}
	checkFixture(t, "printer/connection_none", mustJSON(t, conn))
	checkFixture(t, "printer/job_none", h.do(http.MethodGet, "/api/job", "", nil).want(t, "job", 200).body)
	for _, c := range []struct {
		method, path string
		body         any
		status       int
	}{
		{"GET", "/api/printer", nil, 409},
		{"GET", "/api/printer/tool", nil, 409},
		{"GET", "/api/printer/bed", nil, 409},
		{"GET", "/api/printer/chamber", nil, 409},
		{"GET", "/api/printer/sd", nil, 200},
		{"POST", "/api/printer/sd", map[string]any{"command": "init"}, 409},
		{"POST", "/api/printer/command", map[string]any{"command": "G28"}, 409},
		{"POST", "/api/printer/bed", map[string]any{"command": "target", "target": 60}, 409},
		{"POST", "/api/connection", map[string]any{"command": "disconnect"}, 204}, // as OctoPrint: nothing to do
		{"POST", "/api/job", map[string]any{"command": "start"}, 409},
	} {
		h.do(c.method, c.path, h.key, c.body).want(t, c.method+" "+c.path, c.status)
	}
}

func TestConnection(t *testing.T) {
	h := start(t, setup{printer: true})
	checkFixture(t, "printer/connection_offline", h.do(http.MethodGet, "/api/connection", "", nil).want(t, "get", 200).body)
	for _, c := range []struct {
		name   string
		body   any
		status int
	}{
		{"bad json", `{"command":`, 400},
		{"no command", map[string]any{}, 400},
		{"unknown command", map[string]any{"command": "repair"}, 400},
		{"unknown port", map[string]any{"command": "connect", "port": "/dev/nope"}, 400},
		{"unknown baudrate", map[string]any{"command": "connect", "baudrate": 1200}, 400},
		{"unknown profile", map[string]any{"command": "connect", "printerProfile": "other"}, 400},
		{"wrong type", map[string]any{"command": "connect", "baudrate": "fast"}, 400},
		{"fake_ack offline", map[string]any{"command": "fake_ack"}, 409},
	} {
		h.do(http.MethodPost, "/api/connection", h.key, c.body).want(t, c.name, c.status)
	}
	h.do(http.MethodPost, "/api/connection", h.key, map[string]any{
		"command": "connect", "port": "VIRTUAL", "baudrate": 115200, "printerProfile": "_default", "save": true, "autoconnect": true,
	}).want(t, "connect", 204)
	checkFixture(t, "printer/connection_connected", h.do(http.MethodGet, "/api/connection", "", nil).want(t, "get", 200).body)
	cfg := readConfig(t, h.dir)
	for path, want := range map[string]any{"serial.port": "VIRTUAL", "serial.baudrate": 115200, "serial.autoconnect": true} {
		if got, _ := dig(cfg, path); got != want {
			t.Errorf("config.yaml %s = %#v, want %#v", path, got, want)
		}
	}
	h.do(http.MethodPost, "/api/connection", h.key, map[string]any{"command": "fake_ack"}).want(t, "fake_ack", 204)
	h.do(http.MethodPost, "/api/connection", h.key, map[string]any{"command": "disconnect"}).want(t, "disconnect", 204)
	if st := h.printer.State().State.Text; st != "Offline" {
		t.Errorf("after disconnect: %s", st)
	}
	// Without port: the saved preference.
	h.do(http.MethodPost, "/api/connection", h.key, map[string]any{"command": "connect"}).want(t, "connect", 204)
	if st := h.printer.State(); st.Port != "VIRTUAL" || st.Baudrate != 115200 {
		t.Errorf("connect without port: %s at %d, want the preference", st.Port, st.Baudrate)
	}
	h.printer.FailConnect(errors.New("port busy"))
	h.do(http.MethodPost, "/api/connection", h.key, map[string]any{"command": "connect", "port": "/dev/ttyFAKE"}).want(t, "failing connect", 412)
}

// TestPrinterAccess: reads are open as GET /api/settings is; every write
// needs the API key (or an admin session with its CSRF token).
func TestPrinterAccess(t *testing.T) {
	h := start(t, setup{printer: true})
	h.connect(t)
	writes := []struct{ method, path string }{
		{"POST", "/api/connection"}, {"POST", "/api/printer/command"}, {"POST", "/api/printer/tool"},
		{"POST", "/api/printer/bed"}, {"POST", "/api/printer/chamber"}, {"POST", "/api/printer/sd"},
		{"POST", "/api/job"}, {"POST", "/api/files/local"}, {"POST", "/api/files/local/a.gcode"},
		{"DELETE", "/api/files/local/a.gcode"},
	}
	for _, w := range writes {
		h.do(w.method, w.path, "", map[string]any{"command": "disconnect"}).want(t, w.method+" "+w.path+" without key", 401)
		h.do(w.method, w.path, "wrong", map[string]any{"command": "disconnect"}).want(t, w.method+" "+w.path+" wrong key", 403)
	}
	for _, p := range []string{"/api/connection", "/api/printer", "/api/printer/tool", "/api/printer/bed", "/api/printer/chamber", "/api/printer/sd", "/api/job", "/api/files", "/api/files/local"} {
		h.do(http.MethodGet, p, "", nil).want(t, "GET "+p, 200)
	}
	if st := h.printer.State().State.Text; st != "Operational" {
		t.Errorf("a refused disconnect disconnected: %s", st)
	}
}

func TestPrinterState(t *testing.T) {
	h := start(t, setup{printer: true})
	h.connect(t)
	h.do(http.MethodPost, "/api/printer/tool", h.key, map[string]any{"command": "target", "targets": map[string]any{"tool0": 210}}).want(t, "target", 204)
	h.do(http.MethodPost, "/api/printer/tool", h.key, map[string]any{"command": "offset", "offsets": map[string]any{"tool0": 5}}).want(t, "offset", 204)
	checkFixture(t, "printer/printer", h.do(http.MethodGet, "/api/printer", "", nil).want(t, "printer", 200).body)
	checkFixture(t, "printer/printer_state_only", h.do(http.MethodGet, "/api/printer?exclude=temperature,sd", "", nil).want(t, "printer", 200).body)
	checkFixture(t, "printer/tool", h.do(http.MethodGet, "/api/printer/tool", "", nil).want(t, "tool", 200).body)
	checkFixture(t, "printer/bed", h.do(http.MethodGet, "/api/printer/bed", "", nil).want(t, "bed", 200).body)
	if got := string(h.do(http.MethodGet, "/api/printer/chamber", "", nil).want(t, "chamber", 200).body); strings.TrimSpace(got) != "{}" {
		t.Errorf("chamber of a printer without one: %s", got)
	}
	if got := h.do(http.MethodGet, "/api/printer/sd", "", nil).decoded(t); len(got) != 1 || got["ready"] != false {
		t.Errorf("sd: %v", got)
	}
	// History: ?history=true adds the points, ?limit=N the last N.
	eventually(t, "temperature history", func() bool {
		v := h.do(http.MethodGet, "/api/printer?history=true&limit=1", "", nil).decoded(t)
		hist, _ := v["temperature"].(map[string]any)["history"].([]any)
		if len(hist) != 1 {
			return false
		}
		p := hist[0].(map[string]any)
		_, tool := p["tool0"].(map[string]any)
		_, ok := p["time"].(float64)
		return tool && ok
	})
	h.do(http.MethodGet, "/api/printer?history=true&limit=x", "", nil).want(t, "bad limit", 400)
}

func TestPrinterCommands(t *testing.T) {
	h := start(t, setup{printer: true})
	h.connect(t)
	for _, c := range []struct {
		path   string
		body   any
		status int
		sent   []string
	}{
		{"/api/printer/command", map[string]any{"command": "G28"}, 204, []string{"G28"}},
		{"/api/printer/command", map[string]any{"commands": []string{"M105", "G1 X10"}}, 204, []string{"M105", "G1 X10"}},
		{"/api/printer/command", map[string]any{"script": "beforePrintStarted"}, 400, nil},
		{"/api/printer/command", map[string]any{}, 400, nil},
		{"/api/printer/command", `{"command": "G28"`, 400, nil},
		{"/api/printer/tool", map[string]any{"command": "select", "tool": "tool1"}, 204, []string{"T1"}},
		{"/api/printer/tool", map[string]any{"command": "select", "tool": "bed"}, 400, nil},
		{"/api/printer/tool", map[string]any{"command": "extrude", "amount": 5}, 204, []string{"G91", "G1 E5 F300", "G90"}},
		{"/api/printer/tool", map[string]any{"command": "extrude", "amount": -2, "speed": 100}, 204, []string{"G91", "G1 E-2 F100", "G90"}},
		{"/api/printer/tool", map[string]any{"command": "extrude"}, 400, nil},
		{"/api/printer/tool", map[string]any{"command": "flowrate", "factor": 95}, 204, []string{"M221 S95"}},
		{"/api/printer/tool", map[string]any{"command": "flowrate", "factor": 200}, 400, nil},
		{"/api/printer/tool", map[string]any{"command": "target", "targets": map[string]any{"bed": 60}}, 400, nil},
		{"/api/printer/tool", map[string]any{"command": "target", "targets": map[string]any{"tool0": 200}}, 204, []string{"SETTARGET tool0 200"}},
		{"/api/printer/tool", map[string]any{"command": "offset", "offsets": map[string]any{"tool0": 80}}, 400, nil},
		{"/api/printer/tool", map[string]any{"command": "jump"}, 400, nil},
		{"/api/printer/bed", map[string]any{"command": "target", "target": 60}, 204, []string{"SETTARGET bed 60"}},
		{"/api/printer/bed", map[string]any{"command": "target"}, 400, nil},
		{"/api/printer/bed", map[string]any{"command": "offset", "offset": -3}, 204, nil},
		{"/api/printer/bed", map[string]any{"command": "select", "tool": "tool0"}, 400, nil},
		{"/api/printer/chamber", map[string]any{"command": "target", "target": 40}, 204, []string{"SETTARGET chamber 40"}},
		{"/api/printer/sd", map[string]any{"command": "init"}, 409, nil},
	} {
		before := len(h.printer.Sent())
		what := fmt.Sprintf("%s %v", c.path, c.body)
		h.do(http.MethodPost, c.path, h.key, c.body).want(t, what, c.status)
		if got := h.printer.Sent()[before:]; !slices.Equal(got, c.sent) && !(len(got) == 0 && c.sent == nil) {
			t.Errorf("%s %v: sent %q, want %q", c.path, c.body, got, c.sent)
		}
	}
}

func TestFilesAndJob(t *testing.T) {
	h := start(t, setup{printer: true})
	sub := dial(t, h)
	checkFixture(t, "printer/folder", h.upload(h.key, "", "", "foldername", "parts").want(t, "folder", 201).body)
	h.upload(h.key, "", "", "foldername", "parts2").want(t, "folder", 201)
	h.do(http.MethodDelete, "/api/files/local/parts2", h.key, nil).want(t, "delete folder", 204)
	h.upload(h.key, "", "", "foldername", "parts").want(t, "folder again", 409)

	// Not connected: stored, not selected.
	r := h.upload(h.key, "cube.gcode", cube(), "path", "parts", "select", "true").want(t, "upload offline", 201)
	if v := r.decoded(t); v["effectiveSelect"] != false {
		t.Errorf("upload offline: effectiveSelect %v", v["effectiveSelect"])
	}
	if loc := r.header.Get("Location"); !strings.HasSuffix(loc, "/api/files/local/parts/cube.gcode") {
		t.Errorf("Location %q", loc)
	}
	h.upload(h.key, "a.gco", "G28").want(t, "upload a.gco", 201)
	h.connect(t)
	r = h.upload(h.key, "cube.gcode", cube(), "path", "parts", "select", "true").want(t, "upload", 201)
	checkFixture(t, "printer/upload", r.body)
	checkFixture(t, "printer/files", h.do(http.MethodGet, "/api/files?recursive=true", "", nil).want(t, "files", 200).body)
	if v := h.do(http.MethodGet, "/api/files/local/parts/cube.gcode", "", nil).want(t, "file", 200).decoded(t); v["path"] != "parts/cube.gcode" || v["size"] != 1000.0 {
		t.Errorf("GET file: %v", v)
	}
	h.do(http.MethodGet, "/api/files/local/parts/none.gcode", "", nil).want(t, "missing file", 404)
	if got := h.do(http.MethodGet, "/downloads/files/local/parts/cube.gcode", "", nil).want(t, "download", 200).body; string(got) != cube() {
		t.Errorf("download: %d bytes", len(got))
	}
	for _, e := range []string{"FileAdded", "UpdatedFiles", "Upload"} {
		sub.next(t, "event", func(v map[string]any) bool { return v["type"] == e })
	}

	// Select and print; the job while printing.
	h.do(http.MethodPost, "/api/files/local/parts/cube.gcode", h.key, map[string]any{"command": "copy", "destination": "x"}).want(t, "copy", 400)
	h.do(http.MethodPost, "/api/files/local/parts/none.gcode", h.key, map[string]any{"command": "select"}).want(t, "select missing", 404)
	h.do(http.MethodPost, "/api/job", h.key, map[string]any{"command": "cancel"}).want(t, "cancel idle", 409)
	h.do(http.MethodPost, "/api/job", h.key, map[string]any{"command": "pause", "action": "pause"}).want(t, "pause idle", 409)
	h.do(http.MethodPost, "/api/files/local/parts/cube.gcode", h.key, map[string]any{"command": "select", "print": true}).want(t, "select+print", 204)
	h.printer.Advance(250)
	checkFixture(t, "printer/job_printing", h.do(http.MethodGet, "/api/job", "", nil).want(t, "job", 200).body)
	h.do(http.MethodPost, "/api/job", h.key, map[string]any{"command": "start"}).want(t, "start while printing", 409)
	h.do(http.MethodDelete, "/api/files/local/parts/cube.gcode", h.key, nil).want(t, "delete printing", 409)
	h.do(http.MethodDelete, "/api/files/local/parts", h.key, nil).want(t, "delete folder printing", 409)
	h.upload(h.key, "cube.gcode", "G28", "path", "parts").want(t, "overwrite printing", 409)
	h.do(http.MethodPost, "/api/job", h.key, map[string]any{"command": "pause", "action": "sideways"}).want(t, "bad action", 400)
	h.do(http.MethodPost, "/api/job", h.key, map[string]any{"command": "explode"}).want(t, "unknown", 400)
	for _, c := range []struct {
		body  map[string]any
		state string
	}{
		{map[string]any{"command": "pause", "action": "pause"}, "Paused"},
		{map[string]any{"command": "pause", "action": "resume"}, "Printing"},
		{map[string]any{"command": "pause", "action": "toggle"}, "Paused"},
		{map[string]any{"command": "pause"}, "Printing"},
		{map[string]any{"command": "cancel"}, "Operational"},
		{map[string]any{"command": "start"}, "Printing"},
	} {
		h.do(http.MethodPost, "/api/job", h.key, c.body).want(t, "job command", 204)
		if st := h.printer.State().State.Text; st != c.state {
			t.Errorf("after %v: %s, want %s", c.body, st, c.state)
		}
	}
	h.printer.Advance(1000)
	eventually(t, "the done print in GET /api/job", func() bool {
		var v struct {
			Job struct {
				LastPrint struct {
					ID     int
					Result string
				}
				LastPrintTime any
			}
		}
		_ = json.Unmarshal(h.do(http.MethodGet, "/api/job", "", nil).body, &v)
		return v.Job.LastPrint.Result == "done" && v.Job.LastPrint.ID == 2 && v.Job.LastPrintTime != nil
	})
	h.do(http.MethodDelete, "/api/files/local/parts/cube.gcode", h.key, nil).want(t, "delete", 204)
	if exists(h.path("uploads", "parts", "cube.gcode")) {
		t.Error("deleted file still there")
	}
	sub.next(t, "event", func(v map[string]any) bool { return v["type"] == "FileRemoved" })
	h.do(http.MethodDelete, "/api/files/local/parts/cube.gcode", h.key, nil).want(t, "delete again", 404)
}

// TestUploadHostileNames: nothing is written outside the uploads folder,
// and names that are not printable are refused with 415.
func TestUploadHostileNames(t *testing.T) {
	h := start(t, setup{printer: true})
	outside := filepath.Join(h.dir, "outside")
	if err := os.Mkdir(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, h.path("uploads", "link")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		fields []string
		status int
	}{
		{"../escape.gcode", nil, 201}, // the form's file name is cut to its base: uploads/escape.gcode
		{"x.gcode", []string{"path", "../.."}, 400},
		{"x.gcode", []string{"path", "a/../../b"}, 400},
		{"x.gcode", []string{"path", "link"}, 400},
		{"x.gcode", []string{"path", "link/sub"}, 400},
		{"bad\x01name.gcode", nil, 400},
		{"sub\\..\\x.gcode", nil, 400},
		{"x.stl", nil, 415},
		{"x.gcode.exe", nil, 415},
		{".tmp-1-2.gcode", nil, 400},
	} {
		h.upload(h.key, c.name, "G28", c.fields...).want(t, "upload "+c.name+" "+strings.Join(c.fields, "="), c.status)
	}
	h.upload(h.key, "", "", "foldername", "../out").want(t, "folder ..", 400)
	h.upload(h.key, "", "", "foldername", "link/x").want(t, "folder via link", 400)
	h.do(http.MethodGet, "/api/files/local/link", "", nil).want(t, "GET link", 404)
	h.do(http.MethodDelete, "/api/files/local/link", h.key, nil).want(t, "DELETE link", 404)
	h.do(http.MethodGet, "/downloads/files/local/..%2Fconfig.yaml", "", nil).want(t, "download ..", 400)
	entries, err := os.ReadDir(outside)
	if err != nil || len(entries) != 0 {
		t.Errorf("written outside the uploads folder: %v %v", entries, err)
	}
	if exists(h.path("escape.gcode")) || exists(filepath.Join(filepath.Dir(h.dir), "x.gcode")) || !exists(h.path("uploads", "escape.gcode")) {
		t.Error("escape.gcode written outside the uploads folder")
	}
}
