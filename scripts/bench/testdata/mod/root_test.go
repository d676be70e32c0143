package mod

import "testing"

func BenchmarkRoot(b *testing.B) {}
