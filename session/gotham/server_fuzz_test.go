package gotham

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/feedscope/feedscope/session/internal/serve"
	"github.com/paulmach/orb"
)

// FuzzServerHandle feeds the demo server arbitrary client frames and matches an
// observation against whatever subscription they made.
func FuzzServerHandle(f *testing.F) {
	for _, s := range []string{
		`{"type":"subscribe","query":{}}`, `{"type": "subscribe", "query": {}}}`,
		`{"type":"subscribe","query":{"location":[{"longitude":-77.0597,"latitude":38.9033},{"longitude":-77.0601,"latitude":38.9052},{"longitude":-77.0628,"latitude":38.9052},{"longitude":-77.0613,"latitude":38.9028},{"longitude":-77.0597,"latitude":38.9033}]}}`,
		`{"type":"subscribe","query":{"time":{"start":"2025-03-01T00:00:00Z","end":"2025-03-02T00:00:00Z"},"property":{"property":"speed","values":[12.5,"13"]}}}`,
		`{"type":"unsubscribe","id":"x"}`, `not json`, `{"type":"subscribe","query":null}`,
	} {
		f.Add([]byte(s))
	}
	tr := newTracks(SpecVessels, rand.New(rand.NewPCG(1, 2)))
	f.Fuzz(func(t *testing.T, b []byte) {
		k := &sock{conn: serve.NewConn(nil, serve.Options{}), spec: SpecVessels, subs: map[string]*compiled{}}
		k.handle(b)
		o := tr[0].observe(SpecVessels, 0, time.Now())
		for _, c := range k.subs {
			c.matches(&o, time.Now(), orb.Point{o.Position.Longitude, o.Position.Latitude})
		}
	})
}
