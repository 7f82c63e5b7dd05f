package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
)

// appID names the icon files, as the .desktop entry and AppStream do.
const appID = "org.shardkeeper.app"

// hicolorSizes are the PNG sizes installed into the hicolor icon theme.
var hicolorSizes = []int{48, 64, 128, 256, 512}

// icoSizes are the images in the Windows icon (Explorer, Start menu, taskbar).
var icoSizes = []int{16, 32, 48, 256}

// writePackageIcons writes DIR/hicolor/NxN/apps/APPID.png for every size,
// DIR/hicolor/scalable/apps/APPID.svg and DIR/shardkeeper.ico.
func writePackageIcons(dir string) error {
	layers := append(shield(blue), shard()...)
	for _, n := range hicolorSizes {
		d := filepath.Join(dir, "hicolor", fmt.Sprintf("%dx%d", n, n), "apps")
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		if err := writePNG(filepath.Join(d, appID+".png"), render(n, layers)); err != nil {
			return err
		}
	}
	d := filepath.Join(dir, "hicolor", "scalable", "apps")
	if err := os.MkdirAll(d, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(d, appID+".svg"), []byte(appSVG()), 0o644); err != nil {
		return err
	}
	ico, err := appICO(layers)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "shardkeeper.ico"), ico, 0o644)
}

// appSVG is the app icon as SVG: the same outlines the PNGs are rendered
// from, the shaded right halves clipped.
func appSVG() string {
	const side = 256.0
	pts := func(p [][2]float64) string {
		var b strings.Builder
		for i, q := range p {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%.2f,%.2f", q[0]*side, q[1]*side)
		}
		return b.String()
	}
	col := func(c interface{ RGBA() (r, g, b, a uint32) }) string {
		r, g, b, _ := c.RGBA()
		return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
	}
	shieldIn := pts(shieldPoints(0.86))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
<title>Shardkeeper</title>
<defs><clipPath id="right"><rect x="128" y="0" width="128" height="256"/></clipPath></defs>
<polygon points="%s" fill="%s"/>
<polygon points="%s" fill="%s"/>
<polygon points="%s" fill="%s" clip-path="url(#right)"/>
<polygon points="%s" fill="%s"/>
<polygon points="%s" fill="%s" clip-path="url(#right)"/>
</svg>
`, pts(shieldPoints(1)), col(blue.rim), shieldIn, col(blue.body), shieldIn, col(blue.shade),
		pts(shardPoints), col(white), pts(shardPoints), col(facet))
	return b.String()
}

// appICO is a Windows icon whose images are PNGs (Windows Vista and later).
func appICO(layers []layer) ([]byte, error) {
	var images [][]byte
	for _, n := range icoSizes {
		var buf bytes.Buffer
		if err := png.Encode(&buf, render(n, layers)); err != nil {
			return nil, err
		}
		images = append(images, buf.Bytes())
	}
	var out bytes.Buffer
	le := func(v any) { binary.Write(&out, binary.LittleEndian, v) }
	le([3]uint16{0, 1, uint16(len(images))}) // reserved, type icon, count
	offset := 6 + 16*len(images)
	for i, n := range icoSizes {
		side := uint8(n) // 256 is written as 0
		le([4]uint8{side, side, 0, 0})
		le([2]uint16{1, 32}) // planes, bits per pixel
		le([2]uint32{uint32(len(images[i])), uint32(offset)})
		offset += len(images[i])
	}
	for _, img := range images {
		out.Write(img)
	}
	return out.Bytes(), nil
}
