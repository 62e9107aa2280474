package cli

import (
	"fmt"
	"io"
)

// restoreCmd plans a restore (placeholder until the restore helper lands it).
func restoreCmd(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "platform restore: not built yet")
	return 1
}
