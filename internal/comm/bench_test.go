package comm

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/tentacle-go/tentacle/internal/proctest"

	"github.com/tentacle-go/tentacle/hooks"
	"github.com/tentacle-go/tentacle/server"
)

// okPrinter answers every line with "ok" at once: the protocol's own cost,
// without a firmware's.
type okPrinter struct {
	mu     sync.Mutex
	cond   *sync.Cond
	out    []byte
	closed bool
}

func newOKPrinter() *okPrinter {
	p := &okPrinter{}
	p.cond = sync.NewCond(&p.mu)
	return p
}

func (p *okPrinter) Write(b []byte) (int, error) {
	p.mu.Lock()
	for n := bytes.Count(b, []byte{'\n'}); n > 0; n-- {
		p.out = append(p.out, "ok\n"...)
	}
	p.cond.Signal()
	p.mu.Unlock()
	return len(b), nil
}

func (p *okPrinter) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.out) == 0 && !p.closed {
		p.cond.Wait()
	}
	if len(p.out) == 0 {
		return 0, io.EOF
	}
	n := copy(b, p.out)
	p.out = p.out[:copy(p.out, p.out[n:])]
	return n, nil
}

func (p *okPrinter) Close() error {
	p.mu.Lock()
	p.closed = true
	p.cond.Broadcast()
	p.mu.Unlock()
	return nil
}

// repeatReader repeats a line n times.
type repeatReader struct {
	line []byte
	n    int
	off  int
}

func (r *repeatReader) Read(b []byte) (int, error) {
	total := 0
	for len(b) > 0 && r.n > 0 {
		k := copy(b, r.line[r.off:])
		b, total, r.off = b[k:], total+k, r.off+k
		if r.off == len(r.line) {
			r.off, r.n = 0, r.n-1
		}
	}
	if total == 0 {
		return 0, io.EOF
	}
	return total, nil
}

// BenchmarkProtocol prints b.N lines through the protocol to a printer
// that answers at once, with handlers on the four G-code phases.
// "cpu-ns/op" is the process's CPU time per line.
func BenchmarkProtocol(b *testing.B) {
	for _, n := range []int{0, 5, 50} {
		b.Run(fmt.Sprintf("handlers=%d", n), func(b *testing.B) {
			reg := hooks.NewRegistry(hooks.Options{})
			h, err := DeclareHooks(reg)
			if err != nil {
				b.Fatal(err)
			}
			for i := range n {
				for _, phase := range []string{server.HookGcodeQueuing, server.HookGcodeQueued, server.HookGcodeSending, server.HookGcodeSent} {
					if err := reg.Add(fmt.Sprintf("p%d", i), phase, hooks.Registration{Func: server.GcodeHook(func(_ string, cmd server.Command) []server.Command {
						if cmd.Gcode == "M600" {
							return server.Suppress()
						}
						return nil
					})}); err != nil {
						b.Fatal(err)
					}
				}
			}
			done := make(chan struct{}, 1)
			c := Open(Options{Transport: newOKPrinter(), Hooks: h, TemperatureInterval: -1, OnEvent: func(e Event) {
				if e.Kind == EventPrintDone {
					done <- struct{}{}
				}
			}})
			defer c.Close()
			for c.State() != StateOperational {
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu := proctest.CPUTime()
			if err := c.Print(NewFileSource(&repeatReader{line: []byte("G1 X10.5 Y20.25 E0.5\n"), n: b.N})); err != nil {
				b.Fatal(err)
			}
			<-done
			b.StopTimer()
			b.ReportMetric(float64(proctest.CPUTime()-cpu)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}
