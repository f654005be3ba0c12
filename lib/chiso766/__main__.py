"""``python -m chiso766``: the command line, with no traceback even when interrupted while importing."""

import sys

try:
    from chiso766.cli import entry
except KeyboardInterrupt:  # Ctrl+C during the imports, before the CLI's own error boundary exists
    print("Đã dừng theo yêu cầu (Ctrl+C).", file=sys.stderr)
    raise SystemExit(130) from None

entry()
