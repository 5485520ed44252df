// Command hindsight turns resolved PagerDuty incidents into postmortem pull requests on GitHub.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
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

// commands are hindsight's subcommands, as "hindsight help" lists them and their -h describes them.
var commands = []struct{ name, synopsis, does string }{
	{"serve", "serve [--role all|api|worker]", "run the service: the HTTP API, the workers, or both"},
	{"send", "send [--to URL] [--secret S] [FILE…]", "sign and post PagerDuty webhooks (a sample incident by default)"},
	{"preview", "preview (--from FILE | --incident ID) [--roles]", "render a postmortem to stdout"},
	{"replay", "replay (--incident ID | --since DATE [--until DATE] [--service ID…] | --archived)", "enqueue the postmortem pipeline for past incidents, or run archived tasks again"},
	{"lint", "lint [--format text|json] [--words FILE.yaml] FILE.md…", "check postmortems for blameful wording and missing content"},
	{"stats", "stats [--since DATE] [--format table|csv] [--postmortems]", "print the postmortems and the team's figures by week and by service"},
	{"config", "config check [--role all|api|worker]", "check the configuration and print it, secrets redacted"},
	{"healthcheck", "healthcheck [--timeout 3s]", "exit 0 when the local service answers /readyz with 200, else 1"},
	{"version", "version", "print the version"},
	{"help", "help [COMMAND]", "list the commands, or describe one"},
}

// commandList lists the commands one a line.
func commandList() string {
	var b strings.Builder
	b.WriteString("usage: hindsight <command> [flags]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-8s  %s\n", c.name, c.does)
	}
	b.WriteString("\nRun \"hindsight <command> -h\" for a command's flags.\n")
	return b.String()
}

// run is the whole program: it parses args, reads the configuration through getenv and writes to stdout
// and stderr. It returns when the command is done or, for serve, when ctx ends or a signal arrives.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(args) < 2 {
		fmt.Fprint(stderr, commandList())
		return usageError{"no command given (listed above)"}
	}
	err := dispatch(ctx, args[1], args[2:], getenv, stdout, stderr)
	var help helpError
	if errors.As(err, &help) {
		_, err = io.WriteString(stdout, help.text)
	}
	return err
}

func dispatch(ctx context.Context, cmd string, rest []string, getenv func(string) string, stdout, stderr io.Writer) error {
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
		if len(rest) > 0 && (rest[0] == "-h" || rest[0] == "--help") {
			return helpError{commandHelp(newFlags("version"))}
		}
		_, err := fmt.Fprintln(stdout, "hindsight "+version)
		return err
	case "send":
		return runSend(ctx, rest, getenv, stdout)
	case "stats":
		return runStats(ctx, rest, getenv, stdout)
	case "config":
		return runConfig(ctx, rest, getenv, stdout)
	case "help", "-h", "--help":
		if len(rest) > 0 && rest[0] != "help" {
			return dispatch(ctx, rest[0], []string{"-h"}, getenv, stdout, stderr)
		}
		_, err := io.WriteString(stdout, commandList())
		return err
	default:
		return usageError{fmt.Sprintf("unknown command %q (run \"hindsight help\" for the list)", cmd)}
	}
}
