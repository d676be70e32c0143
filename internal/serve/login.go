package serve

import (
	"net"
	"net/http"
	"net/netip"
	"time"
)

// OctoPrint's login endpoints, for clients that hold the API key: a
// passive login (POST /api/login {"passive": true}) answers the key's user
// with a login session for the socket's auth message; POST /api/logout and
// GET /api/currentuser answer as OctoPrint does. Tentacle has no user
// accounts: the API key's holder is one user, apiUser, with every
// permission; anybody else is a guest without any.

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

// apiUserGroups are the groups of the API key's user, guestGroups a
// guest's.
var (
	apiUserGroups = []string{"admins", "users"}
	guestGroups   = []string{"guests"}
)

// permissionKeys returns the keys of every permission, in order.
func permissionKeys() []string {
	keys := make([]string, len(permissions))
	for i, p := range permissions {
		keys[i] = p.Key
	}
	return keys
}

// apiUserNeeds are the needs of the API key's user: its groups and the
// roles of every permission.
func apiUserNeeds() map[string][]string {
	needs := map[string][]string{"group": apiUserGroups, "role": {}}
	for _, p := range permissions {
		needs["role"] = append(needs["role"], p.Needs["role"]...)
	}
	return needs
}

// keyLogin is the answer to a passive login with the API key: OctoPrint's
// user record (with the fields its released versions still send: admin,
// user, roles), the session, and how the client logged in. The record's
// apikey is null: the key is never sent back.
type keyLogin struct {
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

// postLogin answers POST /api/login. {"passive": true} (any value: the key
// counts) answers the API key's user and a new login session when the
// request carries the key, and the guest otherwise. A login with "user"
// and "pass" is refused with 403, as OctoPrint refuses wrong credentials:
// Tentacle has no user accounts yet. Anything else is 400.
func (s *Server) postLogin(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if !readJSON(w, r, &body) {
		return
	}
	_, user := body["user"]
	_, pass := body["pass"]
	_, passive := body["passive"]
	switch {
	case user && pass:
		s.log.Info("refused a login with a user name and password: the server has no user accounts", "remote", r.RemoteAddr)
		writeError(w, http.StatusForbidden, "wrong user name or password: the server has no user accounts; log in passively with the API key (header X-Api-Key)")
	case passive && s.hasKey(r):
		writeJSON(w, http.StatusOK, keyLogin{
			Name: apiUser, Active: true, Permissions: []string{}, Groups: apiUserGroups,
			Needs: apiUserNeeds(), Settings: map[string]any{},
			Admin: true, User: true, Roles: []string{"user", "admin"},
			Session:          s.sessions.create(apiUser),
			IsExternalClient: external(r.RemoteAddr),
			LoginMechanism:   "apikey",
			CredentialsSeen:  time.Now().UTC().Truncate(time.Second).Format("2006-01-02T15:04:05+00:00"),
		})
	case passive:
		writeJSON(w, http.StatusOK, guestLogin{Needs: map[string][]string{}, IsExternalClient: external(r.RemoteAddr)})
	default:
		writeError(w, http.StatusBadRequest, `neither "user" and "pass" nor "passive" in the body`)
	}
}

// postLogout answers POST /api/logout as OctoPrint does: with the guest's
// record. It ends no session: API key clients have no cookie that names
// one, and their sessions end when they go stale.
func (s *Server) postLogout(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"needs": map[string][]string{}})
}

// getCurrentUser answers GET /api/currentuser: the API key's user, with
// every permission, for a request with the key; the guest, with none,
// otherwise.
func (s *Server) getCurrentUser(w http.ResponseWriter, r *http.Request) {
	if s.hasKey(r) {
		name := apiUser
		writeJSON(w, http.StatusOK, currentUser{Name: &name, Permissions: permissionKeys(), Groups: apiUserGroups})
		return
	}
	writeJSON(w, http.StatusOK, currentUser{Permissions: []string{}, Groups: guestGroups})
}

// external reports whether a client's address is outside the local
// networks (OctoPrint's _is_external_client): neither loopback, private
// (RFC 1918, IPv6 unique local) nor link-local.
func external(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return false // not an IP address (a unix socket, a test): local
	}
	addr = addr.Unmap()
	return !(addr.IsLoopback() || addr.IsPrivate() || addr.IsLinkLocalUnicast() || addr.IsUnspecified())
}
