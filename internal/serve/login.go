package serve

import (
	"errors"
	"math"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/tentacle-go/tentacle/internal/httpjson"
)

// OctoPrint's login endpoints. POST /api/login with "user" and "pass"
// starts a browser session (see webauth.go); a passive login
// ({"passive": true}) answers the user of the API key or of the session
// cookie with a login session for the socket's auth message; POST
// /api/logout ends the browser session; GET /api/currentuser answers who
// the caller is. The API key's holder is one user, apiUser, with every
// permission; an admin user of users.yaml has the same; any other user
// may only read (readOnlyPermissions); anybody else is a guest without
// any permission.

// apiUser is the name of the user the API key stands for (OctoPrint's
// name for its global API key's user).
const apiUser = "_api"

// permission is OctoPrint's permission record.
type permission struct {
	Key           string              `json:"key"`
	Name          string              `json:"name"`
	Dangerous     bool                `json:"dangerous"`
	DefaultGroups []string            `json:"default_groups"`
	Description   string              `json:"description"`
	Needs         map[string][]string `json:"needs"`
}

// permissions are the permissions Tentacle knows, with OctoPrint's keys:
// what the API key's holder may do, in OctoPrint's terms. The connected
// message lists them.
var permissions = []permission{
	{Key: "ADMIN", Name: "Admin", Dangerous: true, DefaultGroups: []string{"admins"},
		Description: "Everything the server offers: what the API key allows",
		Needs:       map[string][]string{"role": {"admin"}}},
	{Key: "STATUS", Name: "Status", DefaultGroups: []string{"users", "readonly"},
		Description: "Events and plugin messages on the socket",
		Needs:       map[string][]string{"role": {"status"}}},
	{Key: "SETTINGS_READ", Name: "Settings Access", DefaultGroups: []string{"users", "readonly"},
		Description: "Reading the settings that are not restricted",
		Needs:       map[string][]string{"role": {"settings_read"}}},
	{Key: "SETTINGS", Name: "Settings Admin", Dangerous: true, DefaultGroups: []string{},
		Description: "Changing settings and reading the restricted ones",
		Needs:       map[string][]string{"role": {"settings"}}},
}

// apiUserGroups are the groups of the API key's user (and of admin
// users), readOnlyGroups those of other users, guestGroups a guest's.
var (
	apiUserGroups  = []string{"admins", "users"}
	readOnlyGroups = []string{"readonly"}
	guestGroups    = []string{"guests"}
)

// readOnlyPermissions are the permissions of a user who is not an admin.
var readOnlyPermissions = []string{"STATUS", "SETTINGS_READ"}

// permissionKeys returns the keys of every permission, in order.
func permissionKeys() []string {
	keys := make([]string, len(permissions))
	for i, p := range permissions {
		keys[i] = p.Key
	}
	return keys
}

// userNeeds are the needs of a user: its groups and the roles of its
// permissions (every one for an admin).
func userNeeds(admin bool) map[string][]string {
	groups, perms := apiUserGroups, permissionKeys()
	if !admin {
		groups, perms = readOnlyGroups, readOnlyPermissions
	}
	needs := map[string][]string{"group": groups, "role": {}}
	for _, p := range permissions {
		if slices.Contains(perms, p.Key) {
			needs["role"] = append(needs["role"], p.Needs["role"]...)
		}
	}
	return needs
}

// userLogin is the answer to a login: OctoPrint's user record (with the
// fields its released versions still send: admin, user, roles), the
// session for the socket, and how the client logged in. The record's
// apikey is null: the key is never sent back.
type userLogin struct {
	Name                        string              `json:"name"`
	Active                      bool                `json:"active"`
	Permissions                 []string            `json:"permissions"`
	Groups                      []string            `json:"groups"`
	Needs                       map[string][]string `json:"needs"`
	APIKey                      *string             `json:"apikey"`
	Settings                    map[string]any      `json:"settings"`
	HasPassword                 bool                `json:"has_password"`
	Admin                       bool                `json:"admin"`
	User                        bool                `json:"user"`
	Roles                       []string            `json:"roles"`
	Session                     string              `json:"session"`
	IsExternalClient            bool                `json:"_is_external_client"`
	LoginMechanism              string              `json:"_login_mechanism"`
	CredentialsSeen             string              `json:"_credentials_seen"`
	CredentialsRecheckSupported bool                `json:"_credentials_recheck_supported"`
}

// guestLogin is the answer to a passive login without credentials: the
// guest's needs (none) and how the client reaches the server.
type guestLogin struct {
	Needs                       map[string][]string `json:"needs"`
	IsExternalClient            bool                `json:"_is_external_client"`
	CredentialsSeen             bool                `json:"_credentials_seen"`
	CredentialsRecheckSupported bool                `json:"_credentials_recheck_supported"`
}

// currentUser is the answer of GET /api/currentuser; Name is null for a
// guest.
type currentUser struct {
	Name        *string  `json:"name"`
	Permissions []string `json:"permissions"`
	Groups      []string `json:"groups"`
}

// postLogin answers POST /api/login, as OctoPrint does:
//
//   - {"user", "pass", "remember"}: a login (see logIn); the user record,
//     the session and cookies, or 403 for wrong credentials, 429 (with
//     Retry-After) after too many failures from the address, 400 when
//     user or pass is not a string. An empty user name takes the API key
//     as the password.
//   - {"passive": ...} (any value): the user of the API key or of the
//     session cookie, with a new socket session, or the guest.
//   - anything else: 400.
func (s *Server) postLogin(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if !readJSON(w, r, &body) {
		return
	}
	userV, user := body["user"]
	passV, pass := body["pass"]
	_, passive := body["passive"]
	switch {
	case user && pass:
		name, ok1 := userV.(string)
		password, ok2 := passV.(string)
		if !ok1 || !ok2 {
			writeError(w, http.StatusBadRequest, `"user" and "pass" must be strings`)
			return
		}
		b, err := s.logIn(w, r, name, password, httpjson.Truthy(body["remember"]))
		var throttled *LoginThrottledError
		switch {
		case errors.As(err, &throttled):
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(throttled.RetryAfter.Seconds()))))
			writeError(w, http.StatusTooManyRequests, throttled.Error())
		case errors.Is(err, ErrCrossSite):
			writeError(w, http.StatusForbidden, errCrossSite)
		case errors.Is(err, ErrLoginFailed):
			writeError(w, http.StatusForbidden, ErrLoginFailed.Error())
		case err != nil:
			writeError(w, http.StatusServiceUnavailable, "login not checked: "+err.Error())
		default:
			writeJSON(w, http.StatusOK, s.loginRecord(r, b.user, b.admin, b.id, b.mechanism, b.created))
		}
	case passive:
		c := s.callerOf(r)
		switch {
		case c.byKey:
			writeJSON(w, http.StatusOK, s.loginRecord(r, apiUser, true, "", "apikey", s.opts.Now()))
		case c.session != nil:
			mechanism := c.session.mechanism
			if c.session.remember {
				mechanism = "remember_me"
			}
			writeJSON(w, http.StatusOK, s.loginRecord(r, c.name, c.admin, c.session.id, mechanism, c.session.created))
		default:
			writeJSON(w, http.StatusOK, guestLogin{Needs: map[string][]string{}, IsExternalClient: external(r.RemoteAddr)})
		}
	default:
		writeError(w, http.StatusBadRequest, `neither "user" and "pass" nor "passive" in the body`)
	}
}

// loginRecord is the answer to a login of user, with a new socket session
// (made from the browser session with id browser, if any).
func (s *Server) loginRecord(r *http.Request, user string, admin bool, browser, mechanism string, seen time.Time) userLogin {
	rec := userLogin{
		Name: user, Active: true, Permissions: []string{}, Groups: apiUserGroups,
		Needs: userNeeds(admin), Settings: map[string]any{}, HasPassword: user != apiUser,
		Admin: admin, User: true, Roles: []string{"user", "admin"},
		Session:          s.sessions.create(user, browser),
		IsExternalClient: external(r.RemoteAddr),
		LoginMechanism:   mechanism,
		CredentialsSeen:  seen.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05+00:00"),
	}
	if !admin {
		rec.Groups, rec.Roles = readOnlyGroups, []string{"user"}
	}
	return rec
}

// postLogout answers POST /api/logout as OctoPrint does, with the guest's
// record: it ends the browser session of the cookie, if any (and the
// socket sessions made from it), and clears the cookies. API key clients
// have no cookie; their socket sessions end when they go stale.
func (s *Server) postLogout(w http.ResponseWriter, r *http.Request) {
	s.logOut(w, r)
	writeJSON(w, http.StatusOK, map[string]any{"needs": map[string][]string{}})
}

// getCurrentUser answers GET /api/currentuser: the API key's user, or an
// admin user, with every permission; another user with the read-only
// ones; the guest, with none.
func (s *Server) getCurrentUser(w http.ResponseWriter, r *http.Request) {
	c := s.callerOf(r)
	switch {
	case c.name == "":
		writeJSON(w, http.StatusOK, currentUser{Permissions: []string{}, Groups: guestGroups})
	case c.admin:
		writeJSON(w, http.StatusOK, currentUser{Name: &c.name, Permissions: permissionKeys(), Groups: apiUserGroups})
	default:
		writeJSON(w, http.StatusOK, currentUser{Name: &c.name, Permissions: readOnlyPermissions, Groups: readOnlyGroups})
	}
}

// external reports whether a client's address is outside the local
// networks (OctoPrint's _is_external_client): neither loopback, private
// (RFC 1918, IPv6 unique local) nor link-local.
func external(remote string) bool {
	_, addr, ok := remoteIP(remote)
	if !ok {
		return false // not an IP address (a unix socket, a test): local
	}
	return !(addr.IsLoopback() || addr.IsPrivate() || addr.IsLinkLocalUnicast() || addr.IsUnspecified())
}

// remoteIP returns the host of a remote address (host:port, or a host
// alone) and, when it is an IP address, the address (IPv4 in IPv6 made
// IPv4).
func remoteIP(remote string) (host string, addr netip.Addr, ok bool) {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	addr, err = netip.ParseAddr(host)
	if err != nil {
		return host, addr, false
	}
	return host, addr.Unmap(), true
}
