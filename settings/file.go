package settings

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/tentacle-go/tentacle/internal/atomicfile"
	"go.yaml.in/yaml/v3"
)

// newFileMode is the mode of a settings file written for the first time;
// it may hold secrets such as API keys.
const newFileMode fs.FileMode = 0o600

// newDirMode is the mode of a settings directory Save has to create.
const newDirMode fs.FileMode = 0o700

// beforeRename, when set (by tests), runs after the temporary file is
// written and synced and before it is renamed over the target; an error
// aborts the write.
var beforeRename func(tmp string) error

// readConfig reads a settings file. A missing file reads as nil data and no
// error.
func readConfig(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return data, err
}

// marshalConfig encodes the user layer as YAML with sorted keys and a
// two-space indent. An empty map encodes as "{}\n". Whole floats keep a
// fraction (3.0, not 3) so that they read back as floats.
func marshalConfig(m map[string]any) ([]byte, error) {
	node, err := toNode(m)
	if err != nil {
		return nil, fmt.Errorf("encode yaml: %w", err)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(node); err != nil {
		return nil, fmt.Errorf("encode yaml: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode yaml: %w", err)
	}
	return buf.Bytes(), nil
}

// toNode builds the YAML node of a normalised value, mapping keys sorted.
func toNode(v any) (*yaml.Node, error) {
	switch v := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		if len(v) == 0 {
			n.Style = yaml.FlowStyle
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			kn := &yaml.Node{}
			if err := kn.Encode(k); err != nil {
				return nil, err
			}
			vn, err := toNode(v[k])
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, kn, vn)
		}
		return n, nil
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		if len(v) == 0 {
			n.Style = yaml.FlowStyle
		}
		for _, e := range v {
			en, err := toNode(e)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, en)
		}
		return n, nil
	case float64:
		if !math.IsInf(v, 0) && !math.IsNaN(v) {
			s := strconv.FormatFloat(v, 'g', -1, 64)
			if !strings.ContainsAny(s, ".eE") {
				s += ".0"
			}
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: s}, nil
		}
	}
	n := &yaml.Node{}
	if err := n.Encode(v); err != nil {
		return nil, err
	}
	return n, nil
}

// writeAtomic replaces the settings file at path with data (see
// atomicfile.Write): a link at path is followed, the file keeps its mode
// (newFileMode when new) and a missing folder is created newDirMode.
func writeAtomic(path string, data []byte) error {
	return atomicfile.Write(path, data, atomicfile.Options{
		Perm: newFileMode, KeepPerm: true, DirPerm: newDirMode,
		FollowLink: true, BeforeRename: beforeRename,
	})
}

// RemoveStaleTemporaryFiles removes the temporary files that saves of the
// settings file at path left behind when the process died between writing
// one and renaming it over the file (a kill -9 during a save): the regular
// files named .<name>.tmp-<digits> in the file's folder (that of the file a
// symbolic link at path points to), where <name> is the file's name, and
// nothing else. It returns the paths it removed; a missing folder is not an
// error.
//
// Call it only when no other process can be saving the same file, since
// such a save's temporary file is removed too: the tentacle server calls it
// at start, holding its base directory's lock. Open does not call it.
func RemoveStaleTemporaryFiles(path string) ([]string, error) {
	removed, err := atomicfile.RemoveTemps(path)
	if err != nil {
		return removed, fmt.Errorf("settings: %w", err)
	}
	return removed, nil
}

// Save writes the user layer to the settings file when it changed since it
// was loaded or last saved, and does nothing otherwise (and always for a
// store made by New). The file is replaced atomically: a temporary file in
// the same directory is written, synced and renamed over the file, which
// keeps its mode (a new file gets mode 0600, and a missing directory is
// created with mode 0700). Saves are serialised. When writing fails, the
// file and the store are left as they were: the store stays dirty and a
// later Save tries again. A store whose file did not parse returns an error
// wrapping ErrReadOnly.
//
// The file holds YAML with sorted keys; an empty user layer is written as
// "{}".
func (s *Store) Save() error {
	if s.parseErr != nil {
		return readOnlyError("save", "", s.parseErr)
	}
	if s.path == "" {
		return nil
	}
	s.saveMu.Lock()
	defer s.saveMu.Unlock()

	s.mu.RLock()
	if !s.dirty {
		s.mu.RUnlock()
		return nil
	}
	gen := s.gen
	data, err := marshalConfig(s.user)
	s.mu.RUnlock()
	if err == nil {
		err = writeAtomic(s.path, data)
	}
	if err != nil {
		return fmt.Errorf("settings: save %s: %w", s.path, err)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	if s.gen == gen { // nothing changed while writing
		s.dirty = false
	}
	return nil
}
