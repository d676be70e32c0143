package source

import (
	"fmt"
	"go/constant"
	"io"
	"log"
	"math/bits"
	"net"
	"net/http"
	"os"
	"path"
	"reflect"
	"strings"
	"sync"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
	yaegisyscall "github.com/traefik/yaegi/stdlib/syscall"
	"github.com/traefik/yaegi/stdlib/unrestricted"
	yaegiunsafe "github.com/traefik/yaegi/stdlib/unsafe"

	"github.com/tentacle-go/tentacle/tier/source/symbols"
)

// exports are symbol tables as interp.Interpreter.Use takes them:
// "<import path>/<package name>" -> symbol -> value.
type exports = map[string]map[string]reflect.Value

// fmtKey is the key package fmt is given under. The interpreter's Use,
// when its argument has the key "fmt/fmt", rewrites fmt, log, os and flag
// symbols of its own (stdout, the environment, ...), re-adding some that
// the allow-list holds back, and compiles the generic slices, maps and cmp
// packages for every interpreter, plugin needing them or not (half of a
// load). "fmt/./fmt" names the same package without that: the sandbox
// gives each interpreter its own fmt and log output (perInterpreter) and
// compiles the generic packages only for a plugin that imports one.
const fmtKey = "fmt/./fmt"

// yaegiHookKey is where the unsafe table keeps its conversion hook (an
// unsafe.Pointer converts to any pointer only with it).
const yaegiHookKey = interpreterPrefix + "/yaegi"

// sandbox is the allow-list applied to the interpreter's symbol tables,
// built once and shared by every interpreter.
type sandbox struct {
	// base is what every plugin gets.
	base exports
	// grants are what each permission adds.
	grants map[string]exports
	// execSyscall are syscall's calls that start or end processes, send
	// signals or make raw system calls: granted by syscall and os/exec
	// together.
	execSyscall exports
	// pkgs describe the standard library's packages by import path, for
	// the check of a plugin's source.
	pkgs map[string]*stdPkg
	// host is the host API (package tentacle and server) with read-only
	// variables, and hostVars its variables.
	host     exports
	hostVars map[string]map[string]bool
	// The same tables by import path (tables.go).
	baseIdx   byPath
	grantsIdx map[string]byPath
	execIdx   byPath
}

// stdPkg is what the source check knows of one standard library package.
type stdPkg struct {
	path string
	name string
	rule pkgRule
	// symbols are those the interpreter's tables have (any permission).
	symbols map[string]bool
	// vars are the package variables.
	vars map[string]bool
	// execOnly: symbols that need os/exec besides the package's permission.
	execOnly map[string]bool
}

// theSandbox builds the sandbox once.
var theSandbox = sync.OnceValue(buildSandbox)

// perInterpreterSymbols are given by perInterpreter, never from the shared
// tables (where they would write to the server's own output and logger).
var perInterpreterSymbols = map[string][]string{
	"fmt": {"Print", "Printf", "Println"},
	"log": {"Fatal", "Fatalf", "Fatalln", "Flags", "Output", "Panic", "Panicf", "Panicln", "Prefix",
		"Print", "Printf", "Println", "SetFlags", "SetOutput", "SetPrefix", "Writer"},
}

func buildSandbox() *sandbox {
	sb := &sandbox{
		base:        exports{},
		grants:      map[string]exports{},
		execSyscall: exports{},
		pkgs:        map[string]*stdPkg{},
	}
	for _, p := range permissions {
		sb.grants[p] = exports{}
	}
	memo := make(map[visit]reflect.Value)
	add := func(into exports, key, name string, v reflect.Value) {
		if into[key] == nil {
			into[key] = map[string]reflect.Value{}
		}
		into[key][name] = pluginVar(path.Dir(key)+"."+name, v, memo)
	}
	info := func(key string) *stdPkg {
		p := path.Dir(key)
		sp := sb.pkgs[p]
		if sp == nil {
			sp = &stdPkg{path: p, name: path.Base(key), rule: allowList[p],
				symbols: map[string]bool{}, vars: map[string]bool{}, execOnly: map[string]bool{}}
			sb.pkgs[p] = sp
		}
		return sp
	}
	perInterp := make(map[string]map[string]bool)
	for p, names := range perInterpreterSymbols {
		perInterp[p] = make(map[string]bool)
		for _, n := range names {
			perInterp[p][n] = true
		}
	}

	// The standard library, package by package.
	for key, syms := range stdlib.Symbols {
		if key == "." || strings.HasPrefix(key, interpreterPrefix) {
			continue // the interface wrappers' table (below); the interpreter's own tables
		}
		sp := info(key)
		rule, listed := allowList[sp.path]
		if !listed || rule.never {
			for name, v := range syms {
				sp.note(name, v)
			}
			continue
		}
		ukey := key
		if sp.path == "fmt" {
			ukey = fmtKey
		}
		for name, v := range syms {
			sp.note(name, v)
			if perInterp[sp.path][name] {
				continue
			}
			switch perm := rule.permFor(name); perm {
			case "":
				add(sb.base, ukey, name, v)
			case "-":
				// not on the list
			default:
				add(sb.grants[perm], ukey, name, v)
			}
		}
		if sb.base[ukey] == nil && rule.perm == "" {
			sb.base[ukey] = map[string]reflect.Value{} // an importable package without symbols (cmp, maps, slices)
		}
	}
	// The interface wrappers yaegi uses to pass interpreted values to
	// functions that test for fmt.Stringer, json.Marshaler, ...
	sb.base["."] = map[string]reflect.Value{"MapTypes": reflect.ValueOf(stdlib.MapTypes)}
	// Do not trust an extracted value that may be from another
	// architecture (as yaegi's own fix-up does).
	sb.base["math/bits/bits"]["UintSize"] = reflect.ValueOf(constant.MakeInt64(bits.UintSize))
	// The environment a plugin reads is its own and empty; the process's
	// is for plugins with the process permission.
	env := map[string]reflect.Value{
		"Getenv":    reflect.ValueOf(func(string) string { return "" }),
		"LookupEnv": reflect.ValueOf(func(string) (string, bool) { return "", false }),
		"Environ":   reflect.ValueOf(func() []string { return nil }),
		"ExpandEnv": reflect.ValueOf(func(s string) string { return os.Expand(s, func(string) string { return "" }) }),
	}
	realEnv := map[string]reflect.Value{
		"Getenv":    reflect.ValueOf(os.Getenv),
		"LookupEnv": reflect.ValueOf(os.LookupEnv),
		"Environ":   reflect.ValueOf(os.Environ),
		"ExpandEnv": reflect.ValueOf(os.ExpandEnv),
	}
	for name, v := range env {
		add(sb.base, "os/os", name, v)
		add(sb.grants[permProcess], "os/os", name, realEnv[name])
	}
	// The real os.Exit, os.FindProcess, log.New and log.Logger (whose
	// Fatal methods exit) for the process permission; yaegi's tables have
	// an os.Exit that panics and a logger whose Fatal panics.
	for key, syms := range unrestricted.Symbols {
		if strings.HasPrefix(key, interpreterPrefix) {
			continue
		}
		sp := info(key)
		for name, v := range syms {
			sp.note(name, v)
			switch sp.path {
			case "os", "log":
				if name == "Fatal" || name == "Fatalf" || name == "Fatalln" {
					continue // per interpreter, to the plugin's log
				}
				add(sb.grants[permProcess], key, name, v)
			case "os/exec":
				add(sb.grants[permExec], key, name, v)
			case "syscall":
				sp.execOnly[name] = true
				add(sb.execSyscall, key, name, v)
			}
		}
	}
	for key, syms := range yaegisyscall.Symbols {
		if strings.HasPrefix(key, interpreterPrefix) {
			continue
		}
		sp := info(key)
		for name, v := range syms {
			sp.note(name, v)
			add(sb.grants[permSyscall], key, name, v)
		}
	}
	for key, syms := range yaegiunsafe.Symbols {
		if key == yaegiHookKey {
			sb.grants[permUnsafe][key] = syms // the conversion hook
			continue
		}
		if strings.HasPrefix(key, interpreterPrefix) {
			continue
		}
		sp := info(key)
		for name, v := range syms {
			sp.note(name, v)
			add(sb.grants[permUnsafe], key, name, v)
		}
	}
	sb.host, sb.hostVars = readOnlyExports(symbols.Symbols)
	sb.baseIdx, sb.execIdx = index(sb.base), index(sb.execSyscall)
	sb.grantsIdx = make(map[string]byPath, len(sb.grants))
	for p, ex := range sb.grants {
		sb.grantsIdx[p] = index(ex)
	}
	return sb
}

// note records a symbol of the package.
func (sp *stdPkg) note(name string, v reflect.Value) {
	sp.symbols[name] = true
	if v.IsValid() && v.CanSet() {
		sp.vars[name] = true
	}
}

// permFor says who gets a symbol of the package: "" every plugin, a
// permission, or "-" nobody (not on the list).
func (r pkgRule) permFor(name string) string {
	if r.never {
		return "-"
	}
	if strings.HasPrefix(name, "_") {
		name = name[1:] // an interface's wrapper goes with the interface
	}
	if h, ok := r.held[name]; ok {
		if r.perm != "" && h.perm != r.perm {
			return "-" // not expected: a held symbol of a held package
		}
		return h.perm
	}
	if r.perm != "" {
		return r.perm
	}
	if r.only != nil && !contains(r.only, name) {
		return "-"
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// pluginVar returns what plugins get of a package variable (another value
// as it is): a read-only value, which the interpreter cannot assign nor
// take the address of (it would write the server's variable), of the
// plugins' own copy when the value holds memory a plugin could otherwise
// write through it (see isolate).
func pluginVar(qual string, v reflect.Value, memo map[visit]reflect.Value) reflect.Value {
	if !v.IsValid() || !v.CanSet() {
		return v
	}
	if mk, ok := liveVars[qual]; ok {
		c := reflect.New(v.Type()).Elem()
		c.Set(reflect.ValueOf(mk()))
		return readOnly(c)
	}
	return readOnly(isolate(v, memo))
}

// liveVars are package variables holding objects with state of their own
// (connection pools, caches, locks), which a copy of their fields would
// share: plugins get a new one instead, shared by plugins only.
var liveVars = map[string]func() any{
	// The server's transport, cloned: plugins' changes to theirs do not
	// reach the server's requests.
	"net/http.DefaultTransport": func() any {
		t, ok := http.DefaultTransport.(*http.Transport)
		if !ok {
			return http.DefaultTransport
		}
		c := t.Clone()
		if c.TLSClientConfig != nil {
			// Clone shares the TLS configuration's slices.
			tc := reflect.ValueOf(c.TLSClientConfig).Elem()
			for i := 0; i < tc.NumField(); i++ {
				if f := tc.Field(i); f.Kind() == reflect.Slice && f.CanSet() && !f.IsNil() {
					f.Set(reflect.AppendSlice(reflect.MakeSlice(f.Type(), 0, f.Len()), f))
				}
			}
		}
		return c
	},
	// A resolver with the server's settings, and no state shared with it.
	"net.DefaultResolver": func() any {
		r := net.DefaultResolver
		return &net.Resolver{PreferGo: r.PreferGo, StrictErrors: r.StrictErrors, Dial: r.Dial}
	},
}

// visit is a pointer already copied by isolate.
type visit struct {
	ptr uintptr
	typ reflect.Type
}

var errorType = reflect.TypeFor[error]()

// isolate returns v, or a copy of it when a plugin could write the
// server's memory through it: the elements of slices, arrays and maps, and
// the exported fields of structs that have no others (pure data, such as
// unicode's tables, http.DefaultClient or os.Args), recursively. Left as
// they are: errors (sentinels are compared by identity), pointers to
// structs with unexported fields (the reflect package refuses to write
// those; a copy would share their state), functions, channels and
// scalars. memo keeps pointers shared among copies as they were.
func isolate(v reflect.Value, memo map[visit]reflect.Value) reflect.Value {
	if !v.IsValid() {
		return v
	}
	if v.Kind() == reflect.Interface {
		if v.IsNil() || v.Elem().Type().Implements(errorType) {
			return v
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(isolate(v.Elem(), memo))
		return c
	}
	if v.Type().Implements(errorType) {
		return v
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		el := v.Type().Elem()
		if !(el.Kind() == reflect.Array || el.Kind() == reflect.Struct && pureData(el)) {
			return v
		}
		key := visit{v.Pointer(), v.Type()}
		if c, ok := memo[key]; ok {
			return c
		}
		c := reflect.New(el)
		memo[key] = c
		c.Elem().Set(isolate(v.Elem(), memo))
		return c
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			c.Index(i).Set(isolate(v.Index(i), memo))
		}
		return c
	case reflect.Array:
		c := reflect.New(v.Type()).Elem()
		for i := 0; i < v.Len(); i++ {
			c.Index(i).Set(isolate(v.Index(i), memo))
		}
		return c
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			c.SetMapIndex(it.Key(), isolate(it.Value(), memo))
		}
		return c
	case reflect.Struct:
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		if pureData(v.Type()) {
			for i := 0; i < c.NumField(); i++ {
				c.Field(i).Set(isolate(c.Field(i), memo))
			}
		}
		return c
	}
	return v
}

// pureData reports whether struct type t has exported fields only.
func pureData(t reflect.Type) bool {
	for i := 0; i < t.NumField(); i++ {
		if !t.Field(i).IsExported() {
			return false
		}
	}
	return true
}

// readOnly returns v as a value that cannot be set nor addressed.
func readOnly(v reflect.Value) reflect.Value {
	a := reflect.New(reflect.ArrayOf(1, v.Type())).Elem()
	a.Index(0).Set(v)
	return reflect.ValueOf(a.Interface()).Index(0) // an element of an unaddressable array
}

// readOnlyExports returns a copy of ex whose variables are as plugins get
// them (pluginVar), and the variables' names by import path.
func readOnlyExports(ex exports) (exports, map[string]map[string]bool) {
	out := make(exports, len(ex))
	vars := make(map[string]map[string]bool)
	memo := make(map[visit]reflect.Value)
	for key, syms := range ex {
		m := make(map[string]reflect.Value, len(syms))
		for name, v := range syms {
			p := path.Dir(key)
			if v.IsValid() && v.CanSet() {
				if vars[p] == nil {
					vars[p] = make(map[string]bool)
				}
				vars[p][name] = true
			}
			m[name] = pluginVar(p+"."+name, v, memo)
		}
		out[key] = m
	}
	return out, vars
}

// granted returns the permissions a plugin gets from those it declares
// (the operator allowing them): the declared ones and those they include.
func granted(declared []string) map[string]bool {
	g := make(map[string]bool)
	for _, p := range declared {
		g[p] = true
		for _, q := range implied[p] {
			g[q] = true
		}
	}
	return g
}

// use gives interpreter i the packages in need as the plugin's
// permissions allow them, from the standard library, then from hosts, then
// the interpreter's own fmt and log output to out, and compiles the
// generic sources generics (genericsFor).
func (sb *sandbox) use(i *interp.Interpreter, g map[string]bool, host []byPath, out io.Writer, need map[string]bool, generics []string) error {
	std := sb.baseIdx.pick(need)
	for key := range std {
		if isGenericPkg(path.Dir(key)) {
			// Compiled from source below: a binary table of the same path,
			// even empty, would hide it from an import.
			delete(std, key)
		}
	}
	if err := i.Use(std); err != nil {
		return fmt.Errorf("register the standard library: %w", err)
	}
	for _, p := range permissions {
		if !g[p] {
			continue
		}
		if err := i.Use(sb.grantsIdx[p].pick(need)); err != nil {
			return fmt.Errorf("register what %s grants: %w", p, err)
		}
	}
	if g[permSyscall] && g[permExec] {
		if err := i.Use(sb.execIdx.pick(need)); err != nil {
			return fmt.Errorf("register what syscall and os/exec grant: %w", err)
		}
	}
	for _, ex := range host {
		if err := i.Use(ex.pick(need)); err != nil {
			return fmt.Errorf("register host symbols: %w", err)
		}
	}
	if err := i.Use(perInterpreter(out, g[permProcess], need)); err != nil {
		return fmt.Errorf("register the plugin's output: %w", err)
	}
	for _, src := range generics {
		if _, err := i.Compile(src); err != nil {
			return fmt.Errorf("compile the generic standard library: %w", err)
		}
	}
	return nil
}

// perInterpreter returns what each interpreter gets of its own: fmt's
// Print functions and package log writing to the plugin's output (its
// log), log.Fatal panicking (ending the server with the process
// permission); of the packages in need.
func perInterpreter(out io.Writer, process bool, need map[string]bool) exports {
	if !need["fmt"] && !need["log"] {
		return nil
	}
	l := log.New(out, "", log.LstdFlags)
	fatal, fatalf, fatalln := l.Panic, l.Panicf, l.Panicln
	if process {
		fatal, fatalf, fatalln = l.Fatal, l.Fatalf, l.Fatalln
	}
	fm := map[string]reflect.Value{
		"Print":   reflect.ValueOf(func(a ...any) (int, error) { return fmt.Fprint(out, a...) }),
		"Printf":  reflect.ValueOf(func(f string, a ...any) (int, error) { return fmt.Fprintf(out, f, a...) }),
		"Println": reflect.ValueOf(func(a ...any) (int, error) { return fmt.Fprintln(out, a...) }),
	}
	lm := map[string]reflect.Value{
		"Fatal":     reflect.ValueOf(fatal),
		"Fatalf":    reflect.ValueOf(fatalf),
		"Fatalln":   reflect.ValueOf(fatalln),
		"Flags":     reflect.ValueOf(l.Flags),
		"Output":    reflect.ValueOf(l.Output),
		"Panic":     reflect.ValueOf(l.Panic),
		"Panicf":    reflect.ValueOf(l.Panicf),
		"Panicln":   reflect.ValueOf(l.Panicln),
		"Prefix":    reflect.ValueOf(l.Prefix),
		"Print":     reflect.ValueOf(l.Print),
		"Printf":    reflect.ValueOf(l.Printf),
		"Println":   reflect.ValueOf(l.Println),
		"SetFlags":  reflect.ValueOf(l.SetFlags),
		"SetOutput": reflect.ValueOf(l.SetOutput),
		"SetPrefix": reflect.ValueOf(l.SetPrefix),
		"Writer":    reflect.ValueOf(l.Writer),
	}
	// The wrappers of the functions these stand for (so that fmt.Println
	// calls the String method of a plugin's type).
	mt := map[reflect.Value][]reflect.Type{
		fm["Print"]:   stdlib.MapTypes[reflect.ValueOf(fmt.Print)],
		fm["Printf"]:  stdlib.MapTypes[reflect.ValueOf(fmt.Printf)],
		fm["Println"]: stdlib.MapTypes[reflect.ValueOf(fmt.Println)],
		lm["Print"]:   stdlib.MapTypes[reflect.ValueOf(fmt.Print)],
		lm["Printf"]:  stdlib.MapTypes[reflect.ValueOf(fmt.Printf)],
		lm["Println"]: stdlib.MapTypes[reflect.ValueOf(fmt.Println)],
		lm["Panic"]:   stdlib.MapTypes[reflect.ValueOf(log.Panic)],
		lm["Panicf"]:  stdlib.MapTypes[reflect.ValueOf(log.Panicf)],
		lm["Panicln"]: stdlib.MapTypes[reflect.ValueOf(log.Panicln)],
		lm["Fatal"]:   stdlib.MapTypes[reflect.ValueOf(log.Panic)],
		lm["Fatalf"]:  stdlib.MapTypes[reflect.ValueOf(log.Panicf)],
		lm["Fatalln"]: stdlib.MapTypes[reflect.ValueOf(log.Panicln)],
	}
	ex := exports{".": {"MapTypes": reflect.ValueOf(mt)}}
	if need["fmt"] {
		ex[fmtKey] = fm
	}
	if need["log"] {
		ex["log/log"] = lm
	}
	return ex
}

// available reports whether a plugin with permissions g can import the
// package pkgPath, with the host packages host.
func (sb *sandbox) available(pkgPath string, g map[string]bool, host []byPath) bool {
	if sb.baseIdx.has(pkgPath) {
		return true
	}
	for p, ok := range g {
		if ok && sb.grantsIdx[p].has(pkgPath) {
			return true
		}
	}
	for _, ex := range host {
		if ex.has(pkgPath) {
			return true
		}
	}
	return false
}
