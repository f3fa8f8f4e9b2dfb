//go:build !linux || !cgo

package cmem

func trim() {}
