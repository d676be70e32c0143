package serve

import (
	"fmt"
	"path/filepath"
)

// Safe mode reasons (OctoPrint's).
const (
	SafeModeFlag       = "flag"
	SafeModeSettings   = "settings"
	SafeModeIncomplete = "incomplete_startup"
	SafeModeConfig     = "config.yaml does not parse"
)

// decideSafeMode decides whether this run is in safe mode, and which plugin
// to quarantine, from (in order) the flag, a config.yaml that does not
// parse, server.startOnceInSafeMode, and the marker of an incomplete start.
//
// An incomplete start that names the plugins whose code was running when
// the process died (usually one) quarantines only them (OctoPrint turns
// every third-party plugin off); one that names none means safe mode.
func (s *Server) decideSafeMode() {
	s.marker = &startMarker{path: s.dir.marker()}
	s.hung = &hungPlugins{path: filepath.Join(s.dir.root, hungFile)}
	hung, err := s.hung.read()
	if err != nil {
		s.log.Warn("cannot read the record of hung plugins", "error", err)
	}
	prev, err := readMarker(s.dir.marker())
	if err != nil {
		s.log.Warn("cannot read the marker of the last start", "error", err)
	}
	ignore := s.store.GetBool("server.ignoreIncompleteStartup")
	switch {
	case s.opts.SafeMode:
		s.safeMode = SafeModeFlag
	case s.configErr != nil:
		s.safeMode = SafeModeConfig
	case s.store.GetBool("server.startOnceInSafeMode"):
		s.safeMode = SafeModeSettings
	case prev != nil && !ignore && len(prev.suspects()) > 0:
		s.quarantine = make(map[string]string)
		for _, r := range prev.suspects() {
			s.quarantine[r.Plugin] = fmt.Sprintf("its %s was running when the start of %s did not complete", r.Phase, prev.Started.Format("2006-01-02 15:04:05 MST"))
			s.log.Warn("the last start did not complete: quarantining a plugin that was running", "plugin", r.Plugin, "phase", r.Phase)
		}
	case prev != nil && !ignore:
		s.safeMode = SafeModeIncomplete
	}
	if s.safeMode == "" && !ignore {
		for _, r := range hung {
			if s.quarantine == nil {
				s.quarantine = make(map[string]string)
			}
			if _, ok := s.quarantine[r.Plugin]; !ok {
				s.quarantine[r.Plugin] = fmt.Sprintf("it hung in the run of %s: %s", r.At.Format("2006-01-02 15:04:05 MST"), r.Evidence)
				s.log.Warn("a plugin hung in an earlier run: quarantining it", "plugin", r.Plugin, "evidence", r.Evidence)
			}
		}
	}
	if s.safeMode != "" {
		s.log.Warn("starting in safe mode: only bundled plugins run", "reason", s.safeMode)
	}
}

// clearSafeModeOnce clears server.startOnceInSafeMode after a start in
// safe mode for that reason.
func (s *Server) clearSafeModeOnce() {
	if s.safeMode != SafeModeSettings {
		return
	}
	if err := s.store.Remove("server.startOnceInSafeMode"); err == nil {
		err = s.store.Save()
		if err != nil {
			s.log.Error("cannot save the configuration", "error", err)
		}
	}
}

// RequestSafeMode makes the next start of the server in basedir run in safe
// mode (tentacle safemode): it sets server.startOnceInSafeMode.
func RequestSafeMode(st interface {
	Set(string, any) error
	Save() error
}) error {
	if err := st.Set("server.startOnceInSafeMode", true); err != nil {
		return err
	}
	return st.Save()
}
