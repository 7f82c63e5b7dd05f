package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/shardkeeper/shardkeeper/internal/words"

	"github.com/spf13/cobra"

	"github.com/shardkeeper/shardkeeper/agent"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
)

// Exit statuses of `verify` besides 0 (all good).
const (
	exitProblems   = 1 // files were bad or missing (a repair started)
	exitIncomplete = 2 // paused, stopped at a drive that went away, or failed
)

func newVerifyCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Verify the files you hold now, and fetch bad ones again",
		Long: `Check every file held on the connected storage against its checksum
(the agent reads each one), wait for the end, and print what was found. Bad
files are marked missing (git annex fsck), reported to the hub and fetched
again. The agent also does this by itself every 30 days (see "settings
--verify-every-days").
Exit status: 0 all good, 1 problems found, 2 the verification did not finish.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var rep control.VerifyReport
			err := withAgent(cmd.Context(), g, func(api control.API, local *agent.Agent, h home.Home) (err error) {
				if local != nil {
					rep, err = local.VerifyNow(cmd.Context())
					return err
				}
				rep, err = verifyRemote(cmd.Context(), api, cmd.ErrOrStderr())
				return err
			})
			if err != nil {
				return err
			}
			return printVerify(cmd.OutOrStdout(), rep)
		},
	}
}

// verifyRemote asks the running agent to verify and waits for its report.
func verifyRemote(ctx context.Context, api control.API, progress io.Writer) (control.VerifyReport, error) {
	before, err := api.Status(ctx)
	if err != nil {
		return control.VerifyReport{}, err
	}
	if err := api.Verify(ctx); err != nil && !verifyRunning(ctx, api, before, err) {
		return control.VerifyReport{}, err
	}
	fmt.Fprintln(progress, "Verifying…")
	for {
		st, err := api.Status(ctx)
		if err != nil {
			return control.VerifyReport{}, err
		}
		r := st.LastVerification
		if st.Verifying == nil && r != nil && r.Finished != nil && isNewReport(before.LastVerification, r) {
			return *r, nil
		}
		select {
		case <-ctx.Done():
			return control.VerifyReport{}, errors.New("stopped waiting; the verification goes on in the agent (see `shardkeeper status`)")
		case <-time.After(300 * time.Millisecond):
		}
	}
}

func isNewReport(old, r *control.VerifyReport) bool {
	return old == nil || !r.Started.Equal(old.Started)
}

func printVerify(w io.Writer, r control.VerifyReport) error {
	fmt.Fprintf(w, "Checked %s: %s found.\n", words.Count(r.Checked, "file", "files"), words.Count(r.Problems, "problem", "problems"))
	for _, f := range r.ProblemFiles {
		fmt.Fprintf(w, "  bad or missing: %s\n", f)
	}
	if r.Repair != "" {
		fmt.Fprintf(w, "Repair: %s\n", r.Repair)
	}
	switch r.Outcome {
	case "done":
	case "paused":
		fmt.Fprintln(w, "Paused before the end: it continues where it stopped when you resume.")
		return exitError{exitIncomplete}
	case "not_connected":
		fmt.Fprintln(w, "A storage drive went away during the check: nothing was marked lost; it continues when the drive is back.")
		return exitError{exitIncomplete}
	case "time_limit":
		fmt.Fprintln(w, "Stopped at the time limit: it continues later where it stopped.")
		return exitError{exitIncomplete}
	default:
		fmt.Fprintf(w, "The verification failed: %s\n", r.Message)
		return exitError{exitIncomplete}
	}
	if r.Problems > 0 {
		return exitError{exitProblems}
	}
	return nil
}

// verifyRunning reports whether Verify's err only says that a
// verification is under way already (a conflict while the status shows
// one, or one that ended since before): then that one is the one to wait
// for. The agent's typed answer and its status say so, not its wording.
func verifyRunning(ctx context.Context, api control.API, before control.Status, err error) bool {
	if !errors.Is(err, control.ErrConflict) {
		return false
	}
	st, serr := api.Status(ctx)
	if serr != nil {
		return false
	}
	r := st.LastVerification
	return st.Verifying != nil || (r != nil && r.Finished != nil && isNewReport(before.LastVerification, r))
}
