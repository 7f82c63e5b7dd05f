package osservice

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// AutostartPath is the XDG autostart entry for t: desktops start it at
// login where no service manager exists.
func AutostartPath(t Target) (string, error) {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find your home folder: %w", err)
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "autostart", t.Name()+".desktop"), nil
}

// InstallAutostart writes the autostart entry.
func InstallAutostart(t Target) (string, error) {
	p, err := AutostartPath(t)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", filepath.Dir(p), err)
	}
	exec := quoteExec(append([]string{t.Exe}, t.args()...))
	entry := "[Desktop Entry]\nType=Application\nName=Shardkeeper agent\n" +
		"Comment=Keeps a slice of a public archive on this computer\n" +
		"Exec=" + exec + "\nTerminal=false\nX-GNOME-Autostart-enabled=true\n"
	if err := os.WriteFile(p, []byte(entry), 0o644); err != nil {
		return "", fmt.Errorf("write %s: %w", p, err)
	}
	return p, nil
}

// RemoveAutostart deletes the autostart entry if there is one.
func RemoveAutostart(t Target) error {
	p, err := AutostartPath(t)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("remove %s: %w", p, err)
	}
	return nil
}

// quoteExec quotes arguments as the Desktop Entry spec asks: in double
// quotes, with " ` $ \ escaped.
func quoteExec(args []string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", `$`, `\$`)
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = `"` + r.Replace(a) + `"`
	}
	return strings.Join(out, " ")
}
