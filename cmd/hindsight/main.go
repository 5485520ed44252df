// Command hindsight turns resolved PagerDuty incidents into postmortem pull requests on GitHub.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, errFindings) {
			os.Exit(1) // lint printed the findings: nothing to add
		}
		fmt.Fprintln(os.Stderr, "hindsight: "+oneLine(err.Error()))
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// usageError is a command line that cannot be run; it exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

const usage = `usage: hindsight <command> [flags]

commands:
  serve     run the service (--role all|api|worker)
  preview   render a postmortem to stdout (--from FILE | --incident ID) [--roles]
  replay    enqueue the postmortem pipeline for a past incident (--incident ID)
  lint      check postmortems for blameful wording and missing content ([--format text|json] FILE.md…)
  healthcheck  exit 0 when the local service answers /readyz with 200, else 1
  version   print the version`

// run is the whole program: it parses args, reads the configuration through getenv and writes to stdout
// and stderr. It returns when the command is done or, for serve, when ctx ends or a signal arrives.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(args) < 2 {
		return usageError{usage}
	}
	cmd, rest := args[1], args[2:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, getenv, stdout, stderr)
	case "preview":
		return runPreview(ctx, rest, getenv, stdout, stderr)
	case "replay":
		return runReplay(ctx, rest, getenv, stdout)
	case "lint":
		return runLint(ctx, rest, getenv, os.Stdin, stdout)
	case "healthcheck":
		return runHealthcheck(ctx, rest, getenv, stdout)
	case "version", "--version":
		_, err := fmt.Fprintln(stdout, "hindsight "+version)
		return err
	case "help", "-h", "--help":
		_, err := fmt.Fprintln(stdout, usage)
		return err
	default:
		return usageError{fmt.Sprintf("unknown command %q (want serve, preview, replay, lint, healthcheck or version)", cmd)}
	}
}
