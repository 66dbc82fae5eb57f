package host

import (
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/richs/richsops/ops/config"
)

// Registry resolves the host names used in config ("local", "db1", ...).
type Registry struct {
	mu    sync.Mutex
	hosts map[string]Host
	cfg   *config.Config
	// NewRemote builds a remote host from its config entry. Until the SSH
	// host lands it is nil and remote names give a clear error.
	NewRemote func(config.HostEntry) (Host, error)
}

// NewRegistry returns a registry with the local host.
func NewRegistry(cfg *config.Config) *Registry {
	local := NewLocalEditing(DirsOf(cfg))
	return &Registry{cfg: cfg, hosts: map[string]Host{"local": local, "": local}}
}

// Get returns the host of that name ("" and "local" are this machine).
func (r *Registry) Get(name string) (Host, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if h, ok := r.hosts[name]; ok {
		return h, nil
	}
	e, ok := r.cfg.HostEntry(name)
	if !ok {
		return nil, fmt.Errorf("unknown host %q (known: %v)", name, r.namesLocked())
	}
	if r.NewRemote == nil {
		return nil, fmt.Errorf("host %q: remote hosts are not supported in this build", name)
	}
	h, err := r.NewRemote(e)
	if err != nil {
		return nil, err
	}
	r.hosts[name] = h
	return h, nil
}

// Set installs a host under a name (tests, and the SSH host).
func (r *Registry) Set(name string, h Host) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hosts[name] = h
}

// Names lists "local" and every configured host.
func (r *Registry) Names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.namesLocked()
}

func (r *Registry) namesLocked() []string {
	out := []string{"local"}
	var rest []string
	for _, h := range r.cfg.Hosts {
		rest = append(rest, h.Name)
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// Close ends what the hosts keep open (the SSH hosts' shared connections);
// call it when richsops exits. Hosts stay usable: they reconnect on demand.
func (r *Registry) Close() error {
	r.mu.Lock()
	hosts := make([]Host, 0, len(r.hosts))
	for _, h := range r.hosts {
		hosts = append(hosts, h)
	}
	r.mu.Unlock()
	var errs []error
	for _, h := range hosts {
		if c, ok := h.(interface{ Close() error }); ok {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

// LocalName is the configured name of the machine richsops runs on.
const LocalName = "local"

// IsLocalName reports whether a configured host name ("" or LocalName)
// means this machine: the one place outside config that decides it from a name.
func IsLocalName(name string) bool { return name == "" || name == LocalName }

// NameOf is name as shown and audited: LocalName for "".
func NameOf(name string) string {
	if name == "" {
		return LocalName
	}
	return name
}

// SelfCommand is how a command run on h names richsops itself: self (this
// binary's path) here, "richsops" from the PATH on another host.
func SelfCommand(h Host, self string) string {
	if h.IsLocal() {
		return self
	}
	return "richsops"
}

// RemoteName is h's name when h is another machine, "" for this one (or nil).
func RemoteName(h Host) string {
	if h == nil || h.IsLocal() {
		return ""
	}
	return h.Name()
}
