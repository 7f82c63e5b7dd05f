package assets

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"fyne.io/fyne/v2"
)

func TestIconsArePNGsOfTheRightSize(t *testing.T) {
	for _, tc := range []struct {
		res  fyne.Resource
		size int
	}{
		{AppIcon, 256},
		{TrayActive, 64},
		{TrayPaused, 64},
		{TrayAttention, 64},
	} {
		img := decode(t, tc.res)
		if b := img.Bounds(); b.Dx() != tc.size || b.Dy() != tc.size {
			t.Errorf("%s is %dx%d, want %dx%d", tc.res.Name(), b.Dx(), b.Dy(), tc.size, tc.size)
		}
	}
}

// The tray states must be told apart at a glance: their body colours differ.
func TestTrayIconsHaveDistinctColours(t *testing.T) {
	seen := map[color.NRGBA]string{}
	for _, res := range []fyne.Resource{TrayActive, TrayPaused, TrayAttention} {
		img := decode(t, res)
		// A point inside the shield's body, left of the central mark.
		c := color.NRGBAModel.Convert(img.At(22, 24)).(color.NRGBA)
		if c.A != 0xff {
			t.Fatalf("%s: sample point is not opaque: %v", res.Name(), c)
		}
		if other, dup := seen[c]; dup {
			t.Errorf("%s has the same body colour as %s: %v", res.Name(), other, c)
		}
		seen[c] = res.Name()
	}
}

func decode(t *testing.T, res fyne.Resource) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(res.Content()))
	if err != nil {
		t.Fatalf("%s: %v", res.Name(), err)
	}
	return img
}
