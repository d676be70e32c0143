//go:build !race

package transport

// See causal_race.go.
func released() {}
func acquired() {}
