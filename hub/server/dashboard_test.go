package server

import (
	"context"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/hub/store"
)

// TestDashboardInHeadlessChromium: the health page of a hub with two
// collections, a donor holding one of them and three days of history,
// drawn by a real browser. The screenshot is kept as an artifact
// (out/dashboard/dashboard.png); the test checks the page's key numbers
// in the DOM Chromium built and that the picture shows the bars.
func TestDashboardInHeadlessChromium(t *testing.T) {
	var db *store.DB
	h := startCollectionsHubWith(t, func(c *Config) {
		var err error
		if db, err = store.Open(c.DataDir); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		c.Store = db
	})
	today := time.Now().UTC()
	var past []store.HealthPoint
	for i, risk := range []int{4, 4, 3} {
		day := store.DayOf(today.Add(-time.Duration(3-i) * 24 * time.Hour))
		past = append(past, store.HealthPoint{Day: day, Collection: "books", Files: 2, Bytes: 6, FilesAtRisk: risk - 2, BytesProtected: int64(4-risk) * 3},
			store.HealthPoint{Day: day, Collection: "music", Files: 2, Bytes: 4005, FilesAtRisk: 2})
	}
	if err := db.RecordHealth(past); err != nil {
		t.Fatal(err)
	}
	code, reg, body := h.registerWith(t, `{"name":"reader","collection":"books","region":"europe","budget_bytes":1000}`)
	if code != 201 {
		t.Fatalf("register: %d %s", code, body)
	}
	d := h.joinAs(t, "reader", reg)
	d.get(".")
	d.annex("merge", "-q")
	d.accepted("")

	page := readAll(t, h.get(t, "/health").Body)
	for _, want := range []string{`id="files-total">4<`, `id="files-at-risk">4<`, `id="files-too-large">1<`,
		`data-collection="books" data-files="2" data-below-target="2"`, `<svg class="history"`, `music/big.bin`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(page, "<script") || regexp.MustCompile(`(src|href)="https?://`).MatchString(page) {
		t.Error("the page has a script or fetches from elsewhere")
	}
	if t.Failed() {
		t.Fatalf("page:\n%s", page)
	}
	hist, err := db.HealthHistory(store.DayOf(today))
	if err != nil || len(hist) != 2 || hist[0].Collection != "books" || hist[0].FilesAtRisk != 2 || hist[1].FilesAtRisk != 2 {
		t.Errorf("today's history point: %v %+v", err, hist)
	}
	browse(t, h.url+"/health")
}

// browse renders url in headless Chromium: a screenshot kept under
// out/dashboard, and the DOM it built, checked for the key numbers.
func browse(t *testing.T, url string) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("SHARDKEEPER_REQUIRE_CHROMIUM") != "" {
			t.Fatal("chromium is not installed and SHARDKEEPER_REQUIRE_CHROMIUM is set: run scripts/deps.sh")
		}
		t.Skip("chromium is not installed: the dashboard's browser check is skipped (scripts/deps.sh installs it)")
	}
	out := filepath.Join(repoRoot(t), "out", "dashboard")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(out, "dashboard.png")
	os.Remove(shot)
	chromium := func(args ...string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
			"--user-data-dir=" + t.TempDir(), "--window-size=1280,2400", "--hide-scrollbars"}
		cmd := exec.CommandContext(ctx, bin, append(append(base, args...), url)...)
		cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
		var stdout strings.Builder
		cmd.Stdout = &stdout
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium %v: %v", args, err)
		}
		return stdout.String()
	}
	dom := chromium("--dump-dom")
	os.WriteFile(filepath.Join(out, "dashboard.html"), []byte(dom), 0o644)
	for _, want := range []string{`id="files-total">4<`, `id="files-at-risk">4<`, `data-collection="books"`, `<svg class="bar"`} {
		if !strings.Contains(dom, want) {
			t.Errorf("the DOM Chromium built lacks %s", want)
		}
	}
	chromium("--screenshot=" + shot)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	nonWhite, bars := countPixels(img)
	total := img.Bounds().Dx() * img.Bounds().Dy()
	t.Logf("screenshot %s: %dx%d, %d non-white pixels, %d of the bars' colours", shot, img.Bounds().Dx(), img.Bounds().Dy(), nonWhite, bars)
	if nonWhite < total/200 || bars < 500 {
		t.Errorf("the screenshot looks blank: %d of %d pixels not white, %d in the bars' colours", nonWhite, total, bars)
	}
}

// countPixels counts pixels that are not white, and those in the colours
// of 0 and 1 copies (red, orange).
func countPixels(img image.Image) (nonWhite, bars int) {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			if r < 245 || g < 245 || bl < 245 {
				nonWhite++
			}
			if near(r, g, bl, 0xc6, 0x28, 0x28) || near(r, g, bl, 0xef, 0x6c, 0x00) {
				bars++
			}
		}
	}
	return nonWhite, bars
}

func near(r, g, b, wr, wg, wb uint32) bool {
	d := func(a, b uint32) uint32 {
		if a > b {
			return a - b
		}
		return b - a
	}
	return d(r, wr) < 12 && d(g, wg) < 12 && d(b, wb) < 12
}

// repoRoot is the directory of go.mod above the test's.
func repoRoot(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}

func readAll(t *testing.T, r io.Reader) string {
	t.Helper()
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
