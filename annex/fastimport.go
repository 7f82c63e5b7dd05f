package annex

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strconv"
)

// FastImport runs one `git fast-import --quiet --done --force` (plus
// args) and feeds it the stream write makes, ended by "done". Errors of
// the stream stick in the bufio.Writer and come back after git's own.
func FastImport(ctx context.Context, g Git, args []string, write func(*bufio.Writer)) error {
	cmd := g.Command(ctx, append([]string{"fast-import", "--quiet", "--done", "--force"}, args...)...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start git fast-import: %w", err)
	}
	w := bufio.NewWriterSize(stdin, 1<<20)
	write(w)
	w.WriteString("done\n")
	werr := w.Flush() // bufio.Writer keeps the first write error
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		// git's own message says more than the broken pipe we saw.
		return CommandError("git", []string{"fast-import"}, err, stderr.Bytes())
	}
	return werr
}

// FastImportData writes a fast-import "data" command with its content.
func FastImportData(w *bufio.Writer, data []byte) {
	w.WriteString("data " + strconv.Itoa(len(data)) + "\n")
	w.Write(data)
	w.WriteByte('\n')
}
