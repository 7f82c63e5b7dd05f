package ui

// statusNotifierWatcher is the DBus name a Linux/BSD tray host owns: KDE,
// GNOME's AppIndicator extension, XFCE's and others' StatusNotifier hosts.
// Fyne's tray (fyne.io/systray) registers its icon with it.
const statusNotifierWatcher = "org.kde.StatusNotifierWatcher"
