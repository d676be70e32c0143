//go:build race

package cli_test

// The go commands the tests run in generated folders build with the race
// detector when the tests have it, so that they find the packages this
// test binary's build compiled already in the build cache.
func init() { goBuildFlags = append(goBuildFlags, "-race") }
