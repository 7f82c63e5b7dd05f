// Package assets holds Shardkeeper's icons, embedded so the binary needs no
// files beside it. The PNGs are drawn by ./gen; regenerate with go generate.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:generate go run ./gen -out .

var (
	//go:embed Icon.png
	appIcon []byte
	//go:embed tray_active.png
	trayActive []byte
	//go:embed tray_paused.png
	trayPaused []byte
	//go:embed tray_attention.png
	trayAttention []byte
)

var (
	// AppIcon is the application and window icon (256x256). It is the same
	// file that FyneApp.toml names, so packaged and running icons match.
	AppIcon fyne.Resource = fyne.NewStaticResource("Icon.png", appIcon)
	// TrayActive is the tray icon while the agent is fetching or up to date.
	TrayActive fyne.Resource = fyne.NewStaticResource("tray_active.png", trayActive)
	// TrayPaused is the tray icon while the donor has paused the agent.
	TrayPaused fyne.Resource = fyne.NewStaticResource("tray_paused.png", trayPaused)
	// TrayAttention is the tray icon when the donor should look: the agent
	// is unreachable, offline, failing or not joined yet.
	TrayAttention fyne.Resource = fyne.NewStaticResource("tray_attention.png", trayAttention)
)
