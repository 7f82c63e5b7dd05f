package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
)

// closeWindow decides what closing the window means. With a tray to come
// back from, the window hides and the app lives on there. Without one (a
// desktop with no StatusNotifier host) a hidden window could never come
// back, so closing quits; when quitting also stops the agent inside this
// process, the donor is asked first, and can keep the window open.
func (u *UI) closeWindow() {
	if u.opts.TrayHost() {
		u.win.Hide()
		if !u.toldTray {
			u.toldTray = true
			u.app.SendNotification(fyne.NewNotification("Shardkeeper is still running",
				"It keeps protecting your files. Open it again from its icon in the system tray."))
		}
		return
	}
	if !u.opts.AgentInProcess {
		u.quit() // the agent service carries on
		return
	}
	d := dialog.NewConfirm("Quit Shardkeeper?",
		"This desktop has no system tray to keep Shardkeeper in, so closing the window quits it.\n"+
			"Your files stop being protected until you open Shardkeeper again.",
		func(quit bool) {
			if quit {
				u.quit()
			}
		}, u.win)
	d.SetConfirmText("Quit")
	d.SetDismissText("Keep open")
	d.Show()
}
