// Package jsonwalk holds the test that runs every registered command with
// --json and checks the output against the JSON rules of the README. A
// package of its own: it registers all the commands, which package cli's
// own tests must not see.
package jsonwalk
