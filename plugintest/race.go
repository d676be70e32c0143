//go:build race

package plugintest

// raceEnabled: this test binary was built with the race detector, and so
// are the plugin executables NewProcess builds.
const raceEnabled = true
