//go:build ignore

// iconmaker draws assets/icon.png: a scope with a sweep and three blips.
// Run from the repository root: go run assets/iconmaker/main.go
package main

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
)

func main() {
	const n = 512
	img := image.NewRGBA(image.Rect(0, 0, n, n))
	c := float64(n) / 2
	bg := color.RGBA{0x12, 0x1a, 0x2b, 0xff}
	ring := color.RGBA{0x2e, 0xc4, 0xb6, 0xff}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			dx, dy := float64(x)+0.5-c, float64(y)+0.5-c
			r := math.Hypot(dx, dy)
			// A rounded square.
			qx, qy := math.Max(math.Abs(dx)-c+96, 0), math.Max(math.Abs(dy)-c+96, 0)
			if math.Hypot(qx, qy) > 96 {
				continue
			}
			col := bg
			a := math.Atan2(dy, dx)
			sweep := math.Mod(a+math.Pi/4+4*math.Pi, 2*math.Pi)
			if r < 200 && sweep < 1.1 {
				col = mix(bg, ring, 0.55*(1-sweep/1.1))
			}
			for _, rr := range []float64{200, 140, 80} {
				if math.Abs(r-rr) < 5 {
					col = ring
				}
			}
			if r < 200 && (math.Abs(dx) < 2.5 || math.Abs(dy) < 2.5) {
				col = mix(bg, ring, 0.6)
			}
			for _, b := range [][2]float64{{70, -90}, {-110, 40}, {40, 120}} {
				if math.Hypot(dx-b[0], dy-b[1]) < 16 {
					col = color.RGBA{0xff, 0xb7, 0x03, 0xff}
				}
			}
			img.Set(x, y, col)
		}
	}
	f, err := os.Create("assets/icon.png")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		panic(err)
	}
}

func mix(a, b color.RGBA, t float64) color.RGBA {
	l := func(x, y uint8) uint8 { return uint8(float64(x)*(1-t) + float64(y)*t) }
	return color.RGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), 0xff}
}
