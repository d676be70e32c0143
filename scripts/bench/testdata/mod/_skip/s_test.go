package skip

import "testing"

func BenchmarkUnderscore(b *testing.B) {}
