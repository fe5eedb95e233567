//go:build linux

package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"strconv"
	"strings"
)

// The chart: time per Lock + copy + Unlock against the payload size, log–log, one line per
// kind and C++ memcpy (no lock) dashed, drawn with the standard library only: hand-made axes,
// lines and a 5×7 pixel font.

const (
	chartW, chartH = 1080, 620
	plotL, plotR   = 110, 760 // plot area, x
	plotT, plotB   = 80, 540  // plot area, y
	textScale      = 2
)

var (
	white     = color.RGBA{255, 255, 255, 255}
	black     = color.RGBA{0, 0, 0, 255}
	gridGray  = color.RGBA{225, 225, 225, 255}
	axisGray  = color.RGBA{90, 90, 90, 255}
	kindColor = map[string]color.RGBA{
		"cpp-qt5": {31, 119, 180, 255}, "cpp-qt6": {23, 190, 207, 255}, "cpp-qt68": {44, 160, 44, 255},
		"go-pure": {214, 39, 40, 255}, "go-qt5": {255, 127, 14, 255}, "go-qt6": {148, 103, 189, 255}, "go-qt68": {140, 86, 75, 255},
	}
)

type canvas struct{ *image.RGBA }

func (c canvas) dot(x, y, r int, col color.Color) {
	draw.Draw(c, image.Rect(x-r, y-r, x+r+1, y+r+1), image.NewUniform(col), image.Point{}, draw.Src)
}

// line draws from (x0,y0) to (x1,y1) with half-width r; dashed leaves gaps of 6 px every 12.
func (c canvas) line(x0, y0, x1, y1, r int, col color.Color, dashed bool) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := sign(x1-x0), sign(y1-y0)
	e := dx + dy
	for step := 0; ; step++ {
		if !dashed || step%12 < 6 {
			c.dot(x0, y0, r, col)
		}
		if x0 == x1 && y0 == y1 {
			return
		}
		if e2 := 2 * e; e2 >= dy {
			e += dy
			x0 += sx
		} else {
			e += dx
			y0 += sy
		}
	}
}

// text draws s (upper-cased; characters without a glyph become blanks) with its top left at (x,y).
func (c canvas) text(x, y int, s string, col color.Color) {
	for _, ch := range textGlyphs(s) {
		g := font5x7[ch]
		for row := range 7 {
			for bit := range 5 {
				if g[row]&(0x10>>bit) != 0 {
					draw.Draw(c, image.Rect(x+bit*textScale, y+row*textScale, x+(bit+1)*textScale, y+(row+1)*textScale),
						image.NewUniform(col), image.Point{}, draw.Src)
				}
			}
		}
		x += 6 * textScale
	}
}

// decadeName is 10^d ns as 1 ns, 10 ns, 100 ns, 1 µs, … 100 s.
func decadeName(d float64) string {
	units := []string{"ns", "µs", "ms", "s"}
	i := min(int(d)/3, len(units)-1)
	return strconv.FormatFloat(math.Pow(10, d-float64(3*i)), 'f', 0, 64) + " " + units[i]
}

func textWidth(s string) int { return len(textGlyphs(s)) * 6 * textScale }

func textGlyphs(s string) []rune {
	return []rune(strings.ToUpper(strings.NewReplacer("µ", "U", "×", "X", "→", ">").Replace(s)))
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func sign(x int) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// series is one line of the chart: time per operation at each size.
type series struct {
	id, name string
	ns       map[int]float64
	dashed   bool
	col      color.RGBA
}

func chartSeries(r *results) []series {
	var out []series
	for _, k := range r.Kinds {
		s := series{id: k.ID, name: r.columnName(k), ns: map[int]float64{}, col: kindColor[k.ID]}
		for _, size := range copySizes {
			if v := r.med("copy/"+strconv.Itoa(size), k.ID); v > 0 {
				s.ns[size] = float64(size) / v
			}
		}
		if len(s.ns) > 0 {
			out = append(out, s)
		}
	}
	mc := series{id: "memcpy", name: "C++ memcpy, no lock", ns: map[int]float64{}, dashed: true, col: black}
	for _, size := range copySizes {
		if v := r.med("memcpy/"+strconv.Itoa(size), baseKind); v > 0 {
			mc.ns[size] = float64(size) / v
		}
	}
	if len(mc.ns) > 0 {
		out = append(out, mc)
	}
	return out
}

// renderChart draws the chart as a PNG.
func renderChart(r *results) ([]byte, error) {
	img := canvas{image.NewRGBA(image.Rect(0, 0, chartW, chartH))}
	draw.Draw(img, img.Bounds(), image.NewUniform(white), image.Point{}, draw.Src)
	title := fmt.Sprintf("Time per Lock + copy + Unlock (median of %d rounds)", r.Rounds)
	img.text((chartW-textWidth(title))/2, 16, title, black)

	ss := chartSeries(r)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range ss {
		for _, v := range s.ns {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if len(ss) == 0 {
		img.text(plotL+40, (plotT+plotB)/2, "no copy measurements in this run", black)
		lo, hi = 100, 1e8
	}
	d0, d1 := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if d1 <= d0 {
		d1 = d0 + 1
	}
	x0, x1 := math.Log2(float64(copySizes[0])), math.Log2(float64(copySizes[len(copySizes)-1]))
	px := func(size int) int {
		return plotL + 20 + int(math.Round((math.Log2(float64(size))-x0)/(x1-x0)*float64(plotR-plotL-40)))
	}
	py := func(ns float64) int {
		return plotB - int(math.Round((math.Log10(ns)-d0)/(d1-d0)*float64(plotB-plotT)))
	}

	// Grid, axes, ticks.
	for d := d0; d <= d1; d++ {
		y := py(math.Pow(10, d))
		img.line(plotL, y, plotR, y, 0, gridGray, false)
		label := decadeName(d)
		img.text(plotL-10-textWidth(label), y-7, label, axisGray)
	}
	for _, size := range copySizes {
		x := px(size)
		img.line(x, plotT, x, plotB, 0, gridGray, false)
		label := sizeName(size)
		img.text(x-textWidth(label)/2, plotB+12, label, axisGray)
	}
	img.line(plotL, plotT, plotL, plotB, 0, axisGray, false)
	img.line(plotL, plotB, plotR, plotB, 0, axisGray, false)
	xl := "payload size (log scale)"
	img.text((plotL+plotR-textWidth(xl))/2, plotB+44, xl, black)
	img.text(10, plotT-28, "time per op (log scale)", black)

	// Lines and points.
	for _, s := range ss {
		var prevX, prevY int
		first := true
		for _, size := range copySizes {
			v, ok := s.ns[size]
			if !ok {
				continue
			}
			x, y := px(size), py(v)
			if !first {
				img.line(prevX, prevY, x, y, 1, s.col, s.dashed)
			}
			img.dot(x, y, 3, s.col)
			prevX, prevY, first = x, y, false
		}
	}

	// Legend.
	ly := plotT
	for _, s := range ss {
		img.line(plotR+20, ly+7, plotR+50, ly+7, 1, s.col, s.dashed)
		img.dot(plotR+35, ly+7, 3, s.col)
		img.text(plotR+60, ly, s.name, black)
		ly += 26
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// font5x7 holds the glyphs the chart uses: 7 rows of 5 pixels, the high bit (0x10) leftmost.
var font5x7 = map[rune][7]uint8{
	' ': {},
	'A': {0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11},
	'B': {0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e},
	'C': {0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e},
	'D': {0x1e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1e},
	'E': {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f},
	'F': {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10},
	'G': {0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f},
	'H': {0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11},
	'I': {0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e},
	'J': {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c},
	'K': {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11},
	'L': {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f},
	'M': {0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11},
	'N': {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11},
	'O': {0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e},
	'P': {0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10},
	'Q': {0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d},
	'R': {0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11},
	'S': {0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e},
	'T': {0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04},
	'U': {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e},
	'V': {0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04},
	'W': {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a},
	'X': {0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11},
	'Y': {0x11, 0x11, 0x0a, 0x04, 0x04, 0x04, 0x04},
	'Z': {0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f},
	'0': {0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e},
	'1': {0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e},
	'2': {0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f},
	'3': {0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e},
	'4': {0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02},
	'5': {0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e},
	'6': {0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e},
	'7': {0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08},
	'8': {0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e},
	'9': {0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c},
	'+': {0x00, 0x04, 0x04, 0x1f, 0x04, 0x04, 0x00},
	'-': {0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00},
	'.': {0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c},
	',': {0x00, 0x00, 0x00, 0x00, 0x0c, 0x04, 0x08},
	'/': {0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00},
	'(': {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02},
	')': {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08},
	':': {0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x0c, 0x00},
	'=': {0x00, 0x00, 0x1f, 0x00, 0x1f, 0x00, 0x00},
	'>': {0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08},
	'%': {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03},
}
