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
	add := &cobra.Command{
		Use:   "add NAME",
		Short: "Add a user (--admin: one that may change things)",
		Args:  exactArgs(1, "a user name"),
		RunE: func(_ *cobra.Command, args []string) error {
			return o.changeUsers(func(u *users.Users) (string, error) {
				if err := users.CheckName(args[0]); err != nil {
					return "", err
				}
				if _, ok := u.Get(args[0]); ok {
					return "", fmt.Errorf("user %q exists (tentacle users password %s changes the password)", args[0], args[0])
				}
				pw, err := o.readPassword()
				if err != nil {
					return "", err
				}
				if err := u.Add(args[0], pw, admin); err != nil {
					return "", err
				}
				kind := "read-only user"
				if admin {
					kind = "admin user"
				}
				return fmt.Sprintf("added %s %s", kind, args[0]), nil
			})
		},
	}
	add.Flags().BoolVar(&admin, "admin", false, "the user may change things, as the API key may")
	list := &cobra.Command{
		Use:   "list",
		Short: "List the users",
		Args:  noArgs,
		RunE: func(*cobra.Command, []string) error {
			path, err := o.usersFile()
			if err != nil {
				return err
			}
			u, err := users.Load(path)
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
	remove := &cobra.Command{
		Use:   "remove NAME",
		Short: "Remove a user (its sessions end)",
		Args:  exactArgs(1, "a user name"),
		RunE: func(_ *cobra.Command, args []string) error {
			return o.changeUsers(func(u *users.Users) (string, error) {
				if err := u.Remove(args[0]); err != nil {
					return "", err
				}
				return "removed user " + args[0], nil
			})
		},
	}
	password := &cobra.Command{
		Use:   "password NAME",
		Short: "Change a user's password (its sessions end)",
		Args:  exactArgs(1, "a user name"),
		RunE: func(_ *cobra.Command, args []string) error {
			return o.changeUsers(func(u *users.Users) (string, error) {
				if _, ok := u.Get(args[0]); !ok {
					return "", fmt.Errorf("%w: %s", users.ErrNotFound, args[0])
				}
				pw, err := o.readPassword()
				if err != nil {
					return "", err
				}
				if err := u.SetPassword(args[0], pw); err != nil {
					return "", err
				}
				return "changed the password of " + args[0], nil
			})
		},
	}
	cmd.AddCommand(add, list, remove, password)
	return cmd
}

// usersFile returns the path of users.yaml.
func (o *options) usersFile() (string, error) {
	dir, err := o.baseDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, users.FileName), nil
}

// changeUsers reads users.yaml, applies change and saves the file,
// printing what change says it did.
func (o *options) changeUsers(change func(*users.Users) (string, error)) error {
	path, err := o.usersFile()
	if err != nil {
		return err
	}
	u, err := users.Load(path)
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
