package session

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"golang.org/x/net/http/httpproxy"
)

// tlsConfig builds the TLS settings of p: the system's roots plus its CA bundle,
// its client certificate, or no verification when it says so.
func (p *Profile) tlsConfig() (*tls.Config, error) {
	cfg := &tls.Config{InsecureSkipVerify: p.InsecureSkipVerify} //nolint:gosec // the profile's explicit choice, shown in the UI
	if p.CAFile != "" {
		pem, err := os.ReadFile(p.CAFile)
		if err != nil {
			return nil, fmt.Errorf("profile %s: CA bundle: %w", p.Name, err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("profile %s: CA bundle %s holds no PEM certificate", p.Name, p.CAFile)
		}
		cfg.RootCAs = pool
	}
	if p.CertFile != "" || p.ClientKey != "" {
		if p.CertFile == "" || p.ClientKey == "" {
			return nil, fmt.Errorf("profile %s: a client certificate needs both the certificate file and its key", p.Name)
		}
		certPEM, err := os.ReadFile(p.CertFile)
		if err != nil {
			return nil, fmt.Errorf("profile %s: client certificate: %w", p.Name, err)
		}
		cert, err := tls.X509KeyPair(certPEM, []byte(p.ClientKey))
		if err != nil {
			// The error text of X509KeyPair never quotes the key.
			return nil, fmt.Errorf("profile %s: client certificate and key do not make a pair: %v", p.Name, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// proxyFunc is where p's connections go: its own proxy, none ("direct"), or the
// environment's HTTPS_PROXY/HTTP_PROXY/NO_PROXY, read at each dial (net/http caches
// them for the life of the process).
func (p *Profile) proxyFunc() (func(*http.Request) (*url.URL, error), error) {
	switch v := strings.TrimSpace(p.Proxy); {
	case v == "":
		env := httpproxy.FromEnvironment().ProxyFunc()
		return func(r *http.Request) (*url.URL, error) { return env(r.URL) }, nil
	case strings.EqualFold(v, "direct") || strings.EqualFold(v, "none"):
		return nil, nil
	default:
		u, err := url.Parse(v)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5") {
			return nil, fmt.Errorf("profile %s: proxy must be a URL such as http://proxy.example:3128, or \"direct\"", p.Name)
		}
		return http.ProxyURL(u), nil
	}
}

// CertificateError is a TLS handshake the server's certificate (or our lack of one)
// failed: as final as a 401, since no retry changes a certificate.
type CertificateError struct {
	Problem string // what is wrong, in words
	Hint    string // which setting fixes it
	Err     error
}

func (e *CertificateError) Error() string {
	s := "rejected: certificate " + e.Problem
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

func (e *CertificateError) Unwrap() error { return e.Err }

// certificateError names the certificate problem behind a failed dial, or returns
// nil when the failure is not about certificates.
func certificateError(err error) *CertificateError {
	const caHint = "if the server uses an internal CA, give its PEM bundle as the profile's CA bundle (tail --ca FILE)"
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var host x509.HostnameError
	var verify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &unknown):
		who := ""
		if unknown.Cert != nil {
			who = " (" + subject(unknown.Cert) + ")"
			if unknown.Cert.Issuer.String() == unknown.Cert.Subject.String() {
				return &CertificateError{Problem: "is self-signed" + who + " and no trusted CA vouches for it", Hint: caHint, Err: err}
			}
		}
		return &CertificateError{Problem: "is signed by an unknown authority" + who, Hint: caHint, Err: err}
	case errors.As(err, &invalid):
		switch invalid.Reason {
		case x509.Expired:
			c := invalid.Cert
			if c != nil && time.Now().After(c.NotAfter) {
				return &CertificateError{Problem: fmt.Sprintf("expired on %s (%s)", c.NotAfter.UTC().Format(time.RFC3339), subject(c)), Hint: "the server must renew it", Err: err}
			}
			if c != nil {
				return &CertificateError{Problem: fmt.Sprintf("is not valid before %s (%s)", c.NotBefore.UTC().Format(time.RFC3339), subject(c)), Hint: "check this machine's clock", Err: err}
			}
			return &CertificateError{Problem: "has expired or is not yet valid", Err: err}
		default:
			return &CertificateError{Problem: "is invalid: " + invalid.Error(), Err: err}
		}
	case errors.As(err, &host):
		return &CertificateError{Problem: "does not name this host: " + host.Error(), Hint: "use the host name the certificate names in the URL", Err: err}
	case errors.As(err, &verify):
		return &CertificateError{Problem: "failed verification: " + verify.Err.Error(), Hint: caHint, Err: err}
	}
	var alert tls.AlertError
	msg := err.Error()
	if errors.As(err, &alert) || strings.Contains(msg, "remote error: tls:") {
		switch {
		case strings.Contains(msg, "certificate required"), strings.Contains(msg, "bad certificate"),
			strings.Contains(msg, "unknown certificate authority"), strings.Contains(msg, "certificate unknown"):
			return &CertificateError{Problem: "refused by the server: it requires a client certificate it trusts (" + tlsAlert(msg) + ")",
				Hint: "set the profile's client certificate and key (tail --cert FILE --key FILE)", Err: err}
		case strings.Contains(msg, "expired certificate"):
			return &CertificateError{Problem: "refused by the server: our client certificate has expired", Hint: "renew the client certificate", Err: err}
		}
	}
	var rec tls.RecordHeaderError
	if errors.As(err, &rec) {
		return nil // plain HTTP on a TLS URL: a transport problem, not a certificate
	}
	return nil
}

func subject(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return "CN=" + c.Subject.CommonName
	}
	return c.Subject.String()
}

func tlsAlert(msg string) string {
	if i := strings.Index(msg, "remote error: "); i >= 0 {
		return msg[i+len("remote error: "):]
	}
	return msg
}
