package tier

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// removingInfix marks a file or folder being removed: RemoveAll renames
// path to .<name><removingInfix><random> in the same folder first, a name
// that every origin's scan ignores (it starts with a dot).
const removingInfix = ".removing-"

// RemoveAll removes a plugin's file or folder (an origin's
// [Candidate.Remove]) so that a process killed in the middle never leaves
// half a plugin behind: path is first renamed, in one step, to a hidden
// name in the same folder, then deleted. What an interrupted removal left
// is deleted by [CleanRemovals], which origins call when they scan. A path
// that does not exist is not an error.
func RemoveAll(path string) error {
	var b [6]byte
	_, _ = rand.Read(b[:])
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+removingInfix+hex.EncodeToString(b[:]))
	if err := os.Rename(path, tmp); err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return fmt.Errorf("remove %s: %w", path, err)
	}
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	return nil
}

// CleanRemovals deletes, in folder dir, what removals by [RemoveAll] that
// were interrupted left behind. Errors are returned joined; a folder that
// does not exist has nothing to clean.
func CleanRemovals(dir string) error {
	des, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return err
	}
	var errs []string
	for _, de := range des {
		if name := de.Name(); strings.HasPrefix(name, ".") && strings.Contains(name, removingInfix) {
			if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
				errs = append(errs, err.Error())
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("clean interrupted removals in %s: %s", dir, strings.Join(errs, "; "))
	}
	return nil
}
