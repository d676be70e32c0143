package x

import "testing"

func BenchmarkInTestdata(b *testing.B) {}
