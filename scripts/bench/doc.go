// Command bench runs the project's benchmarks and writes their figures
// into docs/benchmarks.md, so that every figure on that page comes from
// one run of one commit on one machine.
//
// From the repository root:
//
//	go run ./scripts/bench               # run everything, rewrite docs/benchmarks.md
//	go run ./scripts/bench -raw run.txt  # the same, keeping go test's output
//	go run ./scripts/bench -from run.txt # rewrite the page from saved output
//	go run ./scripts/bench -only toggle -print  # run one table's benchmarks, print it
//	go run ./scripts/bench -print        # print the tables instead of rewriting
//	go run ./scripts/bench -check        # what .ci/run does: see below
//
// A whole run takes about 10 minutes on 2 cores (build included); -check
// about a minute once the test binaries are in the build cache. The page
// is rewritten from a whole run only (or from its saved output with
// -from, which may also be limited to one table with -only), so that its
// figures are always from one run.
//
// # What it runs
//
// declared.go lists runs: a package, a -bench regexp, the samples
// (-count) and the bench time of each. The script builds each package's
// test binary once and runs the runs one after the other, with -benchmem,
// in declared order; it writes nothing unless every run passes. Each
// figure on the page is the median of a run's samples, with the largest
// deviation of a sample from it (±%) where a column asks for it.
//
// # What it writes
//
// The page keeps its prose; the script replaces only the lines between
// a marker <!-- bench:table NAME --> and the next <!-- bench:end -->.
// NAME is a table of declared.go, or one of two regions the script makes
// itself: machine (the machine, the Go version, the commit, the date, the
// load before and after, and the runs) and summary (every target with its
// figure and whether it is met). A marker the script does not know, a
// region without its end, a declared table the page has no region for, or
// a row whose benchmark did not run or does not report a column's metric
// is an error, and the page is left as it was.
//
// The Python peers' figures (OctoPrint, pluggy), measured once, are in
// peers.tsv; rows can show them and targets can be multiples of them.
//
// # -check
//
// -check runs every benchmark of the repository once, with -benchtime 1x
// and one sample (one test binary run per package), and fails with the
// reason if a benchmark fails; if a declared run's regexp matches no
// benchmark any more; if a benchmark ran that no declared run covers (a
// whole run would not measure it); if a row's or a target's benchmark did
// not run or no longer reports its metric; or if the page's markers and
// the declarations disagree. It rewrites nothing. Before running anything
// it also fails if a Benchmark function of the module is in no run's
// package and regexp. A benchmark that runs but that no row shows is a
// warning. A skipped benchmark (the browser's, without Chromium) is a
// warning too; .ci/run installs Chromium and requires it.
//
// # Adding a benchmark
//
//   - A new Benchmark function in a package and regexp that a run already
//     covers needs no run; otherwise add one line to runs, or widen a
//     run's regexp.
//   - Show it: one line in rows per row of a table, {table, labels,
//     benchmark, peer, n}, the benchmark spelt as go test prints it
//     without the -GOMAXPROCS suffix and with its package directory:
//     "internal/serve.BenchmarkPrintLines/tier=builtin/handlers=5/filter=all"
//     (so a sub-benchmark's name may not end in -digits, which read as
//     the suffix).
//     A new table is one entry in tables and its two markers on the page;
//     a column shows a metric's median, its spread, its range, the median
//     per row's n, the ratio to the row's peer, or the row's verdicts
//     (Show, in decl.go).
//   - A goal is one line in targets: {goal, benchmark, metric, limit, of};
//     limit "<= 10ns", ">= 100x" with of naming a benchmark or peer, "== 0".
//
// To see a new benchmark's names and metrics before writing its rows:
// go run ./scripts/bench -check -raw run.txt, then read run.txt. go test
// ./scripts/bench checks that every row, target and run fits together,
// and renders the page from testdata/check.txt: after adding rows, refresh
// it with go run ./scripts/bench -check -raw scripts/bench/testdata/check.txt.
package main
