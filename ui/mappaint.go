package ui

import (
	"encoding/binary"
	"image"
	"image/color"
	"image/draw"

	"golang.org/x/image/vector"
)

// painter rasterizes a path into a coverage mask and composites one colour
// through it. Rasterizer.Draw onto an *image.RGBA blends every pixel of its box,
// covered or not (four multiplications a channel); most of a map layer's pixels
// are either not covered (rivers, borders, trails) or fully covered (land), so
// skipping the first and copying the second is most of a frame
// (BenchmarkMapPan's profile: 60 % of the time in that blend). The mask is made
// by the rasterizer's own SIMD accumulation.
type painter struct {
	r    *vector.Rasterizer
	mask image.Alpha
}

// begin starts a path over a w×h box.
func (p *painter) begin(w, h int) *vector.Rasterizer {
	if p.r == nil {
		p.r = vector.NewRasterizer(w, h)
	} else {
		p.r.Reset(w, h)
	}
	return p.r
}

// paint composites c through the path's coverage onto dst, the box's top-left
// corner at at.
func (p *painter) paint(dst *image.RGBA, at image.Point, c color.NRGBA) {
	size := p.r.Size()
	w, h := size.X, size.Y
	if w <= 0 || h <= 0 {
		return
	}
	n := w * h
	if cap(p.mask.Pix) < n {
		p.mask.Pix = make([]uint8, n)
	}
	p.mask.Pix, p.mask.Stride, p.mask.Rect = p.mask.Pix[:n], w, image.Rect(0, 0, w, h)
	p.r.DrawOp = draw.Src
	p.r.Draw(&p.mask, p.mask.Rect, image.Opaque, image.Point{})

	box := image.Rect(at.X, at.Y, at.X+w, at.Y+h).Intersect(dst.Bounds())
	if box.Empty() {
		return
	}
	// Premultiplied colour, 0..255 each.
	ca := uint32(c.A)
	cr, cg, cb := uint32(c.R)*ca/255, uint32(c.G)*ca/255, uint32(c.B)*ca/255
	var solid [32]byte // eight pixels of the opaque colour
	for i := 0; i < len(solid); i += 4 {
		solid[i], solid[i+1], solid[i+2], solid[i+3] = uint8(cr), uint8(cg), uint8(cb), uint8(ca)
	}
	for y := box.Min.Y; y < box.Max.Y; y++ {
		mrow := p.mask.Pix[(y-at.Y)*w+(box.Min.X-at.X) : (y-at.Y)*w+(box.Max.X-at.X)]
		drow := dst.Pix[dst.PixOffset(box.Min.X, y) : dst.PixOffset(box.Min.X, y)+4*len(mrow)]
		for x := 0; x < len(mrow); x++ {
			// Eight mask bytes at a time through the runs of nothing and of
			// everything, which are most of a layer.
			if x+8 <= len(mrow) {
				switch binary.LittleEndian.Uint64(mrow[x:]) {
				case 0:
					x += 7
					continue
				case ^uint64(0):
					if ca == 255 {
						copy(drow[4*x:4*x+32], solid[:])
						x += 7
						continue
					}
				}
			}
			m := mrow[x]
			if m == 0 {
				continue
			}
			d := drow[4*x : 4*x+4 : 4*x+4]
			if m == 255 && ca == 255 {
				d[0], d[1], d[2], d[3] = uint8(cr), uint8(cg), uint8(cb), 255
				continue
			}
			// out = src·m + dst·(1 − a·m), in 1/255² steps.
			mm := uint32(m)
			k := 255*255 - ca*mm
			d[0] = uint8((cr*mm*255 + uint32(d[0])*k) / (255 * 255))
			d[1] = uint8((cg*mm*255 + uint32(d[1])*k) / (255 * 255))
			d[2] = uint8((cb*mm*255 + uint32(d[2])*k) / (255 * 255))
			d[3] = uint8((ca*mm*255 + uint32(d[3])*k) / (255 * 255))
		}
	}
}
