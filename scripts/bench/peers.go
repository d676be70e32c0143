package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// parsePeers reads peers.tsv: the figures of the Python peers (OctoPrint,
// pluggy), measured once on the machine class of the page, that rows show
// beside Tentacle's and targets compare with. Each line is a peer's key, a
// metric in go test's spelling (so that a ratio compares like with like),
// the value in that metric's unit, and what was measured; # starts a
// comment line.
func parsePeers(r io.Reader) (results, error) {
	peers := results{}
	seen := map[[2]string]bool{}
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			return nil, fmt.Errorf("peers.tsv:%d: %d fields, want 4 (key, metric, value, what), separated by tabs", n, len(f))
		}
		key, metric := f[0], f[1]
		if strings.Contains(key, "Benchmark") {
			return nil, fmt.Errorf("peers.tsv:%d: key %q: a peer's key may not contain \"Benchmark\"", n, key)
		}
		v, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			return nil, fmt.Errorf("peers.tsv:%d: value of %s %s: %w", n, key, metric, err)
		}
		if seen[[2]string{key, metric}] {
			return nil, fmt.Errorf("peers.tsv:%d: %s %s given twice", n, key, metric)
		}
		seen[[2]string{key, metric}] = true
		peers.add(key, metric, v)
	}
	return peers, sc.Err()
}
