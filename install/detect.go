package install

import (
	"bytes"
	"go/parser"
	"go/token"
	"io"
	"os"
	"strings"
)

// format is the type of an input file.
type format int

const (
	formatUnknown format = iota
	formatGo             // a source plugin of one file
	formatZip
	formatTarGz // .tar.gz, .tgz
	formatTar
)

func (f format) String() string {
	switch f {
	case formatGo:
		return "a Go file"
	case formatZip:
		return "a zip archive"
	case formatTarGz:
		return "a gzipped tar archive"
	case formatTar:
		return "a tar archive"
	}
	return "unknown"
}

// formatOf returns the type a file name's extension says (any case).
func formatOf(name string) format {
	n := strings.ToLower(name)
	switch {
	case strings.HasSuffix(n, ".tar.gz"), strings.HasSuffix(n, ".tgz"):
		return formatTarGz
	case strings.HasSuffix(n, ".tar"):
		return formatTar
	case strings.HasSuffix(n, ".zip"):
		return formatZip
	case strings.HasSuffix(n, ".go"):
		return formatGo
	}
	return formatUnknown
}

// sniffSize is how much of a file sniff reads.
const sniffSize = 64 << 10

// sniff tells the type of the file at path from its content: zip and
// gzip by their magic numbers, tar by its ustar header, Go source by its
// package clause.
func sniff(path string) (format, error) {
	f, err := os.Open(path)
	if err != nil {
		return formatUnknown, err
	}
	defer f.Close()
	head := make([]byte, sniffSize)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return formatUnknown, err
	}
	return sniffBytes(head[:n]), nil
}

func sniffBytes(head []byte) format {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return formatZip
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return formatTarGz
	case len(head) >= 262 && string(head[257:262]) == "ustar":
		return formatTar
	}
	if _, err := parser.ParseFile(token.NewFileSet(), "", head, parser.PackageClauseOnly); err == nil {
		return formatGo
	}
	return formatUnknown
}

// goFileID is the identifier of a one-file source plugin named name:
// the name without its extension.
func goFileID(name string) string {
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		return name[:i]
	}
	return name
}
