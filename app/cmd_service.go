package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/app/osservice"
)

func newServiceCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "service install|uninstall|start|stop|status",
		Short: "Run the agent at login as a per-user OS service",
		Long: `Install the agent as a per-user service, so it runs at login and keeps
running when the desktop app is closed: a systemd user unit on Linux, a
LaunchAgent on macOS, a per-user Run entry on Windows (no admin rights
needed). Each --home gets its own service.`,
	}
	var autostart bool
	install := &cobra.Command{
		Use:   "install",
		Short: "Install and start the service",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := serviceTarget(g)
			if err != nil {
				return err
			}
			if autostart {
				p, err := osservice.InstallAutostart(t)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "The agent will start when you log in to your desktop (%s).\n", p)
				return nil
			}
			m, err := serviceManager(t)
			if err != nil {
				return err
			}
			if err := m.Install(); err != nil {
				return fmt.Errorf("install the service %s: %w", t.Name(), err)
			}
			if err := m.Start(); err != nil {
				return fmt.Errorf("installed the service %s, but it did not start: %w", t.Name(), err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Installed and started the service %s: the agent now runs at login.\n", t.Name())
			return nil
		},
	}
	install.Flags().BoolVar(&autostart, "autostart", false, "use the desktop's autostart instead of a service manager")
	cmd.AddCommand(install,
		serviceAction(g, "uninstall", "Stop and remove the service", func(t osservice.Target, m serviceControl) (string, error) {
			m.Stop() // a stopped or never-started service is fine here
			osservice.RemoveAutostart(t)
			if err := m.Uninstall(); err != nil {
				return "", err
			}
			return "Removed the service " + t.Name() + ".", nil
		}),
		serviceAction(g, "start", "Start the service", func(t osservice.Target, m serviceControl) (string, error) {
			return "Started " + t.Name() + ".", m.Start()
		}),
		serviceAction(g, "stop", "Stop the service (it starts again at the next login)", func(t osservice.Target, m serviceControl) (string, error) {
			return "Stopped " + t.Name() + ".", m.Stop()
		}),
		serviceAction(g, "status", "Say whether the service is installed and running", func(t osservice.Target, m serviceControl) (string, error) {
			st, err := m.Status()
			return t.Name() + ": " + st, err
		}),
	)
	return cmd
}

type serviceControl interface {
	Install() error
	Uninstall() error
	Start() error
	Stop() error
	Status() (string, error)
}

func serviceAction(g *globals, use, short string, do func(osservice.Target, serviceControl) (string, error)) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := serviceTarget(g)
			if err != nil {
				return err
			}
			m, err := serviceManager(t)
			if err != nil {
				return err
			}
			msg, err := do(t, m)
			if err != nil {
				return fmt.Errorf("%s the service %s: %w", use, t.Name(), err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), msg)
			return nil
		},
	}
}

// serviceManager explains what to do where no service manager exists.
func serviceManager(t osservice.Target) (serviceControl, error) {
	m, err := osservice.New(t)
	if errors.Is(err, osservice.ErrNoServiceManager) {
		return nil, fmt.Errorf("%w: run `shardkeeper service install --autostart` to start the agent when you log in to your desktop, or run `shardkeeper agent` yourself", err)
	}
	return m, err
}

func serviceTarget(g *globals) (osservice.Target, error) {
	h, err := g.resolveHome()
	if err != nil {
		return osservice.Target{}, err
	}
	if _, err := h.LoadConfig(); err != nil {
		return osservice.Target{}, err
	}
	exe, err := os.Executable()
	if err != nil {
		return osservice.Target{}, fmt.Errorf("find the shardkeeper program: %w", err)
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	def, _ := home.Resolve("")
	isDefault := g.home == "" && os.Getenv(home.EnvVar) == ""
	return osservice.Target{Exe: exe, Home: h.Dir, DefaultHome: isDefault || def.Dir == h.Dir}, nil
}
