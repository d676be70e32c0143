// Package install installs plugins into a tentacle base directory, in a
// transaction: an install either happens completely or leaves the base
// directory as it was, and a process killed in the middle of one leaves
// a base directory that [Recover] makes consistent again. It is what the
// Plugin Manager's install and uninstall stand on.
//
// # What it installs
//
// A source plugin goes into <basedir>/plugins/, a process plugin's
// package into <basedir>/packages/:
//
//	input                                        installed as
//	hello.go (a Go file)                         plugins/hello.go
//	a folder hello/ of Go files                  plugins/hello/
//	an archive holding hello/ with Go files      plugins/hello/
//	an archive or folder: pkg/plugin.yaml and    packages/pkg/
//	  pkg/tentacle-plugin-pkg (or the manifest's executable)
//	an archive or folder: pkg/<goos>_<goarch>/   packages/pkg/ (this
//	  per platform, holding the executable and     platform's folder only,
//	  optionally its plugin.yaml, else           with its plugin.yaml)
//	  pkg/plugin.yaml is used
//
// Archives are .zip, .tar.gz or .tgz, and .tar. An archive holds exactly
// one folder at its top, named after the plugin's identifier; names at the
// top starting with . or _ are ignored (as the plugins folder ignores
// them: __MACOSX/, .DS_Store). A folder, or that top folder, holding
// plugin.yaml or a platform folder is a package; any other is a source
// plugin. The input is a local file or folder ([Source.Path]; an upload
// the caller saved is one) or an http or https URL ([Source.URL]). Its
// type comes from its file name's extension ([Source.Name], a download's
// Content-Disposition filename, the URL's or the path's last element),
// else from its content: zip and gzip by their magic numbers, tar by its
// header, Go source by its package clause. Anything else is refused.
//
// # Steps
//
// [Installer.Prepare] runs the steps that change nothing in the base
// directory, in a transaction folder <basedir>/.install/<txn>/ (its
// leading dot keeps every scanner away):
//
//   - download: an http(s) URL is downloaded into the transaction folder
//     (a local file is copied there), within [Limits.Download], checked
//     against Content-Length first and counted while reading, within
//     [Options.Timeout], reporting [Options.Progress]. Redirects to other
//     schemes and answers other than 2xx are ErrDownload.
//   - verify: the file's SHA-256 is compared with [Source.SHA256], when
//     given: ErrChecksum with both digests.
//   - unpack: the archive is unpacked (a folder copied) into the
//     transaction folder. Refused with ErrUnsafe: a name with a ".."
//     element, an absolute name, a backslash or NUL byte, a symbolic or
//     hard link, a device, fifo or anything else that is not a file or a
//     folder, a duplicate (names differing only in case included), a file
//     where a folder is or the reverse. Every write goes through an
//     os.Root of the destination with O_EXCL. Files are made 0644, or
//     0755 when any executable bit was set, folders 0755; setuid, setgid
//     and sticky bits are dropped. [Limits] are enforced on the bytes
//     actually written (ErrLimit), never on what headers say. A corrupt
//     archive, its checksums included, is ErrInvalid.
//   - validate: the layout (ErrLayout); the identifier, [a-z0-9_]{1,64}
//     not starting with _, equal to the folder's or file's name and to
//     the manifest's id (ErrInvalid, ErrLayout); [Options.Reserved]
//     (ErrReserved, Force or not); an identifier already installed as any
//     of plugins/<id>.go, plugins/<id>/ or packages/<id>/ needs
//     [Mode.Reinstall] or [Mode.Force] (ErrInstalled). A package's
//     manifest must parse as the process tier parses it, its executable
//     be there, be built for [Options.GOOS]/[Options.GOARCH] by its ELF,
//     Mach-O or PE header (a #! script runs anywhere; else ErrPlatform
//     naming both platforms) and have the manifest's SHA-256
//     (ErrChecksum); it is made 0755. A source plugin must pass
//     source.Lint with [Options.Lint] (ErrInvalid listing the problems):
//     lint runs the plugin's init functions and Load, as a load would.
//     Last, [Options.Check], the host's own checks, unless Mode.Force.
//
// [Pending.Place] then does the only step that changes the base directory,
// place: it writes the transaction's journal and flushes it to disk, then
// renames each installed file or folder of the identifier into the
// transaction folder and the new plugin into place, one rename each,
// flushing the folders whose entries change. [Pending.Commit] writes a
// commit marker (flushed) and deletes the replaced files;
// [Pending.Rollback] renames everything back. [Installer.Install] is
// Prepare, Place and Commit.
//
// # Guarantees
//
//   - A failure at any step leaves the base directory as it was, byte for
//     byte: a failure in Prepare removes the transaction folder; one in
//     Place or in Commit before its marker undoes the renames made and
//     removes the folders Place made. A failure after the commit marker
//     leaves the install standing; what is left of the transaction is
//     logged and removed by Recover.
//   - After a crash (SIGKILL, power loss) [Recover], called before
//     anything scans the plugins, makes every transaction no live install
//     holds consistent: one without a journal is deleted, a committed one
//     (or a removal) finished, any other rolled back, so the old plugin or
//     the new one is in place, never a part of either. Recover is safe to
//     call at any time; live transactions are locked (flock) and left
//     alone.
//   - [Remove] removes an installed plugin's file or folder (for an
//     uninstall) the same way: journaled, renamed into .install/, then
//     deleted; Recover finishes one that was interrupted.
//   - One install at a time per Installer: Prepare while a Pending is
//     open, or an Install runs, is ErrBusy at once.
//
// Every error is an [*Error] naming the plugin (once known, else the
// input) and the step, and matches one of the Err variables where callers
// branch: ErrBusy and ErrInstalled (a conflict), ErrReserved, ErrDownload
// (a timeout also matches context.DeadlineExceeded), and the rest for an
// input that is at fault.
//
// # Limits
//
// Defaults: 100 MiB for the input file, 512 MiB unpacked, 10000 entries,
// and an archive may unpack to at most 100 times its own size; a download
// has 5 minutes. Everything is renamed within the base directory, so
// plugins/, packages/ and .install/ must be on one file system (a link to
// another makes the rename fail, and the install with it, changing
// nothing). Only the plugin's files are installed: a package from a
// platform folder gets that folder's files and the manifest, nothing else
// of the archive. Folders are flushed to disk where the system can
// (Unix); elsewhere, and without flock, Recover must run only while no
// install does, at the server's start. A source plugin's lint runs its
// code in the installing process; install only plugins you would run.
package install
