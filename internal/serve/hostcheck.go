package serve

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// allowedHostsPath is the configuration key of the names the server
// answers to besides its defaults.
const allowedHostsPath = "server.allowedHosts"

// hostCheck decides which Host headers the server answers, against DNS
// rebinding: a web page of a name its author controls, whose address is
// switched to this machine's (or a LAN address) once the page is loaded,
// is from then on "same origin" with the server for the browser, so it
// could read the API and open the socket. Its requests carry that name in
// their Host header, which is how the server tells them apart.
//
// Allowed: any IP address (a page can only be rebound through a name),
// localhost, the name the server listens on (server.host or --host, when
// it is a name), and the names in server.allowedHosts and --allowed-host:
// a name, or ".example.com" for example.com and every name under it. "*"
// switches the check off. Ports are not compared: the name is what a
// rebinding page cannot choose. A request without a Host header (HTTP/1.0)
// comes from no browser and is allowed.
type hostCheck struct {
	off      bool
	names    map[string]bool // lower case, without a trailing dot
	suffixes []string        // ".example.com"
}

// newHostCheck makes the check from the configured entries (config.yaml's
// and the command line's) and the listening host; warnings say which
// entries are ignored.
func newHostCheck(configured any, extra []string, listenHost string) (hostCheck, []string) {
	c := hostCheck{names: map[string]bool{"localhost": true}}
	var entries []string
	var warnings []string
	switch v := configured.(type) {
	case nil:
	case string:
		entries = append(entries, v)
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok {
				entries = append(entries, s)
			} else {
				warnings = append(warnings, fmt.Sprintf("%s: %v is not a host name: ignored", allowedHostsPath, e))
			}
		}
	default:
		warnings = append(warnings, fmt.Sprintf("%s is %v, not a list of host names: ignored (only localhost, IP addresses and the listening host are allowed)", allowedHostsPath, v))
	}
	entries = append(entries, extra...)
	if name := hostName(listenHost); name != "" && !isIP(name) {
		c.names[name] = true
	}
	for _, e := range entries {
		e = strings.TrimSpace(e)
		switch {
		case e == "*":
			c.off = true
		case e == "":
		case strings.ContainsAny(e, "/ "):
			warnings = append(warnings, fmt.Sprintf("%s: %q is not a host name (write the name alone, as in octopi.local): ignored", allowedHostsPath, e))
		case strings.HasPrefix(e, "."):
			c.suffixes = append(c.suffixes, "."+hostName(e[1:]))
		default:
			c.names[hostName(e)] = true
		}
	}
	return c, warnings
}

// allowed reports whether a request with Host header host is answered.
func (c hostCheck) allowed(host string) bool {
	if c.off || host == "" {
		return true
	}
	name := hostName(host)
	if isIP(name) || c.names[name] {
		return true
	}
	for _, s := range c.suffixes {
		if name == s[1:] || strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

// hostName is the name of a Host header or an entry: without its port or
// the brackets of an IPv6 address, without a trailing dot, in lower case.
func hostName(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return strings.ToLower(strings.TrimSuffix(host, "."))
}

func isIP(name string) bool {
	_, err := netip.ParseAddr(name)
	return err == nil
}

// checkHost wraps the server's routes (API, socket, plugin routes and
// static files, the web page) with the Host check: a request for a host
// the server does not answer to is refused with 403 before anything else
// sees it.
func (s *Server) checkHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hosts.allowed(r.Host) {
			name := hostName(r.Host)
			s.log.Debug("refused a request for a host the server does not answer to", "host", r.Host, "path", r.URL.Path, "remote", r.RemoteAddr)
			writeError(w, http.StatusForbidden, fmt.Sprintf(
				"the server does not answer to the host %q (a defence against DNS rebinding): to allow it, add %q to %s in config.yaml or start the server with --allowed-host %s",
				r.Host, name, allowedHostsPath, name))
			return
		}
		next.ServeHTTP(w, r)
	})
}
