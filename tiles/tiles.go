// Package tiles fetches raster map tiles from a URL template ({z}/{x}/{y}), keeps
// them on disk and in memory, and never blocks its caller: Get answers from the
// caches or starts a fetch and answers later through OnLoad. A tile that cannot be
// had is simply absent, so the map falls back to its embedded basemap.
package tiles

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // tile servers send PNG or JPEG
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultURL is the OpenStreetMap standard layer; its usage policy asks for a
// User-Agent that names the application, and the attribution Attribution.
const (
	DefaultURL  = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
	Attribution = "© OpenStreetMap contributors"
)

// Key names one tile.
type Key struct{ Z, X, Y int }

// Source is a tile layer.
type Source struct {
	URL       string // template with {z}, {x}, {y}
	UserAgent string
	CacheDir  string // "" keeps tiles in memory only
	// OnLoad is called from a fetching goroutine when a tile has arrived.
	OnLoad func(Key)
	// OnFail is called from a fetching goroutine when a tile could not be had:
	// the server is unreachable, answered an error, or sent no image.
	OnFail func(Key, error)

	client   *http.Client
	mu       sync.Mutex
	mem      map[Key]image.Image
	order    []Key             // insertion order, for the memory bound
	failed   map[Key]time.Time // when a fetch last failed: retried after a minute
	inflight map[Key]bool
	slots    chan struct{}
}

const (
	memTiles   = 512
	maxFetches = 4
	retryAfter = time.Minute
)

// New returns a source for the URL template.
func New(url, userAgent, cacheDir string) *Source {
	return &Source{URL: url, UserAgent: userAgent, CacheDir: cacheDir,
		client: &http.Client{Timeout: 10 * time.Second},
		mem:    map[Key]image.Image{}, failed: map[Key]time.Time{}, inflight: map[Key]bool{},
		slots: make(chan struct{}, maxFetches)}
}

// TileURL fills the template for k.
func (s *Source) TileURL(k Key) string {
	r := strings.NewReplacer("{z}", strconv.Itoa(k.Z), "{x}", strconv.Itoa(k.X), "{y}", strconv.Itoa(k.Y))
	return r.Replace(s.URL)
}

// Get returns the tile when it is in memory or on disk; otherwise it starts a
// fetch (unless one failed within the last minute) and returns nil.
func (s *Source) Get(k Key) image.Image {
	s.mu.Lock()
	if img, ok := s.mem[k]; ok {
		s.mu.Unlock()
		return img
	}
	if t, ok := s.failed[k]; ok && time.Since(t) < retryAfter || s.inflight[k] {
		s.mu.Unlock()
		return nil
	}
	s.inflight[k] = true
	s.mu.Unlock()
	if img := s.fromDisk(k); img != nil {
		s.store(k, img)
		return img
	}
	go s.fetch(k)
	return nil
}

func (s *Source) path(k Key) string {
	return filepath.Join(s.CacheDir, strconv.Itoa(k.Z), strconv.Itoa(k.X), strconv.Itoa(k.Y)+".tile")
}

func (s *Source) fromDisk(k Key) image.Image {
	if s.CacheDir == "" {
		return nil
	}
	b, err := os.ReadFile(s.path(k))
	if err != nil {
		return nil
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	return img
}

func (s *Source) store(k Key, img image.Image) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.inflight, k)
	delete(s.failed, k)
	if _, ok := s.mem[k]; !ok {
		s.order = append(s.order, k)
	}
	s.mem[k] = img
	for len(s.order) > memTiles {
		delete(s.mem, s.order[0])
		s.order = s.order[1:]
	}
}

func (s *Source) fail(k Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.inflight, k)
	s.failed[k] = time.Now()
}

func (s *Source) fetch(k Key) {
	s.slots <- struct{}{}
	defer func() { <-s.slots }()
	img, raw, err := s.download(k)
	if err != nil {
		s.fail(k)
		if s.OnFail != nil {
			s.OnFail(k, err)
		}
		return
	}
	if s.CacheDir != "" {
		p := s.path(k)
		if os.MkdirAll(filepath.Dir(p), 0o755) == nil {
			_ = os.WriteFile(p, raw, 0o644)
		}
	}
	s.store(k, img)
	if s.OnLoad != nil {
		s.OnLoad(k)
	}
}

func (s *Source) download(k Key) (image.Image, []byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.TileURL(k), nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("User-Agent", s.UserAgent)
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("tiles: %s: HTTP %d", s.TileURL(k), resp.StatusCode)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, nil, err
	}
	img, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, fmt.Errorf("tiles: %s: not an image: %w", s.TileURL(k), err)
	}
	return img, raw, nil
}

// EncodePNG is a helper for tests and tools that make tiles.
func EncodePNG(img image.Image) []byte {
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}
