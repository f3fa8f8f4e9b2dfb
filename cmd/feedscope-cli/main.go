// Command feedscope-cli is Feedscope without the desktop: tail, demo-server and
// the other subcommands of package cli in a static, cgo-free binary for servers,
// containers and pipelines. `go install github.com/feedscope/feedscope/cmd/feedscope-cli@latest`
// needs no C toolchain.
package main

import (
	"fmt"
	"os"

	"github.com/feedscope/feedscope/cli"
	_ "github.com/feedscope/feedscope/session/all"
)

func main() {
	code, ok := cli.Run(os.Args[1:], cli.OS())
	if !ok {
		fmt.Fprintln(os.Stderr, "usage:")
		cli.Usage(os.Stderr, "feedscope-cli")
		os.Exit(cli.ExitUsage)
	}
	os.Exit(code)
}
