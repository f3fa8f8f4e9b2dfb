package session

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// DefaultReadLimit is the largest frame a session accepts unless its profile says
// otherwise; a larger one closes the socket with 1009.
const DefaultReadLimit = 16 << 20

// Profile is everything needed to open one connection. Secrets (Token, Password) are
// never serialised with the profile: they live in a secret store and are filled in
// before the session starts.
type Profile struct {
	Name     string `json:"name"`
	Dialect  string `json:"dialect"`
	URL      string `json:"url"`
	User     string `json:"user,omitempty"`
	Token    string `json:"-"`
	Password string `json:"-"`
	// InsecureSkipVerify turns TLS certificate verification off. Off by default; the
	// UI shows a profile that sets it in warning colour.
	InsecureSkipVerify bool  `json:"insecureSkipVerify,omitempty"`
	ReadLimit          int64 `json:"readLimit,omitempty"`
	AutoConnect        bool  `json:"autoConnect,omitempty"`
	// Subs are the dialect-native subscriptions (the same JSON as `tail --sub`),
	// replayed on every connect.
	Subs []json.RawMessage `json:"subs,omitempty"`
	// Headers are extra handshake headers (a cookie, an API key, Authorization for
	// a plain WebSocket). Their values are secrets: kept in the secret store with the
	// token, never in the profiles file, an export or a recording.
	Headers map[string]string `json:"-"`
	// HeaderNames lists the names of Headers, which the profiles file does keep, so
	// that a profile without its secrets still says what it needs.
	HeaderNames []string `json:"headerNames,omitempty"`
	// Subprotocols are offered in the handshake (Sec-WebSocket-Protocol).
	Subprotocols []string `json:"subprotocols,omitempty"`
	// Settings are the dialect's own non-secret options (for a plain WebSocket: the
	// JSON pointer that names an event's kind, the summary template).
	Settings map[string]string `json:"settings,omitempty"`
	// Rules are the profile's watch rules, package watch's JSON, kept as they are
	// here (session knows nothing of them).
	Rules []json.RawMessage `json:"rules,omitempty"`
	// CAFile is a PEM bundle of certificate authorities trusted besides the
	// system's: an internal CA, instead of turning verification off.
	CAFile string `json:"caFile,omitempty"`
	// CertFile is the PEM client certificate for mutual TLS; its private key is
	// ClientKey.
	CertFile string `json:"certFile,omitempty"`
	// ClientKey is the PEM private key of CertFile: a secret, kept in the secret
	// store, never in the profiles file, an export or a recording.
	ClientKey string `json:"-"`
	// Proxy overrides the environment's HTTPS_PROXY/HTTP_PROXY/NO_PROXY: a proxy URL
	// (http://host:port), or "direct" for none; empty follows the environment.
	Proxy string `json:"proxy,omitempty"`
}

// Validate reports the first thing about p that would make a connection fail.
func (p *Profile) Validate() error {
	if strings.TrimSpace(p.Name) == "" {
		return fmt.Errorf("profile: name is empty")
	}
	d, ok := Lookup(p.Dialect)
	if !ok {
		return fmt.Errorf("profile %s: unknown dialect %q (want one of %s)", p.Name, p.Dialect, strings.Join(Dialects(), ", "))
	}
	u, err := url.Parse(p.URL)
	if err != nil {
		return fmt.Errorf("profile %s: URL: %w", p.Name, err)
	}
	if u.Scheme != "ws" && u.Scheme != "wss" {
		return fmt.Errorf("profile %s: URL scheme must be ws or wss, not %q", p.Name, u.Scheme)
	}
	if u.Host == "" {
		return fmt.Errorf("profile %s: URL has no host", p.Name)
	}
	if p.ReadLimit < 0 {
		return fmt.Errorf("profile %s: read limit must be positive", p.Name)
	}
	if c, ok := d.(Configured); ok {
		if err := c.CheckSettings(p.Settings); err != nil {
			return fmt.Errorf("profile %s: %w", p.Name, err)
		}
	}
	return nil
}

// readLimit is the effective read limit.
func (p *Profile) readLimit() int64 {
	if p.ReadLimit > 0 {
		return p.ReadLimit
	}
	return DefaultReadLimit
}

// minScrub is the shortest secret Scrub hunts for: shorter ones ("bad", "demo") are
// no real credential and would garble ordinary words.
const minScrub = 6

// Scrub replaces every secret of p that occurs in s, so that error text that echoes a
// URL or header never shows a token or password.
func (p *Profile) Scrub(s string) string {
	for _, secret := range p.secrets() {
		if len(secret) < minScrub {
			continue
		}
		s = strings.ReplaceAll(s, secret, "•••")
		if esc := url.QueryEscape(secret); esc != secret {
			s = strings.ReplaceAll(s, esc, "•••")
		}
	}
	return s
}

// secrets lists every secret value of p.
func (p *Profile) secrets() []string {
	out := []string{p.Token, p.Password, p.ClientKey}
	if u, err := url.Parse(p.Proxy); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok {
			out = append(out, pw)
		}
	}
	for _, v := range p.Headers {
		out = append(out, v)
	}
	return out
}

// handshakeOwned are the headers the WebSocket handshake writes itself (RFC 6455
// section 4.1); gorilla refuses a dial that sets them, so a profile may not.
var handshakeOwned = map[string]string{
	"Upgrade": "", "Connection": "", "Sec-Websocket-Key": "", "Sec-Websocket-Version": "",
	"Sec-Websocket-Extensions": "", "Sec-Websocket-Protocol": " (list it as a subprotocol instead)",
}

// addHandshake adds p's own headers and subprotocols to what its dialect asks for. A
// header p names replaces the dialect's of that name: it is what the user typed.
// The error names the header, never its value (a secret).
func (p *Profile) addHandshake(spec *DialSpec) error {
	if len(p.Headers) > 0 {
		h := spec.Header.Clone()
		if h == nil {
			h = http.Header{}
		}
		for k, v := range p.Headers {
			name := http.CanonicalHeaderKey(strings.TrimSpace(k))
			if why, owned := handshakeOwned[name]; owned {
				return fmt.Errorf("profile %s: header %s is the WebSocket handshake's own%s", p.Name, name, why)
			}
			if name == "" || strings.ContainsAny(name, " \t\r\n:") || strings.ContainsAny(v, "\r\n") {
				return fmt.Errorf("profile %s: header %q is not a valid HTTP header", p.Name, name)
			}
			h.Set(name, v)
		}
		spec.Header = h
	}
	for _, sp := range p.Subprotocols {
		if sp = strings.TrimSpace(sp); sp != "" && !slices.Contains(spec.Subprotocols, sp) {
			spec.Subprotocols = append(spec.Subprotocols, sp)
		}
	}
	return nil
}
