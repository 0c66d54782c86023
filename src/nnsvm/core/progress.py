"""Progress bars that go quiet when stderr is not a terminal."""

from __future__ import annotations

from typing import Any

from tqdm.auto import tqdm


def progress(iterable: Any = None, **kwargs: Any) -> tqdm:
    """``tqdm`` with ``disable=None``: shown on a terminal, silent in logs and CI."""
    kwargs.setdefault("disable", None)
    kwargs.setdefault("leave", False)
    return tqdm(iterable, **kwargs)
