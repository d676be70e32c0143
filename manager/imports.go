package manager

import (
	"context"
	"fmt"
	"sync"

	"github.com/tentacle-go/tentacle/tier"
)

// maxParallelImports bounds the imports of isolated plugins that run at
// once in a load pass: each is a process starting (its executable
// checksummed, spawned, handshaken), more CPU than waiting.
const maxParallelImports = 8

// pendingImport is the import of an isolated plugin's code (its tier's
// Candidate.Load), started ahead of the load pass that uses it.
type pendingImport struct {
	cand *tier.Candidate // the candidate it imports; a different one is not served
	done chan struct{}
	inst tier.Instance
	err  error
}

func (p *pendingImport) wait() (tier.Instance, error) {
	<-p.done
	return p.inst, p.err
}

// isolated reports whether the plugins of origin i (an index in
// Options.Origins) run apart from the host's process.
func (m *Manager) isolated(i int) bool {
	if i < 0 || i >= len(m.opts.Origins) {
		return false
	}
	_, ok := m.opts.Origins[i].(tier.Isolating)
	return ok
}

// startImports starts, in the background, the imports of the plugins
// among ids whose code runs apart from the host (their origin is
// tier.Isolating),
// so that their processes start side by side while the load pass goes
// through the plugins in order. Nothing else changes: each plugin's Check
// and Load still run in order, in loadCode, which takes the import it
// finds here. The caller holds the operation lock and calls dropImports
// when the pass is over.
func (m *Manager) startImports(ctx context.Context, ids []string) {
	sem := make(chan struct{}, maxParallelImports)
	for _, id := range ids {
		r := m.get(id)
		if r == nil || !m.isolated(r.originIndex) || r.cand.Load == nil {
			continue
		}
		cand := &r.cand
		p := &pendingImport{cand: cand, done: make(chan struct{})}
		env := m.tierEnv(r)
		if m.imports == nil {
			m.imports = map[string]*pendingImport{}
		}
		m.imports[id] = p
		go func() {
			defer close(p.done)
			sem <- struct{}{}
			defer func() { <-sem }()
			defer func() {
				if v := recover(); v != nil {
					p.inst, p.err = nil, fmt.Errorf("panic: %v", v)
				}
			}()
			p.inst, p.err = cand.Load(ctx, env)
		}()
	}
}

// takeImport returns the import started for plugin id from cand, once,
// or nil.
func (m *Manager) takeImport(id string, cand *tier.Candidate) *pendingImport {
	p := m.imports[id]
	if p == nil || p.cand != cand {
		return nil
	}
	delete(m.imports, id)
	return p
}

// dropImports closes the instances of imports no load took (a plugin whose
// load was not reached), and forgets them.
func (m *Manager) dropImports() {
	var wg sync.WaitGroup
	for id, p := range m.imports {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if inst, err := p.wait(); err == nil && inst != nil {
				m.closeInstance(id, inst)
			}
		}()
	}
	wg.Wait()
	m.imports = nil
}
