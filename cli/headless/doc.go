// Package headless holds the tests of the command line's promises to
// scripts and monitors: every registered command's --json output follows
// the JSON rules of the README, and the exit codes are 0 ok, 1 failed, 2
// bad usage (check: 0/1/2/3). A package of its own: it registers all the
// commands, which package cli's own tests must not see.
package headless
