package session

import (
	"net/http"
	"testing"
)

// NO_PROXY, "direct" and a bad proxy URL, without any network.
func TestProxyChoice(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://proxy.example:3128")
	t.Setenv("HTTPS_PROXY", "http://proxy.example:3128")
	t.Setenv("NO_PROXY", "internal.example")
	via := func(p Profile, target string) string {
		f, err := p.proxyFunc()
		if err != nil {
			return "error: " + err.Error()
		}
		if f == nil {
			return "direct"
		}
		req, _ := http.NewRequest(http.MethodGet, target, nil)
		u, _ := f(req)
		if u == nil {
			return "direct"
		}
		return u.String()
	}
	cases := []struct {
		proxy, target, want string
	}{
		{"", "https://feed.example/streaming", "http://proxy.example:3128"},
		{"", "http://feed.example/ws", "http://proxy.example:3128"},
		{"", "https://internal.example/streaming", "direct"},
		{"direct", "https://feed.example/streaming", "direct"},
		{"http://other.example:8080", "https://internal.example/streaming", "http://other.example:8080"},
		{"proxy.example", "https://feed.example/", "error: profile p: proxy must be a URL such as http://proxy.example:3128, or \"direct\""},
	}
	for _, c := range cases {
		if got := via(Profile{Name: "p", Proxy: c.proxy}, c.target); got != c.want {
			t.Errorf("proxy %q to %s: %s, want %s", c.proxy, c.target, got, c.want)
		}
	}
}
