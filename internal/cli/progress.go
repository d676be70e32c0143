package cli

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress shows on stderr, while an install runs, what it is doing: a
// spinner with its current step, and a bar of the bytes downloaded (a
// spinner when the server does not say how many). It shows nothing when
// stderr is not a terminal, so that scripts see only the result lines, and
// leaves nothing behind: the line is cleared when the install ends.
type progress struct {
	w  io.Writer // nil: quiet
	mu sync.Mutex
	// bar is the bar shown now, nil when none; downloading says it
	// counts bytes.
	bar         *progressbar.ProgressBar
	downloading bool
	// tick, while a spinner is shown, ends the goroutine that turns it;
	// spins waits for those goroutines.
	tick  chan struct{}
	spins sync.WaitGroup
}

// spinEvery is how often a spinner turns.
const spinEvery = 100 * time.Millisecond

// newProgress returns the progress display of a command: quiet unless
// stderr is a terminal.
func (o *options) newProgress() *progress {
	if !o.tty {
		return &progress{}
	}
	return &progress{w: o.stderr}
}

// step shows a spinner with what is being done.
func (p *progress) step(what string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.w == nil {
		return
	}
	if p.bar != nil && !p.downloading {
		p.bar.Describe(shorten(what))
		return
	}
	p.clear()
	p.bar, p.tick = p.newBar(-1, what), make(chan struct{})
	bar, tick := p.bar, p.tick
	p.spins.Go(func() { p.spin(bar, tick) })
}

// spin turns a spinner until tick is closed.
func (p *progress) spin(bar *progressbar.ProgressBar, tick chan struct{}) {
	t := time.NewTicker(spinEvery)
	defer t.Stop()
	for {
		select {
		case <-tick:
			return
		case <-t.C:
			p.mu.Lock()
			if p.bar == bar {
				_ = bar.Add(1)
			}
			p.mu.Unlock()
		}
	}
}

// download shows the bytes downloaded so far of total (-1: unknown); it
// is pluginops.Report.Progress.
func (p *progress) download(done, total int64) { p.counted("downloading", done, total) }

// counted shows a bar of the bytes done so far of total (-1: unknown),
// described by what.
func (p *progress) counted(what string, done, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.w == nil {
		return
	}
	if p.bar == nil || !p.downloading {
		p.clear()
		p.bar, p.downloading = p.newBar(total, what), true
	}
	_ = p.bar.Set64(done)
}

// finish clears the line; the progress shows nothing more.
func (p *progress) finish() {
	p.mu.Lock()
	p.clear()
	p.w = nil
	p.mu.Unlock()
	p.spins.Wait()
}

// clear removes the bar shown, if any, and stops its spinner. It is
// called with mu held.
func (p *progress) clear() {
	if p.tick != nil {
		close(p.tick)
		p.tick = nil
	}
	if p.bar != nil {
		_ = p.bar.Clear()
		_ = p.bar.Exit()
		p.bar, p.downloading = nil, false
	}
}

// newBar returns a bar of max bytes (-1: a spinner) described by what.
func (p *progress) newBar(max int64, what string) *progressbar.ProgressBar {
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(shorten(what)),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowBytes(max != -1),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetSpinnerChangeInterval(0), // turned by spin
		progressbar.OptionSetRenderBlankState(true),
	}
	if max != -1 {
		opts = append(opts, progressbar.OptionShowCount()) // "1.0/4.0 MB"
	}
	return progressbar.NewOptions64(max, opts...)
}

// shorten keeps a description to one short line.
func shorten(s string) string {
	const most = 50
	if r := []rune(s); len(r) > most {
		return string(r[:most-1]) + "…"
	}
	return s
}
