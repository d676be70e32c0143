package main

// What the script runs and what the page shows. Adding a benchmark to the
// page is a line in runs (if no run covers it yet) and a line per row in
// rows; a target is a line in targets.

var runs = []Run{
	{"./hooks", "Dispatch", 5, "0.5s", nil},
	{"./hooks", "AddRemove|BulkAdd|Stats", 5, "0.3s", nil},
	{"./internal/comm", ".", 5, "0.5s", nil},
	{"./internal/serve", "PrintLines/tier=(builtin|source)", 5, "0.5s", nil},
	{"./internal/serve", "PrintLines/tier=process/handlers=(0|5)$", 5, "0.5s", nil},
	{"./internal/serve", "PrintLines/tier=process/handlers=50$", 3, "0.5s", nil}, // 50 plugin processes to start for each round
	{"./plugins/virtualprinter", ".", 5, "0.3s", nil},
	{"./manager", ".", 5, "0.5s", nil},
	{"./events", ".", 5, "0.3s", nil},
	{"./internal/loglevel", ".", 5, "0.3s", nil},
	{"./internal/serve", "StartToFirstAnswer", 5, "20x", nil},
	{"./internal/web", "Page", 5, "0.5s", nil},
	{"./internal/serve", "BrowserPageLoad", 5, "20x", nil},
	{"./tier/source", ".", 5, "0.5s", nil},
	{"./tier/process", "StartOne|StartTenParallel", 5, "10x", nil},
	{"./tier/process", "HookRoundTrip|HelperCall|HookWithHostCall", 5, "0.5s", nil},
}

var tables = []Table{
	{"dispatch", []string{"handlers", "variant"}, []Column{
		{"ns per line", "ns/op", Spread, false},
		{"per handler call", "ns/handler", Median, false},
		{"allocs", "allocs/op", Median, false},
		{"vs `chain_get_hooks`", "ns/handler", Ratio, false},
		{"target", "", Verdict, false},
	}},
	{"dispatch-peers", []string{"peer", "handlers"}, []Column{
		{"ns per line", "ns/op", Median, false},
		{"per handler call", "ns/handler", Median, false},
	}},
	{"registry", []string{"benchmark", "one op"}, []Column{
		{"time", "ns/op", Spread, false},
		{"allocated", "B/op", Median, false},
		{"allocs", "allocs/op", Median, false},
	}},
	{"sendpath", []string{"tier", "handlers", "filter"}, []Column{
		{"lines/s", "lines/s", Spread, false},
		{"per line", "ns/op", Median, false},
		{"allocs a line", "allocs/op", Median, false},
		{"vs OctoPrint", "lines/s", Ratio, false},
		{"target", "", Verdict, false},
	}},
	{"protocol", []string{"handlers", "calls a line"}, []Column{
		{"per line", "ns/op", Spread, false},
		{"per call", "ns/op", PerN, false},
		{"allocs", "allocs/op", Median, false},
	}},
	{"virtualprinter", []string{"benchmark", "one op"}, []Column{
		{"time", "ns/op", Spread, false},
		{"CPU", "cpu-ns/op", Median, true},
		{"allocs", "allocs/op", Median, false},
	}},
	{"load", []string{"plugins"}, []Column{
		{"total", "ns/op", Spread, false},
		{"per plugin", "ns/plugin", Median, false},
		{"allocated per plugin", "B/plugin", Median, false},
		{"allocs per plugin", "allocs/plugin", Median, false},
		{"held per plugin", "retained-B/plugin", Median, false},
		{"vs OctoPrint (warm)", "ns/plugin", Ratio, false},
		{"target", "", Verdict, false},
	}},
	{"load-peers", []string{"peer", "plugins"}, []Column{
		{"total", "ns/op", Median, false},
		{"per plugin", "ns/plugin", Median, false},
		{"RSS growth", "rss-B", Median, false},
	}},
	{"shutdown", []string{"plugins"}, []Column{
		{"total", "ns/op", Spread, false},
		{"per plugin", "ns/plugin", Median, false},
		{"allocs", "allocs/op", Median, false},
	}},
	{"toggle", []string{"variant", "others"}, []Column{
		{"cycle", "ns/op", Spread, false},
		{"disable", "disable-ns", Median, true},
		{"enable", "enable-ns", Median, true},
		{"allocs", "allocs/op", Median, false},
		{"allocated", "B/op", Median, false},
		{"vs OctoPrint", "ns/op", Ratio, false},
		{"target", "", Verdict, false},
	}},
	{"toggle-peers", []string{"peer", "plugins"}, []Column{
		{"disable", "disable-ns", Median, false},
		{"enable", "enable-ns", Median, false},
		{"cycle", "ns/op", Median, false},
	}},
	{"implementations", []string{"call", "one op"}, []Column{
		{"time", "ns/op", Spread, false},
		{"allocated", "B/op", Median, false},
		{"allocs", "allocs/op", Median, false},
	}},
	{"events", []string{"benchmark"}, []Column{
		{"time", "ns/op", Spread, false},
		{"allocs", "allocs/op", Median, false},
		{"dropped per event", "drops/op", Median, true},
	}},
	{"loglevel", []string{"level checked by"}, []Column{
		{"time", "ns/op", Spread, false},
		{"allocs", "allocs/op", Median, false},
	}},
	{"start", []string{"benchmark"}, []Column{
		{"mean", "ns/op", Spread, false},
		{"median start", "median-ms", Median, false},
		{"slowest start", "max-ms", Median, false},
		{"allocs", "allocs/op", Median, false},
		{"target", "", Verdict, false},
	}},
	{"page", []string{"benchmark"}, []Column{
		{"time", "ns/op", Spread, false},
		{"allocated", "B/op", Median, false},
		{"allocs", "allocs/op", Median, false},
	}},
	{"browser", []string{"benchmark"}, []Column{
		{"to interactive", "ms-interactive/op", Spread, false},
		{"to the load event", "ms-loaded/op", Spread, false},
		{"target", "", Verdict, false},
	}},
	{"source", []string{"benchmark", "one op"}, []Column{
		{"time", "ns/op", Spread, false},
		{"allocated", "B/op", Median, false},
		{"allocs", "allocs/op", Median, false},
		{"target", "", Verdict, false},
	}},
	{"process-start", []string{"benchmark", "one op"}, []Column{
		{"time", "ns/op", Spread, false},
		{"per plugin", "ms/plugin", Median, true},
		{"SHA-256 of the executable", "sha256-ms", Median, true},
		{"stop (untimed)", "stop-ms", Median, true},
		{"allocs (host)", "allocs/op", Median, false},
		{"target", "", Verdict, false},
	}},
	{"process-calls", []string{"benchmark", "one op"}, []Column{
		{"time", "ns/op", Spread, false},
		{"per handler", "ns/handler", Median, true},
		{"host CPU", "host-cpu-ns/op", Median, false},
		{"plugin CPU", "plugin-cpu-ns/op", Median, false},
		{"allocs (host)", "allocs/op", Median, false},
		{"target", "", Verdict, false},
	}},
}

var rows = []Row{
	{"dispatch", "1 | `direct-loop` over `Handlers()`", "hooks.BenchmarkDispatch/direct-loop/1", "", 0},
	{"dispatch", "1 | `Call` (recovers panics)", "hooks.BenchmarkDispatch/call/1", "", 0},
	{"dispatch", "1 | hand-written chain (the floor)", "hooks.BenchmarkDispatch/hand-chain/1", "", 0},
	{"dispatch", "5 | `direct-loop`", "hooks.BenchmarkDispatch/direct-loop/5", "octoprint/chain_get_hooks/5", 0},
	{"dispatch", "5 | `Call`", "hooks.BenchmarkDispatch/call/5", "octoprint/chain_get_hooks/5", 0},
	{"dispatch", "5 | hand-written chain", "hooks.BenchmarkDispatch/hand-chain/5", "", 0},
	{"dispatch", "50 | `direct-loop`", "hooks.BenchmarkDispatch/direct-loop/50", "octoprint/chain_get_hooks/50", 0},
	{"dispatch", "50 | `Call`", "hooks.BenchmarkDispatch/call/50", "octoprint/chain_get_hooks/50", 0},
	{"dispatch", "50 | hand-written chain", "hooks.BenchmarkDispatch/hand-chain/50", "", 0},

	{"dispatch-peers", "OctoPrint `chain_get_hooks` | 5", "octoprint/chain_get_hooks/5", "", 0},
	{"dispatch-peers", "OctoPrint `chain_get_hooks` | 50", "octoprint/chain_get_hooks/50", "", 0},
	{"dispatch-peers", "OctoPrint `comm_process_command_phase` (its real comm path) | 5", "octoprint/comm_process_command_phase/5", "", 0},
	{"dispatch-peers", "OctoPrint `comm_process_command_phase` | 50", "octoprint/comm_process_command_phase/50", "", 0},
	{"dispatch-peers", "pluggy `native_call` | 5", "pluggy/native_call/5", "", 0},
	{"dispatch-peers", "pluggy `native_call` | 50", "pluggy/native_call/50", "", 0},
	{"dispatch-peers", "pluggy `chain_hookimpls_loop` (Python's floor) | 5", "pluggy/chain_hookimpls_loop/5", "", 0},
	{"dispatch-peers", "pluggy `chain_hookimpls_loop` | 50", "pluggy/chain_hookimpls_loop/50", "", 0},

	{"registry", "`AddRemove` | add and remove one handler on a hook that has 50", "hooks.BenchmarkAddRemove", "", 0},
	{"registry", "`BulkAdd/1000` | 1,000 plugins add a handler each under `Hold`/`Release`", "hooks.BenchmarkBulkAdd/1000", "", 0},
	{"registry", "`BulkAdd/10000` | the same with 10,000", "hooks.BenchmarkBulkAdd/10000", "", 0},
	{"registry", "`Stats/timed=false` | the counting a dispatch loop adds to a compiled-in handler's call", "hooks.BenchmarkStats/timed=false", "", 0},
	{"registry", "`Stats/timed=true` | the same for a timed handler (source and process tiers): two clock readings, atomic adds", "hooks.BenchmarkStats/timed=true", "", 0},

	{"sendpath", "builtin | 0 | ", "internal/serve.BenchmarkPrintLines/tier=builtin/handlers=0/filter=all", "", 0},
	{"sendpath", "builtin | 5 | all", "internal/serve.BenchmarkPrintLines/tier=builtin/handlers=5/filter=all", "octoprint/send_phase/5", 0},
	{"sendpath", "builtin | 5 | 1%", "internal/serve.BenchmarkPrintLines/tier=builtin/handlers=5/filter=1%", "octoprint/send_phase/5", 0},
	{"sendpath", "builtin | 50 | all", "internal/serve.BenchmarkPrintLines/tier=builtin/handlers=50/filter=all", "octoprint/send_phase/50", 0},
	{"sendpath", "builtin | 50 | 1%", "internal/serve.BenchmarkPrintLines/tier=builtin/handlers=50/filter=1%", "octoprint/send_phase/50", 0},
	{"sendpath", "source | 0 | ", "internal/serve.BenchmarkPrintLines/tier=source/handlers=0/filter=all", "", 0},
	{"sendpath", "source | 5 | all", "internal/serve.BenchmarkPrintLines/tier=source/handlers=5/filter=all", "octoprint/send_phase/5", 0},
	{"sendpath", "source | 5 | 1%", "internal/serve.BenchmarkPrintLines/tier=source/handlers=5/filter=1%", "octoprint/send_phase/5", 0},
	{"sendpath", "source | 50 | all", "internal/serve.BenchmarkPrintLines/tier=source/handlers=50/filter=all", "octoprint/send_phase/50", 0},
	{"sendpath", "source | 50 | 1%", "internal/serve.BenchmarkPrintLines/tier=source/handlers=50/filter=1%", "octoprint/send_phase/50", 0},
	{"sendpath", "process | 0 | ", "internal/serve.BenchmarkPrintLines/tier=process/handlers=0/filter=all", "", 0},
	{"sendpath", "process | 5 | all", "internal/serve.BenchmarkPrintLines/tier=process/handlers=5/filter=all", "octoprint/send_phase/5", 0},
	{"sendpath", "process | 5 | 1%", "internal/serve.BenchmarkPrintLines/tier=process/handlers=5/filter=1%", "octoprint/send_phase/5", 0},
	{"sendpath", "process | 50 | all", "internal/serve.BenchmarkPrintLines/tier=process/handlers=50/filter=all", "octoprint/send_phase/50", 0},
	{"sendpath", "process | 50 | 1%", "internal/serve.BenchmarkPrintLines/tier=process/handlers=50/filter=1%", "octoprint/send_phase/50", 0},
	{"sendpath", "process | 5 | observe", "internal/serve.BenchmarkPrintLines/tier=process/handlers=5/filter=observe", "octoprint/send_phase/5", 0},
	{"sendpath", "process | 50 | observe", "internal/serve.BenchmarkPrintLines/tier=process/handlers=50/filter=observe", "octoprint/send_phase/50", 0},

	{"protocol", "0 | 0", "internal/comm.BenchmarkProtocol/handlers=0", "", 0},
	{"protocol", "5 on each phase | 20", "internal/comm.BenchmarkProtocol/handlers=5", "", 20},
	{"protocol", "50 on each phase | 200", "internal/comm.BenchmarkProtocol/handlers=50", "", 200},
	{"protocol", "the floor: a plain loop of 50 calls (`BenchmarkHandlerCallFloor`) | 50", "internal/comm.BenchmarkHandlerCallFloor", "", 50},

	{"virtualprinter", "`WriteG1` | a numbered, checksummed `G1` written, its `ok` read", "plugins/virtualprinter.BenchmarkWriteG1", "", 0},
	{"virtualprinter", "`M105` | a temperature query and its answer", "plugins/virtualprinter.BenchmarkM105", "", 0},
	{"virtualprinter", "`LineBuilding` | making the `G1` line alone", "plugins/virtualprinter.BenchmarkLineBuilding", "", 0},

	{"load", "10", "manager.BenchmarkLoadEnable/10", "octoprint/load_warm/10", 0},
	{"load", "100", "manager.BenchmarkLoadEnable/100", "octoprint/load_warm/100", 0},
	{"load", "1000", "manager.BenchmarkLoadEnable/1000", "octoprint/load_warm/1000", 0},

	{"load-peers", "OctoPrint, no `.pyc` yet | 10", "octoprint/load_cold/10", "", 0},
	{"load-peers", "OctoPrint, `.pyc` written | 10", "octoprint/load_warm/10", "", 0},
	{"load-peers", "OctoPrint, no `.pyc` yet | 100", "octoprint/load_cold/100", "", 0},
	{"load-peers", "OctoPrint, `.pyc` written | 100", "octoprint/load_warm/100", "", 0},
	{"load-peers", "OctoPrint, no `.pyc` yet | 1000", "octoprint/load_cold/1000", "", 0},
	{"load-peers", "OctoPrint, `.pyc` written | 1000", "octoprint/load_warm/1000", "", 0},

	{"shutdown", "10", "manager.BenchmarkShutdown/10", "", 0},
	{"shutdown", "100", "manager.BenchmarkShutdown/100", "", 0},
	{"shutdown", "1000", "manager.BenchmarkShutdown/1000", "", 0},

	{"toggle", "`cycle` (default deadlines) | 10", "manager.BenchmarkToggle/cycle/others=10", "octoprint/toggle/10", 0},
	{"toggle", "`cycle` | 100", "manager.BenchmarkToggle/cycle/others=100", "octoprint/toggle/100", 0},
	{"toggle", "`cycle-nodeadlines` | 10", "manager.BenchmarkToggle/cycle-nodeadlines/others=10", "octoprint/toggle/10", 0},
	{"toggle", "`cycle-nodeadlines` | 100", "manager.BenchmarkToggle/cycle-nodeadlines/others=100", "octoprint/toggle/100", 0},
	{"toggle", "`store-calls` (the settings calls alone) | 10", "manager.BenchmarkToggle/store-calls/others=10", "", 0},
	{"toggle", "`store-calls` | 100", "manager.BenchmarkToggle/store-calls/others=100", "", 0},

	{"toggle-peers", "OctoPrint | 10", "octoprint/toggle/10", "", 0},
	{"toggle-peers", "OctoPrint | 100", "octoprint/toggle/100", "", 0},
	{"toggle-peers", "pluggy, unregister and register | 5", "pluggy/toggle/5", "", 0},
	{"toggle-peers", "pluggy, unregister and register | 50", "pluggy/toggle/50", "", 0},

	{"implementations", "`no-context` | `ImplementationsOf` without a sorting context", "manager.BenchmarkImplementations/no-context", "", 0},
	{"implementations", "`sorting-context` | `ImplementationsOf` with `StartupPlugin.on_startup`", "manager.BenchmarkImplementations/sorting-context", "", 0},
	{"implementations", "`call-each` | `CallEach` with it", "manager.BenchmarkImplementations/call-each", "", 0},

	{"events", "`Fire`, 1 subscriber", "events.BenchmarkFire/subscribers=1", "", 0},
	{"events", "`Fire`, 10 subscribers", "events.BenchmarkFire/subscribers=10", "", 0},
	{"events", "`Fire`, an event no one of 10 subscribers matches", "events.BenchmarkFireUnmatched", "", 0},

	{"loglevel", "the handler (`slog.HandlerOptions.Level`)", "internal/loglevel.BenchmarkDisabledRecord/handler_level", "", 0},
	{"loglevel", "the logger's level (`loglevel.Registry`)", "internal/loglevel.BenchmarkDisabledRecord/logger_level", "", 0},

	{"start", "`StartToFirstAnswer`", "internal/serve.BenchmarkStartToFirstAnswer", "", 0},

	{"page", "`Page`", "internal/web.BenchmarkPage", "", 0},

	{"browser", "`BrowserPageLoad`", "internal/serve.BenchmarkBrowserPageLoad", "", 0},

	{"source", "`LoadOne` | scan the folder, parse, check against the allow-list, rewrite, a new interpreter, import, fetch the definition and the mixin functions", "tier/source.BenchmarkLoadOne", "", 0},
	{"source", "`Load100Parallel` | the same for 100 plugins, one goroutine per core", "tier/source.BenchmarkLoad100Parallel", "", 0},
	{"source", "`LoadOneServerMixins` | `LoadOne` with the tentacle server's mixins to assert", "tier/source.BenchmarkLoadOneServerMixins", "", 0},
	{"source", "`HookCall` | one G-code line through the interpreted handler", "tier/source.BenchmarkHookCall", "", 0},
	{"source", "`HandlerFloor` | one call of an interpreted function that does nothing: the interpreter's own cost under every handler call", "tier/source.BenchmarkHandlerFloor", "", 0},

	{"process-start", "`StartOne/read` | `Manager.Start` of one plugin whose executable is read whole for its SHA-256", "tier/process.BenchmarkStartOne/read", "", 0},
	{"process-start", "`StartOne/recorded` | the same, the check answered from the record of an earlier one", "tier/process.BenchmarkStartOne/recorded", "", 0},
	{"process-start", "`StartTenParallel/manager-start` | `Manager.Start` of 10 plugins, checks recorded", "tier/process.BenchmarkStartTenParallel/manager-start", "", 0},
	{"process-start", "`StartTenParallel/tier-loads` | the 10 tier-level loads alone, one goroutine each", "tier/process.BenchmarkStartTenParallel/tier-loads", "", 0},

	{"process-calls", "`HookRoundTrip/plugins=1/serial` | one line through one plugin's handler (`Hook.Call`)", "tier/process.BenchmarkHookRoundTrip/plugins=1/serial", "", 0},
	{"process-calls", "`HookRoundTrip/plugins=1/parallel` | the same from 2 goroutines (wall time per line)", "tier/process.BenchmarkHookRoundTrip/plugins=1/parallel", "", 0},
	{"process-calls", "`HookRoundTrip/plugins=5/serial` | one line through 5 plugins' handlers", "tier/process.BenchmarkHookRoundTrip/plugins=5/serial", "", 0},
	{"process-calls", "`HookRoundTrip/plugins=5/parallel` | the same from 2 goroutines", "tier/process.BenchmarkHookRoundTrip/plugins=5/parallel", "", 0},
	{"process-calls", "`HelperCall` | one call of a plugin's helper, argument and result as JSON", "tier/process.BenchmarkHelperCall", "", 0},
	{"process-calls", "`HookWithHostCall/host=direct` | a handler that reads one of its plugin's settings", "tier/process.BenchmarkHookWithHostCall/host=direct", "", 0},
	{"process-calls", "`HookWithHostCall/host=grpc` | the same over gRPC (no direct calls)", "tier/process.BenchmarkHookWithHostCall/host=grpc", "", 0},
}

var targets = []Target{
	{"builtin hook dispatch, `direct-loop`, 1 handler, per handler call", "hooks.BenchmarkDispatch/direct-loop/1", "ns/handler", "<= 10ns", ""},
	{"… `Call`, 1 handler", "hooks.BenchmarkDispatch/call/1", "ns/handler", "<= 10ns", ""},
	{"… `Call`, 5 handlers", "hooks.BenchmarkDispatch/call/5", "ns/handler", "<= 10ns", ""},
	{"… `Call`, 50 handlers", "hooks.BenchmarkDispatch/call/50", "ns/handler", "<= 10ns", ""},
	{"… `Call`, 50 handlers, per line", "hooks.BenchmarkDispatch/call/50", "ns/op", "<= 500ns", ""},
	{"… `Call`, 50 handlers, allocations", "hooks.BenchmarkDispatch/call/50", "allocs/op", "== 0", ""},
	{"the cost of counting a builtin handler call", "hooks.BenchmarkStats/timed=false", "ns/op", "<= 1ns", ""},
	{"… allocations", "hooks.BenchmarkStats/timed=false", "allocs/op", "== 0", ""},
	{"load + enable 1,000 builtin plugins", "manager.BenchmarkLoadEnable/1000", "ns/op", "<= 20ms", ""},
	{"… no N² term: per plugin at 1,000 against at 10", "manager.BenchmarkLoadEnable/1000", "ns/plugin", "<= 2x", "manager.BenchmarkLoadEnable/10"},
	{"… memory held per plugin", "manager.BenchmarkLoadEnable/1000", "retained-B/plugin", "<= 10KiB", ""},
	{"enable + disable one plugin at runtime, 10 others", "manager.BenchmarkToggle/cycle/others=10", "ns/op", "<= 20us", ""},
	{"… 100 others", "manager.BenchmarkToggle/cycle/others=100", "ns/op", "<= 20us", ""},
	{"send path, builtin, 5 handlers, lines/s against OctoPrint's", "internal/serve.BenchmarkPrintLines/tier=builtin/handlers=5/filter=all", "lines/s", ">= 100x", "octoprint/send_phase/5"},
	{"… builtin, 50 handlers", "internal/serve.BenchmarkPrintLines/tier=builtin/handlers=50/filter=all", "lines/s", ">= 100x", "octoprint/send_phase/50"},
	{"… builtin, 5 handlers, allocations a line", "internal/serve.BenchmarkPrintLines/tier=builtin/handlers=5/filter=all", "allocs/op", "== 0", ""},
	{"… builtin, 50 handlers, allocations a line", "internal/serve.BenchmarkPrintLines/tier=builtin/handlers=50/filter=all", "allocs/op", "== 0", ""},
	{"… source, 5 handlers with filters", "internal/serve.BenchmarkPrintLines/tier=source/handlers=5/filter=1%", "lines/s", ">= 20x", "octoprint/send_phase/5"},
	{"… source, 50 handlers with filters", "internal/serve.BenchmarkPrintLines/tier=source/handlers=50/filter=1%", "lines/s", ">= 20x", "octoprint/send_phase/50"},
	{"… process, 5 handlers with filters", "internal/serve.BenchmarkPrintLines/tier=process/handlers=5/filter=1%", "lines/s", ">= 10x", "octoprint/send_phase/5"},
	{"… process, 50 handlers with filters", "internal/serve.BenchmarkPrintLines/tier=process/handlers=50/filter=1%", "lines/s", ">= 10x", "octoprint/send_phase/50"},
	{"… process, 5 handlers without filters", "internal/serve.BenchmarkPrintLines/tier=process/handlers=5/filter=all", "lines/s", ">= 1x", "octoprint/send_phase/5"},
	{"… process, 50 handlers without filters", "internal/serve.BenchmarkPrintLines/tier=process/handlers=50/filter=all", "lines/s", ">= 1x", "octoprint/send_phase/50"},
	{"load one source plugin", "tier/source.BenchmarkLoadOne", "ns/op", "<= 1ms", ""},
	{"load 100 source plugins on 2 cores", "tier/source.BenchmarkLoad100Parallel", "ns/op", "<= 100ms", ""},
	{"source hook handler call", "tier/source.BenchmarkHookCall", "ns/op", "<= 400ns", ""},
	{"… allocations", "tier/source.BenchmarkHookCall", "allocs/op", "<= 4", ""},
	{"process hook round trip, one plugin", "tier/process.BenchmarkHookRoundTrip/plugins=1/serial", "ns/op", "<= 10us", ""},
	{"… CPU in the host", "tier/process.BenchmarkHookRoundTrip/plugins=1/serial", "host-cpu-ns/op", "<= 8us", ""},
	{"… CPU in the plugin", "tier/process.BenchmarkHookRoundTrip/plugins=1/serial", "plugin-cpu-ns/op", "<= 8us", ""},
	{"… 5 plugins, per handler", "tier/process.BenchmarkHookRoundTrip/plugins=5/serial", "ns/handler", "<= 15us", ""},
	{"process helper call", "tier/process.BenchmarkHelperCall", "ns/op", "<= 10us", ""},
	{"start one process plugin", "tier/process.BenchmarkStartOne/recorded", "ns/op", "<= 8ms", ""},
	{"start ten process plugins", "tier/process.BenchmarkStartTenParallel/manager-start", "ns/op", "<= 40ms", ""},
	{"`tentacle serve` to the first HTTP answer", "internal/serve.BenchmarkStartToFirstAnswer", "ns/op", "<= 100ms", ""},
	{"the web page, interactive in Chromium", "internal/serve.BenchmarkBrowserPageLoad", "ms-interactive/op", "<= 100ms", ""},
}

func declarations() declared {
	return declared{runs: runs, tables: tables, rows: rows, targets: targets}
}
