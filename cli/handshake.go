package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/feedscope/feedscope/session"
)

// handshake holds tail's flags that apply to every dialect: extra handshake headers
// (their values are secrets, printed nowhere), subprotocols and dialect settings.
type handshake struct {
	headers  []string // "Name: value", as given
	protos   []string
	settings []string // "key=value"
	// Trust: a CA bundle, a client certificate and the file of its key (read, then
	// kept as a secret), a proxy.
	ca, cert, key, proxy string
}

type repeated struct{ list *[]string }

func (r repeated) String() string {
	if r.list == nil {
		return ""
	}
	return fmt.Sprint(len(*r.list), " values")
}

func (r repeated) Set(v string) error { *r.list = append(*r.list, v); return nil }

func (h *handshake) register(fs *flag.FlagSet) {
	fs.Var(repeated{&h.headers}, "header", "extra handshake header `Name: value` (repeatable; the value is a secret, never printed)")
	fs.Var(repeated{&h.protos}, "subprotocol", "offer this WebSocket subprotocol (repeatable)")
	fs.Var(repeated{&h.settings}, "setting", "a dialect setting `key=value` (repeatable), e.g. websocket's kind=/event or summary='{/user}: {/text}'")
	fs.StringVar(&h.ca, "ca", "", "trust the certificate authorities in this PEM `FILE` besides the system's")
	fs.StringVar(&h.cert, "cert", "", "client certificate PEM `FILE` for mutual TLS (with --key)")
	fs.StringVar(&h.key, "key", "", "private key PEM `FILE` of --cert (read once, never printed)")
	fs.StringVar(&h.proxy, "proxy", "", "proxy `URL` (http://host:port) or direct; default: HTTPS_PROXY, HTTP_PROXY, NO_PROXY")
}

// apply puts the headers, subprotocols and settings into p.
func (h *handshake) apply(p *session.Profile) error {
	for _, kv := range h.headers {
		name, value, ok := strings.Cut(kv, ":")
		name = http.CanonicalHeaderKey(strings.TrimSpace(name))
		if !ok || name == "" {
			return fmt.Errorf("--header %q: want Name: value", session.Shorten(strings.TrimSpace(name), 40))
		}
		if p.Headers == nil {
			p.Headers = map[string]string{}
		}
		if _, dup := p.Headers[name]; !dup {
			p.HeaderNames = append(p.HeaderNames, name)
		}
		p.Headers[name] = strings.TrimSpace(value)
	}
	p.Subprotocols = append(p.Subprotocols, h.protos...)
	p.CAFile, p.CertFile, p.Proxy = h.ca, h.cert, h.proxy
	if h.key != "" {
		key, err := os.ReadFile(h.key)
		if err != nil {
			return fmt.Errorf("--key: %w", err)
		}
		p.ClientKey = string(key)
	}
	for _, kv := range h.settings {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return fmt.Errorf("--setting %q: want key=value", kv)
		}
		if p.Settings == nil {
			p.Settings = map[string]string{}
		}
		p.Settings[strings.TrimSpace(k)] = v
	}
	return nil
}

// planSends sorts the --send messages: those d takes as a subscription of text (a
// plain WebSocket's, replayed on every open) and those sent once, checked as the
// dialect's frames; "-" (standard input) stays with the latter.
func planSends(d session.Dialect, sends []string) (subs []json.RawMessage, once []string, err error) {
	for i, msg := range sends {
		if msg == "-" {
			once = append(once, msg)
			continue
		}
		spec, _ := json.Marshal(msg)
		if d.CheckSub(spec) == nil {
			subs = append(subs, spec)
			continue
		}
		if err := d.CheckMessage([]byte(msg)); err != nil {
			return nil, nil, fmt.Errorf("--send #%d: %w", i+1, err)
		}
		once = append(once, msg)
	}
	return subs, once, nil
}
