"""Where an unexpected failure happened, kept for whoever fixes it — never what it was about.

The command line and the app both end an unexpected failure with one line for the person; the detail
goes to ``errors.log`` in the user's state folder (0600): the exception's type and the files, lines and
functions it passed through, never its message or any value (those can hold a child's name).
"""

from __future__ import annotations

import datetime as dt
import os
import traceback

__all__ = ["log_failure", "MAX_LOG_BYTES"]

#: the log is rotated (one old copy kept) when it grows past this
MAX_LOG_BYTES = 1_000_000


def log_failure(e: BaseException) -> str | None:
    """Append where ``e`` happened to ``errors.log``; its path, or None when it cannot be written."""
    try:
        from platformdirs import user_state_dir

        folder = user_state_dir("handover", appauthor=False)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        path = os.path.join(folder, "errors.log")
        if os.path.exists(path) and os.path.getsize(path) > MAX_LOG_BYTES:
            os.replace(path, path + ".1")
        frames = traceback.extract_tb(e.__traceback__)
        lines = [f"{dt.datetime.now(dt.timezone.utc).isoformat(timespec='seconds')} {type(e).__module__}."
                 f"{type(e).__qualname__}"] + [f"  {f.filename}:{f.lineno} in {f.name}" for f in frames]
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        return path
    except Exception:  # noqa: BLE001 — the log is a courtesy: the one-line message is what counts
        return None
