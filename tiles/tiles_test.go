package tiles

import (
	"image"
	"image/color"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func tileServer(t *testing.T, requests *atomic.Int32, agents chan<- string) string {
	t.Helper()
	tile := image.NewRGBA(image.Rect(0, 0, 256, 256))
	for i := range tile.Pix {
		tile.Pix[i] = 200
	}
	tile.Set(0, 0, color.RGBA{255, 0, 0, 255})
	png := EncodePNG(tile)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		select {
		case agents <- r.UserAgent():
		default:
		}
		if r.URL.Path == "/1/0/1.png" {
			http.Error(w, "no", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(png)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/{z}/{x}/{y}.png"
}

func waitLoaded(t *testing.T, loaded <-chan Key) Key {
	t.Helper()
	select {
	case k := <-loaded:
		return k
	case <-time.After(10 * time.Second):
		t.Fatal("no tile arrived")
		return Key{}
	}
}

func TestFetchCacheAndFallback(t *testing.T) {
	var requests atomic.Int32
	agents := make(chan string, 8)
	url := tileServer(t, &requests, agents)
	dir := t.TempDir()
	loaded := make(chan Key, 8)
	s := New(url, "Feedscope/test (+https://github.com/feedscope/feedscope)", dir)
	s.OnLoad = func(k Key) { loaded <- k }
	k := Key{1, 1, 0}
	if s.Get(k) != nil {
		t.Fatal("a tile cannot be there before it was fetched")
	}
	if got := waitLoaded(t, loaded); got != k {
		t.Fatalf("loaded %v", got)
	}
	if ua := <-agents; ua != "Feedscope/test (+https://github.com/feedscope/feedscope)" {
		t.Fatalf("User-Agent %q", ua)
	}
	if img := s.Get(k); img == nil || img.Bounds().Dx() != 256 {
		t.Fatal("fetched tile not served from memory")
	}
	// A second source reads the disk cache without asking the server.
	before := requests.Load()
	s2 := New(url, "x", dir)
	if s2.Get(k) == nil || requests.Load() != before {
		t.Fatalf("disk cache missed (requests %d → %d)", before, requests.Load())
	}
	// A missing tile is absent, and not asked for again at once.
	bad := Key{1, 0, 1}
	s.Get(bad)
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.mu.Lock()
		_, failed := s.failed[bad]
		s.mu.Unlock()
		if failed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("failure not recorded")
		}
		<-time.After(5 * time.Millisecond) // poll until the deadline
	}
	n := requests.Load()
	if s.Get(bad) != nil || requests.Load() != n {
		t.Fatal("a failed tile was fetched again within the minute")
	}
	if got := s.TileURL(Key{3, 4, 5}); got != url[:len(url)-len("{z}/{x}/{y}.png")]+"3/4/5.png" {
		t.Fatalf("url %s", got)
	}
}
