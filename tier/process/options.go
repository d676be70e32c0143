package process

import (
	"encoding/json"
	"time"
)

// Options configure the process tier.
type Options struct {
	// PathDiscovery also finds tentacle-plugin-<id> executables on PATH (as
	// go install puts them). One with a manifest beside it
	// (tentacle-plugin-<id>.yaml) is read from it; one without is started
	// briefly to describe itself (bounded by DescribeTimeout). Off by
	// default: running executables found on PATH is the operator's choice.
	PathDiscovery bool
	// Path is the PATH to search; default the environment's.
	Path string
	// DescribeTimeout bounds the describe run of a PATH executable without a
	// manifest; default 5 s.
	DescribeTimeout time.Duration
	// StartTimeout bounds a plugin's start: spawn, handshake, describe;
	// default 10 s.
	StartTimeout time.Duration
	// CallTimeout bounds a call of a lifecycle function, a mixin method or a
	// helper; default 10 s.
	CallTimeout time.Duration
	// HookTimeout bounds a call of a hook handler; default 250 ms. A handler
	// that overruns is skipped (the host carries on as if it was not
	// there) and counted. A hook's deadline is, first found: its entry in
	// HookTimeouts (the operator's), the budget the host declared for it
	// (hooks.Spec.Budget), HookTimeout.
	HookTimeout  time.Duration
	HookTimeouts map[string]time.Duration
	// HungAfter is how many calls in a row may overrun their deadlines
	// before the plugin is taken as hung (it stopped answering): its
	// process is killed, which the manager reports as a crash and restarts.
	// A call answered in time starts the count again. Default 3; negative:
	// never.
	HungAfter int
	// Functions are what plugins may call by name with sdk.Invoke: the
	// arguments come as a JSON array, the result goes back as JSON.
	Functions map[string]func(args json.RawMessage) (any, error)
	// SocketDir is the folder for the unix sockets of plugin processes
	// (go-plugin's, and those of the direct calls both ways); default the
	// temporary folder (os.TempDir). The tier keeps them in a folder of
	// its own there, tentacle-run-<random> (mode 0700), made when the
	// first process starts and removed with everything in it once the last
	// one has stopped; each process gets a folder in it, which it learns
	// from PLUGIN_UNIX_SOCKET_DIR, removed when it stops. While it exists
	// the folder is locked, so that New can tell the folders of hosts that
	// no longer run (killed, say) from those in use, and removes them;
	// nothing else in SocketDir is touched. SocketDir itself is made when
	// needed and removed when left empty. A folder too deep for unix
	// socket paths (104 bytes on macOS and the BSDs, 108 on Linux, with
	// 60 for the names below it) gives way to the temporary folder, or
	// /tmp.
	SocketDir string
	// CheckRecords is the file in which the tier keeps the SHA-256 checks
	// of executables that passed, so that a later start, in this run or
	// another, of the very same file, unchanged, need not read it again:
	// same device, inode, size, modification and change time (a write
	// or a modification time set back changes the change time, which
	// nothing sets back; a file changed in the last two seconds is not
	// recorded, as a file system's clock may not have ticked). A record
	// also keeps the protocol the file speaks, found in the same read; a
	// record without one (from an earlier host) is read again. Checks are
	// kept in memory for the source's life in any case; "" keeps them
	// only there. The file is written whole, by a rename; a missing or
	// unreadable one means every executable is read at its next start.
	CheckRecords string

	checks *checks // the checks that passed, kept by New
}

func (o *Options) defaults() {
	if o.DescribeTimeout <= 0 {
		o.DescribeTimeout = 5 * time.Second
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 10 * time.Second
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = 10 * time.Second
	}
	if o.HookTimeout <= 0 {
		o.HookTimeout = 250 * time.Millisecond
	}
	if o.HungAfter == 0 {
		o.HungAfter = 3
	}
}

// hookTimeout is hook's deadline, given the budget the host declared for
// it (zero: none).
func (o *Options) hookTimeout(hook string, budget time.Duration) time.Duration {
	if d, ok := o.HookTimeouts[hook]; ok && d > 0 {
		return d
	}
	if budget > 0 {
		return budget
	}
	return o.HookTimeout
}
