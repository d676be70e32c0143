package nested

import "testing"

func BenchmarkNested(b *testing.B) {}
