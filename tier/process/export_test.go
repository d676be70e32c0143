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
