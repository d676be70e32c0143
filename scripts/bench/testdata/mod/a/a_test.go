package a

import "testing"

func BenchmarkA(b *testing.B) {}

func Benchmark(b *testing.B) {}

func Benchmarkb(b *testing.B) {} // not a benchmark: lower-case after Benchmark

func BenchmarkHelper(n int) {} // not a benchmark: no *testing.B

func TestA(t *testing.T) {}
