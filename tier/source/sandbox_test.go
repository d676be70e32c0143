package source

import (
	"io"
	"os"
	"path"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// Every package of the interpreter's standard library is decided in
// allow.go, and so is every symbol of a package given symbol by symbol: a
// yaegi upgrade that adds some fails here until they are reviewed.
func TestAllowListDecidesEveryPackage(t *testing.T) {
	sb := theSandbox()
	for key, syms := range stdlib.Symbols {
		if key == "." || strings.HasPrefix(key, interpreterPrefix) {
			continue
		}
		p := path.Dir(key)
		rule, ok := allowList[p]
		if !ok {
			t.Errorf("package %s is not decided in allow.go", p)
			continue
		}
		for name := range syms {
			n := strings.TrimPrefix(name, "_")
			if _, isHeld := rule.held[n]; rule.only != nil && !contains(rule.only, n) && !isHeld {
				t.Errorf("%s.%s is not decided in allow.go", p, n)
			}
		}
	}
	// Every name listed exists (a misspelt hold would let the symbol
	// through unnoticed).
	for p, rule := range allowList {
		sp := sb.pkgs[p]
		if sp == nil {
			if !rule.never && p != "os/exec" && p != "syscall" && p != "unsafe" {
				t.Errorf("allow.go lists %s, which the interpreter does not have", p)
			}
			continue
		}
		for _, n := range append(append([]string(nil), rule.only...), sortedKeys(rule.held)...) {
			if !sp.symbols[n] {
				t.Errorf("allow.go lists %s.%s, which the interpreter does not have", p, n)
			}
		}
	}
	for name, h := range heldMethods {
		if !contains(permissions, h.perm) {
			t.Errorf("method %s: unknown permission %q", name, h.perm)
		}
	}
}

// sandboxed returns an interpreter with what permissions perms give.
func sandboxed(t *testing.T, perms ...string) *interp.Interpreter {
	t.Helper()
	i := interp.New(interp.Options{Stdout: io.Discard, Stderr: io.Discard})
	sb := theSandbox()
	every := map[string]bool{}
	for p := range sb.pkgs {
		every[p] = true
	}
	if err := sb.use(i, granted(perms), []byPath{index(sb.host)}, io.Discard, every, genericsFor(every, nil)); err != nil {
		t.Fatal(err)
	}
	return i
}

// The interpreter itself holds back what the allow-list holds back: were
// the check of the source bypassed, a refused package could not be
// imported and a refused symbol would not exist. Each permission gives
// exactly what it grants.
func TestInterpreterHoldsBack(t *testing.T) {
	sb := theSandbox()
	interps := map[string]*interp.Interpreter{"": sandboxed(t)}
	for _, p := range permissions {
		interps[p] = sandboxed(t, p)
	}
	has := func(i *interp.Interpreter, p, name string) bool {
		_, ok := i.Symbols(p)[p][name]
		return ok
	}
	for _, p := range sortedKeys(sb.pkgs) {
		sp := sb.pkgs[p]
		for name := range sp.symbols {
			perm := sp.rule.permFor(name)
			if sp.execOnly[name] {
				perm = "-" // needs two permissions: below
			}
			if p == "os" && (name == "Getenv" || name == "LookupEnv" || name == "Environ" || name == "ExpandEnv") {
				continue // every plugin has its own (empty) environment; process gives the real one
			}
			switch perm {
			case "":
				if !has(interps[""], p, name) {
					t.Errorf("%s.%s: missing for every plugin", p, name)
				}
			case "-":
				for q, i := range interps {
					if has(i, p, name) && !(q == permSyscall && p == "syscall" && !sp.execOnly[name]) {
						t.Errorf("%s.%s: given with permission %q", p, name, q)
					}
				}
			default:
				for q, i := range interps {
					want := q == perm || contains(implied[q], perm)
					if got := has(i, p, name); got != want {
						t.Errorf("%s.%s: present %v with permission %q, want %v", p, name, got, q, want)
					}
				}
			}
		}
	}
	both := sandboxed(t, permSyscall, permExec)
	for _, name := range []string{"Exec", "ForkExec", "Kill", "RawSyscall"} {
		if has(interps[permSyscall], "syscall", name) || !has(both, "syscall", name) {
			t.Errorf("syscall.%s: not exactly with syscall and os/exec", name)
		}
	}

	// The process permission gives the real os.Exit (ending the server),
	// the others none.
	if exit := interps[permProcess].Symbols("os")["os"]["Exit"]; !exit.IsValid() || exit.Pointer() != reflect.ValueOf(os.Exit).Pointer() {
		t.Error("the process permission does not give the real os.Exit")
	}

	// The same, as the plugin would meet it.
	i := interps[""]
	for _, src := range []string{
		`import "os/exec"`, `import "syscall"`, `import "unsafe"`, `import "plugin"`, `import "os/signal"`,
		`import "flag"`, `import "testing"`, `import "runtime/pprof"`, `import "go/build"`, `import "debug/elf"`,
		`import "github.com/traefik/yaegi/stdlib"`, `import "github.com/traefik/yaegi/interp"`,
		`import "github.com/traefik/yaegi/stdlib/unrestricted"`, `import "github.com/traefik/yaegi/stdlib/unsafe"`,
	} {
		if _, err := i.Eval(src); err == nil {
			t.Errorf("%s: no error", src)
		}
	}
	if _, err := i.Eval(`import "os"`); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{`os.StartProcess`, `os.Exit`, `os.Setenv`, `os.Chdir`, `os.FindProcess`} {
		if _, err := i.Eval(src); err == nil || !strings.Contains(err.Error(), "undefined") && !strings.Contains(err.Error(), "has no symbol") {
			t.Errorf("%s: %v", src, err)
		}
	}
	// Without the unsafe permission an unsafe.Pointer converts to nothing.
	if _, err := i.Eval(`import "reflect"`); err != nil {
		t.Fatal(err)
	}
	if _, err := i.Eval(`func poke() { x := 1; p := reflect.ValueOf(&x).UnsafePointer(); *(*int)(p) = 2 }`); err != nil {
		t.Fatal(err)
	}
	if _, err := i.Eval(`poke()`); err == nil {
		t.Error("an unsafe.Pointer converted to *int without the unsafe permission")
	}
}

// A plugin assigning a package variable (were the check bypassed) changes
// its read-only copy at most, never the server's variable.
func TestPackageVariablesReadOnly(t *testing.T) {
	eof := io.EOF
	i := sandboxed(t)
	if _, err := i.Eval(`import ("errors"; "io")`); err != nil {
		t.Fatal(err)
	}
	_, _ = i.Eval(`io.EOF = errors.New("x")`) // the interpreter does nothing
	if io.EOF != eof {
		io.EOF = eof
		t.Fatal("the plugin assigned the server's io.EOF")
	}
	v, err := i.Eval(`io.EOF`)
	if err != nil || v.Interface() != eof {
		t.Errorf("io.EOF in the plugin: %v, %v", v, err)
	}
	if _, err := i.Eval(`errors.Is(io.EOF, io.EOF)`); err != nil {
		t.Error(err)
	}
}

// No package variable shares with the server memory a plugin could write
// through it: the server's error sentinels are kept (compared by
// identity), structs with unexported fields are kept (reflect refuses to
// write those), the rest is the plugins' own copy.
func TestPackageVariablesIsolated(t *testing.T) {
	sb := theSandbox()
	all := append([]exports{sb.base}, sb.host)
	for _, p := range permissions {
		all = append(all, sb.grants[p])
	}
	view := func(p, name string) (reflect.Value, bool) {
		for _, ex := range all {
			for key, syms := range ex {
				if path.Dir(key) == p {
					if v, ok := syms[name]; ok {
						return v, true
					}
				}
			}
		}
		return reflect.Value{}, false
	}
	checked := 0
	for key, syms := range stdlib.Symbols {
		for name, orig := range syms {
			if !orig.IsValid() || !orig.CanSet() {
				continue
			}
			v, ok := view(path.Dir(key), name)
			if !ok {
				continue
			}
			checked++
			if key == "flag/flag" && name == "CommandLine" {
				continue // the process permission gives the server's command line
			}
			if v.CanSet() || v.CanAddr() {
				t.Errorf("%s.%s: the plugins' value can be set", path.Dir(key), name)
			}
			if s := shares(orig, v, 0); s != "" {
				t.Errorf("%s.%s: %s with the server", path.Dir(key), name, s)
			}
		}
	}
	if checked < 300 {
		t.Errorf("checked %d variables", checked)
	}
	// Sentinels stay themselves.
	if v, _ := view("io", "EOF"); v.Interface() != io.EOF {
		t.Error("io.EOF is not the server's")
	}
}

// shares says how a and b (the server's and the plugins' value) share
// memory a plugin could write, or "".
func shares(a, b reflect.Value, depth int) string {
	if depth > 6 || !a.IsValid() || !b.IsValid() {
		return ""
	}
	if a.Kind() == reflect.Interface {
		if a.IsNil() || b.IsNil() {
			return ""
		}
		return shares(a.Elem(), b.Elem(), depth+1)
	}
	if a.Type().Implements(errorType) {
		return ""
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return ""
		}
		el := a.Type().Elem()
		if el.Kind() == reflect.Struct && !anyExported(el) {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return "shares a " + a.Type().String()
		}
		return shares(a.Elem(), b.Elem(), depth+1)
	case reflect.Slice:
		if a.Len() == 0 {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return "shares a " + a.Type().String()
		}
		return shares(a.Index(0), b.Index(0), depth+1)
	case reflect.Map:
		if a.Len() == 0 {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return "shares a " + a.Type().String()
		}
		keys := a.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		return shares(a.MapIndex(keys[0]), b.MapIndex(keys[0]), depth+1)
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if a.Type().Field(i).IsExported() {
				if s := shares(a.Field(i), b.Field(i), depth+1); s != "" {
					return s
				}
			}
		}
	case reflect.Array:
		if a.Len() > 0 {
			return shares(a.Index(0), b.Index(0), depth+1)
		}
	}
	return ""
}

func anyExported(t reflect.Type) bool {
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).IsExported() {
			return true
		}
	}
	return false
}

// sortedKeys returns m's keys, sorted.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
