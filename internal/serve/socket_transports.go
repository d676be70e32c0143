package serve

import (
	"context"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/igm/sockjs-go/v3/sockjs"
)

// socketConn is one client connection of the push socket, whatever carries
// it: the plain websocket of GET /api/socket, or SockJS at /sockjs (its
// websocket transport, its HTTP fallbacks and the raw websocket
// /sockjs/websocket). The message protocol (socketClient) is written
// against this interface only.
type socketConn interface {
	// Send sends one message (a JSON text) to the client.
	Send(ctx context.Context, msg []byte) error
	// Recv returns the next message the client sent; it returns an error
	// once the connection is gone (or ctx is done).
	Recv(ctx context.Context) ([]byte, error)
	// Close ends the connection with a websocket close code and reason.
	Close(code int, reason string)
}

// writeTimeout bounds the sending of one message to a client.
const writeTimeout = 5 * time.Second

// Close codes the server ends a connection with.
const (
	closeNormal    = int(websocket.StatusNormalClosure) // the client went away
	closeGoingAway = int(websocket.StatusGoingAway)     // the server stops
	closeTooSlow   = int(websocket.StatusTryAgainLater) // the client fell behind
	closeInternal  = int(websocket.StatusInternalError) // the server cannot serve it
)

// wsConn is a socketConn over a plain websocket (GET /api/socket).
type wsConn struct{ c *websocket.Conn }

func (w wsConn) Send(ctx context.Context, msg []byte) error {
	ctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	return w.c.Write(ctx, websocket.MessageText, msg)
}

func (w wsConn) Recv(ctx context.Context) ([]byte, error) {
	_, data, err := w.c.Read(ctx)
	return data, err
}

func (w wsConn) Close(code int, reason string) {
	_ = w.c.Close(websocket.StatusCode(code), reason)
}

// sockjsConn is a socketConn over a SockJS session of the SockJS library,
// carried by one of its HTTP fallbacks (the websocket transports are
// sockjsWebsocket and wsConn). The library sends each message as a JSON
// string; sockjsObjects turns them into objects on the way out.
type sockjsConn struct{ s sockjs.Session }

func (c sockjsConn) Send(_ context.Context, msg []byte) error { return c.s.Send(string(msg)) }

func (c sockjsConn) Recv(ctx context.Context) ([]byte, error) {
	msg, err := c.s.RecvCtx(ctx)
	return []byte(msg), err
}

func (c sockjsConn) Close(code int, reason string) { _ = c.s.Close(uint32(code), reason) }

// serveWebsocket upgrades GET /api/socket to a plain websocket. Browsers
// may only open it from a page of the server itself.
func (h *socketHub) serveWebsocket(w http.ResponseWriter, r *http.Request) {
	conn, ok := acceptWebsocket(w, r)
	if !ok {
		return
	}
	h.serve(wsConn{conn}, r.RemoteAddr, true)
}

// maxClientMessage bounds one message (one frame) a client sends on a
// websocket, and the body of a SockJS request (xhr_send: the messages a
// client sends).
const maxClientMessage = 64 << 10

// sockjsHandler serves SockJS at /sockjs: GET /sockjs/info, the websocket
// transport (/sockjs/<server>/<session>/websocket), the HTTP fallbacks
// (xhr, xhr_streaming, eventsource, htmlfile) and the raw websocket
// /sockjs/websocket, which carries the same messages without SockJS's
// framing. Clients that have not authenticated get no events (see
// socketClient). The two websocket paths are served by this package (a
// frame is at most maxClientMessage), the rest by the SockJS library.
//
// Two of SockJS's transports are not offered: JSONP (jsonp, jsonp_send),
// which lets a page of any origin read the socket, and the iframe page
// (iframe.html), which would load the SockJS client script from a CDN into
// a page of the server's origin. Browsers fall back to another transport.
// Websockets are accepted from pages of the server's own origin only, and
// the HTTP transports answer other origins without CORS headers, so a
// browser keeps pages of other origins from reading them.
func (h *socketHub) sockjsHandler() http.Handler {
	opts := sockjs.DefaultOptions
	// The websocket transports are served by serveSockJSWebsocket and
	// serveRawWebsocket; Websocket stays on for /sockjs/info to offer it.
	opts.Websocket = true
	opts.RawWebsocket = false
	opts.CheckOrigin = sameOrigin
	sj := sockjs.NewHandler("/sockjs", opts, func(sess sockjs.Session) {
		h.serve(sockjsConn{sess}, sess.Request().RemoteAddr, false)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/sockjs/websocket":
			h.serveRawWebsocket(w, r)
		case sockjsWebsocketPath.MatchString(r.URL.Path):
			h.serveSockJSWebsocket(w, r)
		case offeredSockJSPath(r.URL.Path):
			if r.Body != nil {
				r.Body = http.MaxBytesReader(w, r.Body, maxClientMessage)
			}
			sj.ServeHTTP(sockjsObjects{w, path.Base(r.URL.Path)}, r)
		default:
			writeError(w, http.StatusNotFound, "no such SockJS endpoint: "+r.URL.Path+" (JSONP and the iframe page are not offered)")
		}
	})
}

// offeredSockJSPath reports whether a path under /sockjs is one the server
// offers: everything the library serves but JSONP and the iframe page.
func offeredSockJSPath(p string) bool {
	last := p[strings.LastIndexByte(p, '/')+1:]
	switch {
	case last == "jsonp", last == "jsonp_send":
		return false
	case strings.HasPrefix(last, "iframe") && strings.HasSuffix(last, ".html"):
		return false
	}
	return true
}
