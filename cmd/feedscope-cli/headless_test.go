package main

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The headless binary's reason to exist: nothing of Fyne (and so no cgo, GL or
// X11) anywhere in its import graph, whatever the build tags.
func TestImportGraphHasNoFyne(t *testing.T) {
	for _, tags := range []string{"", "migrated_fynedo"} {
		cmd := exec.Command("go", "list", "-deps", "-tags", tags, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list: %v", err)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 50 || !contains(deps, "github.com/feedscope/feedscope/cli") || !contains(deps, "github.com/feedscope/feedscope/session/all") {
			t.Fatalf("go list -deps looks wrong (%d packages): %s", len(deps), out)
		}
		for _, d := range deps {
			if strings.HasPrefix(d, "fyne.io/") || strings.Contains(d, "go-gl/") || d == "runtime/cgo" {
				t.Errorf("tags %q: the headless binary imports %s", tags, d)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// TestBinaryIsStatic: no program interpreter (the dynamic loader) and no needed
// shared libraries, so the file runs on any Linux of its architecture.
func TestBinaryIsStatic(t *testing.T) {
	f, err := elf.Open(binary)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("program header %v: the binary is dynamically linked", p.Type)
		}
	}
	if libs, err := f.ImportedLibraries(); err != nil || len(libs) > 0 {
		t.Errorf("DT_NEEDED %v (%v)", libs, err)
	}
}

// TestGoInstallable: `go install …@latest` refuses a module whose go.mod has
// replace or exclude directives, so neither may creep in.
func TestGoInstallable(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(mod))
	for n := 1; sc.Scan(); n++ {
		w := strings.Fields(sc.Text())
		if len(w) > 0 && (w[0] == "replace" || w[0] == "exclude" || w[0] == "retract") {
			t.Errorf("go.mod:%d: %q breaks go install …@latest", n, sc.Text())
		}
		if len(w) == 2 && w[0] == "module" && w[1] != "github.com/feedscope/feedscope" {
			t.Errorf("go.mod:%d: module path %s, the README says github.com/feedscope/feedscope", n, w[1])
		}
	}
}

// TestRunsAloneInEmptyRoot copies the binary alone into an empty directory and
// runs `tail --demo` chrooted there with an empty environment: no /lib, no /etc,
// no /dev, no display, no locale. It must print NDJSON and nothing on stderr.
func TestRunsAloneInEmptyRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chroot needs root (CI runs as root): run `sudo go test ./cmd/feedscope-cli` to include this test")
	}
	root := t.TempDir()
	installBinary(t, root)
	entries, _ := os.ReadDir(root)
	if len(entries) != 1 {
		t.Fatalf("the root holds %d entries, want the binary alone", len(entries))
	}
	tailInRoot(t, root)
}

// TestRunsInDebianSlimRoot is the same run inside a Debian minbase root (what
// debian:bookworm-slim is built from), which has a libc but no X11, GL or Fyne
// libraries. `make check-slim` builds the root with debootstrap and names it in
// FEEDSCOPE_SLIM_ROOT; without it the test skips, as it needs Debian's mirror.
func TestRunsInDebianSlimRoot(t *testing.T) {
	root := os.Getenv("FEEDSCOPE_SLIM_ROOT")
	if root == "" {
		t.Skip("FEEDSCOPE_SLIM_ROOT is not set: `make check-slim` builds a Debian minbase root and runs this test in it")
	}
	if os.Geteuid() != 0 {
		t.Skip("chroot needs root")
	}
	for _, lib := range []string{"libX11.so.6", "libGL.so.1", "libEGL.so.1", "libxcb.so.1"} {
		matches, _ := filepath.Glob(filepath.Join(root, "usr/lib/*", lib))
		if len(matches) > 0 {
			t.Fatalf("%s is in the root (%v): not a slim root, the test would prove nothing", lib, matches)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "etc/debian_version")); err != nil {
		t.Fatalf("%s is not a Debian root: %v", root, err)
	}
	installBinary(t, root)
	t.Cleanup(func() { os.Remove(filepath.Join(root, "feedscope-cli")) })
	tailInRoot(t, root)
}

func installBinary(t *testing.T, root string) {
	t.Helper()
	src, err := os.Open(binary)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(filepath.Join(root, "feedscope-cli"), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

// tailInRoot runs `tail --demo` chrooted in root with an empty environment and
// wants five NDJSON events on stdout and nothing on stderr.
func tailInRoot(t *testing.T, root string) {
	t.Helper()
	cmd := exec.Command("/feedscope-cli", "tail", "--demo", "--dialect", "misskey", "--sub", `{"channel":"localTimeline"}`, "--count", "5", "--duration", "20s")
	cmd.Env = []string{}
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: root}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %s", err, errb.String())
	}
	if errb.Len() > 0 {
		t.Errorf("stderr is not empty: %q", errb.String())
	}
	lines := bytes.Split(bytes.TrimSuffix(out.Bytes(), []byte("\n")), []byte("\n"))
	kinds := map[string]bool{}
	for _, l := range lines {
		var e struct{ Kind, Dialect string }
		if err := json.Unmarshal(l, &e); err != nil || e.Dialect != "misskey" {
			t.Fatalf("not an NDJSON event: %q (%v)", l, err)
		}
		kinds[e.Kind] = true
	}
	if len(lines) != 5 || !kinds["note"] {
		t.Fatalf("%d lines, kinds %v", len(lines), kinds)
	}
}
