package range_own

import "github.com/tentacle-go/tentacle"

func upTo(n int) func(yield func(int) bool) {
	return func(yield func(int) bool) {
		for i := 0; i < n; i++ {
			if !yield(i) {
				return
			}
		}
	}
}

func sum() int {
	s := 0
	for i := range upTo(3) {
		s += i
	}
	return s
}

var Plugin = tentacle.Definition{Helpers: tentacle.Helpers{"run": sum}}
