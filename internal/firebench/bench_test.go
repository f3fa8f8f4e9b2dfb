package firebench

import (
	"context"
	"testing"
	"time"
)

// The benchmarks read b.N frames from one firehose each; compare them with
// benchstat. `make bench` prints the same comparison as one table.

func benchReader(b *testing.B, read Reader) {
	srv, err := Start(0)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	b.ResetTimer()
	n, err := read(ctx, srv.URL("misskey"), b.N)
	if err != nil || n < b.N {
		b.Fatalf("read %d of %d: %v", n, b.N, err)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "frames/s")
}

func BenchmarkFirehoseRawGorilla(b *testing.B) { benchReader(b, RawGorilla) }

func BenchmarkFirehoseCoder(b *testing.B) { benchReader(b, Coder) }

func BenchmarkFirehoseEngine(b *testing.B) {
	srv, err := Start(0)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	c := NewCounter(100_000, b.N)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	b.ReportAllocs()
	b.ResetTimer()
	if err := Engine(ctx, srv.URL("misskey"), c); err != nil {
		b.Fatal(err)
	}
	if c.In() < int64(b.N) {
		b.Fatalf("engine took %d of %d", c.In(), b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
	b.ReportMetric(float64(c.Percentile(50).Microseconds()), "p50-µs")
	b.ReportMetric(float64(c.Percentile(99).Microseconds()), "p99-µs")
}

// TestReadersAgree is the short check that every reader gets frames at all.
func TestReadersAgree(t *testing.T) {
	srv, err := Start(0)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for name, r := range map[string]Reader{"gorilla": RawGorilla, "coder": Coder} {
		if n, err := r(ctx, srv.URL("misskey"), 500); n != 500 || err != nil {
			t.Fatalf("%s read %d: %v", name, n, err)
		}
	}
	c := NewCounter(1000, 500)
	if err := Engine(ctx, srv.URL("misskey"), c); err != nil || c.In() < 500 {
		t.Fatalf("engine counted %d: %v", c.In(), err)
	}
	if c.Percentile(99) <= 0 {
		t.Fatal("no latency recorded")
	}
}
