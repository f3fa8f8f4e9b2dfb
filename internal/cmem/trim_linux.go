//go:build linux && cgo

package cmem

// #include <malloc.h>
import "C"

// trim hands the C heap's free pages back to the kernel. glibc's free only
// returns memory at the top of an arena; malloc_trim also releases the free
// pages inside each one (malloc_trim(3)), where the GL driver's freed texture
// buffers sit between ones still in use.
func trim() { C.malloc_trim(0) }
