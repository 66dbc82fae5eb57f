// Package hostile holds the test that runs every command of the CLI on a
// box of hostile strings. A package of its own: it registers all the
// commands, which package cli's own tests must not see.
package hostile
