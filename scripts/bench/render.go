package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// page renders the generated regions from a run's output (its results
// with the peers' figures added).
type page struct {
	d        declared
	out      *output
	peers    results
	verdicts []verdict
	warnings []string
}

func newPage(d declared, out *output, peers results) *page {
	for k, m := range peers {
		for metric, vs := range m {
			for _, v := range vs {
				out.results.add(k, metric, v)
			}
		}
	}
	p := &page{d: d, out: out, peers: peers}
	for _, t := range d.targets {
		p.verdicts = append(p.verdicts, judge(t, out))
	}
	return p
}

func (p *page) warn(w io.Writer) {
	for _, s := range p.warnings {
		fmt.Fprintf(w, "bench: warning: %s\n", s)
	}
}

// region renders one region by name.
func (p *page) region(name string) (string, error) {
	switch name {
	case "machine":
		return p.machine(), nil
	case "summary":
		return p.summary(), nil
	}
	for _, t := range p.d.tables {
		if t.Name == name {
			return p.table(t)
		}
	}
	return "", fmt.Errorf("no table %q is declared in scripts/bench", name)
}

// table renders a declared table as Markdown; every missing figure is an
// error, together.
func (p *page) table(t Table) (string, error) {
	var b strings.Builder
	var errs []error
	heads := append([]string(nil), t.Labels...)
	aligns := make([]string, 0, len(t.Labels)+len(t.Columns))
	for range t.Labels {
		aligns = append(aligns, "---")
	}
	for _, c := range t.Columns {
		heads = append(heads, c.Head)
		if c.Show == Verdict {
			aligns = append(aligns, "---")
		} else {
			aligns = append(aligns, "---:")
		}
	}
	writeRow(&b, heads)
	writeRow(&b, aligns)
	filled := make([]bool, len(t.Columns))
	for _, r := range p.d.rows {
		if r.Table != t.Name {
			continue
		}
		cells := r.labels()
		_, isPeer := p.peers[r.Bench]
		reason, skipped := p.out.skipped[r.Bench]
		res, ran := p.out.results[r.Bench]
		switch {
		case skipped && !ran:
			p.warnings = append(p.warnings, fmt.Sprintf("table %s: %s was skipped: %s", t.Name, r.Bench, reason))
		case !ran:
			errs = append(errs, fmt.Errorf("table %s: %s did not run (no line of it in the output)", t.Name, r.Bench))
		}
		for i, c := range t.Columns {
			if c.Show == Verdict {
				cells = append(cells, p.rowVerdicts(r.Bench, t.Columns[0].Metric))
				continue
			}
			samples, ok := res[c.Metric]
			switch {
			case skipped && !ran:
				cells = append(cells, "skipped")
				continue
			case !ok && (isPeer || c.Optional || !ran):
				cells = append(cells, "")
				continue
			case !ok:
				errs = append(errs, fmt.Errorf("table %s: %s reports no %s (column %q)", t.Name, r.Bench, c.Metric, c.Head))
				cells = append(cells, "")
				continue
			}
			filled[i] = filled[i] || !isPeer
			cell, err := p.cell(c, r, summarize(samples))
			if err != nil {
				errs = append(errs, fmt.Errorf("table %s, %s: %w", t.Name, r.Bench, err))
			}
			cells = append(cells, cell)
		}
		writeRow(&b, cells)
	}
	for i, c := range t.Columns {
		if c.Optional && !filled[i] {
			errs = append(errs, fmt.Errorf("table %s: no benchmark reports %s (column %q)", t.Name, c.Metric, c.Head))
		}
	}
	return b.String(), errors.Join(errs...)
}

func (p *page) cell(c Column, r Row, s summary) (string, error) {
	switch c.Show {
	case Spread:
		if s.n < 2 {
			return value(c.Metric, s.median), nil
		}
		return value(c.Metric, s.median) + " " + percent(s.spread()), nil
	case Range:
		return valueRange(c.Metric, s.min, s.max), nil
	case PerN:
		if r.N == 0 {
			return "—", nil
		}
		return value(c.Metric, s.median/float64(r.N)), nil
	case Ratio:
		if r.Peer == "" {
			return "", nil
		}
		peer, why := median(p.out, r.Peer, c.Metric)
		if why != "" {
			return "", fmt.Errorf("peer %s: %s", r.Peer, why)
		}
		return times(ratio(c.Metric, s.median, peer)), nil
	}
	return value(c.Metric, s.median), nil
}

// rowVerdicts shows the targets on one benchmark: "≤ 10 ns: met", with
// the metric named where it is not the table's first ("allocs/op = 0").
func (p *page) rowVerdicts(bench, first string) string {
	var parts []string
	for _, v := range p.verdicts {
		if v.target.Bench == bench {
			s := v.limit.show(v.target.Metric) + ": " + v.String()
			if v.target.Metric != first {
				s = "`" + v.target.Metric + "` " + s
			}
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "; ")
}

// summary renders every target with its verdict.
func (p *page) summary() string {
	var b strings.Builder
	writeRow(&b, []string{"target", "measured", "verdict"})
	writeRow(&b, []string{"---", "---:", "---"})
	for _, v := range p.verdicts {
		writeRow(&b, []string{v.target.Goal + ": " + v.limit.show(v.target.Metric), v.measured, v.String()})
	}
	return b.String()
}

func writeRow(b *strings.Builder, cells []string) {
	b.WriteString("|")
	for _, c := range cells {
		b.WriteString(" ")
		b.WriteString(strings.ReplaceAll(c, "|", `\|`))
		b.WriteString(" |")
	}
	b.WriteString("\n")
}

// machine renders what the run was made on and how: the machine, the
// commit, the load, and the runs with their samples and bench times.
func (p *page) machine() string {
	meta := func(k string) string {
		if v := p.out.meta[k]; len(v) > 0 {
			return v[len(v)-1]
		}
		return "unknown"
	}
	var b strings.Builder
	cores := meta("bench-cores")
	procs := ""
	if g := meta("bench-gomaxprocs"); g != "unknown" {
		procs = ", GOMAXPROCS " + g
	}
	cpu := meta("cpu") // as go test names it
	if cpu == "unknown" {
		cpu = meta("bench-cpu")
	}
	fmt.Fprintf(&b, "- Machine: %s, %s cores%s, %s of memory; %s.\n", cpu, cores, procs, meta("bench-memory"), meta("bench-go"))
	commit, subject, _ := strings.Cut(meta("bench-commit"), " ")
	dirty := ""
	if meta("bench-dirty") == "yes" {
		dirty = ", with uncommitted changes"
	}
	fmt.Fprintf(&b, "- Commit `%s` (%q%s), run on %s, %s in all (%s).\n", commit, subject, dirty, meta("bench-date"), meta("bench-elapsed"), meta("bench-mode"))
	fmt.Fprintf(&b, "- Load average (1, 5, 15 minutes): %s before the run, %s after it, on %s cores.\n", meta("bench-load-before"), meta("bench-load-after"), cores)
	if strings.HasPrefix(meta("bench-mode"), "check") {
		b.WriteString("- **These figures are from a check, one iteration of each benchmark: they show that the benchmarks run, not how fast.**\n")
	}
	b.WriteString("\n")
	writeRow(&b, []string{"package", "`-bench`", "samples (`-count`)", "`-benchtime`"})
	writeRow(&b, []string{"---", "---", "---:", "---:"})
	for _, r := range p.out.meta["bench-run"] {
		f := strings.Split(r, "\t")
		if len(f) < 4 {
			writeRow(&b, []string{r, "", "", ""})
			continue
		}
		bench := "`" + f[1] + "`"
		if len(f) > 4 {
			bench += " " + "`" + strings.Join(f[4:], " ") + "`"
		}
		writeRow(&b, []string{"`" + f[0] + "`", bench, f[2], f[3]})
	}
	return b.String()
}
