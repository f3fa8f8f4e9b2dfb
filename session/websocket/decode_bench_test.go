package websocket_test

import (
	"testing"

	ws "github.com/feedscope/feedscope/session/websocket"
)

// A ticker frame of about 120 bytes with a nested book, as exchanges send them.
var benchFrame = []byte(`{"type":"tick","seq":12345,"symbol":"FSC-USD","price":100.25,"book":{"bids":[[100.2,3],[100.1,5]],"asks":[[100.3,2]]}}`)

// BenchmarkDecoderText: the default kind pointers and summary.
func BenchmarkDecoderText(b *testing.B) {
	var d ws.Decoder
	b.ReportAllocs()
	b.SetBytes(int64(len(benchFrame)))
	for b.Loop() {
		_ = d.Text(benchFrame)
	}
}

// BenchmarkDecoderTemplate: a kind pointer and a template, one through an array.
func BenchmarkDecoderTemplate(b *testing.B) {
	kind, _ := ws.ParsePointer("/symbol")
	tpl, _ := ws.ParseTemplate("#{/seq} {/price} best bid {/book/bids/0/0}")
	d := ws.Decoder{Kind: []ws.Pointer{kind}, Summary: tpl}
	b.ReportAllocs()
	b.SetBytes(int64(len(benchFrame)))
	for b.Loop() {
		_ = d.Text(benchFrame)
	}
}
