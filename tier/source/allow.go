package source

// This file is the source tier's allow-list: what of the standard library
// a source plugin may use, package by package and, where a package is
// partly dangerous, symbol by symbol. It is data, reviewed as a whole; the
// code that applies it is in sandbox.go.
//
// The principle: a plugin computes, reads and writes files, talks to the
// network and logs, with the server's rights. Anything that starts
// programs, changes the server's process (ends it, signals, environment,
// working directory, user ids, runtime settings, process-wide defaults and
// registries the server relies on), loads code or reaches memory behind
// the type system is held back, and given only through a permission the
// plugin declares (Definition.Permissions) and the operator allows
// (plugins._allowUnsafe):
//
//   - "unsafe": package unsafe and the reflect and runtime functions that
//     read or write memory by address;
//   - "syscall": package syscall, file descriptors by number, OS threads;
//     syscall's calls that start or end processes, send signals or make
//     raw system calls (Exec, ForkExec, Kill, Syscall, RawSyscall, ...)
//     need "os/exec" as well;
//   - "os/exec": running programs (os/exec, os.StartProcess, and the
//     packages that run the go command or CGI programs); it includes
//     "process", which it always gave (the real os.Exit and log.Fatal);
//   - "process": changing the server's process: os.Exit, signals (and
//     other processes), the environment, the working directory, runtime
//     and garbage collector settings, profiling, the default loggers, the
//     command line (flag), http.DefaultServeMux and the MIME table.
//
// Package variables (io.EOF, http.DefaultClient, time.Local, ...) are
// given as read-only copies, and lint refuses any assignment to one or
// through one: no permission makes them writable.
//
// A package that is not listed here cannot be imported at all, whatever
// the permissions: the interpreter only knows the packages it is given. A
// package yaegi adds in a later version stays out until it is listed
// (TestAllowListDecidesEveryPackage fails until it is).

// The permissions a source plugin can declare.
const (
	permUnsafe  = "unsafe"
	permSyscall = "syscall"
	permExec    = "os/exec"
	permProcess = "process"
)

// permissions are the known permissions, in the order the docs give them.
var permissions = []string{permUnsafe, permSyscall, permExec, permProcess}

// implied are the permissions another one includes.
var implied = map[string][]string{
	permExec: {permProcess}, // running programs can do anything a process can
}

// pkgRule says what plugins get of one standard library package.
type pkgRule struct {
	// perm, when set, is the permission that grants the whole package;
	// empty: every plugin gets it.
	perm string
	// why the package or its held symbols are dangerous, for messages.
	why string
	// only, when set, lists the symbols every plugin gets; the others are
	// held (see held) or refused. Nil: every symbol that is not held.
	only []string
	// held are symbols given only with a permission.
	held map[string]hold
	// never: no permission grants the package (why says why).
	never bool
}

// hold is a symbol given only with a permission.
type hold struct {
	perm string
	why  string
}

// held builds the held symbols of one permission and reason.
func held(perm, why string, names ...string) map[string]hold {
	m := make(map[string]hold, len(names))
	for _, n := range names {
		m[n] = hold{perm: perm, why: why}
	}
	return m
}

// merge merges held symbol maps.
func merge(ms ...map[string]hold) map[string]hold {
	out := make(map[string]hold)
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// every is the rule of a package every plugin gets whole.
var every = pkgRule{}

// allowList is the standard library as plugins see it, by import path.
var allowList = map[string]pkgRule{
	// Computation on the plugin's own values: text, numbers, containers,
	// sorting, errors, formatting, time. Nothing here reaches outside the
	// values it is given.
	"bufio": every, "bytes": every, "cmp": every, "errors": every, "fmt": every,
	"maps": every, "slices": every, "sort": every, "strconv": every, "strings": every,
	"unicode": every, "unicode/utf16": every, "unicode/utf8": every,
	"regexp": every, "regexp/syntax": every,
	"math": every, "math/big": every, "math/bits": every, "math/cmplx": every,
	"math/rand": every, "math/rand/v2": every,
	"container/heap": every, "container/list": every, "container/ring": every,
	"context": every, "sync": every, "time": every,
	"text/scanner": every, "text/tabwriter": every,
	"text/template": every, "text/template/parse": every, "html": every, "html/template": every,
	"index/suffixarray": every, "expvar": every,
	"go/ast": every, "go/build/constraint": every, "go/constant": every, "go/doc": every,
	"go/doc/comment": every, "go/format": every, "go/parser": every, "go/printer": every,
	"go/scanner": every, "go/token": every, "go/types": every, "go/version": every,

	// Encodings, hashes, compression, archives, images, cryptography:
	// computation too. crypto/rand reads the system's random source.
	"encoding": every, "encoding/ascii85": every, "encoding/asn1": every, "encoding/base32": every,
	"encoding/base64": every, "encoding/binary": every, "encoding/csv": every, "encoding/gob": every,
	"encoding/hex": every, "encoding/json": every, "encoding/pem": every, "encoding/xml": every,
	"hash": every, "hash/adler32": every, "hash/crc32": every, "hash/crc64": every,
	"hash/fnv": every, "hash/maphash": every,
	"compress/bzip2": every, "compress/flate": every, "compress/gzip": every,
	"compress/lzw": every, "compress/zlib": every,
	"archive/tar": every, "archive/zip": every,
	"image": every, "image/color": every, "image/color/palette": every, "image/draw": every,
	"image/gif": every, "image/jpeg": every, "image/png": every,
	"crypto": every, "crypto/aes": every, "crypto/cipher": every, "crypto/des": every,
	"crypto/dsa": every, "crypto/ecdh": every, "crypto/ecdsa": every, "crypto/ed25519": every,
	"crypto/elliptic": every, "crypto/hmac": every, "crypto/md5": every, "crypto/rand": every,
	"crypto/rc4": every, "crypto/rsa": every, "crypto/sha1": every, "crypto/sha256": every,
	"crypto/sha512": every, "crypto/subtle": every, "crypto/tls": every, "crypto/x509": every,
	"crypto/x509/pkix": every,
	"database/sql":     every, "database/sql/driver": every,
	"testing/fstest": every, "testing/iotest": every, "testing/quick": every,

	// Files: plugins keep data in their data folder and read their own
	// files, with the server's rights (not a sandbox of the file system).
	"io": every, "io/fs": every, "io/ioutil": every, "path": every, "path/filepath": every,
	"os/user": every,

	// The network: plugins make HTTP requests and may serve or listen.
	"net": every, "net/netip": every, "net/url": every, "net/mail": every, "net/smtp": every,
	"net/textproto": every, "net/rpc/jsonrpc": every, "log/syslog": {
		held: held(permProcess, "makes a *log.Logger whose Fatal methods end the server", "NewLogger"),
	},
	"net/http/cookiejar": every, "net/http/fcgi": every, "net/http/httptest": every,
	"net/http/httptrace": every, "net/http/httputil": every,
	"mime/multipart": every, "mime/quotedprintable": every,
	"net/http": {
		held: held(permProcess, "registers on http.DefaultServeMux, the process's own routes (plugins serve theirs with server.Blueprint)",
			"DefaultServeMux", "Handle", "HandleFunc"),
	},
	"net/rpc": {
		held: held(permProcess, "registers on http.DefaultServeMux, the process's own routes",
			"HandleHTTP", "DefaultServer"),
	},
	"mime": {
		held: held(permProcess, "changes the process's MIME table, which the server's static files use", "AddExtensionType"),
	},

	// Logging: a plugin's log, fmt.Print and log.Print go to its logger
	// (sandbox.go gives each interpreter its own); the process's default
	// loggers are the server's.
	"log": {
		held: held(permProcess, "is the server's own standard logger, whose Fatal methods end the server", "Default"),
	},
	"log/slog": {
		held: merge(
			held(permProcess, "changes the server's default logger", "SetDefault", "SetLogLoggerLevel"),
			held(permProcess, "makes a *log.Logger whose Fatal methods end the server", "NewLogLogger"),
		),
	},

	// os: files and facts about the process, yes; programs, other
	// processes, exit, environment and working directory, no. The
	// environment a plugin reads (Getenv, LookupEnv, Environ, ExpandEnv) is
	// its own and empty, as the interpreter has always given it.
	"os": {
		only: []string{
			"Args", "Chmod", "Chown", "Chtimes", "Create", "CreateTemp", "DevNull", "DirEntry", "DirFS",
			"Environ", "ErrClosed", "ErrDeadlineExceeded", "ErrExist", "ErrInvalid", "ErrNoDeadline",
			"ErrNotExist", "ErrPermission", "ErrProcessDone", "Executable", "Expand", "ExpandEnv", "File",
			"FileInfo", "FileMode", "Getegid", "Getenv", "Geteuid", "Getgid", "Getgroups", "Getpagesize",
			"Getpid", "Getppid", "Getuid", "Getwd", "Hostname", "Interrupt", "IsExist", "IsNotExist",
			"IsPathSeparator", "IsPermission", "IsTimeout", "Kill", "Lchown", "Link", "LinkError",
			"LookupEnv", "Lstat", "Mkdir", "MkdirAll", "MkdirTemp", "ModeAppend", "ModeCharDevice",
			"ModeDevice", "ModeDir", "ModeExclusive", "ModeIrregular", "ModeNamedPipe", "ModePerm",
			"ModeSetgid", "ModeSetuid", "ModeSocket", "ModeSticky", "ModeSymlink", "ModeTemporary",
			"ModeType", "NewSyscallError", "O_APPEND", "O_CREATE", "O_EXCL", "O_RDONLY", "O_RDWR",
			"O_SYNC", "O_TRUNC", "O_WRONLY", "Open", "OpenFile", "PathError", "PathListSeparator",
			"PathSeparator", "Pipe", "ReadDir", "ReadFile", "Readlink", "Remove", "RemoveAll", "Rename",
			"SEEK_CUR", "SEEK_END", "SEEK_SET", "SameFile", "Signal", "Stat", "Stderr", "Stdin", "Stdout",
			"Symlink", "SyscallError", "TempDir", "Truncate", "UserCacheDir", "UserConfigDir",
			"UserHomeDir", "WriteFile",
		},
		held: merge(
			held(permExec, "starts a program", "StartProcess", "ProcAttr", "ProcessState"),
			held(permProcess, "ends the server", "Exit"),
			held(permProcess, "signals or waits for processes, the server's included", "FindProcess", "Process"),
			held(permProcess, "changes the server's working directory", "Chdir"),
			held(permProcess, "changes the server's environment", "Setenv", "Unsetenv", "Clearenv"),
			held(permSyscall, "opens any of the server's file descriptors by number", "NewFile"),
		),
	},
	"os/signal": {perm: permProcess, why: "changes how the server handles signals (SIGTERM, Ctrl-C)"},
	"flag":      {perm: permProcess, why: "parses the server's command line, and exits on a parse error"},
	"testing":   {perm: permProcess, why: "runs tests and exits, and registers flags on the server's command line"},
	// Its Run takes a *testing.T, whose FailNow (called by reflection on a
	// made-up one) would stop the server's goroutine that called the
	// plugin.
	"testing/slogtest": {perm: permProcess, why: "runs tests on a *testing.T, whose FailNow stops the calling goroutine"},

	// runtime: facts and stacks, yes; settings of the whole process,
	// profiling, threads and finalizers, no.
	"runtime": {
		only: []string{
			"BlockProfile", "BlockProfileRecord", "Caller", "Callers", "CallersFrames", "Compiler",
			"Error", "Frame", "Frames", "Func", "FuncForPC", "GC", "GOARCH", "GOOS", "GOROOT",
			"GoroutineProfile", "Gosched", "KeepAlive", "MemProfile", "MemProfileRate",
			"MemProfileRecord", "MemStats", "MutexProfile", "NumCPU", "NumCgoCall", "NumGoroutine",
			"PanicNilError", "ReadMemStats", "Stack", "StackRecord", "ThreadCreateProfile",
			"TypeAssertionError", "Version",
		},
		held: merge(
			held(permProcess, "changes a setting of the whole process", "GOMAXPROCS", "SetBlockProfileRate",
				"SetCPUProfileRate", "SetMutexProfileFraction"),
			held(permProcess, "profiles or traces the whole process", "CPUProfile", "StartTrace", "StopTrace", "ReadTrace"),
			held(permProcess, "stops the goroutine of the server that called the plugin", "Goexit"),
			held(permProcess, "crashes the server (SIGTRAP)", "Breakpoint"),
			held(permSyscall, "ties a goroutine to an OS thread", "LockOSThread", "UnlockOSThread"),
			held(permUnsafe, "works on memory the runtime manages, and crashes the server when misused", "SetFinalizer", "SetCgoTraceback", "Pinner"),
		),
	},
	"runtime/debug": {
		only: []string{
			"BuildInfo", "BuildSetting", "FreeOSMemory", "GCStats", "Module", "ParseBuildInfo",
			"PrintStack", "ReadBuildInfo", "ReadGCStats", "Stack",
		},
		held: held(permProcess, "changes a setting of the whole process", "SetGCPercent", "SetMaxStack",
			"SetMaxThreads", "SetMemoryLimit", "SetPanicOnFault", "SetTraceback", "WriteHeapDump"),
	},
	"runtime/metrics": every, // reads metrics
	"runtime/pprof":   {perm: permProcess, why: "profiles the whole process"},
	"runtime/trace":   {perm: permProcess, why: "traces the whole process"},
	"net/http/pprof":  {perm: permProcess, why: "profiles and traces the whole process"},

	// reflect: everything but the ways from an address to a value, which
	// would write memory the type system protects (unexported fields of
	// the server's values, read-only data). Value.UnsafeAddr,
	// Value.UnsafePointer and Value.SetPointer are methods: lint and load
	// refuse calls of those names (sandbox.go, heldMethods).
	"reflect": {
		only: []string{
			"Append", "AppendSlice", "Array", "ArrayOf", "Bool", "BothDir", "Chan", "ChanDir", "ChanOf",
			"Complex128", "Complex64", "Copy", "DeepEqual", "Float32", "Float64", "Func", "FuncOf",
			"Indirect", "Int", "Int16", "Int32", "Int64", "Int8", "Interface", "Invalid", "Kind",
			"MakeChan", "MakeFunc", "MakeMap", "MakeMapWithSize", "MakeSlice", "Map", "MapIter", "MapOf",
			"Method", "New", "Pointer", "PointerTo", "Ptr", "PtrTo", "RecvDir", "Select", "SelectCase",
			"SelectDefault", "SelectDir", "SelectRecv", "SelectSend", "SendDir", "Slice", "SliceOf",
			"String", "Struct", "StructField", "StructOf", "StructTag", "Swapper", "Type", "TypeOf",
			"Uint", "Uint16", "Uint32", "Uint64", "Uint8", "Uintptr", "UnsafePointer", "Value",
			"ValueError", "ValueOf", "VisibleFields", "Zero",
		},
		held: held(permUnsafe, "makes a value at an address, writing memory the type system protects",
			"NewAt", "SliceHeader", "StringHeader"),
	},
	"sync/atomic": {
		held: held(permUnsafe, "reads or writes an unsafe.Pointer", "CompareAndSwapPointer", "LoadPointer",
			"StorePointer", "SwapPointer"),
	},

	// Packages that run programs.
	"go/build":        {perm: permExec, why: "runs the go command"},
	"go/importer":     {perm: permExec, why: "runs the go command"},
	"net/http/cgi":    {perm: permExec, why: "runs CGI programs"},
	"os/exec":         {perm: permExec, why: "runs programs"},
	"syscall":         {perm: permSyscall, why: "makes system calls: ids, mounts, descriptors, anything the server's process may do"},
	"unsafe":          {perm: permUnsafe, why: "reads and writes memory behind the type system"},
	"plugin":          {never: true, why: "loads compiled code into the server"},
	"debug/elf":       leftOut,
	"debug/dwarf":     leftOut,
	"debug/macho":     leftOut,
	"debug/pe":        leftOut,
	"debug/gosym":     leftOut,
	"debug/plan9obj":  leftOut,
	"debug/buildinfo": leftOut,
}

// leftOut: the debug/* packages read executable formats. They are safe,
// but no plugin of a printer host needs them: left out, which keeps the
// allow-list short. List one as every if a plugin needs it.
var leftOut = pkgRule{never: true, why: "reads executable formats, left out of the source tier's allow-list as no plugin needs it"}

// heldMethods are methods of types plugins can reach that do what a
// permission grants: a call of a method of that name is refused without
// the permission, whatever its receiver (lint cannot tell types; rename a
// method of the plugin's own that has one of these names).
var heldMethods = map[string]hold{
	"UnsafeAddr":    {permUnsafe, "reflect.Value.UnsafeAddr gives the address of a value"},
	"UnsafePointer": {permUnsafe, "reflect.Value.UnsafePointer gives the address of a value"},
	"SetPointer":    {permUnsafe, "reflect.Value.SetPointer writes an address"},
	"Chdir":         {permProcess, "os.File.Chdir changes the server's working directory"},
	"Fatal":         {permProcess, "log.Logger.Fatal ends the server"},
	"Fatalf":        {permProcess, "log.Logger.Fatalf ends the server"},
	"Fatalln":       {permProcess, "log.Logger.Fatalln ends the server"},
}

// interpreterPrefix: the interpreter's own packages. Their symbol tables
// hold the whole standard library, this list's refusals included, so no
// permission grants them.
const interpreterPrefix = "github.com/traefik/yaegi"
