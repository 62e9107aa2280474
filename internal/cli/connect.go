package cli

import (
	"fmt"
	"io"
)

// connectCmd opens a Session Manager tunnel (placeholder until the access helper lands it).
func connectCmd(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "platform connect: not built yet")
	return 1
}
