package source_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/tentacle-go/tentacle/manager"
	"github.com/tentacle-go/tentacle/plugintest"
	"github.com/tentacle-go/tentacle/tier"
	"github.com/tentacle-go/tentacle/tier/source"
)

// Issue 10, finding 3: without the os/exec permission a source plugin ran
// /bin/sh through os.StartProcess, and lint said ok. It is refused at
// load, naming the plugin, the phase, file:line and the symbol, before any
// of its code runs, and lint reports it.
func TestStartProcessWithoutPermission(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "ran")
	src := fmt.Sprintf(`package sneaky

import (
	"os"

	"github.com/tentacle-go/tentacle"
)

func init() {
	p, err := os.StartProcess("/bin/sh", []string{"sh", "-c", "echo ran > %s"}, &os.ProcAttr{})
	if err == nil {
		p.Wait()
	}
}

var Plugin = tentacle.Definition{Name: "Sneaky", Version: "1.0.0"}
`, marker)
	dir := plugins(t, map[string]string{"sneaky.go": src})
	h := plugintest.NewSource(t, "sneaky", filepath.Join(dir, "sneaky.go"), plugintest.Options{})
	if _, err := h.Enable(); err == nil {
		t.Error("enabled")
	}
	err := h.Err()
	var le *manager.LifecycleError
	if !errors.As(err, &le) || le.Plugin != "sneaky" || le.Phase != manager.PhaseImport {
		t.Fatalf("error %v, want the import phase's of sneaky", err)
	}
	want := `sneaky.go:10:15: uses os.StartProcess, which starts a program, without permission: declare Permissions: []string{"os/exec"}`
	if !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), `plugin "sneaky": import: `) {
		t.Errorf("error %q, want %q", err, want)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the plugin ran /bin/sh")
	}
	r := source.Lint(context.Background(), filepath.Join(dir, "sneaky.go"), source.LintOptions{})
	if r.OK() || !problem(r, want) {
		t.Errorf("lint: ok %v, problems %+v", r.OK(), r.Problems)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("lint ran /bin/sh")
	}
}

// problem reports whether r has an error problem containing s.
func problem(r source.Report, s string) bool {
	for _, p := range r.Problems {
		if p.Error && strings.Contains(p.Message, s) {
			return true
		}
	}
	return false
}

// escapes are the ways out of the interpreter tried so far, as fixture
// plugins in testdata/escapes: each is refused at load and by lint, with
// file:line and what would grant it, and each that a permission grants
// loads with it (declared, and allowed by the operator).
var escapes = []struct {
	file    string   // in testdata/escapes
	declare []string // permissions the plugin declares
	want    []string // lint's errors, "file:line:col: message" (the load error is the first)
	grant   []string // permissions with which it loads; nil: none
}{
	{"start_process.go", nil, []string{
		`start_process.go:11:15: uses os.StartProcess, which starts a program, without permission: declare Permissions: []string{"os/exec"} in its Definition, and have the operator allow it (plugins._allowUnsafe)`,
		`start_process.go:11:73: uses os.ProcAttr, which starts a program, without permission`,
	}, []string{"os/exec"}},
	{"exec_command.go", nil, []string{`exec_command.go:4:2: imports os/exec, which runs programs, without permission: declare Permissions: []string{"os/exec"}`}, []string{"os/exec"}},
	{"exec_renamed.go", nil, []string{`exec_renamed.go:5:2: imports os/exec, which runs programs, without permission`}, []string{"os/exec"}},
	{"os_renamed.go", nil, []string{`os_renamed.go:11:13: uses os.StartProcess, which starts a program, without permission`, `os_renamed.go:11:49: uses os.ProcAttr`}, []string{"os/exec"}},
	{"os_dot.go", nil, []string{`os_dot.go:11:9: uses os.StartProcess, which starts a program, without permission`, `os_dot.go:11:41: uses os.ProcAttr`}, []string{"os/exec"}},
	{"syscall_calls.go", nil, []string{`syscall_calls.go:5:2: imports syscall, which makes system calls: ids, mounts, descriptors, anything the server's process may do, without permission: declare Permissions: []string{"syscall"}`}, []string{"syscall", "os/exec"}},
	{"syscall_calls.go", []string{"syscall"}, []string{
		`syscall_calls.go:11:14: uses syscall.Exec, which starts or ends processes, sends signals or makes raw system calls, without permission: declare Permissions: []string{"syscall", "os/exec"}`,
		`syscall_calls.go:12:17: uses syscall.ForkExec, which starts or ends processes`,
		`syscall_calls.go:13:14: uses syscall.Kill, which starts or ends processes`,
		`syscall_calls.go:14:20: uses syscall.RawSyscall, which starts or ends processes`,
	}, []string{"syscall", "os/exec"}},
	{"syscall_setuid.go", nil, []string{`syscall_setuid.go:5:2: imports syscall, which makes system calls`}, []string{"syscall"}},
	{"os_exit.go", nil, []string{`os_exit.go:9:18: uses os.Exit, which ends the server, without permission: declare Permissions: []string{"process"}`}, []string{"process"}},
	{"os_exit.go", nil, []string{`os_exit.go:9:18: uses os.Exit`}, []string{"os/exec"}}, // os/exec includes process
	{"signals.go", nil, []string{`signals.go:6:2: imports os/signal, which changes how the server handles signals (SIGTERM, Ctrl-C), without permission: declare Permissions: []string{"process"}`}, []string{"process"}},
	{"find_process.go", nil, []string{`find_process.go:11:18: uses os.FindProcess, which signals or waits for processes, the server's included, without permission: declare Permissions: []string{"process"}`}, []string{"process"}},
	{"process_literal.go", nil, []string{`process_literal.go:10:33: uses os.Process, which signals or waits for processes`}, []string{"process"}},
	{"setenv.go", nil, []string{
		`setenv.go:10:9: uses os.Setenv, which changes the server's environment, without permission: declare Permissions: []string{"process"}`,
		`setenv.go:11:9: uses os.Unsetenv, which changes the server's environment`,
		`setenv.go:12:5: uses os.Clearenv, which changes the server's environment`,
	}, []string{"process"}},
	{"chdir.go", nil, []string{`chdir.go:9:31: uses os.Chdir, which changes the server's working directory, without permission: declare Permissions: []string{"process"}`}, []string{"process"}},
	{"file_chdir.go", nil, []string{`file_chdir.go:16:11: calls a method named Chdir (os.File.Chdir changes the server's working directory) without permission: declare Permissions: []string{"process"}`}, []string{"process"}},
	{"plugin_open.go", nil, []string{`plugin_open.go:5:2: imports plugin, which loads compiled code into the server: no permission grants it`}, nil},
	{"unsafe_pointer.go", nil, []string{`unsafe_pointer.go:5:2: imports unsafe, which reads and writes memory behind the type system, without permission: declare Permissions: []string{"unsafe"}`}, []string{"unsafe"}},
	{"reflect_newat.go", nil, []string{
		`reflect_newat.go:11:15: uses reflect.NewAt, which makes a value at an address, writing memory the type system protects, without permission: declare Permissions: []string{"unsafe"}`,
		`reflect_newat.go:11:40: calls a method named UnsafePointer (reflect.Value.UnsafePointer gives the address of a value) without permission: declare Permissions: []string{"unsafe"}`,
	}, []string{"unsafe"}},
	{"reflect_unsafeaddr.go", nil, []string{`reflect_unsafeaddr.go:9:47: calls a method named UnsafeAddr (reflect.Value.UnsafeAddr gives the address of a value) without permission: declare Permissions: []string{"unsafe"}`}, []string{"unsafe"}},
	{"reflect_by_name.go", nil, []string{`reflect_by_name.go:11:41: calls a method named UnsafePointer by reflection (reflect.Value.UnsafePointer gives the address of a value) without permission: declare Permissions: []string{"unsafe"}`}, []string{"unsafe"}},
	// The reflect package itself refuses to set an unexported field, with
	// any permission: the load fails in the plugin's init.
	{"reflect_unexported.go", nil, []string{`reflect.Value.Set using value obtained using unexported field`}, nil},
	{"var_assign.go", nil, []string{`var_assign.go:12:15: writes to io.EOF, a package variable shared with the server: package variables are read-only for plugins; use a variable of the plugin's own`}, nil},
	{"var_address.go", nil, []string{`var_address.go:13:8: takes the address of rand.Reader, a package variable shared with the server`}, nil},
	{"var_through.go", nil, []string{
		`var_through.go:14:2: writes through http.DefaultClient, a package variable shared with the server`,
		`var_through.go:15:2: writes to tentacle.ErrNoHelper, a package variable shared with the server`,
		`var_through.go:16:2: writes to io.EOF, a package variable shared with the server`,
	}, nil},
	{"gomaxprocs.go", nil, []string{`gomaxprocs.go:9:27: uses runtime.GOMAXPROCS, which changes a setting of the whole process, without permission: declare Permissions: []string{"process"}`}, []string{"process"}},
	{"debug_knobs.go", nil, []string{
		`debug_knobs.go:10:8: uses debug.SetMaxStack, which changes a setting of the whole process, without permission: declare Permissions: []string{"process"}`,
		`debug_knobs.go:11:8: uses debug.SetGCPercent, which changes a setting of the whole process`,
		`debug_knobs.go:12:8: uses debug.SetMemoryLimit, which changes a setting of the whole process`,
	}, []string{"process"}},
	{"breakpoint.go", nil, []string{`breakpoint.go:10:24: uses runtime.Breakpoint, which crashes the server (SIGTRAP), without permission: declare Permissions: []string{"process"}`}, []string{"process"}},
	{"goexit.go", nil, []string{`goexit.go:11:10: uses runtime.Goexit, which stops the goroutine of the server that called the plugin, without permission: declare Permissions: []string{"process"}`}, []string{"process"}},
	{"set_finalizer.go", nil, []string{`set_finalizer.go:15:10: uses runtime.SetFinalizer, which works on memory the runtime manages, and crashes the server when misused, without permission: declare Permissions: []string{"unsafe"}`}, []string{"unsafe"}},
	{"lock_thread.go", nil, []string{`lock_thread.go:9:22: uses runtime.LockOSThread, which ties a goroutine to an OS thread, without permission: declare Permissions: []string{"syscall"}`}, []string{"syscall"}},
	{"new_file.go", nil, []string{`new_file.go:10:34: uses os.NewFile, which opens any of the server's file descriptors by number, without permission: declare Permissions: []string{"syscall"}`}, []string{"syscall"}},
	{"log_fatal.go", nil, []string{
		`log_fatal.go:11:12: uses slog.NewLogLogger, which makes a *log.Logger whose Fatal methods end the server, without permission: declare Permissions: []string{"process"}`,
		`log_fatal.go:12:4: calls a method named Fatal (log.Logger.Fatal ends the server) without permission: declare Permissions: []string{"process"}`,
	}, []string{"process"}},
	{"log_default.go", nil, []string{`log_default.go:11:22: uses log.Default, which is the server's own standard logger, whose Fatal methods end the server, without permission: declare Permissions: []string{"process"}`}, []string{"process"}},
	{"slog_default.go", nil, []string{`slog_default.go:10:23: uses slog.SetDefault, which changes the server's default logger, without permission: declare Permissions: []string{"process"}`}, []string{"process"}},
	{"flag_parse.go", nil, []string{`flag_parse.go:5:2: imports flag, which parses the server's command line, and exits on a parse error, without permission: declare Permissions: []string{"process"}`}, []string{"process"}},
	{"testing_main.go", nil, []string{`testing_main.go:4:2: imports testing, which runs tests and exits, and registers flags on the server's command line, without permission: declare Permissions: []string{"process"}`}, []string{"process"}},
	{"mime_type.go", nil, []string{`mime_type.go:10:35: uses mime.AddExtensionType, which changes the process's MIME table, which the server's static files use, without permission: declare Permissions: []string{"process"}`}, []string{"process"}},
	{"default_mux.go", nil, []string{`default_mux.go:10:21: uses http.HandleFunc, which registers on http.DefaultServeMux, the process's own routes (plugins serve theirs with server.Blueprint), without permission: declare Permissions: []string{"process"}`}, []string{"process"}},
	{"pprof.go", nil, []string{`pprof.go:5:2: imports runtime/pprof, which profiles the whole process, without permission: declare Permissions: []string{"process"}`}, []string{"process"}},
	{"go_build.go", nil, []string{`go_build.go:5:2: imports go/build, which runs the go command, without permission: declare Permissions: []string{"os/exec"}`}, []string{"os/exec"}},
	{"cgi.go", nil, []string{`cgi.go:5:2: imports net/http/cgi, which runs CGI programs, without permission: declare Permissions: []string{"os/exec"}`}, []string{"os/exec"}},
	{"atomic_pointer.go", nil, []string{`atomic_pointer.go:9:16: uses atomic.LoadPointer, which reads or writes an unsafe.Pointer, without permission: declare Permissions: []string{"unsafe"}`}, []string{"unsafe"}},
	{"yaegi_stdlib.go", nil, []string{`yaegi_stdlib.go:6:2: imports github.com/traefik/yaegi/stdlib, a package of the interpreter itself, whose tables hold everything the allow-list holds back: no permission grants it`}, nil},
	{"yaegi_interp.go", nil, []string{`yaegi_interp.go:5:2: imports github.com/traefik/yaegi/interp, a package of the interpreter itself`}, nil},
	// The interpreter reads sources from the plugin's own files only.
	{"relative_import.go", nil, []string{`relative_import.go:5: import "../../../../../../usr/lib/go/src/os/exec" error: open ../../../../usr/lib/go/src/os/exec: file does not exist`}, nil},
	{"debug_elf.go", nil, []string{`debug_elf.go:5:2: imports debug/elf, which reads executable formats, left out of the source tier's allow-list as no plugin needs it: no permission grants it`}, nil},
}

// declaring returns the fixture's source with its Definition declaring
// perms.
func declaring(t *testing.T, src string, perms []string) string {
	t.Helper()
	if len(perms) == 0 {
		return src
	}
	const lit = "var Plugin = tentacle.Definition{"
	if !strings.Contains(src, lit) {
		t.Fatalf("no %q in the fixture", lit)
	}
	return strings.Replace(src, lit, fmt.Sprintf("%sPermissions: %#v, ", lit, perms), 1)
}

func TestEscapesRefused(t *testing.T) {
	for _, tc := range escapes {
		t.Run(strings.TrimSuffix(tc.file, ".go")+strings.Join(tc.declare, "+"), func(t *testing.T) {
			fixture, err := os.ReadFile(filepath.Join("testdata", "escapes", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			id := strings.TrimSuffix(tc.file, ".go")
			dir := plugins(t, map[string]string{tc.file: declaring(t, string(fixture), tc.declare)})

			// Load, with what it declares allowed: refused with the first.
			inst, err := load(t, dir, id, tier.Env{AllowUnsafe: true})
			if err == nil {
				inst.Close()
				t.Fatal("loaded")
			}
			if !strings.Contains(err.Error(), tc.want[0]) {
				t.Errorf("load error\n%v\nwant\n%s", err, tc.want[0])
			}

			// Lint: each one, as an error.
			r := source.Lint(context.Background(), filepath.Join(dir, tc.file), source.LintOptions{})
			if r.OK() {
				t.Error("lint says ok")
			}
			for _, w := range tc.want {
				if !problem(r, w) {
					t.Errorf("lint lacks\n%s\nproblems %+v", w, r.Problems)
				}
			}
		})
	}
}

// Each permission that grants an escape gives it: the fixture loads when
// it declares the permission and the operator allows it; those no
// permission grants stay refused with every permission.
func TestEscapesGranted(t *testing.T) {
	all := []string{"unsafe", "syscall", "os/exec", "process"}
	for _, tc := range escapes {
		perms := tc.grant
		if perms == nil {
			perms = all
		}
		t.Run(strings.TrimSuffix(tc.file, ".go")+"+"+strings.Join(perms, "+"), func(t *testing.T) {
			fixture, err := os.ReadFile(filepath.Join("testdata", "escapes", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			id := strings.TrimSuffix(tc.file, ".go")
			dir := plugins(t, map[string]string{tc.file: declaring(t, string(fixture), perms)})
			inst, err := load(t, dir, id, tier.Env{AllowUnsafe: true})
			if tc.grant == nil {
				if err == nil {
					inst.Close()
					t.Fatal("loaded with every permission")
				}
				return
			}
			if err != nil {
				t.Fatalf("refused with %v: %v", perms, err)
			}
			inst.Close()
			// Declared but not allowed by the operator: refused.
			if _, err := load(t, dir, id, tier.Env{}); err == nil || !strings.Contains(err.Error(), "which the operator has not allowed") {
				t.Errorf("without the operator's consent: %v", err)
			}
		})
	}
}

// What the permissions give works, not only loads: programs run, the real
// environment, system calls, unsafe conversions.
func TestPermissionsWork(t *testing.T) {
	t.Setenv("TENTACLE_SANDBOX_TEST", "visible")
	src := `package p

import (
	"os"
	"os/exec"
	"reflect"
	"syscall"
	"unsafe"

	"github.com/tentacle-go/tentacle"
)

var Results = map[string]any{}

func init() {
	Results["exec"] = exec.Command("true").Run()
	Results["env"] = os.Getenv("TENTACLE_SANDBOX_TEST")
	Results["pid"] = syscall.Getpid() == os.Getpid()
	x := int64(7)
	Results["unsafe"] = *(*int64)(unsafe.Pointer(&x))
	v := reflect.ValueOf(&x).Elem()
	*(*int64)(reflect.NewAt(v.Type(), v.Addr().UnsafePointer()).UnsafePointer()) = 8
	Results["newat"] = x
}

var Plugin = tentacle.Definition{Permissions: []string{"os/exec", "syscall", "unsafe"}, Helpers: tentacle.Helpers{"results": func() map[string]any { return Results }}}
`
	dir := plugins(t, map[string]string{"p.go": src})
	inst, err := load(t, dir, "p", tier.Env{AllowUnsafe: true})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	got := inst.Definition().Helpers["results"].(func() map[string]any)()
	want := map[string]any{"exec": nil, "env": "visible", "pid": true, "unsafe": int64(7), "newat": int64(8)}
	for k, w := range want {
		if fmt.Sprint(got[k]) != fmt.Sprint(w) {
			t.Errorf("%s = %v, want %v", k, got[k], w)
		}
	}
}

// Without the process permission a plugin's environment is its own (and
// empty), log.Fatal panics instead of ending the server, and fmt and log
// write to the plugin's log; package variables are copies: what a plugin
// does through one does not reach the server.
func TestPluginsOwnProcessState(t *testing.T) {
	t.Setenv("TENTACLE_SANDBOX_TEST", "hidden")
	src := `package p

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"time"
	"unicode"

	"github.com/tentacle-go/tentacle"
)

type shout string

func (s shout) String() string { return "<" + string(s) + ">" }

var Results = map[string]any{}

func init() {
	Results["env"] = os.Getenv("TENTACLE_SANDBOX_TEST")
	fmt.Println("printed", shout("x"))
	log.Print("logged")
	func() {
		defer func() { Results["fatal"] = fmt.Sprint(recover()) }()
		log.Fatal("fatal")
	}()
	c := http.DefaultClient
	c.Timeout = time.Nanosecond
	t := unicode.Upper
	t.R16[0].Lo = 'z'
	args := os.Args
	args[0] = "changed"
}

var Plugin = tentacle.Definition{Helpers: tentacle.Helpers{"results": func() map[string]any { return Results }}}
`
	dir := plugins(t, map[string]string{"p.go": src})
	var logs strings.Builder
	inst, err := load(t, dir, "p", tier.Env{Logger: newTextLogger(&logs)})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	got := inst.Definition().Helpers["results"].(func() map[string]any)()
	if got["env"] != "" {
		t.Errorf("the plugin read the server's environment: %q", got["env"])
	}
	if !strings.Contains(fmt.Sprint(got["fatal"]), "fatal") {
		t.Errorf("log.Fatal: recovered %v", got["fatal"])
	}
	for _, w := range []string{"printed <x>", "logged"} {
		if !strings.Contains(logs.String(), w) {
			t.Errorf("the plugin's log lacks %q:\n%s", w, logs.String())
		}
	}
	if http.DefaultClient.Timeout != 0 {
		t.Errorf("the server's http.DefaultClient.Timeout is %v", http.DefaultClient.Timeout)
	}
	if !unicode.IsUpper('A') || unicode.IsUpper('z') {
		t.Error("the server's unicode.Upper changed")
	}
	if os.Args[0] == "changed" {
		t.Error("the server's os.Args changed")
	}
	if io.EOF.Error() != "EOF" {
		t.Error("io.EOF changed")
	}
}

func newTextLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
