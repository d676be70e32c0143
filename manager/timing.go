package manager

import "time"

// Timing is how long one step of a plugin's lifecycle took ([Options.Timed]).
type Timing struct {
	Plugin, Tier string
	Phase        Phase // PhaseLoad or PhaseEnable
	Duration     time.Duration
}

// timed tells Options.Timed that r's phase, started at start, succeeded.
func (m *Manager) timed(r *record, phase Phase, start time.Time) {
	if m.opts.Timed != nil {
		m.opts.Timed(Timing{Plugin: r.id, Tier: r.cand.Tier, Phase: phase, Duration: time.Since(start)})
	}
}
