package control

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/feedscope/feedscope/session"
	"github.com/zalando/go-keyring"
)

// ProfileStore keeps profiles in a JSON file, written atomically, and their secrets
// in a SecretStore apart from it.
type ProfileStore struct {
	Path    string
	Secrets SecretStore
}

type profileFile struct {
	Version  int               `json:"version"`
	Profiles []session.Profile `json:"profiles"`
}

// Load reads the profiles and fills in their secrets. A file that cannot be parsed
// is moved aside (never emptied) and reported in the error; the profiles returned
// are then none.
func (s *ProfileStore) Load() ([]session.Profile, error) {
	b, err := os.ReadFile(s.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("failed to read profiles: %w", err)
	}
	var f profileFile
	if err := json.Unmarshal(b, &f); err != nil {
		backup := s.Path + ".corrupt-" + time.Now().Format("20060102-150405")
		if rerr := os.Rename(s.Path, backup); rerr != nil {
			return nil, fmt.Errorf("profiles file %s is corrupt (%v) and could not be moved aside: %w", s.Path, err, rerr)
		}
		return nil, fmt.Errorf("profiles file was corrupt (%v); it was kept as %s and Feedscope started with no profiles", err, backup)
	}
	for i := range f.Profiles {
		p := &f.Profiles[i]
		p.Token, _ = s.Secrets.Get(p.Name, "token")
		p.Password, _ = s.Secrets.Get(p.Name, "password")
		p.ClientKey, _ = s.Secrets.Get(p.Name, "clientKey")
		if h, _ := s.Secrets.Get(p.Name, "headers"); h != "" {
			_ = json.Unmarshal([]byte(h), &p.Headers)
		}
	}
	return f.Profiles, nil
}

// Save writes every profile (without secrets) atomically and stores the secrets.
func (s *ProfileStore) Save(ps []session.Profile) error {
	sorted := append([]session.Profile(nil), ps...)
	for i := range sorted {
		sorted[i].HeaderNames = headerNames(sorted[i].Headers)
	}
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	b, err := json.MarshalIndent(profileFile{Version: 1, Profiles: sorted}, "", "  ")
	if err != nil {
		return fmt.Errorf("failed to encode profiles: %w", err)
	}
	if err := WriteFileAtomic(s.Path, b, 0o600); err != nil {
		return fmt.Errorf("failed to save profiles: %w", err)
	}
	for _, p := range ps {
		if err := s.Secrets.Set(p.Name, "token", p.Token); err != nil {
			return err
		}
		if err := s.Secrets.Set(p.Name, "password", p.Password); err != nil {
			return err
		}
		if err := s.Secrets.Set(p.Name, "clientKey", p.ClientKey); err != nil {
			return err
		}
		headers := ""
		if len(p.Headers) > 0 {
			b, _ := json.Marshal(p.Headers)
			headers = string(b)
		}
		if err := s.Secrets.Set(p.Name, "headers", headers); err != nil {
			return err
		}
	}
	return nil
}

// headerNames lists a profile's header names, sorted, for the profiles file.
func headerNames(h map[string]string) []string {
	var names []string
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Forget removes a profile's secrets.
func (s *ProfileStore) Forget(name string) {
	_ = s.Secrets.Set(name, "token", "")
	_ = s.Secrets.Set(name, "password", "")
	_ = s.Secrets.Set(name, "clientKey", "")
	_ = s.Secrets.Set(name, "headers", "")
}

// WriteFileAtomic writes through a temporary file and a rename, so a crash never
// leaves a half-written file.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// SecretStore keeps tokens and passwords apart from the profiles file.
type SecretStore interface {
	Get(profile, kind string) (string, error)
	Set(profile, kind, value string) error // "" deletes
	// Where says where secrets live, for the profile form.
	Where() string
}

const keyringService = "io.github.feedscope"

// FileSecrets keeps secrets in a JSON file at path readable only by the user: the
// fallback of OpenSecrets, and what tests use.
func FileSecrets(path string) SecretStore { return &fileSecrets{path: path} }

// OpenSecrets returns the OS keyring when one answers, otherwise a 0600 file in dir.
func OpenSecrets(dir string) SecretStore {
	if keyringWorks() {
		return osKeyring{}
	}
	return &fileSecrets{path: filepath.Join(dir, "secrets.json")}
}

// keyringWorks probes the keyring, bounded in time: a session bus without a
// secret service can otherwise hang.
func keyringWorks() bool {
	done := make(chan bool, 1)
	go func() {
		err := keyring.Set(keyringService, "probe", "ok")
		if err == nil {
			_ = keyring.Delete(keyringService, "probe")
		}
		done <- err == nil
	}()
	select {
	case ok := <-done:
		return ok
	case <-time.After(2 * time.Second):
		return false
	}
}

type osKeyring struct{}

func (osKeyring) Get(profile, kind string) (string, error) {
	v, err := keyring.Get(keyringService, profile+"/"+kind)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", nil
	}
	return v, err
}

func (k osKeyring) Set(profile, kind, value string) error {
	if cur, err := k.Get(profile, kind); err == nil && cur == value {
		return nil // every save stores every secret: write only what changed
	}
	if value == "" {
		err := keyring.Delete(keyringService, profile+"/"+kind)
		if errors.Is(err, keyring.ErrNotFound) {
			return nil
		}
		return err
	}
	return keyring.Set(keyringService, profile+"/"+kind, value)
}

func (osKeyring) Where() string { return "the system keyring" }

// fileSecrets is the fallback: one JSON file readable only by the user.
type fileSecrets struct {
	path string
}

func (f *fileSecrets) read() map[string]string {
	m := map[string]string{}
	if b, err := os.ReadFile(f.path); err == nil {
		_ = json.Unmarshal(b, &m)
	}
	return m
}

func (f *fileSecrets) Get(profile, kind string) (string, error) {
	return f.read()[profile+"/"+kind], nil
}

func (f *fileSecrets) Set(profile, kind, value string) error {
	m := f.read()
	key := profile + "/" + kind
	if m[key] == value {
		return nil
	}
	if value == "" {
		delete(m, key)
	} else {
		m[key] = value
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := WriteFileAtomic(f.path, b, 0o600); err != nil {
		return fmt.Errorf("failed to save secrets: %w", err)
	}
	return nil
}

func (f *fileSecrets) Where() string {
	return "a file only you can read (" + f.path + "): no system keyring answered"
}
