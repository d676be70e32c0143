package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tentacle-go/tentacle/internal/users"
)

// newUsersCommand manages the user accounts of <basedir>/users.yaml. It
// works on the file whether the server runs or not: the server reads the
// file again when it changes, and ends the sessions of users removed or
// whose password changed.
func newUsersCommand(o *options) *cobra.Command {
	cmd := group(&cobra.Command{
		Use:   "users",
		Short: "Manage the user accounts that log in to the web interface",
		Long: strings.TrimSpace(`
Manage the user accounts of the server's web interface, kept in
<basedir>/users.yaml (readable by its owner only) with their passwords
hashed (argon2id), never in plain text.

An admin user may do everything the API key allows; any other user may only
read. Without any user, a browser logs in with an empty user name and the
API key as the password. The API key keeps working for scripts either way.

The commands work on the file whether the server runs or not: a running
server notices the change, and ends the sessions of a removed user or one
whose password changed.

Passwords are read from the terminal (asked twice, not shown), or else as
the first line of the standard input; they need at least 8 characters.`),
	})
	var admin bool
	add := o.userCommand("add NAME", "Add a user (--admin: one that may change things)", func(u *users.Users, name string) (string, error) {
		if err := users.CheckName(name); err != nil {
			return "", err
		}
		if _, ok := u.Get(name); ok {
			return "", fmt.Errorf("user %q exists (tentacle users password %s changes the password)", name, name)
		}
		pw, err := o.readPassword()
		if err != nil {
			return "", err
		}
		if err := u.Add(name, pw, admin); err != nil {
			return "", err
		}
		if admin {
			return "added admin user " + name, nil
		}
		return "added read-only user " + name, nil
	})
	add.Flags().BoolVar(&admin, "admin", false, "the user may change things, as the API key may")
	list := &cobra.Command{
		Use:   "list",
		Short: "List the users",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			_, u, err := o.loadUsers()
			if err != nil {
				return err
			}
			if u.Len() == 0 {
				fmt.Fprintln(o.stdout, "no users: browsers log in with the API key")
				return nil
			}
			for _, us := range u.List() {
				kind := "read-only"
				if us.Admin {
					kind = "admin"
				}
				fmt.Fprintf(o.stdout, "%s\t%s\n", us.Name, kind)
			}
			return nil
		},
	}
	remove := o.userCommand("remove NAME", "Remove a user (its sessions end)", func(u *users.Users, name string) (string, error) {
		return "removed user " + name, u.Remove(name)
	})
	password := o.userCommand("password NAME", "Change a user's password (its sessions end)", func(u *users.Users, name string) (string, error) {
		if _, ok := u.Get(name); !ok {
			return "", fmt.Errorf("%w: %s", users.ErrNotFound, name)
		}
		pw, err := o.readPassword()
		if err != nil {
			return "", err
		}
		return "changed the password of " + name, u.SetPassword(name, pw)
	})
	cmd.AddCommand(add, list, remove, password)
	return cmd
}

// loadUsers reads users.yaml, returning its path too.
func (o *options) loadUsers() (string, *users.Users, error) {
	dir, err := o.baseDir()
	if err != nil {
		return "", nil, err
	}
	path := filepath.Join(dir, users.FileName)
	u, err := users.Load(path)
	return path, u, err
}

// userCommand is a command that changes one user of users.yaml: it reads
// the file, applies change to the user named by its argument and saves
// the file, printing what change says it did.
func (o *options) userCommand(use, short string, change func(u *users.Users, name string) (string, error)) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  exactArgs(1, "a user name"),
		RunE: func(_ *cobra.Command, args []string) error {
			return o.changeUsers(func(u *users.Users) (string, error) { return change(u, args[0]) })
		},
	}
}

// changeUsers reads users.yaml, applies change and saves the file,
// printing what change says it did.
func (o *options) changeUsers(change func(*users.Users) (string, error)) error {
	path, u, err := o.loadUsers()
	if err != nil {
		return err
	}
	done, err := change(u)
	if err != nil {
		return err
	}
	if err := u.Save(path); err != nil {
		return err
	}
	fmt.Fprintln(o.stdout, done)
	return nil
}

// readPassword reads a new password: from the terminal, asked twice
// without echo, or else the first line of the standard input.
func (o *options) readPassword() (string, error) {
	var pw string
	if fd := int(os.Stdin.Fd()); term.IsTerminal(fd) {
		fmt.Fprint(o.stderr, "Password: ")
		first, err := term.ReadPassword(fd)
		fmt.Fprintln(o.stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(o.stderr, "Password again: ")
		again, err := term.ReadPassword(fd)
		fmt.Fprintln(o.stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(first) != string(again) {
			return "", errors.New("the passwords differ")
		}
		pw = string(first)
	} else {
		line, err := bufio.NewReader(io.LimitReader(os.Stdin, users.MaxPassword+2)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read password: %w", err)
		}
		pw = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if line == "" {
			return "", errors.New("no password on the standard input")
		}
	}
	if err := users.CheckPassword(pw); err != nil {
		return "", err
	}
	return pw, nil
}
