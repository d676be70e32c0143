package process

import "time"

// SetRacyWindow sets how long after its last change a file's check is not
// recorded, for the tests of this package's users, and returns the
// function that sets it back.
func SetRacyWindow(d time.Duration) (restore func()) {
	old := racyWindow
	racyWindow = d
	return func() { racyWindow = old }
}

// IdleDirect returns how many connections of direct calls into the
// process of inst (a process plugin's instance) are kept idle, -1 when it
// takes no direct calls.
func IdleDirect(inst any) int {
	in := inst.(*instance)
	in.mu.Lock()
	p := in.p
	in.mu.Unlock()
	if p == nil || p.direct.Load() == nil {
		return -1
	}
	return p.direct.Load().Idle()
}
