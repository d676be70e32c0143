package users_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/tentacle-go/tentacle/internal/users"
)

func TestAddSaveLoadVerify(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", users.FileName)
	var u users.Users
	if err := u.Add("ada", "correct horse", true); err != nil {
		t.Fatal(err)
	}
	if err := u.Add("bob", "battery staple", false); err != nil {
		t.Fatal(err)
	}
	if err := u.Add("ada", "another one", false); !errors.Is(err, users.ErrExists) {
		t.Fatalf("second add: %v, want ErrExists", err)
	}
	if err := u.Save(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{"correct horse", "battery staple"} {
		if strings.Contains(string(data), pw) {
			t.Errorf("users.yaml holds the password %q:\n%s", pw, data)
		}
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %o, want 600", fi.Mode().Perm())
		}
	}
	got, err := users.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	list := got.List()
	if len(list) != 2 || list[0].Name != "ada" || !list[0].Admin || list[1].Name != "bob" || list[1].Admin {
		t.Fatalf("loaded %+v", list)
	}
	for _, c := range []struct {
		user, pw string
		want     bool
	}{
		{"ada", "correct horse", true},
		{"ada", "correct horsE", false},
		{"ada", "", false},
		{"bob", "battery staple", true},
		{"bob", "correct horse", false},
	} {
		us, _ := got.Get(c.user)
		if ok := users.Verify(us.Hash, c.pw); ok != c.want {
			t.Errorf("Verify(%s, %q) = %v, want %v", c.user, c.pw, ok, c.want)
		}
	}
	old, _ := got.Get("ada")
	if err := got.SetPassword("ada", "a new password"); err != nil {
		t.Fatal(err)
	}
	now, _ := got.Get("ada")
	if now.Hash == old.Hash || users.Verify(now.Hash, "correct horse") || !users.Verify(now.Hash, "a new password") {
		t.Error("SetPassword did not replace the hash")
	}
	if err := got.Remove("bob"); err != nil {
		t.Fatal(err)
	}
	if err := got.Remove("bob"); !errors.Is(err, users.ErrNotFound) {
		t.Fatalf("second remove: %v", err)
	}
	if err := got.SetPassword("bob", "whatever123"); !errors.Is(err, users.ErrNotFound) {
		t.Fatalf("password of a removed user: %v", err)
	}
}

func TestLoadMissingIsEmpty(t *testing.T) {
	u, err := users.Load(filepath.Join(t.TempDir(), users.FileName))
	if err != nil || u.Len() != 0 {
		t.Fatalf("Load of a missing file: %v, %d users", err, u.Len())
	}
}

func TestLoadRefuses(t *testing.T) {
	for name, content := range map[string]string{
		"not yaml":       "users: [",
		"plain password": "users:\n  ada:\n    password: hunter22\n",
		"bcrypt":         "users:\n  ada:\n    password: $2a$10$abcdefghijklmnopqrstuv\n",
		"bad name":       "users:\n  _api:\n    password: " + mustHash(t) + "\n",
		"huge memory":    "users:\n  ada:\n    password: $argon2id$v=19$m=99999999,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
		"other version":  "users:\n  ada:\n    password: $argon2id$v=16$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), users.FileName)
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := users.Load(path); err == nil {
				t.Fatal("Load took it")
			}
		})
	}
}

func mustHash(t *testing.T) string {
	h, err := users.Hash("long enough")
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestCheckName(t *testing.T) {
	for name, ok := range map[string]bool{
		"ada": true, "Ada.Lovelace-1_x": true, "": false, "_api": false, ".x": false, "-x": false,
		"a:b": false, "a b": false, "é": false, strings.Repeat("a", 64): true, strings.Repeat("a", 65): false,
	} {
		if err := users.CheckName(name); (err == nil) != ok {
			t.Errorf("CheckName(%q) = %v, want ok %v", name, err, ok)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	for pw, ok := range map[string]bool{
		"12345678": true, "1234567": false, "": false, "\xff\xfe12345678": false,
		strings.Repeat("x", users.MaxPassword): true, strings.Repeat("x", users.MaxPassword+1): false,
	} {
		if err := users.CheckPassword(pw); (err == nil) != ok {
			t.Errorf("CheckPassword(%q...) = %v, want ok %v", pw[:min(len(pw), 10)], err, ok)
		}
	}
}

func TestVerifyMalformed(t *testing.T) {
	for _, h := range []string{"", "$argon2id$", "x$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		if users.Verify(h, "anything") {
			t.Errorf("Verify(%q) matched", h)
		}
	}
	users.DummyVerify("anything") // costs, matches nothing, does not panic
}
