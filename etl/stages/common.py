"""What every stage entry point shares: the database target made ready, async runs."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from etl.db.migrate import ensure_schema
from etl.db.target import DatabaseTarget, as_target
from etl.errors import UserInputError

T = TypeVar("T")


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a stage's coroutine; inside a running event loop (a notebook) say what to do instead."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    coro.close()
    raise UserInputError("a stage function was called inside a running event loop",
                         hint="call it from a thread: await asyncio.to_thread(run_filter, target, settings)")


async def ready(target: DatabaseTarget | str) -> DatabaseTarget:
    """The target started (the embedded cluster, explicitly, off the event loop) and migrated."""
    target = as_target(target)
    await asyncio.to_thread(target.start)
    await ensure_schema(target)
    return target
