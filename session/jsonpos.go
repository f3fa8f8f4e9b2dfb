package session

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// CheckJSON reports whether b is one JSON value, and where it is not: the error names
// the line and column (both from 1) of the fault.
func CheckJSON(b []byte) error {
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	err := dec.Decode(&v)
	if err == nil {
		off := dec.InputOffset()
		rest := b[off:]
		if trimmed := bytes.TrimLeft(rest, " \t\r\n"); len(trimmed) > 0 {
			line, col := Position(b, off+int64(len(rest)-len(trimmed)))
			return fmt.Errorf("line %d, column %d: unexpected data after the JSON value", line, col)
		}
		return nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		// Offset counts the bytes read, the offending one included.
		line, col := Position(b, max(0, syn.Offset-1))
		return fmt.Errorf("line %d, column %d: %s", line, col, syn.Error())
	case errors.As(err, &typ):
		line, col := Position(b, typ.Offset)
		return fmt.Errorf("line %d, column %d: %s", line, col, typ.Error())
	case len(bytes.TrimSpace(b)) == 0:
		return fmt.Errorf("line 1, column 1: empty input, expected a JSON value")
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := Position(b, int64(len(b)))
		return fmt.Errorf("line %d, column %d: the input ends early: a bracket, brace or quote is not closed", line, col)
	default:
		line, col := Position(b, int64(len(b)))
		return fmt.Errorf("line %d, column %d: %s", line, col, err.Error())
	}
}

// Position converts a byte offset into a 1-based line and column (in characters).
func Position(b []byte, off int64) (line, col int) {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	line, col = 1, 1
	for _, r := range string(b[:off]) {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}
