package logtail

import (
	"context"

	"github.com/richs/richsops/ops/host"
)

// Source is what Tail reads on a host: a file, or a command's output.
type Source struct {
	Path    string   // a log file; a glob picks the newest match (Resolve)
	Argv    []string // instead of Path: a command whose output is the stream
	Label   string   // names the stream in statuses; "" = the path (or argv[0])
	Lines   int      // last lines to show first
	MaxLine int      // line cap in bytes; 0 = DefaultMaxLine
	Follow  bool     // then every line appended, until ctx ends
}

// Tail is the one way the console and `richsops tail` read a log on any
// host: the last src.Lines lines and, with Follow, what is appended. The
// host says how (Host.TailCommand): by a command run there, or, for files
// this process can open, by the rotation-proof follower (EmitLast and
// Follow need their descriptors).
func Tail(ctx context.Context, h host.Host, src Source, sink Sink) error {
	label := src.Label
	if len(src.Argv) > 0 {
		if label == "" {
			label = src.Argv[0]
		}
		return FollowCommand(ctx, h, src.Argv, label, src.MaxLine, sink)
	}
	path, err := Resolve(ctx, h, src.Path)
	if err != nil {
		return err
	}
	if label == "" {
		label = path
	}
	if argv := h.TailCommand(path, src.Lines, src.Follow); argv != nil {
		return FollowCommand(ctx, h, argv, label, src.MaxLine, sink)
	}
	if !src.Follow {
		return EmitLast(path, src.Lines, src.MaxLine, sink)
	}
	return Follow(ctx, Options{Path: path, Lines: src.Lines, MaxLine: src.MaxLine}, sink)
}
