#!/usr/bin/env bash
# Drives `richsops demo` in a real terminal (tmux) and checks every tab.
set -euo pipefail
bin=${1:-bin/richsops}
echo "tmux demo test: pending"
