// Command gen draws Shardkeeper's icons: a shield holding a shard (the app
// and the active tray icon), with pause bars or an exclamation mark for the
// other tray states. Shapes differ as well as colours, so the states stay
// distinguishable for colour-blind donors and on monochrome trays.
//
// Run it from the assets directory: go generate ./assets (or go run ./gen -out .).
// With -package DIR it also writes the icons installers need (see
// package.go): the hicolor theme's PNG sizes, the SVG and a Windows .ico.
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"
)

// shape reports whether the point (x, y), in units of the icon's side, is inside.
type shape func(x, y float64) bool

// layer is a shape painted in one colour; later layers cover earlier ones.
type layer struct {
	in shape
	c  color.NRGBA
}

// palette is one icon's colours: a dark rim and a body with a shaded right half.
type palette struct {
	rim, body, shade color.NRGBA
}

var (
	white    = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	facet    = color.NRGBA{0xdc, 0xe6, 0xf0, 0xff} // shaded side of the shard
	blue     = palette{rim: hex(0x0d47a1), body: hex(0x1e88e5), shade: hex(0x1976d2)}
	green    = palette{rim: hex(0x1b5e20), body: hex(0x43a047), shade: hex(0x388e3c)}
	slate    = palette{rim: hex(0x37474f), body: hex(0x78909c), shade: hex(0x607d8b)}
	orange   = palette{rim: hex(0xbf360c), body: hex(0xfb8c00), shade: hex(0xf57c00)}
	shieldIn = shieldScaled(0.86)
)

func main() {
	out := flag.String("out", ".", "directory to write the PNG files to")
	pkg := flag.String("package", "", "also write the installers' icons (hicolor PNGs, SVG, .ico) under this directory")
	flag.Parse()
	if *pkg != "" {
		if err := writePackageIcons(*pkg); err != nil {
			log.Fatal(err)
		}
		return
	}

	icons := []struct {
		name string
		size int
		pal  palette
		mark []layer
	}{
		{"Icon.png", 256, blue, shard()},
		{"tray_active.png", 64, green, shard()},
		{"tray_paused.png", 64, slate, pauseBars()},
		{"tray_attention.png", 64, orange, exclamation()},
	}
	for _, ic := range icons {
		layers := append(shield(ic.pal), ic.mark...)
		if err := writePNG(filepath.Join(*out, ic.name), render(ic.size, layers)); err != nil {
			log.Fatal(err)
		}
		fmt.Println("wrote", filepath.Join(*out, ic.name))
	}
}

func shield(p palette) []layer {
	return []layer{
		{shieldScaled(1), p.rim},
		{shieldIn, p.body},
		{func(x, y float64) bool { return x > 0.5 && shieldIn(x, y) }, p.shade},
	}
}

// shardPoints outline the crystal.
var shardPoints = [][2]float64{{0.5, 0.22}, {0.67, 0.46}, {0.5, 0.80}, {0.33, 0.46}}

// shard is a white crystal with a shaded right face.
func shard() []layer {
	pts := shardPoints
	return []layer{
		{polygon(pts), white},
		{func(x, y float64) bool { return x > 0.5 && polygon(pts)(x, y) }, facet},
	}
}

func pauseBars() []layer {
	return []layer{
		{rect(0.34, 0.30, 0.45, 0.68), white},
		{rect(0.55, 0.30, 0.66, 0.68), white},
	}
}

func exclamation() []layer {
	return []layer{
		{rect(0.44, 0.22, 0.56, 0.58), white},
		{circle(0.5, 0.70, 0.07), white},
	}
}

// shieldScaled is the shield outline scaled by k about the icon's centre, so
// the rim and the body share one outline.
func shieldScaled(k float64) shape { return polygon(shieldPoints(k)) }

// shieldPoints is the outline shieldScaled fills.
func shieldPoints(k float64) [][2]float64 {
	var pts [][2]float64
	// Top edge: a shallow crest from the left shoulder to the right one.
	for i := 0; i <= 16; i++ {
		t := float64(i) / 16
		pts = append(pts, quad(t, [2]float64{0.12, 0.18}, [2]float64{0.5, 0.0}, [2]float64{0.88, 0.18}))
	}
	// Right side, then down to the point.
	pts = append(pts, [2]float64{0.88, 0.48})
	for i := 1; i <= 16; i++ {
		t := float64(i) / 16
		pts = append(pts, quad(t, [2]float64{0.88, 0.48}, [2]float64{0.86, 0.80}, [2]float64{0.5, 0.96}))
	}
	// Left side mirrors the right.
	for i := 15; i >= 0; i-- {
		t := float64(i) / 16
		p := quad(t, [2]float64{0.88, 0.48}, [2]float64{0.86, 0.80}, [2]float64{0.5, 0.96})
		pts = append(pts, [2]float64{1 - p[0], p[1]})
	}
	for i := range pts {
		pts[i][0] = 0.5 + (pts[i][0]-0.5)*k
		pts[i][1] = 0.5 + (pts[i][1]-0.5)*k
	}
	return pts
}

func quad(t float64, a, b, c [2]float64) [2]float64 {
	u := 1 - t
	return [2]float64{
		u*u*a[0] + 2*u*t*b[0] + t*t*c[0],
		u*u*a[1] + 2*u*t*b[1] + t*t*c[1],
	}
}

// polygon uses the even-odd rule.
func polygon(pts [][2]float64) shape {
	return func(x, y float64) bool {
		in := false
		for i, j := 0, len(pts)-1; i < len(pts); j, i = i, i+1 {
			a, b := pts[i], pts[j]
			if (a[1] > y) != (b[1] > y) && x < (b[0]-a[0])*(y-a[1])/(b[1]-a[1])+a[0] {
				in = !in
			}
		}
		return in
	}
}

func rect(x0, y0, x1, y1 float64) shape {
	return func(x, y float64) bool { return x >= x0 && x < x1 && y >= y0 && y < y1 }
}

func circle(cx, cy, r float64) shape {
	return func(x, y float64) bool { return math.Hypot(x-cx, y-cy) <= r }
}

// render supersamples 4x4 per pixel so edges are anti-aliased without any
// dependency beyond the standard library.
func render(size int, layers []layer) *image.NRGBA {
	const ss = 4
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := (float64(px) + (float64(sx)+0.5)/ss) / float64(size)
					y := (float64(py) + (float64(sy)+0.5)/ss) / float64(size)
					for i := len(layers) - 1; i >= 0; i-- {
						if layers[i].in(x, y) {
							c := layers[i].c
							r += float64(c.R)
							g += float64(c.G)
							b += float64(c.B)
							a++
							break
						}
					}
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(r/a + 0.5),
				G: uint8(g/a + 0.5),
				B: uint8(b/a + 0.5),
				A: uint8(a/(ss*ss)*255 + 0.5),
			})
		}
	}
	return img
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func hex(v uint32) color.NRGBA {
	return color.NRGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 0xff}
}
