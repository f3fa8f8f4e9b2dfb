package control

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/feedscope/feedscope/session"
	_ "github.com/feedscope/feedscope/session/all"
)

func TestProfileStore(t *testing.T) {
	dir := t.TempDir()
	s := &ProfileStore{Path: filepath.Join(dir, "profiles.json"), Secrets: FileSecrets(filepath.Join(dir, "secrets.json"))}
	ps := []session.Profile{{Name: "a", Dialect: "misskey", URL: "wss://x/streaming", Token: "tok-secret-1",
		CertFile: "/etc/feedscope/client.pem", ClientKey: "-----BEGIN EC PRIVATE KEY-----\nkey-secret-4\n-----END EC PRIVATE KEY-----\n"},
		{Name: "b", Dialect: "isymphony", URL: "ws://pbx/x", User: "manager", Password: "pw-secret-2",
			Headers: map[string]string{"X-Api-Key": "hdr-secret-3"}}}
	if err := s.Save(ps); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(s.Path)
	if bytes.Contains(raw, []byte("secret")) {
		t.Fatalf("secret in profiles file: %s", raw)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "secrets.json")); fi.Mode().Perm() != 0o600 {
		t.Fatalf("secrets file mode %v", fi.Mode())
	}
	got, err := s.Load()
	if err != nil || len(got) != 2 || got[0].Token != "tok-secret-1" || got[1].Password != "pw-secret-2" ||
		got[1].Headers["X-Api-Key"] != "hdr-secret-3" || len(got[1].HeaderNames) != 1 ||
		got[0].ClientKey != ps[0].ClientKey || got[0].CertFile != ps[0].CertFile {
		t.Fatalf("load: %v %+v", err, got)
	}
	if err := os.WriteFile(s.Path, []byte(`{"profiles":[{"name":`), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err = s.Load()
	if err == nil || !strings.Contains(err.Error(), "kept as") || len(got) != 0 {
		t.Fatalf("corrupt file: %v %v", err, got)
	}
	backups, _ := filepath.Glob(s.Path + ".corrupt-*")
	if len(backups) != 1 {
		t.Fatalf("backups %v", backups)
	}
	if b, _ := os.ReadFile(backups[0]); string(b) != `{"profiles":[{"name":` {
		t.Fatalf("backup content %q", b)
	}
}
