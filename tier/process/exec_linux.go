//go:build linux

package process

import (
	"os"
	"os/exec"
)

// fdExec reports whether an executable can be run through the descriptor
// it was checked through (/proc is mounted).
var fdExec = func() bool {
	_, err := os.Stat("/proc/self/fd")
	return err == nil
}()

// verifiedCommand checks the executable at path against its SHA-256 (see
// verifyOpen: c may answer for an unchanged file checked before) and
// returns the command that runs it, a function to call once the process
// has started, and the protocol it speaks. The file checked is the file run: it is opened
// once, checked through that descriptor (read, or identified by fstat),
// which the process gets as descriptor 3 and is executed through
// (/proc/self/fd/3), so that a file put in its place after the check (a
// package being replaced) is not what runs. The process sees
// path as its name (os.Args[0]); a script's interpreter reads the script
// through the same descriptor.
func verifiedCommand(path, sha string, c *checks) (cmd *exec.Cmd, started func(), protocol string, err error) {
	f, protocol, err := verifyOpen(path, sha, c)
	if err != nil {
		return nil, nil, "", err
	}
	if !fdExec {
		f.Close()
		return exec.Command(path), func() {}, protocol, nil
	}
	cmd = exec.Command("/proc/self/fd/3")
	cmd.Args = []string{path}
	cmd.ExtraFiles = []*os.File{f}
	return cmd, func() { f.Close() }, protocol, nil
}
