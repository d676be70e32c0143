package install

import (
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Known GOOS and GOARCH values (go tool dist list), for telling the
// platform folders of a package, <goos>_<goarch>/, from other folders.
var (
	knownOS = []string{"aix", "android", "darwin", "dragonfly", "freebsd", "illumos", "ios", "js", "linux",
		"netbsd", "openbsd", "plan9", "solaris", "wasip1", "windows"}
	knownArch = []string{"386", "amd64", "arm", "arm64", "loong64", "mips", "mips64", "mips64le", "mipsle",
		"ppc64", "ppc64le", "riscv64", "s390x", "wasm"}
)

// isPlatformName reports whether name is <goos>_<goarch> of a known pair.
func isPlatformName(name string) bool {
	goos, goarch, ok := strings.Cut(name, "_")
	return ok && slices.Contains(knownOS, goos) && slices.Contains(knownArch, goarch)
}

// elfOS are the systems whose executables are ELF files.
var elfOS = []string{"aix", "android", "dragonfly", "freebsd", "illumos", "linux", "netbsd", "openbsd", "solaris"}

// builtFor is the platform an executable's header names: the systems it
// runs on (several when its format does not tell them apart), how to
// name them, and its architectures (several for a universal Mach-O).
type builtFor struct {
	oses   []string
	osName string
	arches []string
}

// checkPlatform checks that the executable at path runs on goos/goarch:
// an ELF, Mach-O or PE file for that system and architecture, or a
// script starting with #!, which is taken to run anywhere. Anything else
// is ErrPlatform naming both platforms.
func checkPlatform(path, goos, goarch string) error {
	if script, err := isScript(path); err != nil {
		return err
	} else if script {
		return nil
	}
	b, ok := readPlatform(path)
	name := filepath.Base(path)
	if !ok {
		return fail(ErrPlatform, "%s is not an executable for %s/%s: no ELF, Mach-O or PE header, nor #!", name, goos, goarch)
	}
	if slices.Contains(b.oses, goos) && slices.Contains(b.arches, goarch) {
		return nil
	}
	osName := b.osName
	if osName == "" { // an ELF file that does not say its system
		osName = "linux"
		if slices.Contains(elfOS, goos) {
			osName = goos
		}
	}
	return fail(ErrPlatform, "%s is built for %s/%s, this machine is %s/%s", name, osName, strings.Join(b.arches, "+"), goos, goarch)
}

func isScript(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	head := make([]byte, 2)
	if _, err := io.ReadFull(f, head); err != nil {
		return false, nil // too short for anything: refused by readPlatform
	}
	return string(head) == "#!", nil
}

// readPlatform reads the platform from the executable's header.
func readPlatform(path string) (builtFor, bool) {
	if f, err := elf.Open(path); err == nil {
		defer f.Close()
		return builtFor{oses: elfSystems(f), osName: elfOSName(f), arches: []string{elfArch(f)}}, true // osName "": any ELF system
	}
	if f, err := macho.Open(path); err == nil {
		defer f.Close()
		return builtFor{oses: []string{"darwin", "ios"}, osName: "darwin", arches: []string{machoArch(f.Cpu)}}, true
	}
	if f, err := macho.OpenFat(path); err == nil {
		defer f.Close()
		b := builtFor{oses: []string{"darwin", "ios"}, osName: "darwin"}
		for _, a := range f.Arches {
			b.arches = append(b.arches, machoArch(a.Cpu))
		}
		return b, true
	}
	if f, err := pe.Open(path); err == nil {
		defer f.Close()
		return builtFor{oses: []string{"windows"}, osName: "windows", arches: []string{peArch(f.Machine)}}, true
	}
	return builtFor{}, false
}

// elfSystems are the systems an ELF file can be for: the one its OS ABI
// or its notes name, else any that uses ELF.
func elfSystems(f *elf.File) []string {
	switch name := elfOSName(f); name {
	case "linux":
		return []string{"linux", "android"}
	case "":
		return elfOS
	default:
		return []string{name}
	}
}

// elfOSName names the system of an ELF file, "" when it says none.
func elfOSName(f *elf.File) string {
	switch f.OSABI {
	case elf.ELFOSABI_FREEBSD:
		return "freebsd"
	case elf.ELFOSABI_NETBSD:
		return "netbsd"
	case elf.ELFOSABI_OPENBSD:
		return "openbsd"
	case elf.ELFOSABI_SOLARIS:
		return "solaris"
	case elf.ELFOSABI_LINUX:
		return "linux"
	}
	switch {
	case f.Section(".note.netbsd.ident") != nil:
		return "netbsd"
	case f.Section(".note.openbsd.ident") != nil:
		return "openbsd"
	}
	return "" // Linux's, as Go builds them, or another system's that uses ELF
}

func elfArch(f *elf.File) string {
	le := f.ByteOrder == binary.LittleEndian
	is64 := f.Class == elf.ELFCLASS64
	switch f.Machine {
	case elf.EM_X86_64:
		return "amd64"
	case elf.EM_386:
		return "386"
	case elf.EM_AARCH64:
		return "arm64"
	case elf.EM_ARM:
		return "arm"
	case elf.EM_RISCV:
		if is64 {
			return "riscv64"
		}
	case elf.EM_PPC64:
		if le {
			return "ppc64le"
		}
		return "ppc64"
	case elf.EM_S390:
		return "s390x"
	case elf.EM_LOONGARCH:
		return "loong64"
	case elf.EM_MIPS:
		switch {
		case is64 && le:
			return "mips64le"
		case is64:
			return "mips64"
		case le:
			return "mipsle"
		}
		return "mips"
	}
	return "machine " + f.Machine.String()
}

func machoArch(c macho.Cpu) string {
	switch c {
	case macho.CpuAmd64:
		return "amd64"
	case macho.CpuArm64:
		return "arm64"
	case macho.Cpu386:
		return "386"
	case macho.CpuArm:
		return "arm"
	case macho.CpuPpc64:
		return "ppc64"
	}
	return "cpu " + c.String()
}

func peArch(m uint16) string {
	switch m {
	case pe.IMAGE_FILE_MACHINE_AMD64:
		return "amd64"
	case pe.IMAGE_FILE_MACHINE_I386:
		return "386"
	case pe.IMAGE_FILE_MACHINE_ARM64:
		return "arm64"
	case pe.IMAGE_FILE_MACHINE_ARMNT:
		return "arm"
	}
	return fmt.Sprintf("machine %#x", m)
}
