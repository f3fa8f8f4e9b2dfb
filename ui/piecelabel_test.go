package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/feedscope/feedscope/session"
)

func TestTextPieces(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"following", []string{"following"}},
		{"1 profile · 20039 ev/s", []string{"1", " profile · ", "2", "0", "0", "3", "9", " ev/s"}},
		{"⚑ 12", []string{"⚑ ", "1", "2"}},
	} {
		got := textPieces(c.in, nil)
		if fmt.Sprint(got) != fmt.Sprint(c.want) || strings.Join(got, "") != c.in {
			t.Errorf("%q: %q, want %q", c.in, got, c.want)
		}
	}
}

// pieceTexts is what a pieceLabel draws: its canvas.Texts' strings.
func pieceTexts(t *testing.T, l *pieceLabel) []string {
	var out []string
	for _, o := range test.TempWidgetRenderer(t, l).Objects() {
		if c, ok := o.(*canvas.Text); ok {
			out = append(out, c.Text)
		}
	}
	return out
}

// A status line whose counts change draws only the digits and the words between
// them: a bounded set of strings, so of Fyne's cached textures, however many
// counts it shows.
func TestPieceLabelDrawsFewDistinctStrings(t *testing.T) {
	test.NewTempApp(t)
	l := newPieceLabel("", fyne.TextStyle{Monospace: true})
	seen := map[string]bool{}
	for i := range 1000 {
		s := fmt.Sprintf("1 profile · 1 open · %d ev/s · %d of 100000 kept · %d shown · following", 19000+i*7, 90000+i*13, 91000+i*11)
		l.SetText(s)
		got := pieceTexts(t, l)
		if strings.Join(got, "") != s {
			t.Fatalf("draws %q, want %q", strings.Join(got, ""), s)
		}
		for _, p := range got {
			seen[p] = true
		}
	}
	// 10 digits and " profile · ", " open · ", " ev/s · ", " of ", " kept · ", " shown · following".
	if len(seen) > 16 {
		t.Fatalf("%d distinct strings drawn: %v", len(seen), seen)
	}
}

// It takes a monospace widget.Label's place and looks like one: the same size,
// and each piece where the whole line would have drawn it. (Not pixel for
// pixel: a piece starts at a whole pixel where the line's glyphs fall between
// pixels, so their edges are shaded a little differently.)
func TestPieceLabelLooksLikeALabel(t *testing.T) {
	test.NewTempApp(t)
	fyne.CurrentApp().Settings().SetTheme(theme.DefaultTheme())
	const s = "1 profile · 1 open · 20039 ev/s · 98882 of 100000 kept · 99004 shown · following · ⚑ 2 alerts"
	style := fyne.TextStyle{Monospace: true}
	want := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, style)
	got := newPieceLabel(s, style)
	if w, g := want.MinSize(), got.MinSize(); abs32(w.Width-g.Width) > 1 || abs32(w.Height-g.Height) > 0.5 {
		t.Fatalf("MinSize %v, a label's %v", g, w)
	}
	got.Resize(got.MinSize())
	pad, size := theme.InnerPadding(), theme.TextSize()
	prefix := ""
	for _, o := range test.TempWidgetRenderer(t, got).Objects() {
		c := o.(*canvas.Text)
		x := pad + fyne.MeasureText(prefix, size, style).Width
		if p := c.Position(); abs32(p.X-x) > 0.5 || p.Y != pad {
			t.Fatalf("%q at %v, the line has it at %v,%v", c.Text, p, x, pad)
		}
		prefix += c.Text
	}
	if prefix != s {
		t.Fatalf("draws %q", prefix)
	}
}

func abs32(f float32) float32 {
	if f < 0 {
		return -f
	}
	return f
}

// While following, the table's time column draws each time as "15:04:05." and
// its three millisecond digits, so however many times it shows, it draws few
// distinct strings: one per second shown, and the ten digits.
func TestTimeColumnDrawsFewDistinctStrings(t *testing.T) {
	test.NewTempApp(t)
	m := NewModel(session.NewRing(5000))
	l := shownList(t, m, 1000, 500)
	r := test.TempWidgetRenderer(t, l).(*eventListRenderer)
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.Local)
	seen, seconds := map[string]bool{}, map[string]bool{}
	for batch := range 100 {
		var es []session.Event
		for i := range 30 {
			at := t0.Add(time.Duration(batch*30+i) * 7 * time.Millisecond)
			es = append(es, session.Event{Time: at, Profile: "p", Dir: session.DirIn, Kind: "note", Summary: "s"})
			seconds[at.Format("15:04:05")] = true
		}
		l.Appended(appendEvents(m, es))
		for i, row := range r.rows[:l.VisibleRows()] {
			drawn := row.cells[0].Text
			for _, d := range row.ms {
				drawn += d.Text
				seen[d.Text] = true
			}
			seen[row.cells[0].Text] = true
			if want := m.Row(l.Offset() + i).Time.Format(timeLayout); drawn != want {
				t.Fatalf("row %d draws %q, want %q", i, drawn, want)
			}
		}
	}
	if len(seen) > len(seconds)+10 {
		t.Fatalf("%d distinct strings drawn for %d seconds of times", len(seen), len(seconds))
	}
}

func TestTimeSplit(t *testing.T) {
	for _, c := range []struct{ in, head, ms string }{
		{"15:04:05.123", "15:04:05.", "123"},
		{"15:04:05…", "15:04:05…", ""}, // a column cut narrower
		{"", "", ""},
	} {
		if h, ms := timeSplit(c.in); h != c.head || ms != c.ms {
			t.Errorf("%q: %q %q", c.in, h, ms)
		}
	}
}
